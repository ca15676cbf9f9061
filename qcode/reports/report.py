"""The report as a value: which sections it holds, and how numbers are written.

Every renderer (terminal, Markdown, HTML, CSV, JSON) takes a :class:`Report`, so the
CLI, the TUI and the exports show the same numbers the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Types only: a report of frequencies need not load segments, summary or matrix.
    from qcode.core.codebook.tree import CodeNode
    from qcode.core.model import Code
    from qcode.reports.cooccurrence import Cooccurrence
    from qcode.reports.filters import ReportContext
    from qcode.reports.frequencies import FrequencyRow
    from qcode.reports.matrix import CodeMatrix
    from qcode.reports.segments import Quote, Segment
    from qcode.reports.summary import Summary

NO_VALUE = "(none)"
MEASURE_NAMES = {"count": "paragraphs with both codes", "jaccard": "Jaccard index",
                 "c": "c-coefficient"}


@dataclass(frozen=True)
class Report:
    """What to render: one section (a single report) or several (the full report)."""

    context: ReportContext
    summary: Summary | None = None
    frequencies: Sequence[FrequencyRow] | None = None
    cooccurrence: Cooccurrence | None = None
    segments: Sequence[Segment] | None = None
    measure: str = "count"
    matrix: CodeMatrix | None = None
    # The codes with their definitions and depth (HTML shows them beside the figures).
    codebook: Sequence[tuple[Code, int]] | None = None

    def sections(self) -> list[str]:
        """Names of the sections present, in the order they are shown."""
        names = ("summary", "frequencies", "cooccurrence", "segments", "matrix")
        return [n for n in names if getattr(self, n) is not None]


def percent(share: float) -> str:
    """0.2143 -> "21.4%"."""
    return f"{share * 100:.1f}%"


def group_label(group: str | None) -> str:
    """A group as shown: documents lacking the attribute form the "(none)" group."""
    return NO_VALUE if group is None else group


def groups_of(rows: Sequence[FrequencyRow]) -> list[str | None]:
    """The groups of a frequency report in their order (``[None]`` when not grouped)."""
    return list(dict.fromkeys(r.group for r in rows)) or [None]


def by_code(rows: Sequence[FrequencyRow]) -> list[list[FrequencyRow]]:
    """Rows gathered per code (each list holds that code's groups, in order)."""
    gathered: dict[str, list[FrequencyRow]] = {}
    for row in rows:
        gathered.setdefault(row.guid, []).append(row)
    return list(gathered.values())


def cell(matrix: Cooccurrence, a: CodeNode, b: CodeNode, measure: str) -> str:
    """A co-occurrence cell as text: an integer count, or a coefficient to 2 places."""
    if measure == "count":
        return str(matrix.both(a.id, b.id))
    if a.id == b.id:
        return "–"
    value = matrix.coefficient(a.id, b.id)
    # ".43" rather than "0.43": matrices of coefficients stay narrow and still read well.
    return "0" if value == 0 else f"{value:.2f}".removeprefix("0")


def quote_groups(rows: Sequence[Segment]) -> list[tuple[str, list[Quote]]]:
    """Quotes gathered by theme path, themes in the order they first appear."""
    grouped: dict[str, list[Quote]] = {}
    from qcode.reports.segments import quotes

    for quote in quotes(rows):
        grouped.setdefault(quote.theme_path, []).append(quote)
    return list(grouped.items())


def where(quote: Quote) -> str:
    """"document §12 · section · speaker" for a quote."""
    seg = quote.segment
    parts = [f"{seg.document} {seg.ref}"]
    parts.extend(p for p in (seg.section, seg.speaker) if p)
    return " · ".join(parts)
