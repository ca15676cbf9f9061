"""Turning one paragraph into the screen lines the reader draws.

Pure functions from a paragraph (and the styles the reader resolved from its CSS) to
:class:`~textual.strip.Strip` lines, so the reader can build just the paragraphs on
screen and cache the wrapped text of each one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from qcode.core.model import Code, Paragraph

# Colours for codes the codebook gives none: distinct, readable on dark and light.
# An exact selection inside a paragraph: underlined, so the colours of the theme and
# of search matches stay as they are.
SELECTED = Style(underline=True)
PALETTE = (
    "#4E9FE6", "#E6A04E", "#6FCB8B", "#D46FB8", "#C9C94E", "#4EC9C0", "#E66F6F",
    "#9F8FE6", "#8FB84E", "#E68FA8",
)


def code_colour(code: Code) -> str:
    """The code's own colour, or a stable one picked from its GUID."""
    if code.colour:
        return code.colour
    digest = hashlib.sha1(code.guid.encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def ink_for(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (#RRGGBB)."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return "#000000" if luminance > 140 else "#FFFFFF"


def chip_style(code: Code, *, own: bool = True) -> Style:
    """A filled chip for the coder's own codings; coloured text for other coders'."""
    colour = code_colour(code)
    if own:
        return Style(bgcolor=colour, color=ink_for(colour))
    return Style(color=colour, italic=True)


@dataclass(frozen=True)
class Chip:
    """One coloured label on a paragraph's chip line."""

    text: str
    style: Style


@dataclass(frozen=True)
class Look:
    """The reader's styles, resolved once per render from its CSS."""

    base: Style
    label: Style
    label_current: Style
    bar: Style
    bar_selected: Style
    heading: Style
    speaker: Style
    match: Style
    memo: Style
    muted: Style


def pad(strip: Strip, width: int, style: Style) -> Strip:
    """Crop or pad a line to exactly ``width`` cells."""
    return strip.adjust_cell_length(width, style)


def wrap(text: Text, width: int, console: Console) -> list[Strip]:
    """Word-wrap rich text to ``width`` cells (long words fold)."""
    lines = text.wrap(console, max(width, 1), overflow="fold")
    return [Strip(list(line.render(console)), line.cell_len) for line in lines]


def body_lines(
    paragraph: Paragraph,
    width: int,
    matches: tuple[tuple[int, int], ...],
    look: Look,
    console: Console,
    *,
    selected: tuple[tuple[int, int], ...] = (),
) -> list[Strip]:
    """The paragraph's text wrapped to ``width``: speaker first, search matches marked,
    the exact selections of codings from another tool (``selected``) underlined."""
    text = Text(paragraph.text)
    for start, end in selected:
        text.stylize(SELECTED, start, end)
    for start, end in matches:
        text.stylize(look.match, start, end)
    if paragraph.speaker:
        text = Text.assemble(Text(f"{paragraph.speaker}: ", style=look.speaker), text)
    return wrap(text, width, console)


def heading_lines(section: str, width: int, look: Look, console: Console) -> list[Strip]:
    """A section heading, wrapped."""
    return wrap(Text(section, style=look.heading), width, console)


def chip_lines(chips: Iterable[Chip], width: int) -> list[Strip]:
    """Chips laid out left to right, wrapping to new lines as needed."""
    lines: list[list[Segment]] = []
    current: list[Segment] = []
    used = 0
    for chip in chips:
        label = f" {chip.text} "
        if len(label) > width:
            label = label[: max(width - 2, 1)] + "… "
        size = Text(label).cell_len
        if current and used + size > width:
            lines.append(current)
            current, used = [], 0
        current.append(Segment(label, chip.style))
        used += size
        if used + 1 <= width:
            current.append(Segment(" "))
            used += 1
    if current:
        lines.append(current)
    return [Strip(segments) for segments in lines]


def gutter(
    label: str, width: int, style: Style, bar: str, bar_style: Style, base: Style
) -> Strip:
    """The left margin of a line: the label (right-aligned, cut to fit), then the bar."""
    room = max(width - 1, 0)
    shown = label if len(label) <= room else label[: max(room - 1, 0)] + "…"
    segments = [Segment(shown.rjust(room), style), Segment(" ", base), Segment(bar, bar_style)]
    return Strip(segments, room + 2)
