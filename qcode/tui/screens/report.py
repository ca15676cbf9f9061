"""The report screen: how often each code was applied, with bars.

The numbers are :func:`qcode.reports.frequencies.frequencies` — the same function the
CLI's ``qcode report frequencies`` prints — so a parent code counts each paragraph
under it once (its own count beside it). They are recounted in a worker thread every
time the screen is shown, so they include the tags made since it was last open.
"""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static
from textual.worker import get_current_worker

from qcode.core.errors import QcodeError
from qcode.reports.filters import ReportFilter
from qcode.reports.frequencies import FrequencyRow, frequencies
from qcode.tui.session import Session
from qcode.tui.widgets.blocks import PALETTE
from qcode.tui.wording import plural

EIGHTHS = " ▏▎▍▌▋▊▉█"


def bar(value: int, largest: int, width: int) -> str:
    """A horizontal bar in eighths of a cell."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / largest * width * 8))
    return "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")


def report_table(rows: list[FrequencyRow], width: int = 100) -> Table:
    """Code, paragraphs (rolled up), its own, documents, share, and a bar that takes
    whatever width the code names leave."""
    name_width = min(max((len(r.code) + 2 * r.depth + 2 for r in rows), default=10),
                     max(width // 2 - 4, 20))
    # The five number columns take 20 cells, the cell padding 12, the scrollbar 2.
    bar_width = max(width - name_width - 34, 5)
    table = Table(box=None, padding=(0, 1), show_edge=False)
    table.add_column("code", no_wrap=True, overflow="ellipsis", width=name_width)
    table.add_column("¶", justify="right", no_wrap=True, width=4)
    table.add_column("own", justify="right", no_wrap=True, width=4, style="dim")
    table.add_column("docs", justify="right", no_wrap=True, width=4, style="dim")
    table.add_column("share", justify="right", no_wrap=True, width=5, style="dim")
    table.add_column("", no_wrap=True, overflow="crop", width=bar_width)
    largest = max((r.paragraphs for r in rows), default=0)
    for row in rows:
        colour = row.colour or PALETTE[len(row.guid) % len(PALETTE)]
        name = Text("  " * row.depth)
        name.append("■ ", style=colour)
        name.append(row.code, style="" if row.paragraphs else "dim")
        table.add_row(
            name, str(row.paragraphs) if row.paragraphs else "·",
            str(row.own_paragraphs) if row.own_paragraphs != row.paragraphs else "",
            str(row.documents) if row.paragraphs else "",
            f"{row.share:.0%}" if row.paragraphs else "",
            Text(bar(row.paragraphs, largest, bar_width), style=colour),
        )
    return table


class ReportScreen(Screen[None]):
    """Code frequencies; ``a`` switches between your codings and everyone's."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,R,q", "back", "Back to coding"),
        Binding("a", "scope", "You / all coders"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.everyone = False

    def compose(self) -> ComposeResult:
        """Title, the table, the keys."""
        yield Label("", id="report-title", classes="dialog-title")
        with VerticalScroll(id="report-body"):
            yield Static("counting…", id="report-table")
        yield Label("¶: paragraphs with the code or one below it · own: with the code "
                    "itself · a: you / all coders · Esc: back", classes="hint")

    def on_screen_resume(self) -> None:
        """Recount whenever the screen comes (back) into view."""
        self.refresh_report()

    def outside_changes(self, message: str) -> None:
        """Someone else wrote: count again."""
        self.refresh_report()
        self.notify(message)

    def action_back(self) -> None:
        """Return to the coding screen."""
        self.app.pop_screen()

    def action_scope(self) -> None:
        """Switch between the coder's codings and everyone's."""
        self.everyone = not self.everyone
        self.refresh_report()

    @property
    def who(self) -> str:
        """Whose codings are counted, in words."""
        return "all coders" if self.everyone else self.session.coder

    def refresh_report(self) -> None:
        """Start a recount in the background."""
        self.query_one("#report-title", Label).update(f"Code frequencies — {self.who}")
        coder = None if self.everyone else self.session.coder
        if coder is not None and self.session.coder_id is None:
            self._show([])  # a coder who has not coded anything yet
            return
        self.count(coder)

    @work(thread=True, exclusive=True, group="report")
    def count(self, coder: str | None) -> None:
        """Count on the session's read-only connection, off the UI thread."""
        worker = get_current_worker()
        flt = ReportFilter(coders=(coder,)) if coder else None
        try:
            rows = self.session.read(lambda reader: frequencies(reader, flt))
        except QcodeError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error")
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[FrequencyRow]) -> None:
        table = self.query_one("#report-table", Static)
        title = self.query_one("#report-title", Label)
        if not rows or not any(r.paragraphs for r in rows):
            table.update(f"Nothing coded by {self.who} yet." if self.session.codes
                         else "No codes yet.")
            return
        width = self.query_one("#report-body").size.width - 2
        table.update(report_table(rows, width))
        used = sum(1 for r in rows if r.own_paragraphs)
        title.update(f"Code frequencies — {self.who}: {used} of "
                     f"{plural(len(rows), 'code')} used, "
                     f"{plural(rows[0].total_paragraphs, 'paragraph')} in the project")
