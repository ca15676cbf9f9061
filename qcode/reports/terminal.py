"""Reports as rich renderables: aligned tables, colour chips, bars and a shaded matrix.

:func:`renderable` is what the CLI prints on a terminal and what the TUI can mount in
a widget; :func:`plain` is the same without colour, for ``--format table -o FILE``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from qcode.reports.cooccurrence import Cooccurrence
from qcode.reports.frequencies import BY_ORIGIN, HAND, FrequencyRow
from qcode.reports.matrix import matrix_table
from qcode.reports.report import (
    MEASURE_NAMES,
    Report,
    by_code,
    cell,
    group_label,
    groups_of,
    percent,
    quote_groups,
    where,
)
from qcode.reports.segments import Segment
from qcode.reports.summary import Summary
from qcode.reports.svg import colour

BAR_WIDTH = 24
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: float, peak: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of ``value / peak`` of ``width`` cells, to an eighth of a cell."""
    if peak <= 0 or value <= 0:
        return ""
    eighths = round(width * 8 * min(value, peak) / peak)
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


def chip(hex_colour: str | None) -> Text:
    """A small square in the code's colour (hollow when it has none)."""
    if hex_colour and colour(hex_colour, "") == hex_colour:
        return Text("■ ", style=hex_colour)
    return Text("□ ", style="dim")


def _code_label(name: str, depth: int, hex_colour: str | None) -> Text:
    label = Text("  " * depth)
    label.append_text(chip(hex_colour))
    label.append(name, style="bold" if depth == 0 else "")
    return label


def renderable(report: Report) -> RenderableType:
    """Every section of the report, one after another, with the footer."""
    parts: list[RenderableType] = []
    if report.summary is not None:
        parts.append(summary_table(report.summary))
    if report.frequencies is not None:
        parts.append(frequencies_table(report.frequencies))
    if report.cooccurrence is not None:
        parts.append(cooccurrence_table(report.cooccurrence, report.measure))
    if report.segments is not None:
        parts.append(segments_view(report.segments))
    if report.matrix is not None:
        parts.append(matrix_table(report.matrix))
    parts.append(Text(report.context.footer(), style="dim"))
    return Group(*parts)


def plain(report: Report, *, width: int = 100) -> str:
    """The rendered report as plain text (no colour codes), ``width`` columns wide."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False,
                      highlight=False, emoji=False)
    console.print(renderable(report))
    return buffer.getvalue()


def summary_table(s: Summary) -> RenderableType:
    """Key figures, then coders."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim")
    grid.add_column()
    book = (s.codebook or "none") + (f" v{s.codebook_version}" if s.codebook_version else "")
    grid.add_row("project", f"{s.project}  ({s.path})")
    grid.add_row("codebook", book)
    grid.add_row("documents", str(s.documents))
    grid.add_row("paragraphs", f"{s.paragraphs}, coded {s.coded_paragraphs} "
                               f"({percent(s.share_coded)})  {bar(s.share_coded, 1, 20)}")
    grid.add_row("codings", str(s.codings))
    grid.add_row("codes", f"{s.codes}, used {s.codes_used}")
    if s.last_activity_at:
        grid.add_row("last activity", f"{s.last_activity_at[:16].replace('T', ' ')}  "
                                      f"{s.last_activity_coder}: {s.last_activity}")
    coders = Table(title="coders", title_justify="left", box=None, padding=(0, 1))
    for column in ("coder", "codings", "paragraphs", "documents"):
        coders.add_column(column, justify="left" if column == "coder" else "right")
    for c in s.coders:
        coders.add_row(c.name, str(c.codings), str(c.paragraphs), str(c.documents))
    parts: list[RenderableType] = [Rule("summary", align="left"), grid]
    if s.coders:
        parts += [Text(""), coders]
    return Group(*parts, Text(""))


def frequencies_table(rows: Sequence[FrequencyRow]) -> RenderableType:
    """One row per code, with a bar; grouped reports get a column per group."""
    if not rows:
        return Text("The codebook is empty: nothing to count.")
    if rows[0].by is not None:
        return _grouped_table(rows)
    return _FitToWidth(lambda width: _frequency_table(rows, width))


class _FitToWidth:
    """Builds its table for the width it is given, so narrow terminals lose the bars
    and shorten names before any number goes missing."""

    def __init__(self, build: Callable[[int], RenderableType]) -> None:
        self.build = build

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.build(options.max_width)


_NUMBERS = ("paragraphs", "share", "own", "docs", "codings")


def _frequency_table(rows: Sequence[FrequencyRow], width: int) -> Table:
    values = [(str(r.paragraphs), percent(r.share), str(r.own_paragraphs), str(r.documents),
               str(r.codings)) for r in rows]
    numbers = [max(len(h), *(len(v[i]) for v in values)) for i, h in enumerate(_NUMBERS)]
    labels = [_code_label(r.code, r.depth, r.colour) for r in rows]
    # One space between columns; names come before bars when space is short.
    left = width - sum(n + 1 for n in numbers)
    code_width = max(8, min(max(len(label) for label in labels), 44, left))
    bar_width = min(BAR_WIDTH, left - code_width - 1)
    table = Table(title="code frequencies", title_justify="left", box=None, padding=(0, 1),
                  collapse_padding=True, pad_edge=False,
                  caption=f"paragraphs: distinct paragraphs carrying the code or a code below "
                          f"it, of {rows[0].total_paragraphs}; own: the code alone",
                  caption_justify="left")
    table.add_column("code", width=code_width, no_wrap=True, overflow="ellipsis")
    for column, size in zip(_NUMBERS, numbers, strict=True):
        table.add_column(column, justify="right", no_wrap=True, width=size)
    if bar_width >= 4:
        table.add_column("", no_wrap=True, width=bar_width)
    peak = max(r.paragraphs for r in rows)
    for r, label, cells in zip(rows, labels, values, strict=True):
        bars = [Text(bar(r.paragraphs, peak, bar_width), style=colour(r.colour, "grey50"))
                ] if bar_width >= 4 else []
        table.add_row(label, *cells, *bars, style="dim" if r.paragraphs == 0 else None)
    return table


def _grouped_table(rows: Sequence[FrequencyRow]) -> RenderableType:
    groups = groups_of(rows)
    per_code = by_code(rows)
    by = rows[0].by or ""
    names = {group: group_label(group) for group in groups}
    legend = ""
    if by == BY_ORIGIN:
        # An auto-coding's origin is the whole command that made it: too wide for a
        # column head, so the columns are numbered and the commands listed below.
        runs = [g for g in groups if g != HAND]
        names.update({g: f"auto {n}" for n, g in enumerate(runs, start=1)})
        legend = "".join(f"\nauto {n}: {g}" for n, g in enumerate(runs, start=1))
    table = Table(title=f"code frequencies by {by}", title_justify="left", box=None,
                  padding=(0, 1), caption_justify="left",
                  caption="paragraphs (share of the group's paragraphs), each code counting "
                          "its sub-codes; paragraphs per group: " + ", ".join(
                              f"{names[r.group]} {r.total_paragraphs}"
                              for r in per_code[0]) + legend)
    table.add_column("code", min_width=12)
    for group in groups:
        table.add_column(names[group], justify="right", no_wrap=True)
    for code_rows in per_code:
        first = code_rows[0]
        cells = [Text.assemble(str(r.paragraphs), (f" {percent(r.share):>6}", "dim"))
                 for r in code_rows]
        table.add_row(_code_label(first.code, first.depth, first.colour), *cells)
    return table


def cooccurrence_table(matrix: Cooccurrence, measure: str) -> RenderableType:
    """The matrix over the codes that occur, cells shaded by value."""
    used = matrix.used()
    if not used:
        return Text("No code occurs in scope: no co-occurrence to show.")
    values = [[matrix.value(a.id, b.id, measure) for b in used if b.id != a.id] for a in used]
    peak = max((v for line in values for v in line), default=0) or 1
    left_out = len(matrix.codes) - len(used)
    caption = f"cells: {MEASURE_NAMES[measure]}; units are paragraphs"
    if left_out:
        caption += f"; {left_out} codes that never occur are left out"
    table = Table(title="co-occurrence" + (" (with sub-codes)" if matrix.rollup else ""),
                  title_justify="left", box=None, padding=(0, 1), caption=caption,
                  caption_justify="left")
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("code", overflow="ellipsis", min_width=12)
    for i in range(len(used)):
        table.add_column(str(i + 1), justify="right", no_wrap=True)
    for i, a in enumerate(used):
        cells = []
        for b in used:
            text = cell(matrix, a, b, measure)
            if a.id == b.id:
                cells.append(Text(text, style="bold"))
                continue
            strength = matrix.value(a.id, b.id, measure) / peak
            shade = int(255 - 150 * strength)
            style = f"black on rgb({shade},{shade + (255 - shade) // 3},255)" if strength else "dim"
            cells.append(Text(text, style=style))
        table.add_row(str(i + 1), _code_label(a.name, 0, a.colour), *cells)
    return table


def segments_view(rows: Sequence[Segment]) -> RenderableType:
    """Each theme under a rule; each paragraph with its source, coders and memos."""
    groups = quote_groups(rows)
    if not groups:
        return Text("No paragraph carries these codes.")
    parts: list[RenderableType] = []
    for theme, items in groups:
        title = Text.assemble(chip(items[0].segment.theme_colour), (theme, "bold"),
                              (f"  {len(items)} paragraph{'s' * (len(items) != 1)}", "dim"))
        parts.append(Rule(title, align="left"))
        for q in items:
            head = Text.assemble((where(q), "bold"), ("  " + ", ".join(q.coders), "cyan"))
            extra = [c for c in q.codes if c != q.segment.theme]
            if extra:
                head.append("  as " + ", ".join(extra), style="dim")
            text = Text(q.segment.text)
            for low, high in q.highlights:  # the exact selection, in its paragraph
                text.stylize("bold underline", low, high)
            body: list[RenderableType] = [head, Padding(text, (0, 0, 0, 2))]
            body.extend(Padding(Text.assemble((f"memo ({who}): ", "italic dim"), memo),
                                (0, 0, 0, 2)) for who, memo in q.memos)
            parts.append(Padding(Group(*body), (0, 0, 1, 0)))
    return Group(*parts)
