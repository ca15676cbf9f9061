"""The documents pane: every document with the coder's progress, attributes on demand."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from qcode.core.model import DocumentSummary
from qcode.tui.session import Session


def progress_cell(summary: DocumentSummary) -> Text:
    """"12/56" with a colour that says how far along the coder is."""
    done, total = summary.coded, summary.paragraphs
    style = "green" if total and done == total else ("yellow" if done else "dim")
    return Text(f"{done}/{total}", style=style)


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

    def compose(self) -> ComposeResult:
        """Title, list, and the (hidden) attributes panel."""
        yield Label("Documents [dim](d)[/]", classes="pane-title")
        yield OptionList(id="document-list")
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
    def options(self) -> OptionList:
        """The list widget."""
        return self.query_one("#document-list", OptionList)

    def refresh_list(self) -> None:
        """Rebuild the entries from the session (keeps the highlight on the same document)."""
        options = self.options
        keep = options.highlighted_option.id if options.highlighted_option else None
        open_id = self.session.view.document.id if self.session.view else None
        entries = []
        for summary in self.session.documents:
            grid = Table.grid(expand=True, padding=(0, 0, 0, 1))
            grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
            grid.add_column(justify="right", no_wrap=True)
            marker = "▸ " if summary.document.id == open_id else "  "
            grid.add_row(Text(marker + summary.document.name), progress_cell(summary))
            entries.append(Option(grid, id=str(summary.document.id)))
        options.set_options(entries)
        wanted = keep or (str(open_id) if open_id else None)
        for index, option in enumerate(options.options):
            if option.id == wanted:
                options.highlighted = index
                break
        else:
            options.highlighted = 0 if entries else None
        self._show_attributes()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter (or a click) opens the document."""
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Open(int(event.option.id)))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
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
        option = self.options.highlighted_option
        if not self.show_attributes or option is None or option.id is None:
            return
        summary = self.session.summary(int(option.id))
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
