"""The page under the reader: paragraphs drawn with Textual's line API.

:class:`PagedView` draws screen lines from the paragraphs that are on screen and
nothing else. The view is anchored on a paragraph (the top one, and how many of its
lines are scrolled off), so opening or scrolling a 10,000-paragraph document wraps only
the dozen paragraphs it shows — never the whole text, and never one widget per
paragraph. What moves the view (keys, mouse, filters) is the reader's business.
"""

from __future__ import annotations

import textwrap
from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from qcode.core.model import Paragraph
from qcode.tui.filters import Filter
from qcode.tui.session import Session
from qcode.tui.widgets import blocks
from qcode.tui.widgets.blocks import Chip, Look

GUTTER_MAX = 10
CACHE_SIZE = 2048
# Whole blocks kept: a few screens either way of the current paragraph.
BLOCKS = 128


@dataclass(frozen=True)
class _Line:
    strip: Strip
    position: int | None  # index into the visible paragraphs, None for blank filler


class PagedView(Widget):
    """Draws the visible paragraphs from ``_top``/``_offset`` down, current one marked."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "reader--label", "reader--label-current", "reader--bar", "reader--bar-selected",
        "reader--heading", "reader--speaker", "reader--match", "reader--memo",
        "reader--muted", "reader--thumb",
    }

    def __init__(self, session: Session, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self._visible: list[int] = []  # indexes of the paragraphs shown (the filter)
        self._pos = 0  # the current paragraph, as a place in _visible
        self._top = 0  # the first paragraph on screen, as a place in _visible
        self._offset = 0  # how many of its lines are scrolled off the top
        self._anchor: int | None = None  # the other end of a range selection
        self.filter: Filter | None = None
        self._matches: dict[int, tuple[tuple[int, int], ...]] = {}
        self._bodies: OrderedDict[tuple[object, ...], list[Strip]] = OrderedDict()
        self._page: tuple[tuple[object, ...], list[_Line]] | None = None
        self._version = 0
        self._styles: Look | None = None
        self._strips: list[Strip] = []
        # What each row of _strips was drawn from (its line, whether the scrollbar's
        # knob is beside it), and at which width and styles.
        self._made_of: list[tuple[Strip | None, bool]] = []
        self._drawn_with: tuple[object, ...] = ()
        self._label_width = 3
        # Lines per paragraph, by (place, width, blind): moving and paging ask for the
        # same few heights again and again, and a block is costly to build.
        self._heights: dict[tuple[int, int, bool], int] = {}
        # Whole blocks by (place, width, blind, current, selected): a move redraws
        # the two paragraphs whose bar changed, not every one on screen.
        self._blocks: OrderedDict[tuple[int, int, bool, bool, bool], list[Strip]] = (
            OrderedDict())

    def changed(self, paragraph_ids: Collection[int] | None = None) -> None:
        """Codings, codes or memos changed (on these paragraphs; None: on any): redraw
        them (the wrapped text is kept)."""
        view = self.session.view
        if paragraph_ids is None or view is None:
            self._forget_blocks()
        else:
            places = {view.index_of[p] for p in paragraph_ids if p in view.index_of}
            visible = self._visible
            for block in [k for k in self._blocks
                          if k[0] >= len(visible) or visible[k[0]] in places]:
                del self._blocks[block]
            for height in [k for k in self._heights
                           if k[0] >= len(visible) or visible[k[0]] in places]:
                del self._heights[height]
        self.repaint_changes()

    def repaint_changes(self) -> None:
        """Redraw after what is shown changed: only the screen rows that now differ,
        when the page is laid out as before (a tag redraws its paragraph's rows, a
        move the two paragraphs whose bar changed), else the whole page. Textual
        then draws those rows alone; redrawing all of a 160×45 page cost every key
        some 5 ms."""
        before = self._strips
        self._version += 1
        if not before or not self.size:
            self.refresh()
            return
        self._layout()
        after = self._strips
        if len(after) != len(before):
            self.refresh()
            return
        rows = [y for y, (was, now) in enumerate(zip(before, after, strict=True))
                if was is not now]
        if rows:
            self.refresh(Region(0, rows[0], self.size.width, rows[-1] - rows[0] + 1))

    def _forget_blocks(self) -> None:
        """What a paragraph looks like may have changed: build its lines again."""
        self._heights.clear()
        self._blocks.clear()

    @property
    def current(self) -> Paragraph | None:
        """The current paragraph (None when nothing is shown)."""
        view = self.session.view
        if view is None or not self._visible:
            return None
        return view.paragraphs[self._visible[self._pos]]

    # -- drawing -----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """One screen line (Textual's line API): drawn once per change, then cached."""
        self._layout()
        strips = self._strips
        return strips[y] if y < len(strips) else Strip.blank(self.size.width, self.rich_style)

    def _draw(self, page: list[_Line]) -> list[Strip]:
        """The page's lines at full width, with the scrollbar in the last column. A
        line drawn before beside the same part of the scrollbar keeps its strip,
        whichever row it is on now: what Textual derives from a strip is kept on it,
        so a scroll costs the rows that came into view, and :meth:`repaint_changes`
        tells the rows that changed by it."""
        width, height = self.size.width, self.size.height
        base = self.rich_style
        thumb_style = self.get_component_rich_style("reader--thumb")
        thumb = self._thumb(page)
        track = Strip.blank(1, base)
        knob = Strip([Segment("▐", thumb_style)], 1)
        drawn: dict[tuple[int, bool], Strip] = {}
        if self._drawn_with == (width, base, thumb_style):
            # By the line's identity: the sources are kept alive in _made_of.
            drawn = {(id(line), on_knob): strip for (line, on_knob), strip
                     in zip(self._made_of, self._strips, strict=True) if line is not None}
        strips, sources = [], []
        for y in range(height):
            line = page[y].strip if y < len(page) else None
            on_knob = thumb[0] <= y < thumb[1]
            strip = drawn.get((id(line), on_knob)) if line is not None else None
            if strip is None:
                body = line if line is not None else Strip.blank(width - 1, base)
                # Segments without a background of their own (the text) take the
                # reader's.
                strip = Strip.join([blocks.pad(body, width - 1, base),
                                    knob if on_knob else track]).apply_style(base)
            strips.append(strip)
            sources.append((line, on_knob))
        self._made_of, self._drawn_with = sources, (width, base, thumb_style)
        return strips

    def _thumb(self, page: list[_Line]) -> tuple[int, int]:
        """First and last+1 screen rows of the scrollbar thumb (none if all fits)."""
        total, height = len(self._visible), max(self.size.height, 1)
        shown = len({line.position for line in page if line.position is not None}) or 1
        if total <= 1 or shown >= total:
            return 0, 0
        size = max(1, min(height, round(height * shown / total)))
        start = min(round((height - size) * self._top / max(total - shown, 1)),
                    height - size)
        return start, start + size

    def _look(self) -> Look:
        if self._styles is None:
            style = self.get_component_rich_style
            self._styles = Look(
                base=self.rich_style, label=style("reader--label"),
                label_current=style("reader--label-current"), bar=style("reader--bar"),
                bar_selected=style("reader--bar-selected"), heading=style("reader--heading"),
                speaker=style("reader--speaker"), match=style("reader--match"),
                memo=style("reader--memo"), muted=style("reader--muted"),
            )
        return self._styles

    def notify_style_update(self) -> None:
        """The CSS (or theme) changed: resolve the styles and rewrap again."""
        super().notify_style_update()
        self._styles = None
        self._bodies.clear()
        self._forget_blocks()
        self._version += 1

    @property
    def _gutter(self) -> int:
        # Labels get up to GUTTER_MAX cells on a wide screen, fewer on a narrow one
        # (a long label is cut with "…"; the status line always shows it whole).
        room = GUTTER_MAX if self.size.width >= 90 else GUTTER_MAX - 3
        return min(self._label_width, room) + 1

    @property
    def _text_width(self) -> int:
        return max(self.size.width - self._gutter - 4, 10)

    def _layout(self) -> list[_Line]:
        """The lines on screen, built from the top paragraph down (cached per change)."""
        key = (self._version, self.size, self.session.blind, self.has_focus)
        if self._page is not None and self._page[0] == key:
            return self._page[1]
        lines: list[_Line] = []
        height = self.size.height
        view = self.session.view
        if view is None or not self._visible:
            lines = self._empty_message()
        else:
            position, skip = self._top, self._offset
            look = self._look()
            while len(lines) < height and position < len(self._visible):
                block = self._block(position, look)[skip:]
                lines.extend(_Line(strip, position) for strip in block)
                position, skip = position + 1, 0
        self._page = (key, lines[:height])
        self._strips = self._draw(self._page[1])
        return self._page[1]

    def _empty_message(self) -> list[_Line]:
        muted = self.get_component_rich_style("reader--muted")
        if self.session.view is None:
            text = ["", "No document open.", "",
                    "Import interviews with  qcode import FILE…",
                    "then choose one in the documents list (d)."]
        else:
            wanted = self.filter
            if wanted is not None and wanted.speaker is not None:
                said = f"{wanted.speaker!r} has no turn here."
            else:
                said = f"No paragraph carries {wanted.label if wanted else '?'}."
            text = ["", said, "", "Press F to show every paragraph again."]
        # Wrapped to the reader (a theme's name is long at 80 columns), not cut.
        room = max(self.size.width - 3, 20)
        lines = [part for t in text
                 for part in (textwrap.wrap(t, room, initial_indent="  ",
                                            subsequent_indent="  ") or [""])]
        return [_Line(Strip([Segment(t, muted)]), None) for t in lines]

    def _height(self, position: int) -> int:
        key = (position, self.size.width, self.session.blind)
        height = self._heights.get(key)
        if height is None:
            height = self._heights[key] = len(self._block(position, self._look()))
        return height

    def _block(self, position: int, look: Look) -> list[Strip]:
        """Every line of one paragraph: heading, text, chips, and a blank after."""
        current = position == self._pos
        selected = self._anchor is not None and (
            min(self._anchor, self._pos) <= position <= max(self._anchor, self._pos))
        key = (position, self.size.width, self.session.blind, current, selected)
        cached = self._blocks.get(key)
        if cached is None:
            cached = self._blocks[key] = self._build_block(position, look, current, selected)
            if len(self._blocks) > BLOCKS:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(key)
        return cached

    def _build_block(self, position: int, look: Look, current: bool, selected: bool
                     ) -> list[Strip]:
        view = self.session.view
        assert view is not None
        paragraph = view.paragraphs[self._visible[position]]
        width = self._text_width
        lines: list[Strip] = []
        before = view.paragraphs.sections[self._visible[position - 1]] if position else None
        if paragraph.section and (position == 0 or before != paragraph.section):
            pad = Strip.blank(self._gutter + 1, look.base)
            heading = blocks.heading_lines(paragraph.section, width, look, self.app.console)
            lines.extend(Strip.join([pad, h]) for h in heading)
            lines.append(Strip.blank(1, look.base))
        bar = "▌" if current or selected else " "
        bar_style = look.bar if current else look.bar_selected
        label_style = look.label_current if current else look.label
        for number, body in enumerate(self._body(paragraph, width, look)):
            label = paragraph.ref if number == 0 else ""
            if number == 0 and paragraph.id in view.paragraph_memos:
                label = "✎ " + label
            margin = blocks.gutter(label, self._gutter, label_style if number == 0
                                   else look.base, bar, bar_style, look.base)
            lines.append(Strip.join([margin, Strip.blank(1, look.base), body]))
        for chip_line in blocks.chip_lines(self._chips(paragraph.id), width):
            margin = blocks.gutter("", self._gutter, look.base, bar, bar_style, look.base)
            lines.append(Strip.join([margin, Strip.blank(1, look.base), chip_line]))
        lines.append(Strip.blank(1, look.base))
        return lines

    def _body(self, paragraph: Paragraph, width: int, look: Look) -> list[Strip]:
        matches = self._matches.get(paragraph.id, ())
        selected = self.session.exact_spans(paragraph)  # exact selections, underlined
        key = (paragraph.id, width, matches, selected)
        cached = self._bodies.get(key)
        if cached is None:
            cached = blocks.body_lines(paragraph, width, matches, look, self.app.console,
                                       selected=selected)
            self._bodies[key] = cached
            if len(self._bodies) > CACHE_SIZE:
                self._bodies.popitem(last=False)
        else:
            self._bodies.move_to_end(key)
        return cached

    def _chips(self, paragraph_id: int) -> list[Chip]:
        session = self.session
        own = session.coder_id
        view = session.view
        chips = []
        for code_id, coder_id in session.shown_codings(paragraph_id):
            code = session.codes.get(code_id)
            if code is None:
                continue
            mine = coder_id == own
            text = code.name if mine else f"{code.name} · {session.coder_names.get(coder_id, '?')}"
            if mine and view is not None and view.codings.has_memo(paragraph_id, code_id):
                text += " ✎"
            chips.append(Chip(text, blocks.chip_style(code, own=mine)))
        return chips

