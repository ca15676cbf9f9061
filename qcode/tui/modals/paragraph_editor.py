"""Correcting the text of one paragraph in place (``e`` in the reader)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, TextArea

from qcode.tui.modals.memo import MemoEditor


class ParagraphEditor(MemoEditor):
    """The paragraph's text in a TextArea. Ctrl+S saves (a blank line splits the
    paragraph; saving it empty removes it); Escape cancels, asking first if the text
    was changed."""

    def compose(self) -> ComposeResult:
        """Title, the editor, the keys."""
        with Vertical(classes="dialog memo"):
            yield Label(self.title_text, classes="dialog-title")
            yield TextArea(self.original, id="memo-text", soft_wrap=True)
            yield Label("Ctrl+S: save (codings follow their text; u undoes)   Esc: cancel   "
                        "a blank line splits the paragraph", classes="hint")
