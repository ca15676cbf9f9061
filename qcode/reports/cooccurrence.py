"""Code co-occurrence: for each pair of codes, the paragraphs that carry both.

The unit is the paragraph, counted once however many coders applied the codes. With
``rollup`` a parent code stands for itself and everything below it (useful with the
top-level themes); without, codes count as applied.

Measures: the count n12; the Jaccard index and ATLAS.ti's c-coefficient, both
n12 / (n1 + n2 - n12). On paragraphs the two coincide: ATLAS.ti's c differs from
Jaccard only because its quotations can overlap without coinciding, which paragraphs
cannot. Both names are offered so a report says what its readers expect.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from typing import Any

from qcode.core.db import translate
from qcode.core.project import Project
from qcode.reports.filters import TREE_CTE, CodeNode, ReportFilter, code_tree, resolve

MEASURES = ("count", "jaccard", "c")


@dataclass(frozen=True)
class Cooccurrence:
    """A symmetric code × code matrix of paragraphs carrying both codes.

    ``codes`` are the rows and columns in tree order; ``n`` maps a code id to its
    paragraphs (the diagonal); ``both`` holds each unordered pair once, smaller id first.
    """

    codes: tuple[CodeNode, ...]
    n: dict[int, int]
    both_counts: dict[tuple[int, int], int] = field(repr=False)
    rollup: bool
    total_paragraphs: int

    def both(self, a: int, b: int) -> int:
        """Paragraphs carrying codes ``a`` and ``b`` (``n`` of the code when a == b)."""
        if a == b:
            return self.n.get(a, 0)
        return self.both_counts.get((min(a, b), max(a, b)), 0)

    def coefficient(self, a: int, b: int) -> float:
        """n12 / (n1 + n2 − n12): the c-coefficient, equal here to the Jaccard index."""
        n12 = self.both(a, b)
        union = self.n.get(a, 0) + self.n.get(b, 0) - n12
        return n12 / union if union else 0.0

    def value(self, a: int, b: int, measure: str) -> float:
        """The cell as ``measure`` ("count", "jaccard" or "c") defines it."""
        return float(self.both(a, b)) if measure == "count" else self.coefficient(a, b)

    def used(self) -> tuple[CodeNode, ...]:
        """The codes that occur at least once (rows worth drawing)."""
        return tuple(c for c in self.codes if self.n.get(c.id, 0))

    def records(self, measure: str = "count") -> list[dict[str, Any]]:
        """Tidy rows: one per ordered pair of codes (diagonal included), zeros included."""
        column = {"jaccard": "jaccard", "c": "c_coefficient"}.get(measure)
        rows = []
        for a in self.codes:
            for b in self.codes:
                row: dict[str, Any] = {
                    "code_a": a.name, "code_b": b.name, "path_a": a.path, "path_b": b.path,
                    "paragraphs": self.both(a.id, b.id),
                    "paragraphs_a": self.n.get(a.id, 0), "paragraphs_b": self.n.get(b.id, 0),
                }
                if column:
                    row[column] = round(self.coefficient(a.id, b.id), 6)
                rows.append(row)
        return rows


_SQL = """
WITH RECURSIVE {tree},
selected(code_id) AS (SELECT value FROM json_each(:selected)),
units AS MATERIALIZED (
    SELECT DISTINCT k.paragraph_id, {code} AS code_id
      FROM codings k{join}
     WHERE {code} IN (SELECT code_id FROM selected){where}
)
SELECT a.code_id, b.code_id, COUNT(*)
  FROM units a JOIN units b ON b.paragraph_id = a.paragraph_id AND b.code_id >= a.code_id
 GROUP BY a.code_id, b.code_id
"""


def cooccurrence(
    project: Project, flt: ReportFilter | None = None, *, rollup: bool = False
) -> Cooccurrence:
    """The co-occurrence matrix of every code (or of ``flt.codes``)."""
    flt = flt or ReportFilter()
    scope = resolve(project, flt)
    tree = code_tree(project)
    wanted = set(scope.code_ids) if scope.code_ids is not None else None
    codes = tuple(n for n in tree.nodes if wanted is None or n.id in wanted)
    where = ""
    params: dict[str, Any] = {"selected": json.dumps([c.id for c in codes])}
    if scope.coder_ids is not None:
        where += f" AND k.coder_id IN ({', '.join(str(int(i)) for i in scope.coder_ids)})"
    if scope.document_ids is not None:
        params["documents"] = json.dumps(list(scope.document_ids))
        where += (" AND k.paragraph_id IN (SELECT id FROM paragraphs WHERE document_id IN "
                  "(SELECT value FROM json_each(:documents)))")
    sql = _SQL.format(
        tree=TREE_CTE.strip(), code="t.ancestor" if rollup else "k.code_id",
        join=" JOIN tree t ON t.code_id = k.code_id" if rollup else "", where=where,
    )
    n: dict[int, int] = {}
    pairs: dict[tuple[int, int], int] = {}
    try:
        for a, b, count in project.conn.execute(sql, params):
            if a == b:
                n[a] = count
            else:
                pairs[(a, b)] = count
        total = _paragraphs(project, scope.document_ids)
    except sqlite3.Error as exc:
        raise translate(exc, project.path) from exc
    return Cooccurrence(codes, n, pairs, rollup, total)


def _paragraphs(project: Project, documents: tuple[int, ...] | None) -> int:
    if documents is None:
        return int(project.conn.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0])
    row = project.conn.execute(
        "SELECT COUNT(*) FROM paragraphs WHERE document_id IN (SELECT value FROM json_each(?))",
        (json.dumps(list(documents)),),
    ).fetchone()
    return int(row[0])
