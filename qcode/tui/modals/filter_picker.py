"""``f``: what the reader is narrowed to — a theme (a code with its sub-codes) or one
speaker's turns, chosen in one list by typing part of either."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from qcode.core.suggest import did_you_mean
from qcode.tui import fuzzy
from qcode.tui.modals.dialog import show_error
from qcode.tui.modals.picker import CodePicker, Pick
from qcode.tui.session import Session
from qcode.tui.wording import plural

SPEAKER = "speaker:"
HINT = "Enter: show only that (a code: with its sub-codes)   Esc: cancel"


class FilterPicker(CodePicker):
    """Codes (a parent stands for its whole theme), then the open document's speakers."""

    def __init__(self, session: Session, *, speakers: Sequence[tuple[str, int]]) -> None:
        super().__init__(session, title="Show only a theme or a speaker",
                         codable_only=False)
        self.speakers = list(speakers)

    def show_speakers(self, speakers: Sequence[tuple[str, int]]) -> None:
        """Reused for another opening (perhaps on another document): its speakers,
        the codebook read again, the filter box empty."""
        self.speakers = list(speakers)
        self.reset()

    def compose(self) -> ComposeResult:
        """Title, the filter box, the list, and the hint (or what matched nothing)."""
        with Vertical(classes="dialog picker"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder="type part of a code or a speaker…", id="picker-input")
            yield OptionList(id="picker-list")
            yield Label(HINT, id="picker-hint", classes="hint")

    def _options(self, query: str) -> list[Option]:
        options = [o for o in super()._options(query)]
        names = [name for name, _turns in self.speakers]
        order = fuzzy.rank(query, names) if query else range(len(names))
        for index in order:
            name, turns = self.speakers[index]
            prompt = Text(no_wrap=True, overflow="ellipsis")
            prompt.append("    ◆ ", style="bold")
            prompt.append(name)
            prompt.append(f"  speaker, {plural(turns, 'turn')}", style="dim")
            options.append(Option(prompt, id=f"{SPEAKER}{index}"))
        return options

    def _fill(self, query: str) -> None:
        show_error(self.query_one("#picker-hint", Label), None, HINT)
        super()._fill(query)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter chooses the highlighted entry; typed text that matches nothing says so,
        in one line, with the nearest name."""
        event.stop()
        event.prevent_default()  # the picker's own handler would choose again
        option = self.options.highlighted_option
        if option is not None:
            self._choose(option.id)
            return
        typed = event.value.strip()
        if not typed:
            return
        known = [code.name for code, _depth in self.entries] + [n for n, _t in self.speakers]
        show_error(self.query_one("#picker-hint", Label),
                   f"No code or speaker {typed!r} here{did_you_mean(typed, known)}", HINT)

    def _choose(self, option_id: str | None) -> None:
        if option_id is not None and option_id.startswith(SPEAKER):
            self.dismiss(Pick(speaker=self.speakers[int(option_id[len(SPEAKER):])][0]))
            return
        super()._choose(option_id)
