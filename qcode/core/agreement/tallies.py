"""The SQL side of agreement: who reviewed what, and runs of paragraph ids to tally.

Coders are numbered 0..n-1 in the order chosen and stand for bit ``1 << i`` of a mask:
a document's *review mask* says which coders reviewed it, a (paragraph, code)'s
*applied mask* which coders applied the code there.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from qcode.core.model import Coder
from qcode.core.store.runs import Run as DocumentRun
from qcode.core.store.runs import document_runs


@dataclass(frozen=True)
class Run:
    """Paragraph ids ``low``..``high`` (``paragraphs`` of them exist), all in documents
    reviewed by exactly the coders of ``mask`` (at least 2)."""

    low: int
    high: int
    mask: int
    paragraphs: int


def coder_bits_sql(coder_ids: Sequence[int]) -> tuple[str, list[int]]:
    """``SUM(CASE coder_id WHEN ? THEN ? ... END)`` (the applied mask) and its parameters."""
    whens = " ".join("WHEN ? THEN ?" for _ in coder_ids)
    params: list[int] = []
    for i, coder_id in enumerate(coder_ids):
        params += [coder_id, 1 << i]
    return f"SUM(CASE coder_id {whens} ELSE 0 END)", params


def reviewed_coders(conn: sqlite3.Connection) -> list[Coder]:
    """Coders who marked a document reviewed or made a coding, by name."""
    rows = conn.execute(
        "SELECT id, guid, name FROM coders k "
        "WHERE EXISTS (SELECT 1 FROM reviews r WHERE r.coder_id = k.id) "
        "OR EXISTS (SELECT 1 FROM codings c WHERE c.coder_id = k.id) "
        "ORDER BY name COLLATE NOCASE")
    return [Coder(r[0], r[1], r[2]) for r in rows]


def document_masks(conn: sqlite3.Connection, coder_ids: Sequence[int],
                   document_ids: Sequence[int] | None,
                   spans: Sequence[DocumentRun] | None = None) -> dict[int, int]:
    """document id -> review mask, for documents at least one coder reviewed.

    Per coder: their marks in ``reviews``, then, per run of a document's paragraph ids
    not marked, whether any coding of theirs lies in it (one probe of the
    (coder, paragraph) index that stops at the first).
    """
    only = set(document_ids) if document_ids is not None else None
    spans = document_runs(conn) if spans is None else spans
    masks: dict[int, int] = {}
    for i, coder_id in enumerate(coder_ids):
        reviewed = {r[0] for r in conn.execute(
            "SELECT document_id FROM reviews WHERE coder_id = ?", (coder_id,))}
        for run in spans:
            if run.document_id in reviewed:
                continue
            if conn.execute(
                    "SELECT 1 FROM codings WHERE coder_id = ? AND paragraph_id BETWEEN ? AND ? "
                    "LIMIT 1", (coder_id, run.low, run.high)).fetchone():
                reviewed.add(run.document_id)
        for doc_id in reviewed:
            if only is None or doc_id in only:
                masks[doc_id] = masks.get(doc_id, 0) | 1 << i
    return masks


def runs(conn: sqlite3.Connection, masks: dict[int, int],
         spans: Sequence[DocumentRun] | None = None) -> list[Run]:
    """Runs of paragraph ids to tally, covering every paragraph of every document
    reviewed by at least 2 coders (and nothing else).

    Documents' runs (:func:`qcode.core.store.runs.document_runs`) partition the
    paragraph ids, so neighbouring runs with the same review mask are tallied as one
    range.
    """
    spans = document_runs(conn) if spans is None else spans
    found: list[Run] = []
    previous_mask = 0
    for span in spans:
        mask = masks.get(span.document_id, 0)
        if mask & (mask - 1) == 0:  # fewer than 2 coders reviewed it: not a unit
            previous_mask = 0
            continue
        if found and mask == previous_mask:
            last = found[-1]
            found[-1] = Run(last.low, span.high, mask, last.paragraphs + span.paragraphs)
        else:
            found.append(Run(span.low, span.high, mask, span.paragraphs))
        previous_mask = mask
    return found


def split_mask(names: Sequence[str], reviewed: int, applied: int
               ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(coders who applied the code, reviewing coders who did not)."""
    with_code = tuple(n for i, n in enumerate(names) if applied >> i & 1)
    without = tuple(n for i, n in enumerate(names) if reviewed >> i & 1 and not applied >> i & 1)
    return with_code, without
