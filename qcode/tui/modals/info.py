"""A code's codebook entry (definition, when to use, when not to, example), and the
codes on one paragraph with who applied them."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from qcode.core.model import Code, Paragraph
from qcode.tui.modals.dialog import Dialog
from qcode.tui.widgets.blocks import code_colour
from qcode.tui.wording import plural

FIELDS = (
    ("short", "Short"),
    ("definition", "Definition"),
    ("when_to_use", "When to use"),
    ("when_not_to_use", "When not to use"),
    ("example", "Example"),
)


def code_entry(code: Code, path: str, count: int | None) -> Group:
    """The entry as rich text: one heading and paragraph per field that is filled in
    (``count`` None: the coder's paragraphs are still being counted)."""
    said = ("a folder: not codable itself" if not code.codable
            else "paragraphs coded by you: still counting…" if count is None
            else f"{plural(count, 'paragraph')} coded by you")
    parts: list[Text] = [Text.assemble(("■ ", code_colour(code)), (path, "bold")),
                         Text(said, style="dim")]
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


def paragraph_entry(paragraph: Paragraph, coded: list[tuple[Code, list[str]]]) -> Group:
    """The codes on a paragraph: each with who applied it and its short definition (or
    the start of its definition)."""
    parts: list[Text] = [Text(f"{paragraph.ref}: {plural(len(coded), 'code')}"
                              if coded else f"{paragraph.ref} carries no codes yet.",
                              style="bold")]
    if not coded:
        parts.append(Text("1–9 or c codes it.", style="dim"))
    for code, who in coded:
        parts.append(Text(""))
        parts.append(Text.assemble(("■ ", code_colour(code)), (code.name, "bold"),
                                   ("  by " + ", ".join(who), "dim")))
        said = code.short or code.definition
        if said:
            parts.append(Text(said))
        elif not code.when_to_use:
            parts.append(Text("No definition yet.", style="italic dim"))
        if code.when_to_use:
            parts.append(Text.assemble(("When to use: ", "bold"), code.when_to_use))
    return Group(*parts)


class ParagraphCodes(Dialog[None]):
    """``i`` in the reader: the codes on the current paragraph; Escape or ``i`` closes."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,i,q", "close", "Close")]

    def __init__(self, paragraph: Paragraph, coded: list[tuple[Code, list[str]]]) -> None:
        super().__init__()
        self.paragraph = paragraph
        self.coded = coded

    def compose(self) -> ComposeResult:
        """The codes in a scrollable box."""
        with Vertical(classes="dialog info"):
            yield Label(f"Codes on {self.paragraph.ref}", classes="dialog-title")
            with VerticalScroll():
                yield Static(paragraph_entry(self.paragraph, self.coded), id="info-text")
            yield Label("↑↓ PgUp PgDn: scroll   Esc: close   (t, then i: a code's whole "
                        "entry)", classes="hint")

    def action_close(self) -> None:
        """Back to work."""
        self.dismiss(None)


class CodeInfo(Dialog[None]):
    """Shows one code's entry; Escape or ``i`` closes."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,i,q", "close", "Close")]

    def __init__(self, code: Code, path: str, count: int | None) -> None:
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
