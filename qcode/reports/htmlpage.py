"""Reports as one self-contained HTML file: inline CSS and SVG, no script, no network.

A frequency bar chart, a co-occurrence heat map, the segments grouped by theme, and a
footer naming the project, the codebook version and the date, so that a report found
in a folder months later can be traced to where it came from.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from qcode.core.model import Code
from qcode.reports.cooccurrence import Cooccurrence
from qcode.reports.frequencies import FrequencyRow
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
from qcode.reports.svg import Bar, bar_chart, colour, edge, heat_map

MAX_CLUSTERED = 6  # more groups than this and bars stop being readable: use a heat map

CSS = """
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1F2933; background: #FFFFFF; margin: 0 auto; max-width: 1080px;
       padding: 24px 32px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 40px 0 12px; padding-bottom: 4px; border-bottom: 2px solid #E4E7EB; }
h3 { font-size: 16px; margin: 28px 0 8px; }
.sub, .note, footer { color: #52606D; font-size: 13px; }
figure, .scroll { margin: 12px 0; overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; border-bottom: 1px solid #E4E7EB; text-align: left;
         vertical-align: top; }
th { background: #F5F7FA; font-weight: 600; }
td.n, th.n { text-align: right; }
tr.zero td { color: #9AA5B1; }
.chip { display: inline-block; width: 10px; height: 10px; border-radius: 2px;
        margin-right: 6px; vertical-align: baseline; border: 1px solid; }
.d0 { font-weight: 600; }
dl.figures { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; }
dl.figures dt { color: #52606D; }
dl.figures dd { margin: 0; }
nav.themes { columns: 2; font-size: 14px; }
nav.themes ul { margin: 0; }
nav.themes a { color: #1C4E80; text-decoration: none; }
blockquote { margin: 10px 0 16px; padding: 6px 14px; border-left: 4px solid #9AA5B1;
             background: #FAFBFC; break-inside: avoid; }
blockquote p { margin: 4px 0; }
mark { background: #FFF3B0; padding: 0 1px; }
.source { color: #52606D; font-size: 13px; }
.memo { font-size: 13px; font-style: italic; color: #3E4C59; }
dl.codebook dt { font-weight: 600; margin-top: 10px; }
dl.codebook dd { margin: 2px 0 0 24px; }
dl.codebook .field { color: #52606D; }
blockquote.again { background: none; }
.again a { color: #1C4E80; }
footer { margin-top: 48px; padding-top: 8px; border-top: 1px solid #E4E7EB; }
@media print { body { max-width: none; padding: 0; } h2 { break-after: avoid; } }
"""


def page(report: Report) -> str:
    """The full HTML document."""
    ctx = report.context
    # A report on the whole project is titled with the project's name.
    whole = ctx.title == ctx.project
    heading = f"{ctx.title} — qcode report" if whole else f"{ctx.title} — {ctx.project}"
    sub = "qcode report" if whole else ctx.project
    body = []
    if report.summary is not None:
        body.append(summary_html(report.summary))
    if report.frequencies is not None:
        body.append(frequencies_html(report.frequencies))
    if report.cooccurrence is not None:
        body.append(cooccurrence_html(report.cooccurrence, report.measure))
    if report.segments is not None:
        body.append(segments_html(report.segments))
    if report.codebook is not None:
        # Last, as an appendix: the figures come first, what the codes mean beside them.
        body.append(codebook_html(report.codebook))
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="qcode {escape(ctx.qcode_version)}">',
        f"<title>{escape(heading)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{escape(ctx.title)}</h1>",
        f'<p class="sub">{escape(sub)} · filters: {escape(ctx.filters)}</p></header>',
        "<main>",
        *body,
        "</main>",
        f"<footer>{escape(ctx.footer())}</footer>",
        "</body>",
        "</html>",
        "",
    ])


def _empty(anchor: str, title: str, message: str) -> str:
    return (f'<section id="{anchor}"><h2>{escape(title)}</h2>'
            f"<p>{escape(message)}</p></section>")


def _chip(hex_colour: str | None) -> str:
    return (f'<span class="chip" style="background:{colour(hex_colour)};'
            f'border-color:{edge(hex_colour)}"></span>')


def codebook_html(codes: Sequence[tuple[Code, int]]) -> str:
    """Each code with its definition, when to use it and when not, and its example."""
    if not codes:
        return _empty("codebook", "Codebook", "The codebook is empty.")
    items = []
    for code, depth in codes:
        pad = f' style="margin-left:{18 * depth}px"' if depth else ""
        inset = f' style="margin-left:{24 + 18 * depth}px"'
        fields = [("", code.definition), ("Use when: ", code.when_to_use),
                  ("Not when: ", code.when_not_to_use), ("Example: ", code.example)]
        text = "".join(f'<dd{inset}><span class="field">{escape(label)}</span>{escape(value)}'
                       f"</dd>" for label, value in fields if value)
        items.append(f'<dt id="code-{escape(code.guid)}"{pad}>{_chip(code.colour)}'
                     f"{escape(code.name)}</dt>{text}")
    return (f'<section id="codebook"><h2>Codebook</h2><dl class="codebook">{"".join(items)}'
            "</dl></section>")


def _table(header: Sequence[tuple[str, bool]], rows: Sequence[tuple[str, Sequence[str]]]) -> str:
    """``header``: (label, numeric); ``rows``: (css class, cells of trusted HTML)."""
    out = ['<div class="scroll"><table>', "<thead><tr>" + "".join(
        f'<th{" class=n" if numeric else ""}>{escape(label)}</th>' for label, numeric in header
    ) + "</tr></thead>", "<tbody>"]
    for css, cells in rows:
        tds = "".join(f'<td{" class=n" if header[i][1] else ""}>{c}</td>'
                      for i, c in enumerate(cells))
        out.append(f'<tr class="{css}">{tds}</tr>' if css else f"<tr>{tds}</tr>")
    out.append("</tbody></table></div>")
    return "\n".join(out)


def _code_cell(name: str, depth: int, hex_colour: str | None) -> str:
    pad = f' style="padding-left:{10 + 18 * depth}px"' if depth else ""
    return f'<span class="d{min(depth, 1)}"{pad}>{_chip(hex_colour)}{escape(name)}</span>'


def summary_html(s: Summary) -> str:
    """Key figures as a definition list, coders as a table."""
    book = (s.codebook or "none") + (f" v{s.codebook_version}" if s.codebook_version else "")
    figures = [
        ("Documents", str(s.documents)),
        ("Paragraphs", f"{s.paragraphs}, coded {s.coded_paragraphs} ({percent(s.share_coded)})"),
        ("Codings", str(s.codings)),
        ("Codes", f"{s.codes}, used {s.codes_used}"),
        ("Codebook", book),
        ("Coders", str(len(s.coders))),
    ]
    if s.last_activity_at:
        figures.append(("Last activity", f"{s.last_activity_at[:16].replace('T', ' ')} · "
                                         f"{s.last_activity_coder}: {s.last_activity}"))
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in figures)
    coders = _table(
        [("Coder", False), ("Codings", True), ("Paragraphs", True), ("Documents", True)],
        [("", [escape(c.name), str(c.codings), str(c.paragraphs), str(c.documents)])
         for c in s.coders],
    ) if s.coders else ""
    return f'<section id="summary"><h2>Summary</h2><dl class="figures">{dl}</dl>{coders}</section>'


def frequencies_html(rows: Sequence[FrequencyRow]) -> str:
    """A bar chart (clustered or a heat map when grouped) and the table of numbers."""
    if not rows:
        return _empty("frequencies", "Code frequencies", "The codebook is empty.")
    by = rows[0].by
    per_code = by_code(rows)
    groups = groups_of(rows)
    if by is None:
        title = "Code frequencies"
        chart = bar_chart([
            Bar(r.code, (float(r.paragraphs),), (f"{r.paragraphs} ({percent(r.share)})",),
                r.colour, r.depth, r.depth == 0) for r in rows
        ], title="Paragraphs per code (with sub-codes)")
        table = _table(
            [("Code", False), ("Paragraphs", True), ("Share", True), ("Own", True),
             ("Documents", True), ("Codings", True)],
            [("zero" if r.paragraphs == 0 else "",
              [_code_cell(r.code, r.depth, r.colour), str(r.paragraphs), percent(r.share),
               str(r.own_paragraphs), str(r.documents), str(r.codings)]) for r in rows])
        note = (f"Paragraphs carrying the code or any code below it, of "
                f"{rows[0].total_paragraphs} in scope; Own: the code alone.")
    else:
        title = f"Code frequencies by {by}"
        labels = [group_label(g) for g in groups]
        if len(groups) <= MAX_CLUSTERED:
            chart = bar_chart([
                Bar(cs[0].code, tuple(float(r.share) for r in cs),
                    tuple(f"{r.paragraphs} ({percent(r.share)})" for r in cs),
                    cs[0].colour, cs[0].depth, cs[0].depth == 0) for cs in per_code
            ], series=labels, title=f"Share of each group's paragraphs, by {by}")
        else:
            chart = heat_map(
                [cs[0].code for cs in per_code], labels,
                [[float(r.share) for r in cs] for cs in per_code],
                [[str(r.paragraphs) for r in cs] for cs in per_code],
                title=f"Paragraphs per code and {by} (shade: share of the group)",
                tips=[[f"{cs[0].code} × {group_label(r.group)}: {r.paragraphs} "
                       f"({percent(r.share)})" for r in cs] for cs in per_code])
        table = _table(
            [("Code", False), *((label, True) for label in labels)],
            [("", [_code_cell(cs[0].code, cs[0].depth, cs[0].colour),
                   *(f"{r.paragraphs} <span class=note>{percent(r.share)}</span>" for r in cs)])
             for cs in per_code])
        totals = "; ".join(f"{group_label(r.group)}: {r.total_paragraphs}" for r in per_code[0])
        note = (f"Paragraphs (share of the group's paragraphs) by {by}, each code counting "
                f"its sub-codes. Paragraphs per group: {totals}.")
    return (f'<section id="frequencies"><h2>{escape(title)}</h2><figure>{chart}</figure>'
            f'{table}<p class="note">{escape(note)}</p></section>')


def cooccurrence_html(matrix: Cooccurrence, measure: str) -> str:
    """The heat map over the codes that occur (numbers in the cells, names on hover)."""
    title = "Co-occurrence" + (" (codes with their sub-codes)" if matrix.rollup else "")
    used = matrix.used()
    if not used:
        return _empty("cooccurrence", title, "No code occurs in scope.")
    off_diagonal = [[0.0 if a.id == b.id else matrix.value(a.id, b.id, measure) for b in used]
                    for a in used]
    chart = heat_map(
        [f"{i + 1}  {a.name}" for i, a in enumerate(used)],
        [str(i + 1) for i in range(len(used))],
        off_diagonal,
        [[cell(matrix, a, b, measure) for b in used] for a in used],
        title=f"{MEASURE_NAMES[measure].capitalize()} (diagonal: paragraphs with the code)"
        if measure == "count" else MEASURE_NAMES[measure],
        tips=[[f"{a.name} × {b.name}: {matrix.both(a.id, b.id)} paragraphs"
               + ("" if measure == "count" else f", {MEASURE_NAMES[measure]} "
                  f"{matrix.coefficient(a.id, b.id):.3f}") for b in used] for a in used],
    )
    left_out = len(matrix.codes) - len(used)
    note = f"Cells: {MEASURE_NAMES[measure]}; units are paragraphs."
    if measure != "count":
        note += " n12 / (n1 + n2 − n12): with paragraphs as units, the Jaccard index and " \
                "ATLAS.ti's c-coefficient are the same number."
    if left_out:
        note += f" {left_out} codes that never occur are left out."
    return (f'<section id="cooccurrence"><h2>{escape(title)}</h2><figure>{chart}</figure>'
            f'<p class="note">{escape(note)}</p></section>')


def _opening(text: str, limit: int = 120) -> str:
    """The first words of a paragraph, cut between words, "…" where cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return (flat[:limit].rsplit(" ", 1)[0] or flat[:limit]).rstrip(" ,;:") + " …"


def _marked(text: str, marks: Sequence[tuple[int, int]]) -> str:
    """The paragraph, escaped, with its exact selections (from another tool) marked."""
    pieces, at = [], 0
    for low, high in marks:
        pieces += [escape(text[at:low]), f"<mark>{escape(text[low:high])}</mark>"]
        at = high
    pieces.append(escape(text[at:]))
    return "".join(pieces)


def _again(text: str, marks: Sequence[tuple[int, int]]) -> str:
    """A paragraph already quoted in full: its exact selections under this theme, or
    its opening words when the whole paragraph is coded."""
    if not marks:
        return escape(_opening(text))
    return " … ".join(f"<mark>{escape(text[low:high].strip())}</mark>" for low, high in marks)


def segments_html(rows: Sequence[Segment]) -> str:
    """A list of themes, then each theme's paragraphs as quotes with their source."""
    groups = quote_groups(rows)
    if not groups:
        return _empty("segments", "Segments", "No paragraph carries these codes.")
    nav = "".join(
        f'<li><a href="#theme-{i}">{escape(theme)}</a> ({len(items)})</li>'
        for i, (theme, items) in enumerate(groups)
    )
    out = ['<section id="segments"><h2>Segments</h2>', f'<nav class="themes"><ul>{nav}</ul></nav>']
    shown: dict[int, tuple[int, str]] = {}
    for i, (theme, items) in enumerate(groups):
        count = f"{len(items)} paragraph{'s' * (len(items) != 1)}"
        out.append(f'<h3 id="theme-{i}">{_chip(items[0].segment.theme_colour)}{escape(theme)} '
                   f'<span class="note">{count}</span></h3>')
        for q in items:
            extra = [c for c in q.codes if c != q.segment.theme]
            source = f"— {where(q)} · coded by {', '.join(q.coders)}"
            if extra:
                source += f" · as {', '.join(extra)}"
            memos = "".join(f'<p class="memo">Memo ({escape(who)}): {escape(memo)}</p>'
                            for who, memo in q.memos)
            border = edge(q.segment.colour)
            paragraph = q.segment.paragraph_id
            first = shown.setdefault(paragraph, (i, theme))
            if first != (i, theme):
                # Quoted in full once, under the first theme that has it.
                out.append(
                    f'<blockquote class="again" style="border-left-color:{border}">'
                    f"<p>{_again(q.segment.text, q.highlights)}</p>"
                    f'<p class="source">{escape(source)} · quoted in full under '
                    f'<a href="#quote-{paragraph}">{escape(first[1])}</a></p>{memos}'
                    "</blockquote>")
                continue
            out.append(
                f'<blockquote id="quote-{paragraph}" style="border-left-color:{border}">'
                f"<p>{_marked(q.segment.text, q.highlights)}</p>"
                f'<p class="source">{escape(source)}</p>{memos}</blockquote>'
            )
    out.append("</section>")
    return "\n".join(out)

