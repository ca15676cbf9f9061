"""Placing a tool's text selections on qcode's paragraphs.

The rule: a selection is coded onto every paragraph it overlaps (shares at least one
character with). A selection is *whole* when it covers its one paragraph entirely,
*partial* when it covers part of one paragraph, *spanning* when it overlaps several,
and *unplaced* when it overlaps none (it lies between paragraphs, on a heading, or
outside the text). The import report counts each kind and shows examples.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from typing import Literal

from qcode.core.coded_import import ImportedCoding, ImportedMemo
from qcode.core.model import ParsedParagraph
from qcode.exchange.refi_project_read import RefiSelection

Kind = Literal["whole", "partial", "spanning", "unplaced"]
_EXCERPT = 60


@dataclass(frozen=True)
class Placement:
    """Where one selection landed."""

    kind: Kind
    selection: RefiSelection
    ordinals: tuple[int, ...]
    refs: tuple[str, ...]
    excerpt: str
    detail: str
    start: int | None = None
    end: int | None = None
    # Each overlapped paragraph's piece of the selection (qcode.core.spans): from the
    # selection's start, or the paragraph's after the first, to the next paragraph's
    # start, or the selection's end for the last. They meet end to start.
    pieces: tuple[tuple[int, int], ...] = ()

    def describe(self, document: str) -> str:
        """One line for the report: where, what text, how it was mapped."""
        where = "–".join(dict.fromkeys((self.refs[0], self.refs[-1]))) if self.refs else (
            f"at {self.selection.start}–{self.selection.end}")
        quoted = f" “{self.excerpt}”" if self.excerpt else ""
        return f"{document} {where}:{quoted} ({self.detail})"


@dataclass
class SourcePlan:
    """One source: how its positions were read and where its selections landed."""

    name: str
    guid: str
    unit: str
    unit_reason: str
    layout: str
    selections: int = 0
    whole: list[Placement] = field(default_factory=list)
    partial: list[Placement] = field(default_factory=list)
    spanning: list[Placement] = field(default_factory=list)
    unplaced: list[Placement] = field(default_factory=list)
    in_order: list[Placement] = field(default_factory=list)
    codings: list[ImportedCoding] = field(default_factory=list)
    memos: list[ImportedMemo] = field(default_factory=list)
    unknown_codes: int = 0

    @property
    def placements(self) -> list[Placement]:
        """Every placed selection (those that landed on at least one paragraph)."""
        return self.whole + self.partial + self.spanning

    def add(self, placement: Placement) -> None:
        """Count a placement under its kind."""
        self.selections += 1
        self.in_order.append(placement)
        getattr(self, placement.kind).append(placement)


class ParagraphIndex:
    """Paragraphs in text order, searchable by position."""

    def __init__(self, paragraphs: list[ParsedParagraph], text: str) -> None:
        self.paragraphs, self.text = paragraphs, text
        self._ends = [p.end for p in paragraphs]

    def place(self, selection: RefiSelection, start: int | None, end: int | None) -> Placement:
        """Where ``selection`` lands, given its ends as offsets into the text."""
        if start is None or end is None:
            return self._unplaced(selection, f"positions {selection.start}–{selection.end} "
                                             "lie outside the text")
        if end <= start:
            return self._unplaced(selection, "an empty selection" if end == start
                                  else "it ends before it starts", start, end)
        first = bisect.bisect_right(self._ends, start)
        hit: list[ParsedParagraph] = []
        for paragraph in self.paragraphs[first:]:
            if paragraph.start >= end:
                break
            hit.append(paragraph)
        excerpt = _excerpt(self.text[start:end])
        if not hit:
            return Placement("unplaced", selection, (), (), excerpt,
                             "between paragraphs: a heading or blank lines; not coded",
                             start, end)
        refs = tuple(p.label or f"¶{p.ordinal}" for p in hit)
        ordinals = tuple(p.ordinal for p in hit)
        cuts = [start, *(p.start for p in hit[1:]), end]
        pieces = tuple(itertools.pairwise(cuts))
        if len(hit) > 1:
            return Placement("spanning", selection, ordinals, refs, excerpt,
                             f"spans {len(hit)} paragraphs; coded on each, the exact "
                             "selection kept", start, end, pieces)
        only = hit[0]
        if start <= only.start and end >= only.end:
            return Placement("whole", selection, ordinals, refs, excerpt, "the whole paragraph",
                             start, end, pieces)
        covered = min(end, only.end) - max(start, only.start)
        share = round(100 * covered / max(only.end - only.start, 1))
        return Placement("partial", selection, ordinals, refs, excerpt,
                         f"{share}% of the paragraph; the paragraph coded, the exact "
                         "selection kept", start, end, pieces)

    @staticmethod
    def _unplaced(selection: RefiSelection, why: str, start: int | None = None,
                  end: int | None = None) -> Placement:
        return Placement("unplaced", selection, (), (), "", f"{why}; not coded", start, end)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= _EXCERPT else flat[:_EXCERPT - 1].rstrip() + "…"
