"""Writing a memo on a paragraph or on a coding."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, Static, TextArea

from qcode.tui.modals.confirm import Confirm
from qcode.tui.modals.dialog import Dialog


class MemoEditor(Dialog[str | None]):
    """Ctrl+S saves (empty text removes the memo); Escape cancels, asking first if the
    text was changed, so a memo is never thrown away silently."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, context: str, text: str | None) -> None:
        super().__init__()
        self.title_text = title
        self.context = context
        self.original = text or ""

    def compose(self) -> ComposeResult:
        """Title, the paragraph for reference, the editor."""
        with Vertical(classes="dialog memo"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.context, id="memo-context")
            yield TextArea(self.original, id="memo-text", soft_wrap=True)
            yield Label("Ctrl+S: save   Esc: cancel   (save it empty to remove the memo)",
                        classes="hint")

    def on_mount(self) -> None:
        """Start typing at the end."""
        area = self.query_one("#memo-text", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @property
    def text(self) -> str:
        """What is in the editor now."""
        return self.query_one("#memo-text", TextArea).text

    def action_save(self) -> None:
        """Close with the text (the caller writes it)."""
        self.dismiss(self.text)

    def action_cancel(self) -> None:
        """Close without saving; ask first if something was typed."""
        if self.text == self.original:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(Confirm("Discard this memo?", "Your changes will be lost.",
                                     yes="discard"), answered)
