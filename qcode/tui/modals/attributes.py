"""A document's attributes: what it is, who was interviewed, and the coder's progress.

A dialog rather than a strip of the narrow documents pane, where a long title or
organisation name broke into one word per line.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from qcode.core.model import DocumentSummary
from qcode.tui.modals.dialog import Dialog

# The names column is at most this wide; longer names wrap within it.
KEY_WIDTH = 18


def facts(summary: DocumentSummary, *, counted: bool = True) -> dict[str, str]:
    """What the dialog lists, in order: the document's own fields, the coder's
    progress (not ``counted`` yet: said so), then the attributes (from a catalogue or
    front matter)."""
    document = summary.document
    counting = "still counting…"
    found = {"title": document.title, "kind": document.kind, "author": document.author,
             "language": document.language,
             "paragraphs": f"{summary.paragraphs:,}" if counted else counting,
             "coded by you": (f"{summary.coded:,} of {summary.paragraphs:,}" if counted
                              else counting),
             **summary.attributes}
    return {key: value for key, value in found.items() if value}


def attributes_table(summary: DocumentSummary, *, counted: bool = True) -> Table:
    """Name and value side by side; values wrap at word boundaries."""
    grid = Table.grid(padding=(0, 2), expand=True)
    grid.add_column(style="bold", max_width=KEY_WIDTH, overflow="fold")
    grid.add_column(ratio=1, overflow="fold")
    for key, value in facts(summary, counted=counted).items():
        grid.add_row(key, Text(value))
    return grid


class AttributesDialog(Dialog[None]):
    """``a`` in the documents pane; Escape, ``a`` or ``q`` closes."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,a,q", "close", "Close")]

    def __init__(self, summary: DocumentSummary, *, counted: bool = True) -> None:
        super().__init__()
        self.summary = summary
        self.counted = counted

    def compose(self) -> ComposeResult:
        """The attributes in a scrollable box."""
        with Vertical(classes="dialog attributes"):
            yield Label(f"Attributes of {self.summary.document.name}", classes="dialog-title")
            with VerticalScroll():
                yield Static(attributes_table(self.summary, counted=self.counted),
                             id="attributes-table")
            yield Label("↑↓ PgUp PgDn: scroll   Esc: close", classes="hint")

    def action_close(self) -> None:
        """Back to the documents."""
        self.dismiss(None)
