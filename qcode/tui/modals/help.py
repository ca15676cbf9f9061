"""Every key binding, grouped by where it works (built from the bindings themselves,
so the help cannot drift from what the keys do)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Label, Static

from qcode.tui.modals.dialog import Dialog
from qcode.tui.widgets.codebook import CodebookPane
from qcode.tui.widgets.documents import DocumentsPane
from qcode.tui.widgets.reader import Reader

NAMES = {
    "down": "↓", "up": "↑", "left": "←", "right": "→", "pagedown": "PgDn", "pageup": "PgUp",
    "greater_than_sign": ">", "plus_sign": "+", "question_mark": "?", "slash": "/",
    "section_sign": "§", "escape": "Esc", "enter": "Enter", "delete": "Del", "home": "Home",
    "end": "End", "tab": "Tab", "space": "Space", "asterisk": "*",
}


def key_text(keys: str) -> str:
    """"j,down" -> "j ↓"; "ctrl+s" -> "Ctrl+S"."""
    shown = []
    for key in keys.split(","):
        parts = key.strip().split("+")
        last = NAMES.get(parts[-1], parts[-1])
        mods = [p.capitalize() for p in parts[:-1]]
        if mods and len(last) == 1:
            last = last.upper()
        shown.append("+".join([*mods, last]))
    return " ".join(shown)


def bindings_table(sections: Sequence[tuple[str, Sequence[BindingType]]]) -> Group:
    """One two-column table per section: the keys, and what they do.

    A binding's tooltip, when it has one, is the longer explanation shown here (the
    footer shows its short description). Keys 1–9 are one row.
    """
    tables: list[Table | Text] = []
    for title, bindings in sections:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True, min_width=12)
        table.add_column()
        slots_done = False
        for binding in bindings:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            if binding.action.startswith("slot("):
                if not slots_done:
                    table.add_row("1 … 9", "Toggle the code on that key (the numbers in the "
                                           "codebook pane) on the paragraph or selection")
                    slots_done = True
                continue
            table.add_row(key_text(binding.key), binding.tooltip or binding.description)
        tables.extend([Text(title, style="bold underline"), table, Text("")])
    return Group(*tables)


def coding_screen_help(
    screen: Sequence[BindingType],
) -> list[tuple[str, Sequence[BindingType]]]:
    """The sections of the coding screen's help: its own keys, then each pane's."""
    return [
        ("Anywhere on the coding screen", screen),
        ("Reader", Reader.BINDINGS),
        ("Codebook pane (t)", [*CodebookPane.BINDINGS,
                               Binding("enter", "", "Toggle the code on the current paragraph"),
                               Binding("space", "", "Fold / unfold a parent code")]),
        ("Documents pane (d)", [Binding("enter", "", "Open the document"),
                                *DocumentsPane.BINDINGS]),
        ("Everywhere", [Binding("tab", "", "Next pane / next field"),
                        Binding("escape", "", "Close a dialog"),
                        Binding("ctrl+s", "", "Save in the memo and code editors")]),
    ]


class HelpModal(Dialog[None]):
    """``?`` shows every binding; Escape, ``q`` or ``?`` closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close"),
    ]

    def __init__(self, sections: Sequence[tuple[str, Sequence[BindingType]]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        """The table in a scrollable box."""
        with Vertical(classes="dialog help"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll():
                yield Static(bindings_table(self.sections), id="help-table")
            yield Label("↑↓ PgUp PgDn: scroll   Esc: close", classes="hint")

    def action_close(self) -> None:
        """Back to work."""
        self.dismiss(None)
