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
                   document_ids: Sequence[int] | None) -> dict[int, int]:
    """document id -> review mask, for documents at least one coder reviewed.

    One query per coder: a mark in ``reviews``, or else any coding of theirs in the
    document (an EXISTS probe that stops at the first one found).
    """
    only = set(document_ids) if document_ids is not None else None
    masks: dict[int, int] = {}
    for i, coder_id in enumerate(coder_ids):
        rows = conn.execute(
            "SELECT d.id FROM documents d WHERE "
            "EXISTS (SELECT 1 FROM reviews r WHERE r.document_id = d.id AND r.coder_id = ?1) "
            "OR EXISTS (SELECT 1 FROM paragraphs p JOIN codings c ON c.paragraph_id = p.id "
            "WHERE p.document_id = d.id AND c.coder_id = ?1)", (coder_id,))
        for (doc_id,) in rows:
            if only is None or doc_id in only:
                masks[doc_id] = masks.get(doc_id, 0) | 1 << i
    return masks


def runs(conn: sqlite3.Connection, masks: dict[int, int]) -> list[Run]:
    """Runs of paragraph ids to tally, covering every paragraph of every document
    reviewed by at least 2 coders (and nothing else).

    A document whose paragraph ids are consecutive is one segment; one whose ids are
    interleaved with another's (possible after merges) is split into its islands of
    consecutive ids. The segments partition the paragraph ids, so neighbouring
    segments with the same review mask can be tallied as one range.
    """
    segments: list[tuple[int, int, int, int]] = []
    broken: list[int] = []
    for doc_id, low, high, count in conn.execute(
            "SELECT document_id, MIN(id), MAX(id), COUNT(*) FROM paragraphs "
            "GROUP BY document_id"):
        if high - low + 1 == count:
            segments.append((low, high, masks.get(doc_id, 0), count))
        else:
            broken.append(doc_id)
    for start in range(0, len(broken), 500):
        chunk = broken[start:start + 500]
        for doc_id, low, high, count in conn.execute(
                "SELECT document_id, MIN(id), MAX(id), COUNT(*) FROM ("
                "SELECT id, document_id, id - ROW_NUMBER() OVER "
                "(PARTITION BY document_id ORDER BY id) AS island FROM paragraphs "
                f"WHERE document_id IN ({', '.join('?' * len(chunk))})) "
                "GROUP BY document_id, island", chunk):
            segments.append((low, high, masks.get(doc_id, 0), count))
    segments.sort()
    found: list[Run] = []
    previous_mask = 0
    for low, high, mask, count in segments:
        if mask & (mask - 1) == 0:  # fewer than 2 coders reviewed it: not a unit
            previous_mask = 0
            continue
        if found and mask == previous_mask:
            last = found[-1]
            found[-1] = Run(last.low, high, mask, last.paragraphs + count)
        else:
            found.append(Run(low, high, mask, count))
        previous_mask = mask
    return found


def split_mask(names: Sequence[str], reviewed: int, applied: int
               ) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(coders who applied the code, reviewing coders who did not)."""
    with_code = tuple(n for i, n in enumerate(names) if applied >> i & 1)
    without = tuple(n for i, n in enumerate(names) if reviewed >> i & 1 and not applied >> i & 1)
    return with_code, without
