"""Frequencies broken down by speaker: who said what was coded.

A speaker belongs to paragraphs, not documents, so the per-document runs the other
breakdowns add up (:mod:`qcode.reports.frequencies`) do not apply: the codings are
joined to their paragraphs' speakers and counted per code (rolled up the tree, the one
roll-up every report uses) and speaker. Paragraphs without a speaker form their own
group, last.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from qcode.core.codebook.tree import TREE_CTE

Counts = tuple[int, int, int, int, int, int]

_SQL = """
WITH RECURSIVE {tree},
selected(code_id) AS (SELECT value FROM json_each(:selected)),
docs(document_id) AS (SELECT value FROM json_each(:documents)),
coded AS MATERIALIZED (
    SELECT k.code_id, k.paragraph_id, p.document_id, p.speaker
      FROM codings k JOIN paragraphs p ON p.id = k.paragraph_id
     WHERE p.document_id IN (SELECT document_id FROM docs){coder_cond}
)
SELECT t.ancestor, c.speaker,
       COUNT(DISTINCT c.paragraph_id), COUNT(DISTINCT c.document_id), COUNT(*),
       COUNT(DISTINCT CASE WHEN c.code_id = t.ancestor THEN c.paragraph_id END),
       COUNT(DISTINCT CASE WHEN c.code_id = t.ancestor THEN c.document_id END),
       SUM(c.code_id = t.ancestor)
  FROM tree t JOIN coded c ON c.code_id = t.code_id
 WHERE t.ancestor IN (SELECT code_id FROM selected)
 GROUP BY t.ancestor, c.speaker
"""


def count_by_speaker(
    conn: sqlite3.Connection, selected: list[int], documents: list[int],
    coder_ids: tuple[int, ...] | None,
) -> tuple[list[str | None], dict[tuple[int, int], Counts], list[int]]:
    """(speakers in order, (code id, speaker index) -> counts, paragraphs per speaker).

    Counts are (paragraphs, documents, codings) rolled up, then the code's own; the
    speakers are those of the documents in scope, by name, then None (no speaker).
    """
    totals: dict[str | None, int] = {}
    for start in range(0, len(documents), 500):
        chunk = documents[start:start + 500]
        for speaker, n in conn.execute(
                "SELECT speaker, COUNT(*) FROM paragraphs WHERE document_id IN "
                f"({', '.join('?' * len(chunk))}) GROUP BY speaker", chunk):
            totals[speaker] = totals.get(speaker, 0) + n
    speakers = sorted((s for s in totals if s is not None), key=lambda s: (s.casefold(), s))
    ordered: list[str | None] = [*speakers, *([None] if None in totals else [])]
    index = {s: i for i, s in enumerate(ordered)}
    counts: dict[tuple[int, int], Counts] = {}
    if selected and documents and (coder_ids is None or coder_ids):
        coder_cond = "" if coder_ids is None else (
            " AND k.coder_id IN (" + ", ".join(str(int(i)) for i in coder_ids) + ")")
        params: dict[str, Any] = {"selected": json.dumps(selected),
                                  "documents": json.dumps(documents)}
        sql = _SQL.format(tree=TREE_CTE.strip(), coder_cond=coder_cond)
        for row in conn.execute(sql, params):
            counts[(row[0], index[row[1]])] = (row[2], row[3], row[4], row[5], row[6], row[7])
    return ordered, counts, [totals[s] for s in ordered]


__all__ = ["count_by_speaker"]
