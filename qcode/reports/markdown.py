"""Reports as Markdown: pipe tables and block quotes a paper or pandoc can take."""

from __future__ import annotations

import re
from collections.abc import Sequence

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

INDENT = "\u2003"  # an em space: Markdown tables keep it, so sub-codes stay indented


def _esc(text: str) -> str:
    """Text safe inside a table cell or a line of prose."""
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def _table(header: Sequence[str], align: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join(":--" if a == "l" else "--:" for a in align) + "|"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


def _marked(text: str, marks: Sequence[tuple[int, int]]) -> str:
    """The paragraph with its exact selections in bold (all of it plain when none)."""
    if not marks:
        return _esc(text)

    def flat(piece: str) -> str:  # as _esc, but keeping the spaces at its ends
        return re.sub(r"\s+", " ", piece.replace("\\", "\\\\").replace("|", "\\|"))

    pieces, at = [], 0
    for low, high in marks:
        inner = flat(text[low:high])
        # Bold may not start or end with a space: keep those outside the asterisks.
        before, after = inner[:len(inner) - len(inner.lstrip())], inner[len(inner.rstrip()):]
        pieces += [flat(text[at:low]), before, f"**{inner.strip()}**", after]
        at = high
    pieces.append(flat(text[at:]))
    return re.sub(" {2,}", " ", "".join(pieces)).strip()


def markdown(report: Report) -> str:
    """The whole report: a title, each section, and the footer line."""
    ctx = report.context
    parts = [f"# {_esc(ctx.title)}", f"*{_esc(ctx.project)}* · filters: {_esc(ctx.filters)}"]
    if report.summary is not None:
        parts.append(summary_md(report.summary))
    if report.frequencies is not None:
        parts.append(frequencies_md(report.frequencies))
    if report.cooccurrence is not None:
        parts.append(cooccurrence_md(report.cooccurrence, report.measure))
    if report.segments is not None:
        parts.append(segments_md(report.segments))
    parts.append(f"---\n\n<small>{_esc(ctx.footer())}</small>")
    return "\n\n".join(parts) + "\n"


def summary_md(s: Summary) -> str:
    """Key figures as a list, then one row per coder."""
    book = (s.codebook or "none") + (f" v{s.codebook_version}" if s.codebook_version else "")
    lines = [
        "## Summary", "",
        f"- Documents: {s.documents}",
        f"- Paragraphs: {s.paragraphs}, of which coded: {s.coded_paragraphs} "
        f"({percent(s.share_coded)})",
        f"- Codings: {s.codings}",
        f"- Codes: {s.codes}, used: {s.codes_used}",
        f"- Codebook: {_esc(book)}",
        f"- Coders: {len(s.coders)}",
    ]
    if s.last_activity_at:
        lines.append(f"- Last activity: {s.last_activity_at[:16].replace('T', ' ')} by "
                     f"{_esc(s.last_activity_coder or '?')} ({_esc(s.last_activity or '')})")
    if s.coders:
        lines += ["", _table(
            ("Coder", "Codings", "Paragraphs", "Documents"), "lrrr",
            [(_esc(c.name), str(c.codings), str(c.paragraphs), str(c.documents))
             for c in s.coders])]
    return "\n".join(lines)


def frequencies_md(rows: Sequence[FrequencyRow]) -> str:
    """One row per code; grouped reports get a column per group."""
    if not rows:
        return "## Code frequencies\n\nThe codebook is empty."
    groups = groups_of(rows)
    by = rows[0].by
    if by is None:
        table = _table(
            ("Code", "Paragraphs", "Share", "Own", "Documents", "Codings"), "lrrrrr",
            [(INDENT * r.depth + _esc(r.code), str(r.paragraphs), percent(r.share),
              str(r.own_paragraphs), str(r.documents), str(r.codings)) for r in rows])
        note = (f"Paragraphs carrying the code or any code below it, of "
                f"{rows[0].total_paragraphs} in scope; *Own*: the code alone.")
        return f"## Code frequencies\n\n{table}\n\n{note}"
    per_code = by_code(rows)
    table = _table(
        ("Code", *(_esc(group_label(g)) for g in groups)), "l" + "r" * len(groups),
        [(INDENT * cs[0].depth + _esc(cs[0].code),
          *(f"{r.paragraphs} ({percent(r.share)})" for r in cs)) for cs in per_code])
    totals = "; ".join(f"{_esc(group_label(r.group))}: {r.total_paragraphs}"
                       for r in per_code[0])
    note = (f"Paragraphs (share of the group's paragraphs) by {_esc(by)}, each code "
            f"counting its sub-codes. Paragraphs per group: {totals}.")
    return f"## Code frequencies by {_esc(by)}\n\n{table}\n\n{note}"


def cooccurrence_md(matrix: Cooccurrence, measure: str) -> str:
    """The matrix over the codes that occur, numbered so the columns stay narrow."""
    used = matrix.used()
    title = "## Co-occurrence" + (" (codes with their sub-codes)" if matrix.rollup else "")
    if not used:
        return f"{title}\n\nNo code occurs in scope."
    table = _table(
        ("#", "Code", *(str(i + 1) for i in range(len(used)))), "rl" + "r" * len(used),
        [(str(i + 1), _esc(a.name), *(cell(matrix, a, b, measure) for b in used))
         for i, a in enumerate(used)])
    left_out = len(matrix.codes) - len(used)
    note = f"Cells: {MEASURE_NAMES[measure]}; units are paragraphs."
    if left_out:
        note += f" {left_out} codes that never occur are left out."
    return f"{title}\n\n{table}\n\n{note}"


def segments_md(rows: Sequence[Segment]) -> str:
    """Each theme's paragraphs as block quotes with their source, coders and memos."""
    groups = quote_groups(rows)
    if not groups:
        return "## Segments\n\nNo paragraph carries these codes."
    out = ["## Segments"]
    for theme, items in groups:
        out.append(f"### {_esc(theme)} ({len(items)} paragraph{'s' * (len(items) != 1)})")
        for q in items:
            codes = [c for c in q.codes if c != q.segment.theme]
            source = f"— {_esc(where(q))} · coded by {_esc(', '.join(q.coders))}"
            if codes:
                source += f" · as {_esc(', '.join(codes))}"
            lines = [f"> {_marked(q.segment.text, q.highlights)}", ">", f"> {source}"]
            lines.extend(f">\n> *Memo ({_esc(who)}):* {_esc(memo)}" for who, memo in q.memos)
            out.append("\n".join(lines))
    return "\n\n".join(out)
