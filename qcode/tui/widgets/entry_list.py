"""A list of one-line entries drawn a screen at a time (Textual's line API).

Textual's OptionList measures and renders every option whenever the list changes; a
project of a thousand interviews then took half a second to lay out its documents pane,
ten thousand several seconds. Every entry here is one line, so the list knows its
height without rendering anything and draws only the lines on screen.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip


class EntryList(ScrollView, can_focus=True):
    """Entries (id, one line of text); one is highlighted, Enter or a click selects it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor(1)", "Next", show=False),
        Binding("up,k", "cursor(-1)", "Previous", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("home", "edge(0)", "First", show=False),
        Binding("end", "edge(1)", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"entry-list--highlight"}
    DEFAULT_CSS = """
    EntryList > .entry-list--highlight { background: $accent 40%; text-style: bold; }
    EntryList:focus > .entry-list--highlight { background: $accent; }
    """

    class Highlighted(Message):
        """Another entry is highlighted."""

        def __init__(self, entry_id: str | None) -> None:
            super().__init__()
            self.entry_id = entry_id

    class Selected(Message):
        """An entry was chosen (Enter or a click)."""

        def __init__(self, entry_id: str) -> None:
            super().__init__()
            self.entry_id = entry_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._entries: list[tuple[str, Text]] = []
        self._highlighted: int | None = None

    # -- contents -----------------------------------------------------------------------

    def set_entries(self, entries: list[tuple[str, Text]], *, highlight: str | None = None
                    ) -> None:
        """Replace the entries; highlight the one with id ``highlight`` (else the first)."""
        self._entries = entries
        ids = [entry_id for entry_id, _text in entries]
        index = ids.index(highlight) if highlight in ids else (0 if entries else None)
        self.virtual_size = Size(self.size.width, len(entries))
        self._move_to(index, announce=True)
        self.refresh()

    @property
    def entries(self) -> list[tuple[str, Text]]:
        """The entries, in order."""
        return list(self._entries)

    @property
    def highlighted(self) -> int | None:
        """The highlighted entry's place in the list."""
        return self._highlighted

    @property
    def highlighted_id(self) -> str | None:
        """The highlighted entry's id."""
        index = self._highlighted
        return self._entries[index][0] if index is not None else None

    # -- drawing ------------------------------------------------------------------------

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """One line per entry: known without drawing any."""
        return len(self._entries)

    def render_line(self, y: int) -> Strip:
        """The entry on screen line ``y``, the highlighted one styled."""
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        if not 0 <= index < len(self._entries):
            return Strip.blank(width, self.rich_style)
        text = self._entries[index][1]
        if index == self._highlighted:
            text = text.copy()
            text.stylize(self.get_component_rich_style("entry-list--highlight"))
        segments = list(text.render(self.app.console))
        return Strip(segments).crop_extend(0, width, self.rich_style)

    # -- moving -------------------------------------------------------------------------

    def _move_to(self, index: int | None, *, announce: bool = False) -> None:
        if index is not None and self._entries:
            index = max(0, min(index, len(self._entries) - 1))
        else:
            index = None
        changed = index != self._highlighted
        self._highlighted = index
        if index is not None:
            self.scroll_to_region(Region(0, index, 1, 1), animate=False, immediate=True)
        self.refresh()
        if changed or announce:
            self.post_message(self.Highlighted(self.highlighted_id))

    def action_cursor(self, delta: int) -> None:
        """Highlight the next (1) or previous (-1) entry."""
        if self._entries:
            current = self._highlighted if self._highlighted is not None else -delta
            self._move_to(current + delta)

    def action_page(self, direction: int) -> None:
        """Move a screenful down (1) or up (-1)."""
        if self._entries:
            step = max(1, self.scrollable_content_region.height - 1)
            self._move_to((self._highlighted or 0) + direction * step)

    def action_edge(self, end: int) -> None:
        """Highlight the first (0) or last (1) entry."""
        if self._entries:
            self._move_to(len(self._entries) - 1 if end else 0)

    def action_select(self) -> None:
        """Choose the highlighted entry."""
        entry_id = self.highlighted_id
        if entry_id is not None:
            self.post_message(self.Selected(entry_id))

    def highlight(self, index: int) -> None:
        """Highlight the entry at ``index``."""
        self._move_to(index)

    def on_click(self, event: events.Click) -> None:
        """A click highlights and chooses the entry under the pointer."""
        index = event.y + self.scroll_offset.y
        if 0 <= index < len(self._entries):
            self._move_to(index)
            self.action_select()
