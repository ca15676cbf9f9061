"""What the coding screen offers the actions that live beside it (finding, memos, the
bigger jobs): a protocol, so those modules need not import the screen that imports
them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from textual.app import App
from textual.screen import Screen

from qcode.tui.session import Session
from qcode.tui.widgets.documents import DocumentsPane
from qcode.tui.widgets.reader import Reader

T = TypeVar("T")
R = TypeVar("R")
D = TypeVar("D", bound=Screen[Any])


class CodingScreen(Protocol):
    """The coding screen as its action modules see it."""

    session: Session

    @property
    def app(self) -> App[Any]:
        """The running app."""

    @property
    def reader(self) -> Reader:
        """The reader widget."""

    @property
    def documents(self) -> DocumentsPane:
        """The documents pane."""

    def dialog(self, kind: type[D], make: Callable[[], D], again: Callable[[D], None]) -> D:
        """A dialog opened often: built once, then kept and made ready again."""

    def cover(self, dialog: Screen[R], callback: Callable[[R | None], None]) -> None:
        """Open a dialog over the screen (without repainting the screen beneath)."""

    def attempt(self, action: Callable[[], T]) -> T | None:
        """Run a project call; a refusal becomes a notification."""

    def say(self, message: str) -> None:
        """Put what the last action did on the status line."""

    def notify(self, message: str, *, title: str = "", severity: Any = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """A toast notification."""

    def after_write(self, message: str, *, codebook: bool = False) -> None:
        """Show a committed change everywhere it is visible."""

    def after_reload(self, message: str) -> None:
        """After undo/redo or a coder switch: everything may have changed."""

    def outside_changes(self, message: str) -> None:
        """Re-read what the screen shows after another screen or process wrote."""

    def open_document(self, document_id: int) -> None:
        """Show a document where the coder last was in it."""

    def show_paragraph(self, paragraph_id: int) -> None:
        """Make a paragraph current, dropping a filter that hides it."""
