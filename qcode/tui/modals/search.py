"""Searching every document: hits with their context, Enter jumps to one, ``a`` (on the
list) codes every hit.

The list uses the height it has: each hit is its place and one line of context
centred on the match (two lines when the terminal is tall), so an 80×24 terminal
shows seven or eight hits, not two; the dialog grows with a bigger terminal.
"""

from __future__ import annotations

import io
import re
from contextlib import suppress
from dataclasses import dataclass
from typing import ClassVar

from rich.console import Console
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from qcode.core.errors import QcodeError
from qcode.core.search import Hit, is_blank, search
from qcode.tui.modals.dialog import Dialog, show_line
from qcode.tui.session import Session

# Wait for a pause in typing before searching (a search per keystroke is wasted work).
DEBOUNCE_SECONDS = 0.2
LIMIT = 100
HINT = "Enter: go to hit   Tab, a: code every hit   Esc: close"
READY = "Type to search.   Enter: go to hit   ↑↓: move   Esc: close"
# Wraps snippets to a width (nothing is printed with it).
_CONSOLE = Console(width=200, color_system=None, file=io.StringIO())
# From this many rows of list on, each hit shows two lines of context.
TALL_LIST = 24
# A query with none of these (letters, digits) has nothing to search for.
_WORD = re.compile(r"[^\W_]")


def context(hit: Hit, width: int, lines: int) -> Text:
    """The hit's snippet cut to ``lines`` lines of ``width`` cells, centred on its
    first match (matches highlighted; "…" where it was cut)."""
    snippet = hit.snippet
    spans = list(hit.highlights)
    room = max(width * lines - 2 * lines, 8)
    start = 0
    if spans and len(snippet) > room:
        first, last = spans[0]
        # A third of the room before the match: enough to read into it.
        start = max(0, min(first - (room - (last - first)) // 3, len(snippet) - room))
    end = min(len(snippet), start + room)
    body = Text(("…" if start else "") + snippet[start:end] + ("…" if end < len(snippet)
                                                               else ""))
    shift = 1 if start else 0
    for low, high in spans:
        if high > start and low < end:
            body.stylize("bold reverse", max(low, start) - start + shift,
                         min(high, end) - start + shift)
    if lines == 1:
        body.truncate(width, overflow="ellipsis")
        return body
    wrapped = list(body.wrap(_CONSOLE, width))
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1].truncate(max(width - 1, 1))
        wrapped[-1].append("…")
    return Text("\n").join(wrapped)


@dataclass(frozen=True)
class CodeEveryHit:
    """What the search closes with when ``a`` asks to code every hit of ``query`` (all
    of them, not only the ones shown)."""

    query: str


class SearchModal(Dialog[Hit | CodeEveryHit | None]):
    """Full-text search with typo tolerance; runs in a worker thread."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Close"),
        # Not a priority binding: in the query box, "a" is a letter to type.
        Binding("a", "code_every_hit", "Code every hit"),
        Binding("down", "move(1)", "Next hit", show=False, priority=True),
        Binding("up", "move(-1)", "Previous hit", show=False, priority=True),
    ]

    def __init__(self, session: Session, query: str = "") -> None:
        super().__init__()
        self.session = session
        self.initial = query
        self.hits: list[Hit] = []
        self.query_text = query
        self._timer: Timer | None = None
        self._shown = 0  # counts the hit lists shown, so a late rest can tell it is stale

    def compose(self) -> ComposeResult:
        """Query box, hit list, summary line."""
        with Vertical(classes="dialog search"):
            yield Label("Search all documents", classes="dialog-title")
            yield Input(self.initial, placeholder="words to find (typos are forgiven)…",
                        id="search-input", compact=True)
            yield OptionList(id="search-hits")
            yield Label(READY, id="search-summary", classes="hint")

    def reset(self) -> None:
        """Show again as if new: an empty query box and no hits. The dialog is built
        once and reset for each opening: building it (its widgets, their styles, a
        layout of the whole screen) cost a 160×45 terminal some 50 ms of every ``/``."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.workers.cancel_group(self, "search")
        self._shown += 1  # a late rest of the last hits is stale now
        self.hits = []
        self.initial = self.query_text = ""
        box = self.query_one("#search-input", Input)
        with box.prevent(Input.Changed):  # an empty box is not a query to search for
            box.value = ""
        box.focus()  # typing goes to the query again, wherever Tab left the focus
        self.query_one("#search-hits", OptionList).clear_options()
        show_line(self.query_one("#search-summary", Label), READY)
        self._warm()

    def on_resize(self) -> None:
        """Lay the hits out again for the new size."""
        if self.hits:
            self._show(self.query_text, self.hits)

    def on_mount(self) -> None:
        """Search for a preset query straight away; else get the vocabulary ready while
        the researcher types."""
        if self.initial.strip():
            self.run_search(self.initial)
        else:
            self._warm()

    @work(thread=True, group="search-warm")
    def _warm(self) -> None:
        # A failure here is met and reported by the search itself.
        with suppress(QcodeError):
            self.session.warm_search()

    def on_input_changed(self, event: Input.Changed) -> None:
        """Search again once typing pauses."""
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        query = event.value
        self._timer = self.set_timer(DEBOUNCE_SECONDS, lambda: self.run_search(query))

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        """Search off the UI thread, on the session's read-only connection."""
        worker = get_current_worker()
        try:
            hits = self.session.read(lambda reader: search(reader, query, limit=LIMIT))
        except QcodeError as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, str(exc))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, query, hits)

    def _failed(self, message: str) -> None:
        self.notify(message, severity="error")

    def _show(self, query: str, hits: list[Hit]) -> None:
        self.hits = hits
        self.query_text = query
        options = self.query_one("#search-hits", OptionList)
        keep = (options.highlighted or 0) if options.option_count == len(hits) else 0
        width = max(options.scrollable_content_region.width - 2, 20)
        lines = 2 if options.size.height >= TALL_LIST else 1
        # The list lays out every option it is given: the hits that fit go in now, the
        # rest once they are on screen (a search's first screen in half the time).
        first = max(options.size.height // (lines + 1) + 4, 8)
        self._shown += 1
        options.set_options(Option(self._prompt(hit, width, lines), id=str(i))
                            for i, hit in enumerate(hits[:first]))
        if hits:
            options.highlighted = min(keep, first - 1)
        if len(hits) > first:
            self.call_after_refresh(self._show_rest, self._shown, first, width, lines, keep)
        summary = self.query_one("#search-summary", Label)
        if not query.strip():
            show_line(summary, "Type to search.   Esc: close")
        elif not _WORD.search(query):
            show_line(summary, f"Nothing to search for in {query!r}: type a word.   Esc: close")
        elif not hits:
            show_line(summary, f"Nothing found for {query!r}.   Esc: close")
        else:
            more = "+" if len(hits) == LIMIT else ""
            noun = "hit" if len(hits) == 1 else "hits"
            show_line(summary, f"{len(hits)}{more} {noun}.   {HINT}")

    def _show_rest(self, shown: int, first: int, width: int, lines: int, keep: int) -> None:
        if shown != self._shown:
            return  # a newer search replaced these hits
        options = self.query_one("#search-hits", OptionList)
        options.add_options(Option(self._prompt(hit, width, lines), id=str(i))
                            for i, hit in enumerate(self.hits[first:], start=first))
        if keep >= first:
            options.highlighted = keep

    @staticmethod
    def _prompt(hit: Hit, width: int, lines: int) -> Text:
        head = Text(no_wrap=True, overflow="ellipsis")
        head.append(f"{hit.document} {hit.paragraph.ref}", style="bold")
        if hit.paragraph.speaker:
            head.append(f"  {hit.paragraph.speaker}", style="italic")
        if hit.paragraph.section:
            head.append(f"  {hit.paragraph.section}", style="dim")
        head.truncate(width, overflow="ellipsis")
        return Text.assemble(head, "\n", context(hit, width, lines))

    def action_move(self, delta: int) -> None:
        """Move between hits while typing."""
        options = self.query_one("#search-hits", OptionList)
        if options.option_count:
            current = options.highlighted if options.highlighted is not None else -1
            options.highlighted = max(0, min(current + delta, options.option_count - 1))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter jumps to the highlighted hit; with nothing typed, says so."""
        event.stop()
        options = self.query_one("#search-hits", OptionList)
        if options.highlighted is not None and self.hits:
            self.dismiss(self.hits[options.highlighted])
        elif not _WORD.search(event.value):
            show_line(self.query_one("#search-summary", Label),
                      "Nothing to search for: type a word (typos are forgiven).   Esc: close")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A click on a hit jumps to it."""
        event.stop()
        self.dismiss(self.hits[event.option_index])

    def action_code_every_hit(self) -> None:
        """``a`` on the hit list: code every hit of the search shown (the coding screen
        asks for the code, then confirms with the count)."""
        if not self.hits or is_blank(self.query_text):
            self.notify("nothing to code: search for something first", severity="warning")
            return
        self.dismiss(CodeEveryHit(self.query_text))

    def action_cancel(self) -> None:
        """Close without jumping."""
        self.dismiss(None)
