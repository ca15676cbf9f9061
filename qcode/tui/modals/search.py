"""Searching every document: hits with their context, Enter jumps to one, ``a`` (on the
list) codes every hit."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from qcode.core.errors import QcodeError
from qcode.core.search import Hit, is_blank, search
from qcode.core.store.db import translate
from qcode.tui.session import Session

# Wait for a pause in typing before searching (a search per keystroke is wasted work).
DEBOUNCE_SECONDS = 0.2
LIMIT = 100
HINT = "Enter: go to hit   Tab, a: code every hit   ↑↓: move   Esc: close"


@dataclass(frozen=True)
class CodeEveryHit:
    """What the search closes with when ``a`` asks to code every hit of ``query`` (all
    of them, not only the ones shown)."""

    query: str


class SearchModal(ModalScreen[Hit | CodeEveryHit | None]):
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
        self.shown_query = ""
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        """Query box, hit list, summary line."""
        with Vertical(classes="dialog search"):
            yield Label("Search all documents", classes="dialog-title")
            yield Input(self.initial, placeholder="words to find (typos are forgiven)…",
                        id="search-input")
            yield OptionList(id="search-hits")
            yield Label("Type to search.   Enter: go to hit   ↑↓: move   Esc: close",
                        id="search-summary", classes="hint")

    def on_mount(self) -> None:
        """Search for a preset query straight away."""
        if self.initial.strip():
            self.run_search(self.initial)

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
            with self.session.reader() as reader:
                hits = search(reader, query, limit=LIMIT)
        except (QcodeError, sqlite3.Error) as exc:
            message = str(exc if isinstance(exc, QcodeError)
                          else translate(exc, self.session.project.path))
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, message)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, query, hits)

    def _failed(self, message: str) -> None:
        self.notify(message, severity="error")

    def _show(self, query: str, hits: list[Hit]) -> None:
        self.hits = hits
        self.shown_query = query
        options = self.query_one("#search-hits", OptionList)
        options.set_options(Option(self._prompt(hit), id=str(i)) for i, hit in enumerate(hits))
        if hits:
            options.highlighted = 0
        summary = self.query_one("#search-summary", Label)
        if not query.strip():
            summary.update("Type to search.   Esc: close")
        elif not hits:
            summary.update(f"Nothing found for {query!r}.   Esc: close")
        else:
            more = "+" if len(hits) == LIMIT else ""
            noun = "hit" if len(hits) == 1 else "hits"
            summary.update(f"{len(hits)}{more} {noun}.   {HINT}")

    @staticmethod
    def _prompt(hit: Hit) -> Text:
        head = Text(f"{hit.document} {hit.paragraph.ref}", style="bold")
        if hit.paragraph.section:
            head.append(f"  {hit.paragraph.section}", style="dim")
        body = Text(hit.snippet)
        for start, end in hit.highlights:
            body.stylize("bold reverse", start, end)
        return Text.assemble(head, "\n", body)

    def action_move(self, delta: int) -> None:
        """Move between hits while typing."""
        options = self.query_one("#search-hits", OptionList)
        if options.option_count:
            current = options.highlighted if options.highlighted is not None else -1
            options.highlighted = max(0, min(current + delta, options.option_count - 1))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter jumps to the highlighted hit."""
        event.stop()
        options = self.query_one("#search-hits", OptionList)
        if options.highlighted is not None and self.hits:
            self.dismiss(self.hits[options.highlighted])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A click on a hit jumps to it."""
        event.stop()
        self.dismiss(self.hits[event.option_index])

    def action_code_every_hit(self) -> None:
        """``a`` on the hit list: code every hit of the search shown (the coding screen
        asks for the code, then confirms with the count)."""
        if not self.hits or is_blank(self.shown_query):
            self.notify("nothing to code: search for something first", severity="warning")
            return
        self.dismiss(CodeEveryHit(self.shown_query))

    def action_cancel(self) -> None:
        """Close without jumping."""
        self.dismiss(None)
