"""Frequencies broken down by speaker (who said what was coded) or by origin (how
it was coded: by hand, or by which auto-coding).

A speaker belongs to paragraphs and an origin to codings, not documents, so the
per-document runs the other breakdowns add up (:mod:`qcode.reports.frequencies`) do
not apply: the codings are joined to their paragraphs and counted per code (rolled up
the tree, the one roll-up every report uses) and speaker or origin. Paragraphs without a
speaker form their own group, last; codings without an origin (made by hand) come first.
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
    SELECT k.code_id, k.paragraph_id, p.document_id, {group} AS grp
      FROM codings k JOIN paragraphs p ON p.id = k.paragraph_id
     WHERE p.document_id IN (SELECT document_id FROM docs){coder_cond}
)
SELECT t.ancestor, c.grp,
       COUNT(DISTINCT c.paragraph_id), COUNT(DISTINCT c.document_id), COUNT(*),
       COUNT(DISTINCT CASE WHEN c.code_id = t.ancestor THEN c.paragraph_id END),
       COUNT(DISTINCT CASE WHEN c.code_id = t.ancestor THEN c.document_id END),
       SUM(c.code_id = t.ancestor)
  FROM tree t JOIN coded c ON c.code_id = t.code_id
 WHERE t.ancestor IN (SELECT code_id FROM selected)
 GROUP BY t.ancestor, c.grp
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
    found = _count(conn, "p.speaker", selected, documents, coder_ids)
    counts = {(code, index[speaker]): n for (code, speaker), n in found.items()}
    return ordered, counts, [totals[s] for s in ordered]


def count_by_origin(
    conn: sqlite3.Connection, selected: list[int], documents: list[int],
    coder_ids: tuple[int, ...] | None, hand: str,
) -> tuple[list[str], dict[tuple[int, int], Counts]]:
    """(origins in order, (code id, origin index) -> counts), as :func:`count_by_speaker`.

    The origins are those of the codings counted: ``hand`` (codings without one) first,
    then each auto-coding's command in order.
    """
    found = _count(conn, f"COALESCE(k.origin, {_literal(hand)})", selected, documents,
                   coder_ids)
    origins = sorted({origin for _code, origin in found}, key=lambda o: (o != hand, o))
    index = {o: i for i, o in enumerate(origins)}
    return origins, {(code, index[origin]): n for (code, origin), n in found.items()}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _count(conn: sqlite3.Connection, group: str, selected: list[int], documents: list[int],
           coder_ids: tuple[int, ...] | None) -> dict[tuple[int, Any], Counts]:
    """(code id, group value) -> counts, ``group`` an SQL expression on codings ``k``
    and paragraphs ``p``."""
    counts: dict[tuple[int, Any], Counts] = {}
    if selected and documents and (coder_ids is None or coder_ids):
        coder_cond = "" if coder_ids is None else (
            " AND k.coder_id IN (" + ", ".join(str(int(i)) for i in coder_ids) + ")")
        params: dict[str, Any] = {"selected": json.dumps(selected),
                                  "documents": json.dumps(documents)}
        sql = _SQL.format(tree=TREE_CTE.strip(), coder_cond=coder_cond, group=group)
        for row in conn.execute(sql, params):
            counts[(row[0], row[1])] = (row[2], row[3], row[4], row[5], row[6], row[7])
    return counts


__all__ = ["count_by_origin", "count_by_speaker"]
