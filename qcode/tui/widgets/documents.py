"""The documents pane: every document with the coder's progress, attributes on demand."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, Static

from qcode.core.model import DocumentSummary
from qcode.tui.session import Session
from qcode.tui.widgets.entry_list import EntryList


def progress_cell(summary: DocumentSummary) -> Text:
    """"12/56" with a colour that says how far along the coder is."""
    done, total = summary.coded, summary.paragraphs
    style = "green" if total and done == total else ("yellow" if done else "dim")
    return Text(f"{done}/{total}", style=style)


def entry_line(summary: DocumentSummary, is_open: bool, width: int) -> Text:
    """One document's line: name (cut with "…" to fit), then its progress at the right.

    A single line of text, not a table: a project of a thousand documents lays out in
    milliseconds (a rich table per entry took seconds to measure)."""
    progress = progress_cell(summary)
    name = Text(("▸ " if is_open else "  ") + summary.document.name, no_wrap=True)
    name.truncate(max(4, width - progress.cell_len - 1), overflow="ellipsis", pad=True)
    name.append(" ")
    name.append_text(progress)
    return name


# Before the pane knows its width (the first layout), lines are made this wide.
FALLBACK_WIDTH = 30


class DocumentsPane(Vertical):
    """Lists the documents; Enter opens one, ``a`` shows its attributes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "attributes", "Attributes"),
    ]

    class Open(Message):
        """The researcher chose a document to read."""

        def __init__(self, document_id: int) -> None:
            super().__init__()
            self.document_id = document_id

    def __init__(self, session: Session, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self.show_attributes = False
        self._width = 0

    def compose(self) -> ComposeResult:
        """Title, list, and the (hidden) attributes panel."""
        yield Label("Documents [dim](d)[/]", classes="pane-title")
        yield EntryList(id="document-list")
        yield Static(id="attributes")

    def on_descendant_focus(self) -> None:
        """Light up the title while the pane has the keyboard."""
        self.add_class("-active")

    def on_descendant_blur(self) -> None:
        """Dim the title again."""
        self.remove_class("-active")

    def on_mount(self) -> None:
        """Fill the list."""
        self.border_title = "Documents"
        self.refresh_list()
        self.query_one("#attributes", Static).display = False

    @property
    def options(self) -> EntryList:
        """The list widget."""
        return self.query_one("#document-list", EntryList)

    def refresh_list(self) -> None:
        """Rebuild the entries from the session (keeps the highlight on the same document)."""
        options = self.options
        open_id = self.session.view.document.id if self.session.view else None
        keep = options.highlighted_id or (str(open_id) if open_id else None)
        width = self._line_width()
        self._width = width
        options.set_entries([(str(summary.document.id),
                              entry_line(summary, summary.document.id == open_id, width))
                             for summary in self.session.documents], highlight=keep)
        self._show_attributes()

    def _line_width(self) -> int:
        width = self.options.scrollable_content_region.width
        return width if width > 0 else FALLBACK_WIDTH

    def on_resize(self) -> None:
        """Lay the entries out again for the new width."""
        if self._line_width() != self._width:
            self.refresh_list()

    def on_entry_list_selected(self, event: EntryList.Selected) -> None:
        """Enter (or a click) opens the document."""
        event.stop()
        self.post_message(self.Open(int(event.entry_id)))

    def on_entry_list_highlighted(self, event: EntryList.Highlighted) -> None:
        """Keep the attributes panel on the highlighted document."""
        event.stop()
        self._show_attributes()

    def action_attributes(self) -> None:
        """Show or hide the highlighted document's attributes."""
        self.show_attributes = not self.show_attributes
        self._show_attributes()

    def _show_attributes(self) -> None:
        panel = self.query_one("#attributes", Static)
        panel.display = self.show_attributes
        entry_id = self.options.highlighted_id
        if not self.show_attributes or entry_id is None:
            return
        summary = self.session.summary(int(entry_id))
        if summary is None:
            return
        document = summary.document
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        facts = {"title": document.title, "kind": document.kind, "author": document.author,
                 "language": document.language, "paragraphs": str(summary.paragraphs),
                 "coded by you": str(summary.coded), **summary.attributes}
        for key, value in facts.items():
            if value:
                grid.add_row(key, value)
        panel.update(grid)
