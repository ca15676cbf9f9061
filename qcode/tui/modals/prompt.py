"""A one-line question: a label to jump to, a new name, a coder."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label

from qcode.tui.modals.dialog import Dialog


class Prompt(Dialog[str | None]):
    """Enter answers (with the typed text), Escape cancels (None)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, *, value: str = "", placeholder: str = "",
                 hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.hint = hint

    def compose(self) -> ComposeResult:
        """Title, input and a hint."""
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input",
                        select_on_focus=False)
            yield Label(self.hint or "Enter: OK   Esc: cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter answers."""
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        """Escape gives up."""
        self.dismiss(None)
