"""More like this: the paragraphs most like the current one, each one key from being
coded the same; Enter jumps to one."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from qcode.core.errors import QcodeError
from qcode.core.model import Paragraph
from qcode.core.similar import Similar, Uncoded, similar_to
from qcode.tui.modals.dialog import Dialog
from qcode.tui.session import Session

LIMIT = 50
HINT = "Enter: go  t: code like it  u: uncoded first  Esc: close"


class SimilarModal(Dialog[Similar | None]):
    """The paragraphs like ``source`` (found in a worker thread). ``tag`` gives a result
    the source's codes and returns what it did, or None when refused."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "cancel", "Close"),
        Binding("t", "tag", "Code like the source"),
        Binding("u", "uncoded", "Uncoded first"),
    ]

    def __init__(self, session: Session, source: Paragraph, where: str,
                 tag: Callable[[Similar], str | None], gives: str = "") -> None:
        super().__init__()
        self.gives = gives
        self.session = session
        self.source = source
        self.where = where
        self.tag = tag
        self.found: list[Similar] = []
        self.tagged: set[int] = set()
        self.uncoded: Uncoded | None = None

    def compose(self) -> ComposeResult:
        """Title, result list, summary line."""
        with Vertical(classes="dialog search"):
            yield Label(f"Paragraphs like {self.where}", classes="dialog-title")
            if self.gives:
                yield Label(self.gives, id="similar-gives", classes="hint")
            yield OptionList(id="similar-hits")
            yield Label("Looking…", id="similar-summary", classes="hint")

    def on_mount(self) -> None:
        """Look straight away."""
        self.query_one("#similar-hits", OptionList).focus()
        self.find()

    @work(thread=True, exclusive=True, group="similar")
    def find(self) -> None:
        """Find off the UI thread, on the session's read-only connection."""
        worker = get_current_worker()
        try:
            found = self.session.read(lambda reader: similar_to(
                reader, self.source.id, limit=LIMIT, uncoded=self.uncoded))
        except QcodeError as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, str(exc))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, found)

    def _failed(self, message: str) -> None:
        self.query_one("#similar-summary", Label).update(f"{message}   Esc: close")
        self.notify(message, severity="error")

    def _show(self, found: list[Similar]) -> None:
        self.found = found
        options = self.query_one("#similar-hits", OptionList)
        options.set_options(Option(self._prompt(f), id=str(i)) for i, f in enumerate(found))
        if found:
            options.highlighted = 0
        summary = self.query_one("#similar-summary", Label)
        if not found:
            summary.update("No paragraph shares a telling word with this one.   Esc: close")
        else:
            more = "+" if len(found) == LIMIT else ""
            order = " (uncoded first)" if self.uncoded == "first" else ""
            summary.update(f"{len(found)}{more} like it{order}.  {HINT}")

    def _prompt(self, found: Similar) -> Text:
        head = Text(f"{found.document} {found.paragraph.ref}", style="bold")
        head.append(f"  {found.score:.2f}", style="dim")
        if found.paragraph.id in self.tagged:
            head.append("  ✓ coded like it", style="green")
        elif not found.coded:
            head.append("  uncoded", style="yellow")
        head.append("  shares: " + ", ".join(found.shared[:6]), style="dim")
        body = Text(found.snippet)
        for start, end in found.highlights:
            body.stylize("bold reverse", start, end)
        return Text.assemble(head, "\n", body)

    def _highlighted(self) -> Similar | None:
        options = self.query_one("#similar-hits", OptionList)
        if options.highlighted is None or not self.found:
            return None
        return self.found[options.highlighted]

    def action_tag(self) -> None:
        """Give the highlighted paragraph the source's codes (one change; u undoes it
        on the coding screen)."""
        chosen = self._highlighted()
        if chosen is None:
            return
        message = self.tag(chosen)
        if message is None:
            return
        self.tagged.add(chosen.paragraph.id)
        options = self.query_one("#similar-hits", OptionList)
        index = self.found.index(chosen)
        options.replace_option_prompt_at_index(index, self._prompt(chosen))
        self.notify(message)

    def action_uncoded(self) -> None:
        """Put the paragraphs nobody has coded first (or back in plain order)."""
        self.uncoded = None if self.uncoded == "first" else "first"
        self.query_one("#similar-summary", Label).update("Looking…")
        self.find()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter (or a click) jumps to the result."""
        event.stop()
        self.dismiss(self.found[event.option_index])

    def action_cancel(self) -> None:
        """Close without jumping."""
        self.dismiss(None)
