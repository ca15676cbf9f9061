"""A code's codebook entry: definition, when to use, when not to, example."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from qcode.core.model import Code
from qcode.tui.widgets.blocks import code_colour

FIELDS = (
    ("short", "Short"),
    ("definition", "Definition"),
    ("when_to_use", "When to use"),
    ("when_not_to_use", "When not to use"),
    ("example", "Example"),
)


def code_entry(code: Code, path: str, count: int) -> Group:
    """The entry as rich text: one heading and paragraph per field that is filled in."""
    parts: list[Text] = [Text.assemble(("■ ", code_colour(code)), (path, "bold")),
                         Text(f"{count} paragraphs coded by you" if code.codable
                              else "a folder: not codable itself", style="dim")]
    for field, title in FIELDS:
        value = getattr(code, field)
        if not value:
            continue
        if field == "example" and code.example_ref:
            value = f"“{value}” ({code.example_ref})"
        parts.extend([Text(""), Text(title, style="bold underline"), Text(value)])
    if not any(getattr(code, f) for f, _t in FIELDS):
        parts.extend([Text(""), Text("No definition yet: e in the codebook pane adds one.",
                                     style="italic")])
    return Group(*parts)


class CodeInfo(ModalScreen[None]):
    """Shows one code's entry; Escape or ``i`` closes."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,i,q", "close", "Close")]

    def __init__(self, code: Code, path: str, count: int) -> None:
        super().__init__()
        self.code = code
        self.path = path
        self.count = count

    def compose(self) -> ComposeResult:
        """The entry in a scrollable box."""
        with Vertical(classes="dialog info"):
            yield Label("Codebook entry", classes="dialog-title")
            with VerticalScroll():
                yield Static(code_entry(self.code, self.path, self.count), id="info-text")
            yield Label("↑↓ PgUp PgDn: scroll   Esc: close", classes="hint")

    def action_close(self) -> None:
        """Back to work."""
        self.dismiss(None)
