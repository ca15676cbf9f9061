"""Which number key a code goes on: one key press answers."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, Static

from qcode.core.model import Code
from qcode.tui.keymap import SLOTS
from qcode.tui.modals.dialog import Dialog

# What the dialog is closed with to take the code off its key.
TAKE_OFF = 0


class KeyPrompt(Dialog[int | None]):
    """1–9 puts the code on that key, Enter on the one offered (the code's own key, or
    the lowest free one), 0 takes it off its key, Escape cancels (None)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *[Binding(str(n), f"answer({n})", show=False) for n in range(SLOTS + 1)],
        Binding("enter", "offered", "The key offered", show=False),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, code: Code, *, now: int | None, offered: int | None,
                 taken: dict[int, str]) -> None:
        super().__init__()
        self.code = code
        self.now = now
        self.offered = offered
        self.taken = taken

    def compose(self) -> ComposeResult:
        """The question, the keys as they are, and the answers."""
        with Vertical(classes="dialog key-prompt"):
            yield Label(f"Number key for “{self.code.name}”", classes="dialog-title")
            rows = []
            for key in range(1, SLOTS + 1):
                name = self.taken.get(key)
                rows.append(f" {key}  {name if name is not None else '(free)'}")
            yield Static("\n".join(rows), id="key-map")
            offer = (f"Enter: key {self.offered}   " if self.offered else "")
            off = "0: off its key   " if self.now else ""
            yield Label(f"1–9: that key (no other moves)   {offer}{off}Esc: cancel",
                        classes="hint")

    def action_answer(self, number: int) -> None:
        """A number key answers."""
        if number == TAKE_OFF and not self.now:
            return
        self.dismiss(number)

    def action_offered(self) -> None:
        """Enter takes the key offered."""
        if self.offered:
            self.dismiss(self.offered)

    def action_cancel(self) -> None:
        """Escape: no change."""
        self.dismiss(None)
