"""Who is coding, from the coding screen: switching coder (each with their own number
keys), and blind mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qcode.tui.modals.prompt import Prompt
from qcode.tui.prefs import Remembers

if TYPE_CHECKING:
    from qcode.tui.screens.coding import CodingScreen


def switch_coder(screen: CodingScreen) -> None:
    """Ask for a coder's name and switch to them (a new name starts a new coder on
    their first change); the outgoing coder's place and keys are saved first, the
    incoming coder's keys put back."""
    session = screen.session
    others = ", ".join(c.name for c in session.project.coders()) or "none yet"

    def answered(name: str | None) -> None:
        if not name or not name.strip() or name.strip() == session.coder:
            return
        app = screen.app
        if isinstance(app, Remembers):
            app.save_place()
        screen.attempt(lambda: session.set_coder(name))
        if session.coder == name.strip():
            if isinstance(app, Remembers):
                app.restore_keys()
            screen.after_reload(f"coding as {session.coder}")

    screen.app.push_screen(Prompt("Coder", value=session.coder,
                                  hint=f"coders so far: {others}   Enter: switch   "
                                       "Esc: cancel"), answered)


def toggle_blind(screen: CodingScreen) -> None:
    """Hide (or show again) other coders' codings."""
    session = screen.session
    session.blind = not session.blind
    if screen.reader.filter is not None:
        # A theme counts only the coder's own codings in blind mode: filter again.
        current = screen.reader.current
        screen.reader.reload(current.id if current else None)
    screen.after_write("blind mode: other coders' codings hidden" if session.blind
                       else "showing every coder's codings")
