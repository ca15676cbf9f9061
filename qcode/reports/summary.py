"""The project at a glance: what there is, how much of it is coded, by whom, and when."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from qcode.core.codebook.tree import code_tree
from qcode.core.project import Project
from qcode.core.store.db import translate
from qcode.core.store.runs import document_runs, paragraph_counts
from qcode.reports.filters import (
    ReportFilter,
    coder_names,
    document_names,
    resolve,
)


@dataclass(frozen=True)
class CoderSummary:
    """One coder's share of the work (within the report's filters)."""

    name: str
    codings: int
    paragraphs: int
    documents: int


@dataclass(frozen=True)
class Summary:
    """Counts over the documents, coders and codes a filter selects."""

    project: str
    path: str
    codebook: str | None
    codebook_version: str | None
    documents: int
    paragraphs: int
    coded_paragraphs: int
    codings: int
    codes: int
    codes_used: int
    coders: tuple[CoderSummary, ...]
    last_activity_at: str | None
    last_activity_coder: str | None
    last_activity: str | None

    @property
    def share_coded(self) -> float:
        """Coded paragraphs as a fraction of all paragraphs (0 when there are none)."""
        return self.coded_paragraphs / self.paragraphs if self.paragraphs else 0.0

    def record(self) -> dict[str, Any]:
        """A flat dict (one CSV row): coders as a count and a "; "-joined list."""
        return {
            "project": self.project, "path": self.path, "codebook": self.codebook,
            "codebook_version": self.codebook_version, "documents": self.documents,
            "paragraphs": self.paragraphs, "coded_paragraphs": self.coded_paragraphs,
            "share_coded": round(self.share_coded, 6), "codings": self.codings,
            "codes": self.codes, "codes_used": self.codes_used, "coders": len(self.coders),
            "coder_names": "; ".join(c.name for c in self.coders),
            "last_activity_at": self.last_activity_at,
            "last_activity_coder": self.last_activity_coder,
            "last_activity": self.last_activity,
        }


def summary(project: Project, flt: ReportFilter | None = None) -> Summary:
    """Documents, paragraphs, share coded, codings, codes, coders and the last change.

    Filters narrow the counts: documents and attributes the documents and paragraphs,
    coders the codings, codes the codings to those codes and the codes below them.
    The last activity is the project's latest change, whoever made it.
    """
    try:
        return _summary(project, flt or ReportFilter())
    except sqlite3.Error as exc:
        raise translate(exc, project.path) from exc


_RUNS = """
WITH runs(document_id, lo, hi) AS (
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
      FROM json_each(:runs)
)
"""


def _summary(project: Project, flt: ReportFilter) -> Summary:
    scope = resolve(project, flt)
    tree = code_tree(project)
    conn = project.conn
    codes = list(dict.fromkeys(
        [c for s in scope.code_ids for c in tree.subtree(s)]
        if scope.code_ids is not None else [n.id for n in tree.nodes]))
    spans = document_runs(conn)
    runs, sizes = [(r.document_id, r.low, r.high) for r in spans], paragraph_counts(spans)
    documents = len(document_names(conn))
    if scope.document_ids is not None:
        wanted = set(scope.document_ids)
        runs = [r for r in runs if r[0] in wanted]
        documents = len(wanted)
        sizes = {d: n for d, n in sizes.items() if d in wanted}
    params: dict[str, Any] = {"codes": json.dumps(codes), "runs": json.dumps(runs)}
    ranged = scope.document_ids is not None
    where = ""
    if scope.code_ids is not None:
        where += " AND k.code_id IN (SELECT value FROM json_each(:codes))"
    coder_ids = scope.coder_ids if scope.coder_ids is not None else [
        r[0] for r in conn.execute("SELECT id FROM coders")]
    where_all = where
    if scope.coder_ids is not None:
        where_all += f" AND k.coder_id IN ({', '.join(str(int(i)) for i in coder_ids)})"
    coded, codings = _totals(conn, where_all, params, ranged=ranged)
    used = conn.execute(
        f"{_RUNS} SELECT COUNT(*) FROM codes c WHERE c.id IN (SELECT value FROM json_each(:codes))"
        " AND EXISTS (SELECT 1 FROM runs r JOIN codings k ON k.code_id = c.id"
        f" AND k.paragraph_id BETWEEN r.lo AND r.hi WHERE 1 = 1{where_all})",
        params).fetchone()[0]
    names = coder_names(conn)
    coders = []
    for coder in sorted(coder_ids, key=lambda i: names[i].casefold()):
        mine = {**params, "coder": coder}
        distinct, count = _totals(conn, where + " AND k.coder_id = :coder", mine, ranged=ranged)
        if not count:
            continue
        documents_coded = conn.execute(
            f"{_RUNS} SELECT COUNT(DISTINCT r.document_id) FROM runs r WHERE EXISTS "
            "(SELECT 1 FROM codings k WHERE k.paragraph_id BETWEEN r.lo AND r.hi "
            f"AND k.coder_id = :coder{where})", mine).fetchone()[0]
        coders.append(CoderSummary(names[coder], count, distinct, documents_coded))
    paragraphs = sum(sizes.values())
    last = conn.execute(
        "SELECT e.at, k.name, e.summary FROM events e JOIN coders k ON k.id = e.coder_id "
        "ORDER BY e.id DESC LIMIT 1"
    ).fetchone()
    return Summary(
        project=project.name, path=str(project.path), codebook=project.meta("codebook_name"),
        codebook_version=project.meta("codebook_version"), documents=documents,
        paragraphs=paragraphs, coded_paragraphs=coded, codings=codings, codes=len(codes),
        codes_used=used, coders=tuple(coders),
        last_activity_at=last[0] if last else None, last_activity_coder=last[1] if last else None,
        last_activity=last[2] if last else None,
    )


def _totals(conn: sqlite3.Connection, where: str, params: dict[str, Any], *,
            ranged: bool) -> tuple[int, int]:
    """(distinct paragraphs, codings) of the codings matching ``where``.

    Either way the (paragraph_id, code_id, coder_id) index hands SQLite the paragraph
    ids in order, so it counts distinct ones without sorting: over the whole index, or,
    when only some documents count, one document's range of ids at a time (distinct
    paragraphs add up across documents).
    """
    if ranged:
        inner = f"FROM codings k WHERE k.paragraph_id BETWEEN r.lo AND r.hi{where}"
        sql = (f"{_RUNS} SELECT SUM((SELECT COUNT(DISTINCT k.paragraph_id) {inner})), "
               f"SUM((SELECT COUNT(*) {inner})) FROM runs r")
    else:
        sql = (f"SELECT (SELECT COUNT(*) FROM (SELECT DISTINCT k.paragraph_id FROM codings k "
               f"WHERE 1 = 1{where})), (SELECT COUNT(*) FROM codings k WHERE 1 = 1{where})")
    row = conn.execute(sql, params).fetchone()
    return int(row[0] or 0), int(row[1] or 0)
