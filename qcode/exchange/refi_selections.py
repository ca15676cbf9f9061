"""From codings back to REFI-QDA selections, for ``qcode export FILE.qdpx``.

A coding made in qcode is a selection of its paragraph. A coding that came from another
tool carries the exact span(s) of its selection (:mod:`qcode.core.spans`), and exports
as that selection: the pieces one selection left on several paragraphs (one coding
each) are joined back into it where they still meet end to start, and the codings of
different codes that shared one selection in the other tool share it again. Positions
are written in the unit the document's tool counted in (:mod:`qcode.exchange.refi_offsets`),
with that tool's own numbers where the import kept them, so a project from NVivo goes
back to NVivo with every selection where it was.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qcode.core.model import Paragraph
from qcode.core.spans import load


@dataclass
class OutCoding:
    """A ``<Coding>`` to write: a coding row (its code, coder, memo) under a GUID."""

    row: Any
    guid: str


@dataclass
class OutSelection:
    """A ``<PlainTextSelection>`` to write, with code-point ends (and the tool's own
    numbers for them where known)."""

    guid: str
    name: str
    start: int
    end: int
    source_start: int | None
    source_end: int | None
    user: str | None
    created: str | None
    codings: list[OutCoding] = field(default_factory=list)


@dataclass
class _Run:
    row: Any
    start: int
    end: int
    selection: str | None
    coding: str | None
    source_start: int | None
    source_end: int | None


def selections(paragraphs: list[Paragraph], rows: list[Any], users: dict[int, str],
               derive: Callable[[str, str], str], *, original: bool = True
               ) -> list[OutSelection]:
    """The selections to write for one document's coding ``rows`` (``codings`` rows
    with ``code_guid``), in text order. ``derive(guid, purpose)`` makes a stable GUID;
    without ``original`` the tool's own numbers are left out (standard positions)."""
    by_id = {p.id: p for p in paragraphs}
    runs = _runs(rows, by_id)
    if not original:
        runs = [_Run(r.row, r.start, r.end, r.selection, r.coding, None, None) for r in runs]
    starts = [p.start for p in paragraphs]
    taken: set[str] = set()
    grouped: dict[tuple[str, int, int], OutSelection] = {}
    out: list[OutSelection] = []
    for run in sorted(runs, key=lambda r: (r.start, r.end, r.row["id"])):
        key = (run.selection or "", run.start, run.end)
        found = grouped.get(key) if run.selection else None
        if found is None:
            guid = _free(run.selection, taken) or derive(
                f"{run.selection or run.row['guid']}:{run.start}:{run.end}"
                if run.selection else run.row["guid"], "selection")
            taken.add(guid)
            found = OutSelection(guid, _name(paragraphs, starts, run.start, run.end),
                                 run.start, run.end, run.source_start, run.source_end,
                                 users.get(run.row["coder_id"]), run.row["created_at"])
            if run.selection:
                grouped[key] = found
            out.append(found)
        guid = _free(run.coding, taken) or _free(run.row["guid"], taken) or derive(
            f"{run.row['guid']}:{run.start}", "coding")
        taken.add(guid)
        found.codings.append(OutCoding(run.row, guid))
    return out


def _runs(rows: list[Any], by_id: dict[int, Paragraph]) -> list[_Run]:
    """Each coding's whole paragraph, or its spans with the pieces of one selection
    (same code and coder) joined where they meet end to start."""
    whole: list[_Run] = []
    pieces: dict[tuple[str, int, int], list[_Run]] = {}
    for row in rows:
        paragraph = by_id[row["paragraph_id"]]
        spans = load(row["spans"])
        if not spans:
            whole.append(_Run(row, paragraph.start, paragraph.end, None, None, None, None))
            continue
        for span in spans:
            run = _Run(row, span.start, span.end, span.selection, span.coding,
                       span.source_start, span.source_end)
            if span.selection is None:
                whole.append(run)
            else:
                pieces.setdefault((span.selection, row["code_id"], row["coder_id"]),
                                  []).append(run)
    joined: list[_Run] = []
    for group in pieces.values():
        group.sort(key=lambda r: (r.start, r.end))
        current = group[0]
        for run in group[1:]:
            if run.start == current.end:
                current = _Run(current.row, current.start, run.end, current.selection,
                               current.coding, current.source_start, run.source_end)
            else:
                joined.append(current)
                current = run
        joined.append(current)
    return whole + joined


def _free(guid: str | None, taken: set[str]) -> str | None:
    return guid if guid and guid not in taken else None


def _name(paragraphs: list[Paragraph], starts: list[int], start: int, end: int) -> str:
    """The paragraph(s) a selection lies on, as a researcher cites them ("§3–§5")."""
    first = paragraphs[max(bisect.bisect_right(starts, start) - 1, 0)]
    last = paragraphs[max(bisect.bisect_right(starts, max(end - 1, start)) - 1, 0)]
    return first.ref if first.id == last.id else f"{first.ref}–{last.ref}"


__all__ = ["OutCoding", "OutSelection", "selections"]
