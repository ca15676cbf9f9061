"""Charts as inline SVG strings: horizontal bars and a heat map.

Plain strings with every text escaped, so an HTML report needs no script, no font and
no network; a browser, a word processor or an SVG editor shows them as they are.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\""
GREY = "#9AA5B1"
# Colour-blind-safe palette (Okabe & Ito) for groups that have no colour of their own.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000")
_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


# The lightest things a mark is drawn on: the page and the chart's striped rows.
BACKGROUNDS = ("#FFFFFF", "#F5F7FA")
# WCAG 2.1 (1.4.11): graphical objects need 3:1 against what is next to them.
MIN_CONTRAST = 3.0


def colour(value: str | None, fallback: str = GREY) -> str:
    """``value`` if it is a #RRGGBB colour (safe inside an attribute), else ``fallback``."""
    return value if value and _HEX.match(value) else fallback


def luminance(hex_colour: str) -> float:
    """WCAG relative luminance of a #RRGGBB colour."""
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #RRGGBB colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def edge(value: str | None) -> str:
    """The colour itself when it stands out from the page (3:1), else the lightest
    darker shade of it that does: an outline that keeps a pale theme colour's hue
    ("#E0F1DA" pale green gets a mid-green edge) yet can be seen on white."""
    base = colour(value)
    r, g, b = (int(base[i:i + 2], 16) for i in (1, 3, 5))
    for step in range(21):
        keep = 1 - step / 20
        shade = "#" + "".join(f"{round(c * keep):02X}" for c in (r, g, b))
        if all(contrast(shade, bg) >= MIN_CONTRAST for bg in BACKGROUNDS):
            return shade
    return "#000000"


@dataclass(frozen=True)
class Bar:
    """One labelled row of a bar chart: a value per series (one series unless grouped)."""

    label: str
    values: tuple[float, ...]
    notes: tuple[str, ...]
    colour: str | None = None
    depth: int = 0
    strong: bool = False


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 12,
          weight: str = "normal", fill: str = "#1F2933", extra: str = "") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" font-weight="{weight}" '
            f'text-anchor="{anchor}" fill="{fill}"{extra}>{escape(text)}</text>')


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(bars: Sequence[Bar], *, series: Sequence[str] = (), title: str = "",
              width: int = 960) -> str:
    """Horizontal bars, one row per :class:`Bar`; with ``series`` a cluster per row."""
    if not bars:
        return ""
    per_row = max(len(b.values) for b in bars)
    bar_h = 16 if per_row == 1 else 12
    row_h = bar_h * per_row + 8
    label_w, note_w = 330, 110
    plot_w = width - label_w - note_w
    legend_h = 26 if series else 0
    top = 30 + legend_h
    height = top + row_h * len(bars) + 10
    peak = max((v for b in bars for v in b.values), default=0) or 1
    out = [
        f'<svg viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" {FONT}>',
        _text(0, 18, title, size=14, weight="bold"),
    ]
    for i, name in enumerate(series):
        x = label_w + i * 150
        fill = PALETTE[i % len(PALETTE)]
        out.append(f'<rect x="{x}" y="30" width="12" height="12" '
                   f'fill="{fill}" stroke="{edge(fill)}"/>')
        out.append(_text(x + 16, 40, _clip(name, 20), size=11))
    for row, bar in enumerate(bars):
        y = top + row * row_h
        if row % 2 == 0:
            out.append(f'<rect x="0" y="{y}" width="{width}" height="{row_h}" fill="#F5F7FA"/>')
        indent = 14 * bar.depth
        out.append(_text(4 + indent, y + row_h / 2 + 4, _clip(bar.label, 46 - 2 * bar.depth),
                         weight="bold" if bar.strong else "normal"))
        for j, value in enumerate(bar.values):
            fill = (colour(bar.colour) if len(bar.values) == 1
                    else PALETTE[j % len(PALETTE)])
            length = plot_w * value / peak
            by = y + 4 + j * bar_h
            note = bar.notes[j] if j < len(bar.notes) else ""
            # Every bar has an edge that stands out from the page, however pale its fill.
            out.append(
                f'<rect x="{label_w}" y="{by}" width="{length:.1f}" height="{bar_h - 2}" '
                f'rx="2" fill="{fill}" stroke="{edge(fill)}" stroke-width="1">'
                f"<title>{escape(bar.label)}: {escape(note)}</title></rect>"
            )
            # In a cluster only the non-zero bars are labelled: zeros would just be noise.
            if len(bar.values) == 1 or value:
                out.append(_text(label_w + length + 4, by + bar_h - 3, note,
                                 size=11 if len(bar.values) == 1 else 10, fill="#52606D"))
    out.append("</svg>")
    return "\n".join(out)


def heat_map(rows: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[float]],
             labels: Sequence[Sequence[str]], *, title: str = "",
             tips: Sequence[Sequence[str]] | None = None) -> str:
    """A grid of cells shaded by value (white to deep blue), each labelled.

    Rows are labelled on the left. Short column labels (numbers standing for the row
    labels) sit upright on top; longer ones (document names) are slanted.
    """
    if not rows or not columns:
        return ""
    cell = 34 if len(columns) <= 20 else 26
    label_w = 320
    longest = max(len(_clip(c, 28)) for c in columns)
    slanted = longest > 4
    # A 45° label of n characters rises about 0.71 × 6.5 px per character.
    top = 44 + (round(longest * 6.5 * 0.71) if slanted else 0)
    width = label_w + cell * len(columns) + 10 + (top - 44 if slanted else 0)
    height = top + cell * len(rows) + 10
    peak = max((v for line in values for v in line), default=0) or 1
    out = [
        f'<svg viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" {FONT}>',
        _text(0, 18, title, size=14, weight="bold"),
    ]
    for j, name in enumerate(columns):
        x = label_w + j * cell + cell / 2
        if slanted:
            out.append(_text(x, top - 6, _clip(name, 28), size=11,
                             extra=f' transform="rotate(-45 {x:.1f} {top - 6})"'))
        else:
            out.append(_text(x, top - 8, name, anchor="middle", size=11, weight="bold"))
    for i, name in enumerate(rows):
        y = top + i * cell
        out.append(_text(label_w - 6, y + cell / 2 + 4, _clip(name, 44), anchor="end", size=11))
        for j in range(len(columns)):
            value = values[i][j]
            share = value / peak
            fill = _blue(share)
            ink = "#FFFFFF" if share > 0.55 else "#1F2933"
            tip = tips[i][j] if tips else labels[i][j]
            out.append(
                f'<rect x="{label_w + j * cell}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                f'fill="{fill}"><title>{escape(tip)}</title></rect>'
            )
            out.append(_text(label_w + j * cell + (cell - 1) / 2, y + cell / 2 + 4,
                             labels[i][j], anchor="middle", size=10 if cell > 30 else 9,
                             fill=ink))
    out.append("</svg>")
    return "\n".join(out)


def _blue(share: float) -> str:
    """Linear blend from near-white (#F5F7FA) to deep blue (#1C4E80)."""
    share = max(0.0, min(1.0, share))
    start, end = (0xF5, 0xF7, 0xFA), (0x1C, 0x4E, 0x80)
    mixed = (round(a + (b - a) * share) for a, b in zip(start, end, strict=True))
    return "#" + "".join(f"{c:02X}" for c in mixed)
