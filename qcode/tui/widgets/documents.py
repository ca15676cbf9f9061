"""The documents pane: every document with the coder's progress, attributes on demand
(``a`` opens them in a dialog)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label

from qcode.core.model import DocumentSummary
from qcode.tui.session import Session
from qcode.tui.widgets.entry_list import EntryList


def progress_cell(summary: DocumentSummary, counted: bool = True) -> Text:
    """"12/56" with a colour that says how far along the coder is ("…" while the
    progress is still being counted)."""
    if not counted:
        return Text("…", style="dim")
    done, total = summary.coded, summary.paragraphs
    style = "green" if total and done == total else ("yellow" if done else "dim")
    return Text(f"{done}/{total}", style=style)


def entry_line(summary: DocumentSummary, is_open: bool, width: int,
               counted: bool = True) -> Text:
    """One document's line: name (cut with "…" to fit), then its progress at the right.

    A single line of text, not a table: a project of a thousand documents lays out in
    milliseconds (a rich table per entry took seconds to measure)."""
    progress = progress_cell(summary, counted)
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
        self._width = 0
        # Each document's line as last made, with what it was made from: a tag changes
        # one document's progress, and making a thousand lines again for it cost a
        # big project more than the rest of the key press.
        self._lines: dict[int, tuple[DocumentSummary, bool, int, bool, Text]] = {}

    def compose(self) -> ComposeResult:
        """Title and list."""
        yield Label("Documents [dim](d)[/]", classes="pane-title")
        yield EntryList(id="document-list")

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
        counted = self.session.counted
        documents = self.session.documents
        lines = self._lines
        if len(lines) > 2 * len(documents):
            lines.clear()  # documents removed meanwhile
        entries = []
        for summary in documents:
            document_id = summary.document.id
            is_open = document_id == open_id
            kept = lines.get(document_id)
            # The session replaces a summary that changed: the same object is the same
            # line.
            if (kept is not None and kept[0] is summary
                    and kept[1:4] == (is_open, width, counted)):
                line = kept[4]
            else:
                line = entry_line(summary, is_open, width, counted)
                lines[document_id] = (summary, is_open, width, counted, line)
            entries.append((str(document_id), line))
        options.set_entries(entries, highlight=keep)

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

    def action_attributes(self) -> None:
        """The highlighted document's attributes, in a dialog."""
        entry_id = self.options.highlighted_id
        summary = self.session.summary(int(entry_id)) if entry_id is not None else None
        if summary is None:
            self.notify("no document here yet", severity="warning")
            return
        from qcode.tui.modals.attributes import AttributesDialog  # loads when first used

        self.app.push_screen(AttributesDialog(summary, counted=self.session.counted))
