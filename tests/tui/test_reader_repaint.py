"""A key redraws the reader's rows that changed, not the page: a tag its paragraph's
rows, a move the two paragraphs whose bar moved; what is on screen is always what a
whole redraw would show."""

from __future__ import annotations

from typing import Any

from textual.strip import Strip
from tui_helpers import CODER, pilot_test, press, reader, settle

from qcode import Project
from qcode.tui import QcodeApp

WIDE = (160, 45)


def on_screen(app: QcodeApp) -> list[str]:
    """The terminal's lines as the app's compositor has them (Textual's cached lines
    of each widget included: a row left stale would show here)."""
    strips: list[Strip] = app.screen._compositor.render_strips()
    return [strip.text for strip in strips]


def rows_drawn(app: QcodeApp) -> list[int]:
    """From now on, the reader rows Textual asks the reader to draw."""
    widget = reader(app)
    drawn: list[int] = []
    render_line = widget.render_line

    def recording(y: int) -> Strip:
        drawn.append(y)
        return render_line(y)

    widget.render_line = recording  # type: ignore[method-assign]
    return drawn


def rows_of(app: QcodeApp, position: int) -> set[int]:
    """The reader rows showing the paragraph at this place."""
    return {y for y, line in enumerate(reader(app)._layout()) if line.position == position}


async def whole_redraw(app: QcodeApp, pilot: Any) -> list[str]:
    """The screen after the reader is drawn again from nothing."""
    reader(app).changed()
    reader(app).refresh()
    await settle(pilot)
    return on_screen(app)


@pilot_test
async def test_a_tag_redraws_its_paragraphs_rows_only(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=WIDE) as pilot:
        await press(pilot, "j", "j", "j", "1")  # a line of chips under it
        await settle(pilot)
        page = reader(app)
        current, rows = page._pos, rows_of(app, page._pos)
        assert len({line.position for line in page._layout()}) > 3  # several on screen
        drawn = rows_drawn(app)
        await press(pilot, "2")  # one more chip on that line
        await settle(pilot)
        assert rows_of(app, current) == rows
        assert drawn, "the tag was not drawn"
        assert set(drawn) <= rows_of(app, current)
        shown = on_screen(app)
        assert shown == await whole_redraw(app, pilot)


@pilot_test
async def test_a_move_redraws_the_two_paragraphs_whose_bar_moved(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        page = reader(app)
        before = page._pos
        drawn = rows_drawn(app)
        await press(pilot, "j")
        await settle(pilot)
        assert page._pos == before + 1 and drawn
        assert set(drawn) <= rows_of(app, before) | rows_of(app, before + 1)
        assert on_screen(app) == await whole_redraw(app, pilot)


@pilot_test
async def test_a_tag_that_adds_a_chip_line_redraws_what_moved_down(study: Project) -> None:
    """A first code on a paragraph gives it a line of chips: the paragraphs below
    move down a row, and the screen shows them where they now are."""
    app = QcodeApp(study, CODER)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        page = reader(app)
        rows_before = len(rows_of(app, page._pos))
        await press(pilot, "2")
        await settle(pilot)
        assert len(rows_of(app, page._pos)) > rows_before
        assert on_screen(app) == await whole_redraw(app, pilot)
        await press(pilot, "2")  # and off again: the chips' line goes
        await settle(pilot)
        assert len(rows_of(app, page._pos)) == rows_before
        assert on_screen(app) == await whole_redraw(app, pilot)


@pilot_test
async def test_a_scroll_keeps_each_lines_drawn_strip_at_its_new_row(study: Project) -> None:
    """When the page scrolls every row moves, but a line still on screen is drawn as
    before: it keeps its strip (and all Textual derived from it), so a scroll costs
    the rows that came into view, not the whole page."""
    app = QcodeApp(study, CODER)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        page = reader(app)
        for _ in range(40):
            lines_before = [line.strip for line in page._layout()]
            strips_before, knob_before = list(page._strips), _knob_rows(page)
            top = page._top
            await press(pilot, "j")
            await settle(pilot)
            if page._top != top:
                break
        assert page._top != top, "j never scrolled the page"
        knob_after = _knob_rows(page)
        # The rows showing a line that was on screen before, beside the same part of
        # the scrollbar (knob or track) as before.
        row_of = {id(strip): y for y, strip in enumerate(lines_before)}
        same = [(y, row_of[id(line.strip)]) for y, line in enumerate(page._layout())
                if id(line.strip) in row_of]
        same = [(y, was) for y, was in same if (y in knob_after) == (was in knob_before)]
        assert len(same) > 10, "too little stayed on screen to tell"
        assert all(page._strips[y] is strips_before[was] for y, was in same)
        assert on_screen(app) == await whole_redraw(app, pilot)


def _knob_rows(page: Any) -> set[int]:
    start, end = page._thumb(page._layout())
    return set(range(start, end))
