"""Correcting a paragraph's text from the coding screen (``e``): the same core function
as ``qcode edit``, one event, codings, spans and memos following their text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qcode.core import transcript_edit
from qcode.tui.modals.confirm import Confirm
from qcode.tui.modals.paragraph_editor import ParagraphEditor

if TYPE_CHECKING:
    from qcode.tui.screens.coding import CodingScreen


def edit_paragraph(screen: CodingScreen) -> None:
    """Open the current paragraph's text in an editor; saving corrects it (asking first
    when codings or memos are split, moved or lost)."""
    session = screen.session
    paragraph = screen.reader.current
    view = session.view
    if paragraph is None or view is None:
        return
    document = view.document

    def saved(value: str | None) -> None:
        if value is None:
            return
        plan = screen.attempt(lambda: transcript_edit.plan_paragraph(
            session.project, session.project.document(document.id), paragraph.id, value))
        if plan is None:
            return
        if not plan.changed:
            screen.say(f"{paragraph.ref}: nothing to change")
            return
        if not plan.needs_confirmation:
            apply(plan)
            return
        lines = transcript_edit.describe(plan)
        screen.app.push_screen(
            Confirm(f"Correct {paragraph.ref}?", "\n".join(lines[1:]), yes="apply"),
            lambda yes: apply(plan) if yes else screen.say("correction cancelled; nothing "
                                                           "changed"))

    def apply(plan: transcript_edit.EditPlan) -> None:
        message = screen.attempt(lambda: session.correct(plan))
        if message is not None:
            screen.after_reload(message)

    screen.app.push_screen(ParagraphEditor(f"Correct the text of {paragraph.ref}", "",
                                           paragraph.text), saved)
