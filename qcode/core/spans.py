"""Exact selections: the part of a paragraph a coding was made on, when it is not all.

qcode codes paragraphs, and counts them: reports, filters and agreement never look
below the paragraph. But a project from NVivo, ATLAS.ti, MAXQDA or QualCoder arrives
with selections of part of a paragraph (or across several), and exporting it back must
give every selection back as it was. So a coding may carry *spans*: where in the
document's text its selection(s) lie, kept in the coding row's ``spans`` column as JSON
(NULL for a coding of the whole paragraph, which is what qcode itself makes)::

    [{"start": 120, "end": 164, "selection": "6F1C…", "source_start": 126,
      "source_end": 171}]

Why on the coding row and not a table of its own: a coding and its spans are one
thing. Every path that removes, restores, moves or copies a coding (untag, undo and
redo, deleting or merging codes, removing a document, merging projects, consensus)
carries the whole row, so the spans go wherever the coding goes without each path
having to know about them, and ``qcode check``'s replay of the event log compares them
with the rest of the row. One coding can hold several spans (two selections of one code
by one coder in one paragraph are one coding here: the paragraph is the unit).

A selection across several paragraphs becomes one coding per paragraph, each holding
its *piece*: from the selection's start (or, after the first, its paragraph's start) to
the next paragraph's start (or, for the last, the selection's end). The pieces of one
selection share its ``selection`` GUID and meet end to start, so an export joins them
back into the one selection (and, if a coding in the middle was removed since, into the
two selections that remain). ``start``/``end`` are code points of the document's text;
``source_start``/``source_end`` are the other tool's own numbers (NVivo counts UTF-16
units and CRLF as two), kept only where they differ. ``coding`` is the tool's GUID of
the coding when it is not the coding row's own.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from qcode.core.record import record

_KEYS = ("start", "end", "selection", "coding", "source_start", "source_end")


@record(frozen=True, order=True)
class Span:
    """One exact selection (or a piece of one) carried by a coding."""

    start: int
    end: int
    selection: str | None = None
    coding: str | None = None
    source_start: int | None = None
    source_end: int | None = None

    def record(self) -> dict[str, Any]:
        """The span as the JSON column keeps it (absent fields left out)."""
        return {k: getattr(self, k) for k in _KEYS if getattr(self, k) is not None}

    def clipped(self, start: int, end: int) -> tuple[int, int] | None:
        """The part of the span inside ``start``–``end`` (a paragraph), or None."""
        low, high = max(self.start, start), min(self.end, end)
        return (low, high) if low < high else None


def dump(spans: Iterable[Span]) -> str | None:
    """The ``spans`` column for these spans (None when there are none)."""
    ordered = sorted(set(spans))
    if not ordered:
        return None
    return json.dumps([s.record() for s in ordered], ensure_ascii=False,
                      separators=(",", ":"))


def load(value: str | None) -> list[Span]:
    """The spans in a ``spans`` column (empty for NULL); raises ValueError when the
    value is not a list of spans."""
    if value is None:
        return []
    data = json.loads(value)
    if not isinstance(data, list):
        raise ValueError("spans: not a list")
    found = []
    for item in data:
        if not isinstance(item, dict) or set(item) - set(_KEYS):
            raise ValueError(f"spans: {item!r} is not a span")
        start, end = item.get("start"), item.get("end")
        if not (isinstance(start, int) and isinstance(end, int)):
            raise ValueError(f"spans: {item!r} has no whole-number start and end")
        for key in ("source_start", "source_end"):
            if item.get(key) is not None and not isinstance(item[key], int):
                raise ValueError(f"spans: {key} {item[key]!r} is not a whole number")
        for key in ("selection", "coding"):
            if item.get(key) is not None and not isinstance(item[key], str):
                raise ValueError(f"spans: {key} {item[key]!r} is not a GUID")
        found.append(Span(start, end, item.get("selection"), item.get("coding"),
                          item.get("source_start"), item.get("source_end")))
    return found


def union(current: str | None, more: Iterable[Span]) -> str | None:
    """The ``spans`` of a coding that also receives ``more``. A coding of the whole
    paragraph (``current`` NULL) stays whole: it already covers them."""
    if current is None:
        return None
    return dump([*load(current), *more])


def merged(one: str | None, other: str | None) -> str | None:
    """The ``spans`` of two codings folded into one (a code merged into another): the
    union of their spans, or the whole paragraph (NULL) if either was."""
    if one is None or other is None:
        return None
    return dump([*load(one), *load(other)])


def folded_spans(rows: Iterable[dict[str, Any]],
                 on_target: dict[tuple[int, int], tuple[int, str | None]]
                 ) -> list[dict[str, Any]]:
    """Row changes giving the codings a code is merged into the spans of the codings
    that collapse into them. ``rows`` are the merged code's codings that meet one of
    the target's on the same paragraph by the same coder; ``on_target`` maps
    (paragraph id, coder id) to that coding's (id, spans)."""
    after: dict[int, tuple[str | None, str | None]] = {}
    for row in rows:
        coding_id, spans = on_target[(row["paragraph_id"], row["coder_id"])]
        before = after[coding_id][0] if coding_id in after else spans
        current = after[coding_id][1] if coding_id in after else spans
        after[coding_id] = (before, merged(current, row.get("spans")))
    return [{"op": "update", "table": "codings", "key": {"id": coding_id},
             "before": {"spans": before}, "after": {"spans": new}}
            for coding_id, (before, new) in after.items() if new != before]


def problem(span: Span, paragraph: tuple[int, int], length: int) -> str | None:
    """What is wrong with a span of a coding on ``paragraph`` (start, end) in a text of
    ``length`` code points, or None: it must lie in the text and share at least one
    character with its paragraph."""
    if not 0 <= span.start < span.end <= length:
        return (f"span {span.start}–{span.end} lies outside its document "
                f"({length} characters)")
    if span.clipped(*paragraph) is None:
        return (f"span {span.start}–{span.end} does not touch its paragraph "
                f"({paragraph[0]}–{paragraph[1]})")
    return None


def marks(columns: Iterable[str | None], start: int, length: int
          ) -> tuple[tuple[int, int], ...]:
    """What to mark inside a paragraph (``start``, ``length`` in the document) for the
    ``spans`` of its codings: their exact selections as offsets into the paragraph's
    text, clipped to it, overlaps joined. A coding whose selections cover the whole
    paragraph singles nothing out, and adds nothing."""
    found: list[tuple[int, int]] = []
    for value in columns:
        pieces = _joined(c for s in load(value) if (c := s.clipped(start, start + length)))
        if pieces != [(start, start + length)]:
            found.extend(pieces)
    return tuple((low - start, high - start) for low, high in _joined(found))


def _joined(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Ranges in order with those that overlap or touch made one."""
    joined: list[tuple[int, int]] = []
    for low, high in sorted(ranges):
        if joined and low <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(high, joined[-1][1]))
        else:
            joined.append((low, high))
    return joined


def shifted(spans: Iterable[Span], by: int) -> list[Span]:
    """The spans moved ``by`` code points (the same paragraph at another offset)."""
    return [replace(s, start=s.start + by, end=s.end + by) for s in spans]


__all__ = ["Span", "dump", "folded_spans", "load", "marks", "merged", "problem", "shifted",
           "union"]
