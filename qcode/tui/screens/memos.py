"""Memos from the coding screen: on the current paragraph, or on one of its codings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qcode.core.model import Code
from qcode.tui.modals.memo import MemoEditor
from qcode.tui.modals.picker import CodePicker

if TYPE_CHECKING:
    from qcode.tui.screens.coding import CodingScreen


def paragraph_memo(screen: CodingScreen) -> None:
    """Open the memo editor on the current paragraph; saving writes the memo."""
    session = screen.session
    paragraph = screen.reader.current
    if paragraph is None:
        return
    text = session.project.memo("paragraph", paragraph.id, session.coder)

    def saved(value: str | None) -> None:
        if value is not None:
            message = screen.attempt(
                lambda: session.write_paragraph_memo(paragraph.id, value))
            if message:
                screen.after_write(message)

    screen.app.push_screen(MemoEditor(f"Memo on {paragraph.ref}", paragraph.text, text),
                           saved)


def coding_memo(screen: CodingScreen) -> None:
    """Open the memo editor on one of the coder's codings of the current paragraph
    (asking which, when it carries several)."""
    session = screen.session
    paragraph = screen.reader.current
    if paragraph is None:
        return
    own = sorted(session.own_codes(paragraph.id))
    if not own:
        screen.notify(f"{paragraph.ref} carries none of your codes; tag it first",
                      severity="warning")
        return

    def edit(code: Code) -> None:
        text = session.project.coding_memo(paragraph.id, code.id, session.coder)

        def saved(value: str | None) -> None:
            if value is not None:
                message = screen.attempt(
                    lambda: session.write_coding_memo(paragraph.id, code, value))
                if message:
                    screen.after_write(message)

        title = f"Memo on {code.name!r} at {paragraph.ref}"
        screen.app.push_screen(MemoEditor(title, paragraph.text, text), saved)

    if len(own) == 1:
        edit(session.codes[own[0]])
        return
    screen.app.push_screen(
        CodePicker(session, title=f"Memo on which coding of {paragraph.ref}?", only=own),
        lambda pick: edit(pick.code) if pick and pick.code else None)
