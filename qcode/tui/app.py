"""The qcode terminal app: one project, one coder at a time, all by keyboard."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual import events
from textual.app import App

from qcode.core.errors import QcodeError
from qcode.core.project import Project
from qcode.core.shared_folder import first_warning
from qcode.tui import memory, prefs, terminal
from qcode.tui.live import POLL_SECONDS, Refreshes, Watcher, describe
from qcode.tui.screens.main import MainScreen
from qcode.tui.session import COUNT_LATER_FROM, Session


class QcodeApp(App[None]):
    """Open with a :class:`Project` and a coder name; the caller closes the project."""

    CSS_PATH = Path(__file__).parent / "styles" / "app.tcss"
    TITLE = "qcode"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, project: Project, coder: str, *, blind: bool = False,
                 remember: bool = True) -> None:
        super().__init__()
        terminal.install()  # text from the project never reaches the terminal raw
        # A big project's counts are read after the first screen is drawn.
        self.session = Session(project, coder, blind=blind,
                               count_later=project.codings_made() >= COUNT_LATER_FROM)
        self.remember = remember
        self.watcher = Watcher(project)
        # Set while an import writes on a connection of its own: its commits are ours.
        self.importing = False

    def on_mount(self) -> None:
        """Open the coding screen where this coder left off; watch for other writers;
        the first time the project is opened from a synced folder, say why not to."""
        self.push_screen(MainScreen(self.session, paragraph_id=self._restore()))
        self.set_interval(POLL_SECONDS, self.check_for_changes)
        warning = first_warning(self.session.project.path)
        if warning is not None:
            self.notify(warning, severity="warning", timeout=30)
        self.call_after_refresh(memory.settle)
        self.set_interval(memory.TICK, memory.tidy)

    async def on_event(self, event: events.Event) -> None:
        """Every key's young garbage is collected once the frame it asked for is
        drawn, so no collection falls inside the next key (see :mod:`memory`)."""
        if isinstance(event, events.Key):
            self.call_after_refresh(memory.after_key)
        await super().on_event(event)

    def check_for_changes(self, *, force: bool = False) -> str | None:
        """If another process committed (or ``force``), let every open screen re-read
        what it shows; returns the message the screens were given."""
        if self.importing:
            return None
        try:
            events = self.watcher.news()
        except sqlite3.Error:
            return None  # the file is busy or gone for a moment: look again next time
        if events is None and not force:
            return None
        message = (describe(events, self.session.coder) if events is not None
                   else "refreshed: nothing changed elsewhere")
        for screen in self.screen_stack:
            if isinstance(screen, Refreshes):
                try:
                    screen.outside_changes(message)
                except (QcodeError, sqlite3.Error) as exc:
                    self.notify(f"could not re-read the project: {exc}", severity="error")
        return message

    def importing_starts(self) -> None:
        """An import writes on a connection of its own: its commits are ours."""
        self.importing = True

    def importing_ends(self) -> None:
        """The import is over: count its commits as seen, watch again."""
        self.importing = False
        self.watcher.absorb()

    def _restore(self) -> int | None:
        session = self.session
        place = prefs.load(self._guid, session.coder) if self.remember else prefs.Place()
        self.restore_keys(place)
        documents = {d.document.guid: d.document for d in session.documents}
        document = documents.get(place.document or "")
        if document is None and session.documents:
            document = session.documents[0].document
        if document is None:
            return None
        view = session.open_document(document.id)
        if place.document == document.guid and place.paragraph in view.paragraphs.ordinals:
            return view.paragraphs.ids[view.paragraphs.ordinals.index(place.paragraph)]
        return None

    def restore_keys(self, place: prefs.Place | None = None) -> None:
        """Put the coder's own codes back on their number keys (the first nine codable
        codes for a coder who has none saved)."""
        session = self.session
        if place is None:
            place = prefs.load(self._guid, session.coder) if self.remember else prefs.Place()
        by_guid = {code.guid: code.id for code in session.codes.values()}
        if place.keys is not None:
            session.keys.load(place.keys, by_guid)
        elif place.pins:
            # Saved by an earlier version: pinned codes first, then the first codable
            # ones — the keys that coder saw, kept where they were.
            pinned = [session.codes[by_guid[g]] for g in place.pins if g in by_guid]
            rest = [c for c in session.codable() if c not in pinned]
            session.keys.set_default([*pinned, *rest])
        else:
            session.keys.set_default(session.codable())
        session.keys.fit(session.codes, session.codable())

    @property
    def _guid(self) -> str:
        return self.session.project.meta("guid") or str(self.session.project.path.resolve())

    def save_place(self) -> None:
        """Remember the document, paragraph and number keys for next time."""
        if not self.remember:
            return
        session = self.session
        screen = next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)
        current = screen.reader.current if screen is not None else None
        place = prefs.Place(
            document=session.view.document.guid if session.view else None,
            paragraph=current.ordinal if current else None,
            keys=session.keys.saved(session.codes),
        )
        prefs.save(self._guid, session.coder, place)

    async def action_quit(self) -> None:
        """Quit (every change is already committed; only the place is saved now)."""
        self.save_place()
        self.exit()

    def on_unmount(self) -> None:
        """Close the worker connection; let the collector free the app's objects."""
        self.session.close()
        memory.restore()


def run(path: Path, coder: str, *, blind: bool = False) -> None:
    """Open the project at ``path`` and run the app until the researcher quits."""
    project = Project.open(path)
    try:
        QcodeApp(project, coder, blind=blind).run()
    finally:
        project.close()


__all__ = ["QcodeApp", "run"]
