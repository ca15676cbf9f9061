"""The reader: the open document's paragraphs, one marked as current, moved through by
keyboard and mouse; ranges selected, filtered by a theme or a speaker, search matches
marked.

Interview answers run to a thousand words, taller than an 80×24 terminal. ``space``
and PgDn read on *within* the current paragraph, a screen at a time, and move to the
next paragraph only once its last line and its code chips are on screen, so nothing
is skipped by keyboard; ``j``/``k`` always move by paragraph.

The drawing (Textual's line API, only what is on screen) is :class:`PagedView`'s.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message

from qcode.tui.filters import Filter
from qcode.tui.widgets.page import PagedView

WHEEL_LINES = 3
# Lines of a long paragraph kept on screen when reading on by a screen (context).
OVERLAP = 2


class Reader(PagedView, can_focus=True):
    """Paragraphs with labels, sections, speakers and code chips; keyboard-driven."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor(1)", "Next paragraph", show=False),
        Binding("k,up", "cursor(-1)", "Previous paragraph", show=False),
        Binding("n", "uncoded(1)", "Next uncoded paragraph", show=False),
        Binding("N", "uncoded(-1)", "Previous uncoded paragraph", show=False),
        Binding("space", "read_on", "Read on: the rest of a long paragraph, then the next "
                "one", show=False),
        Binding("pagedown,ctrl+d", "page(1)", "Page down (within a long paragraph first)",
                show=False),
        Binding("pageup,ctrl+u", "page(-1)", "Page up (within a long paragraph first)",
                show=False),
        Binding("home", "edge(0)", "First paragraph", show=False),
        Binding("end,G", "edge(1)", "Last paragraph", show=False),
        Binding("v", "select", "Select a range (then move)", show=False),
        Binding("J,shift+down", "extend(1)", "Extend selection down", show=False),
        Binding("K,shift+up", "extend(-1)", "Extend selection up", show=False),
        Binding("escape", "clear", "Clear selection and search marks", show=False),
        Binding("enter", "screen.pick", "Code picker", show=False),
        Binding("e", "screen.edit_paragraph", "Correct the paragraph's text (codings follow)",
                show=False),
    ]

    class Moved(Message):
        """The current paragraph or the selection changed."""

    # -- what is shown -----------------------------------------------------------------

    def show_document(self, paragraph_id: int | None = None) -> None:
        """Show the session's open document (unfiltered) at a paragraph or the start."""
        self.filter = None
        self._matches = {}
        self._bodies.clear()
        self._forget_blocks()
        view = self.session.view
        count = len(view.paragraphs) if view else 0
        self._visible = list(range(count))
        labels = view.paragraphs.refs if view else []
        self._label_width = max((len(x) for x in labels), default=3)
        self._anchor = None
        self._top = self._offset = self._pos = 0
        if view is not None and paragraph_id in view.index_of:
            self._pos = view.index_of[paragraph_id]
        self._settle()

    def reload(self, paragraph_id: int | None) -> None:
        """The session re-read its document: show it again, keeping place and filter
        (a theme whose code is gone is dropped; a renamed one keeps its new name)."""
        wanted = self.filter
        if wanted is not None and wanted.code is not None:
            code = self.session.codes.get(wanted.code.id)
            wanted = None if code is None else self.session.theme(code)
        self.show_document(paragraph_id)
        if wanted is not None:
            self.set_filter(wanted)

    def set_filter(self, wanted: Filter | None) -> int:
        """Show only the paragraphs a filter keeps (None: all); returns how many."""
        keep = self.current
        view = self.session.view
        self.filter = wanted
        self._anchor = None
        self._forget_blocks()
        if view is None:
            self._visible = []
        elif wanted is None:
            self._visible = list(range(len(view.paragraphs)))
        else:
            kept = self.session.matching(wanted)
            self._visible = [i for i, pid in enumerate(view.paragraphs.ids) if pid in kept]
        self._pos = self._position_near(view.index_of[keep.id] if view and keep else 0)
        self._top = self._offset = 0
        self._settle()
        return len(self._visible)

    def _position_near(self, index: int) -> int:
        for position, shown in enumerate(self._visible):
            if shown >= index:
                return position
        return max(len(self._visible) - 1, 0)

    def set_matches(self, paragraph_id: int, spans: tuple[tuple[int, int], ...]) -> None:
        """Mark search matches in one paragraph (until Escape or the next search), and
        scroll a long paragraph so that the first match is in view."""
        self._matches = {paragraph_id: spans}
        self.changed()
        current = self.current
        if current is None or current.id != paragraph_id or not spans:
            return
        block = self._block(self._pos, self._look())
        height = max(self.size.height, 1)
        if len(block) <= height:
            return
        word = current.text[spans[0][0]:spans[0][1]]
        row = next((i for i, line in enumerate(block) if word in line.text), 0)
        self._top, self._offset = self._pos, max(0, min(row - height // 3, len(block) - 1))
        self.changed()

    @property
    def position(self) -> tuple[int, int]:
        """(1-based place of the current paragraph, paragraphs shown)."""
        return (self._pos + 1 if self._visible else 0), len(self._visible)

    @property
    def part(self) -> tuple[int, int] | None:
        """(screen, screens) of the current paragraph when it is taller than the
        reader — (2, 3) while its second screenful is shown — else None."""
        if not self._visible:
            return None
        height, length = max(self.size.height, 1), self._content_height(self._pos)
        if length <= height:
            return None
        step = max(height - OVERLAP, 1)
        pages = 1 + -(-(length - height) // step)
        start = self._block_row()
        if start is None:
            return None
        if start + length <= height:
            return pages, pages
        return min(1 + max(-start, 0) // step, pages - 1), pages

    def selected_ids(self) -> list[int]:
        """The paragraphs an action applies to: the selected range, or the current one."""
        view = self.session.view
        if view is None or not self._visible:
            return []
        if self._anchor is None:
            return [view.paragraphs.ids[self._visible[self._pos]]]
        low, high = sorted((self._anchor, self._pos))
        return [view.paragraphs.ids[self._visible[i]] for i in range(low, high + 1)]

    @property
    def selecting(self) -> bool:
        """Whether a range selection is active."""
        return self._anchor is not None

    def clear_selection(self) -> None:
        """Drop the range selection."""
        if self._anchor is not None:
            self._anchor = None
            self._moved()

    # -- moving ------------------------------------------------------------------------

    def go_to(self, paragraph_id: int) -> bool:
        """Make a paragraph current; False when the filter hides it."""
        view = self.session.view
        if view is None or paragraph_id not in view.index_of:
            return False
        index = view.index_of[paragraph_id]
        if index not in self._visible:
            return False
        self._pos = self._visible.index(index)
        self._settle()
        return True

    def action_cursor(self, delta: int) -> None:
        """Move the current paragraph by ``delta``."""
        self._move_to(self._pos + delta)

    def action_extend(self, delta: int) -> None:
        """Grow or shrink the selection by moving its free end."""
        if self._anchor is None:
            self._anchor = self._pos
        self._move_to(self._pos + delta)

    def action_select(self) -> None:
        """Start a range selection at the current paragraph (or drop the one active)."""
        self._anchor = None if self._anchor is not None else self._pos
        self._moved()

    def action_clear(self) -> None:
        """Escape: drop the selection and the search marks."""
        if self._anchor is None and not self._matches:
            return
        self._anchor = None
        self._matches = {}
        self.changed()
        self._moved()

    def action_edge(self, end: int) -> None:
        """Go to the first (0) or last (1) paragraph."""
        self._move_to(len(self._visible) - 1 if end else 0)

    def action_uncoded(self, direction: int) -> None:
        """Go to the next (1) or previous (-1) paragraph the coder has not coded."""
        view = self.session.view
        if view is None:
            return
        position = self._pos + direction
        while 0 <= position < len(self._visible):
            if not self.session.is_coded(view.paragraphs.ids[self._visible[position]]):
                self._move_to(position)
                return
            position += direction
        where = "after" if direction > 0 else "before"
        self.notify(f"no uncoded paragraph {where} this one", severity="information")

    def action_read_on(self) -> None:
        """Space: the next screenful of a long paragraph; once its end and chips are
        on screen, the next paragraph."""
        if not self._scroll_within(1):
            self._move_to(self._pos + 1)

    def action_page(self, direction: int) -> None:
        """Page down/up: first through the rest of a long current paragraph; then the
        paragraph after (before) this screenful becomes current."""
        if self._scroll_within(direction):
            return
        page = self._layout()
        if direction > 0:
            shown = sorted({line.position for line in page if line.position is not None})
            # The last paragraph on screen (often cut off) starts the next screenful.
            last = shown[-1] if shown else self._pos
            self._top = last if len(shown) > 1 else last + 1
            self._offset = 0
            self._move_to(min(self._top, len(self._visible) - 1), keep_top=True)
        else:
            self._top = self._back_from(self._top, self.size.height)
            self._offset = 0
            self._move_to(self._top, keep_top=True)

    def _content_height(self, position: int) -> int:
        """Lines of a paragraph's block up to its chips (without the blank after)."""
        return max(self._height(position) - 1, 1)

    def _block_row(self) -> int | None:
        """The screen row where the current paragraph's block starts (negative when
        scrolled into it), or None when it starts below the screen."""
        height = max(self.size.height, 1)
        if self._pos < self._top:
            row = 0
            for position in range(self._pos, self._top):
                row -= self._height(position)
            return row - self._offset
        row = -self._offset
        for position in range(self._top, self._pos):
            row += self._height(position)
            if row >= height:
                return None
        return row

    def _scroll_within(self, direction: int) -> bool:
        """Scroll a screenful through the current paragraph when there is more of it
        that way (below: its end or chips are off screen; above: its start is);
        False when there is not, and the caller moves on."""
        if not self._visible:
            return False
        height = max(self.size.height, 1)
        length = self._content_height(self._pos)
        start = self._block_row()
        if start is None or (length <= height and start >= 0):
            return False
        step = max(height - OVERLAP, 1)
        skipped = -start
        if direction > 0:
            if start + length <= height:
                return False
            skipped = min(skipped + step, length - height)
        else:
            if start >= 0:
                return False
            skipped = max(skipped - step, 0)
        self._top, self._offset = self._pos, max(skipped, 0)
        self._changed_view()
        return True

    def _move_to(self, position: int, *, keep_top: bool = False) -> None:
        if not self._visible:
            return
        before, self._pos = self._pos, max(0, min(position, len(self._visible) - 1))
        if self._pos != before and self._pos == self._top:
            # Arriving at a paragraph scrolled into (k onto a long answer): its start.
            self._offset = 0
        if keep_top:
            self._top = max(0, min(self._top, len(self._visible) - 1))
            self._changed_view()
        else:
            self._settle()

    def _settle(self) -> None:
        """Scroll just enough that the current paragraph is on screen."""
        height = max(self.size.height, 1)
        if self._pos < self._top:
            self._top, self._offset = self._pos, 0
        elif self._pos == self._top and self._offset:
            # Scrolled into the current paragraph: keep that unless it fits whole.
            size = self._height(self._pos)
            self._offset = 0 if size <= height else min(self._offset, size - 1)
        elif self._pos > self._top:
            # Stop counting once past the screen: a jump far ahead must not wrap
            # every paragraph in between.
            used = -self._offset
            for position in range(self._top, self._pos + 1):
                used += self._height(position)
                if used > height:
                    self._top, self._offset = self._bottom_anchor(self._pos, height)
                    break
        self._changed_view()

    def _bottom_anchor(self, position: int, height: int) -> tuple[int, int]:
        """(top, offset) that end the screen with paragraph ``position`` — or start it
        there, if the paragraph is taller than the screen — keeping context above."""
        room = height - self._height(position)
        if room <= 0:
            return position, 0
        top = position
        while top > 0:
            above = self._height(top - 1)
            top -= 1
            if above >= room:
                return top, above - room
            room -= above
        return top, 0

    def _back_from(self, position: int, height: int) -> int:
        """The first paragraph of the screenful that ends just before ``position``."""
        used, top = 0, position
        while top > 0:
            size = self._height(top - 1)
            if used + size > height and used:
                break
            used += size
            top -= 1
        return top

    def _changed_view(self) -> None:
        self._moved()

    def _moved(self) -> None:
        self.repaint_changes()
        self.post_message(self.Moved())

    # -- mouse -------------------------------------------------------------------------

    def _on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self._scroll_lines(WHEEL_LINES)

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self._scroll_lines(-WHEEL_LINES)

    def _scroll_lines(self, lines: int) -> None:
        """Scroll the view without moving the current paragraph."""
        top, offset = self._top, self._offset + lines
        while offset < 0 and top > 0:
            top -= 1
            offset += self._height(top)
        while top < len(self._visible) - 1 and offset >= self._height(top):
            offset -= self._height(top)
            top += 1
        self._top, self._offset = top, max(0, min(offset, self._height(top) - 1))
        self._version += 1
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        """A click makes the paragraph under the pointer current."""
        page = self._layout()
        if 0 <= event.y < len(page) and page[event.y].position is not None:
            self._pos = page[event.y].position or 0
            self._changed_view()

    def on_resize(self, event: events.Resize) -> None:
        """Rewrap for the new width and keep the current paragraph in view."""
        self._bodies.clear()
        self._forget_blocks()
        self._settle()


__all__ = ["Reader"]
