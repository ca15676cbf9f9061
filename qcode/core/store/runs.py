"""Documents as ranges of paragraph ids.

Paragraphs come in a document at a time, so a document's paragraph ids are one range,
and ``paragraph_id BETWEEN lo AND hi`` picks its paragraphs — or its codings, on any
index of ``codings`` that has ``paragraph_id`` after its equality columns — without a
join. A document whose paragraphs interleave with another's (after a transcript was
corrected) is cut into several runs. Reports, agreement and the documents listing all
count per run this way, so their plans stay index-driven with or without SQLite's
statistics.
"""

from __future__ import annotations

import itertools
import sqlite3

from qcode.core.record import record
from qcode.core.store import counts


@record(frozen=True)
class Run:
    """Paragraph ids ``low``..``high`` of one document (``paragraphs`` of them exist);
    no other document's paragraph lies between them."""

    document_id: int
    low: int
    high: int
    paragraphs: int


def document_runs(conn: sqlite3.Connection) -> list[Run]:
    """Every document's runs of paragraph ids, in id order.

    Built from the spans the project keeps per block (:mod:`qcode.core.store.counts`):
    consecutive spans of one document join into a run. Only when two documents'
    paragraphs interleave inside a block is the table itself read, row by row."""
    spans = conn.execute(
        f"SELECT document_id, low, high, paragraphs FROM ({counts.current('count_spans')}) "
        "ORDER BY low").fetchall()
    if all(a[2] < b[1] for a, b in itertools.pairwise(spans)):
        runs: list[Run] = []
        for doc, low, high, count in spans:
            if runs and runs[-1].document_id == doc:
                last = runs[-1]
                runs[-1] = Run(doc, last.low, high, last.paragraphs + count)
            else:
                runs.append(Run(doc, low, high, count))
        return runs
    # Some document's paragraphs are interleaved with another's: cut each document
    # into maximal runs of consecutive rows (in id order) that belong to it.
    rows = conn.execute("""
        SELECT document_id, MIN(id), MAX(id), COUNT(*) FROM (
            SELECT id, document_id, SUM(brk) OVER (ORDER BY id) AS run FROM (
                SELECT id, document_id,
                       document_id IS NOT LAG(document_id) OVER (ORDER BY id) AS brk
                  FROM paragraphs))
         GROUP BY run ORDER BY MIN(id)
    """).fetchall()
    return [Run(r[0], r[1], r[2], r[3]) for r in rows]


def paragraph_counts(runs: list[Run]) -> dict[int, int]:
    """Paragraphs per document."""
    counts: dict[int, int] = {}
    for run in runs:
        counts[run.document_id] = counts.get(run.document_id, 0) + run.paragraphs
    return counts
