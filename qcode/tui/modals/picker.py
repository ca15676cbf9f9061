"""The code picker: type a few letters of a code, Enter applies it.

Used to toggle codes on paragraphs, and wherever a code must be chosen (filter, move,
merge, which coding a memo is for). Typing filters fuzzily ("regnal" finds "regional
variation"); when the toggle picker is asked for a name no code has, the last entry
offers to create that code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from qcode.core.ids import fold
from qcode.core.model import Code
from qcode.tui import fuzzy
from qcode.tui.modals.dialog import Dialog
from qcode.tui.session import Session
from qcode.tui.widgets.blocks import code_colour

NEW = "new"
TOP = "top"
# A match this good is offered before "new code"; a weaker one after it.
STRONG_MATCH = 75.0


@dataclass(frozen=True)
class Pick:
    """What the picker was closed with: a code, a new code's name, or the top level."""

    code: Code | None = None
    create: str | None = None
    top_level: bool = False
    speaker: str | None = None


class CodePicker(Dialog[Pick | None]):
    """A filterable list of codes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Next", show=False, priority=True),
        Binding("up", "move(-1)", "Previous", show=False, priority=True),
        Binding("pagedown", "move(10)", "Page down", show=False, priority=True),
        Binding("pageup", "move(-10)", "Page up", show=False, priority=True),
        Binding("ctrl+n", "create", "New code", show=False),
    ]

    def __init__(
        self,
        session: Session,
        *,
        title: str,
        checked: Iterable[int] = (),
        only: Iterable[int] | None = None,
        exclude: Iterable[int] = (),
        codable_only: bool = True,
        allow_create: bool = False,
        allow_top: bool = False,
        query: str = "",
    ) -> None:
        super().__init__()
        self.session = session
        self.title_text = title
        self.checked = set(checked)
        self._allowed = set(only) if only is not None else None
        self._excluded = set(exclude)
        self._codable_only = codable_only
        self.entries: list[tuple[Code, int]] = []
        self._read_entries()
        self.allow_create = allow_create
        self.allow_top = allow_top
        self.query_text = query

    def _read_entries(self) -> None:
        """The codes offered, in the codebook's order (read again when reused: the
        codebook may have changed since)."""
        allowed, excluded = self._allowed, self._excluded
        self.entries = [
            (code, depth) for code, depth in self.session.tree
            if (allowed is None or code.id in allowed) and code.id not in excluded
            and (code.codable or not self._codable_only)
        ]

    def reset(self) -> None:
        """Show again as if new: the codebook read again, the filter box empty, the
        whole list with its first entry highlighted. A dialog opened often is built
        once and reset: building one (its widgets, their styles, a layout of the whole
        screen) cost a 160×45 terminal some 50 ms of every opening."""
        self._read_entries()
        self.query_text = ""
        box = self.query_one("#picker-input", Input)
        with box.prevent(Input.Changed):  # one fill, not a second one for the change
            box.value = ""
        box.focus()  # typing goes to the filter box again, wherever Tab left the focus
        self._fill("")

    def compose(self) -> ComposeResult:
        """Title, the filter box and the list."""
        hint = "Enter: choose   ↑↓: move   Esc: cancel"
        if self.allow_create:
            hint = ("Enter: apply / remove (✓ = already on it)   Ctrl+N: new code   "
                    "↑↓: move   Esc: cancel")
        with Vertical(classes="dialog picker"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(value=self.query_text, placeholder="type to filter codes…",
                        id="picker-input")
            yield OptionList(id="picker-list")
            yield Label(hint, classes="hint")

    def on_mount(self) -> None:
        """Show the full list (or the filtered one for a preset query)."""
        self._fill(self.query_text)

    @property
    def options(self) -> OptionList:
        """The list widget."""
        return self.query_one("#picker-list", OptionList)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Refilter as the researcher types."""
        event.stop()
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        options = self._options(query.strip())
        shown = self.options
        # The list already shows these (reopened after Esc): keep it, and the lines
        # it has drawn. Setting them again throws those away, and the list's new
        # size takes the screen one more frame to show.
        if [(o.id, o.prompt) for o in shown.options] != [(o.id, o.prompt) for o in options]:
            shown.set_options(options)
        if options:
            shown.highlighted = 0

    def _options(self, query: str) -> list[Option]:
        """The entries for what was typed, best first."""
        best = 0.0
        if query:
            names = [code.name for code, _depth in self.entries]
            ranked = [self.entries[i] for i in fuzzy.rank(query, names)]
            shown = [(code, 0) for code, _depth in ranked]
            best = fuzzy.score(query, ranked[0][0].name) if ranked else 0.0
        else:
            shown = self.entries
        options: list[Option] = []
        if self.allow_top and not query:
            options.append(Option(Text("⌂ (the top level)", style="italic"), id=TOP))
        options.extend(Option(self._prompt(code, depth, bool(query)), id=str(code.id))
                       for code, depth in shown)
        exact = any(fold(code.name) == fold(query) for code, _depth in self.entries)
        if self.allow_create and query and not exact:
            new = Option(Text(f"+ New code “{query}”…", style="bold"), id=NEW)
            # When nothing is a close match, what was typed is most likely a new code.
            options.insert(0 if best < STRONG_MATCH else len(options), new)
        return options

    def _prompt(self, code: Code, depth: int, flat: bool) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("✓ " if code.id in self.checked else "  ", style="bold green")
        slot = self.session.slot_of(code.id)
        text.append(f"{slot} " if slot else "  ", style="bold")
        text.append("  " * depth)
        text.append("■ " if code.codable else "□ ", style=code_colour(code))
        text.append(code.name)
        if flat and code.parent_id is not None and code.parent_id in self.session.codes:
            text.append(f"  {self.session.codes[code.parent_id].name}", style="dim")
        return text

    def action_create(self) -> None:
        """Ctrl+N: a new code named as typed (the toggle picker only)."""
        query = self.query_one("#picker-input", Input).value.strip()
        if self.allow_create and query:
            self.dismiss(Pick(create=query))

    def action_move(self, delta: int) -> None:
        """Move the highlight while typing."""
        options = self.options
        if not options.option_count:
            return
        current = options.highlighted if options.highlighted is not None else -1
        options.highlighted = max(0, min(current + delta, options.option_count - 1))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter chooses the highlighted entry."""
        event.stop()
        option = self.options.highlighted_option
        if option is not None:
            self._choose(option.id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A click (or Enter on the list) chooses."""
        event.stop()
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        if option_id == NEW:
            self.dismiss(Pick(create=self.query_one("#picker-input", Input).value.strip()))
        elif option_id == TOP:
            self.dismiss(Pick(top_level=True))
        elif option_id is not None:
            self.dismiss(Pick(code=self.session.codes[int(option_id)]))

    def action_cancel(self) -> None:
        """Escape closes without choosing."""
        self.dismiss(None)
