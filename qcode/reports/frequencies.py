"""Code frequencies: per code, how many paragraphs, documents and codings carry it.

Counts are distinct paragraphs, never codings: two coders on one paragraph, or a parent
and two of its sub-codes on one paragraph, count that paragraph once. Each code has a
rolled-up count (itself and everything below it) and its own count (itself alone).

How the SQL stays fast on a million codings: SQLite counts ``DISTINCT paragraph_id``
without a temporary B-tree when one index range delivers the ids in order, which
``codings_code (code_id, paragraph_id)`` does for one code within one range of
paragraph ids. So each code is counted per document, using the document's range of
paragraph ids (paragraphs are inserted a document at a time, so the ranges do not
interleave; where they do, the ranges are split into runs). Only parent codes need a
union over several codes, and only they pay for a B-tree. Distinct paragraphs add up
across documents (a paragraph belongs to one), which is what lets per-document cells
roll up to any grouping by documents, and documents are counted from the cells.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from qcode.core.codebook.tree import TREE_CTE, CodeTree, code_tree
from qcode.core.project import Project
from qcode.core.store import counts
from qcode.core.store.db import translate
from qcode.core.store.runs import document_runs, paragraph_counts
from qcode.reports.by_speaker import count_by_origin, count_by_speaker
from qcode.reports.filters import (
    ReportFilter,
    Scope,
    check_attribute_key,
    coder_names,
    document_names,
    resolve,
)

BY_DOCUMENT = "document"
BY_CODER = "coder"
BY_SPEAKER = "speaker"
BY_ORIGIN = "origin"
# The origin group of codings made by hand (qcode.core.autocode.HAND; reports do not
# import the auto-coder).
HAND = "hand"


@dataclass(frozen=True)
class FrequencyRow:
    """One code (in one group, when the report is broken down) and its counts."""

    code: str
    path: str
    guid: str
    parent: str | None
    depth: int
    colour: str | None
    by: str | None
    group: str | None
    paragraphs: int
    documents: int
    codings: int
    own_paragraphs: int
    own_documents: int
    own_codings: int
    total_paragraphs: int

    @property
    def share(self) -> float:
        """Rolled-up paragraphs as a fraction of all paragraphs in scope (0 when none)."""
        return self.paragraphs / self.total_paragraphs if self.total_paragraphs else 0.0

    @property
    def own_share(self) -> float:
        """Own paragraphs as a fraction of all paragraphs in scope."""
        return self.own_paragraphs / self.total_paragraphs if self.total_paragraphs else 0.0

    def record(self) -> dict[str, Any]:
        """A flat dict for CSV/JSON; the group column is named after what was grouped by."""
        data: dict[str, Any] = {
            "code": self.code, "path": self.path, "parent": self.parent, "depth": self.depth,
        }
        if self.by is not None:
            data[group_column(self.by)] = self.group
        data.update({
            "paragraphs": self.paragraphs, "documents": self.documents,
            "share": round(self.share, 6), "codings": self.codings,
            "own_paragraphs": self.own_paragraphs, "own_documents": self.own_documents,
            "own_share": round(self.own_share, 6), "own_codings": self.own_codings,
            "total_paragraphs": self.total_paragraphs, "colour": self.colour, "guid": self.guid,
        })
        return data


_FIELDS = {"code", "path", "parent", "depth", "paragraphs", "documents", "share", "codings",
           "own_paragraphs", "own_documents", "own_share", "own_codings", "total_paragraphs",
           "colour", "guid"}


def group_column(by: str) -> str:
    """The CSV/JSON column holding the group (the attribute key, unless it clashes)."""
    return f"attribute:{by}" if by in _FIELDS else by


@dataclass(frozen=True)
class _Group:
    label: str | None
    documents: tuple[int, ...]
    coder_id: int | None = None


def frequencies(
    project: Project, flt: ReportFilter | None = None, *, by: str | None = None
) -> list[FrequencyRow]:
    """Frequencies of every code (or of ``flt.codes``) in tree order.

    ``by`` breaks the counts down: ``"document"``, ``"coder"``, ``"speaker"``,
    ``"origin"`` (by hand, or which auto-coding) or a document attribute key; the result
    then has one row per code × group, zeros included, and each group's
    ``total_paragraphs`` is the paragraphs of that group's documents (every paragraph in
    scope for coders and origins).
    """
    try:
        return _frequencies(project, flt or ReportFilter(), by)
    except sqlite3.Error as exc:
        raise translate(exc, project.path) from exc


def _frequencies(project: Project, flt: ReportFilter, by: str | None) -> list[FrequencyRow]:
    # One snapshot: the kept counts, the documents and their sizes agree.
    with counts.snapshot(project.conn):
        return _frequencies_now(project, flt, by)


def _frequencies_now(project: Project, flt: ReportFilter, by: str | None
                     ) -> list[FrequencyRow]:
    scope = resolve(project, flt)
    conn = project.conn
    tree = code_tree(project)
    selected = list(scope.code_ids) if scope.code_ids is not None else [n.id for n in tree.nodes]
    order = {n.id: i for i, n in enumerate(tree.nodes)}
    selected.sort(key=order.__getitem__)
    documents = document_names(conn)
    wanted = set(scope.document_ids) if scope.document_ids is not None else set(documents)
    in_scope = [d for d in documents if d in wanted]
    spans = document_runs(conn)
    runs, sizes = [(r.document_id, r.low, r.high) for r in spans], paragraph_counts(spans)
    if by == BY_SPEAKER:
        # Speakers are per paragraph: groups of documents do not describe them.
        speakers, counts, totals = count_by_speaker(conn, selected, in_scope, scope.coder_ids)
        groups = [_Group(speaker, tuple(in_scope)) for speaker in speakers]
    elif by == BY_ORIGIN:
        origins, counts = count_by_origin(conn, selected, in_scope, scope.coder_ids, HAND)
        groups = [_Group(origin, tuple(in_scope)) for origin in origins or [HAND]]
        totals = [sum(sizes.get(d, 0) for d in in_scope)] * len(groups)
    else:
        groups = _groups(conn, by, in_scope, documents, scope)
        counts = _count(conn, tree, selected, runs=[r for r in runs if r[0] in wanted],
                        groups=groups, by=by, scope=scope)
        totals = [sum(sizes.get(d, 0) for d in group.documents) for group in groups]
    rows = []
    for code_id in selected:
        node = tree.by_id[code_id]
        parent = tree.by_id[node.parent_id].path if node.parent_id is not None else None
        for index, group in enumerate(groups):
            n = counts.get((code_id, index), (0, 0, 0, 0, 0, 0))
            rows.append(FrequencyRow(
                code=node.name, path=node.path, guid=node.guid, parent=parent, depth=node.depth,
                colour=node.colour, by=by, group=group.label,
                paragraphs=n[0], documents=n[1], codings=n[2],
                own_paragraphs=n[3], own_documents=n[4], own_codings=n[5],
                total_paragraphs=totals[index],
            ))
    return rows


def _groups(conn: sqlite3.Connection, by: str | None, in_scope: list[int],
            documents: dict[int, str], scope: Scope) -> list[_Group]:
    if by is None:
        return [_Group(None, tuple(in_scope))]
    if by == BY_DOCUMENT:
        return [_Group(documents[d], (d,)) for d in in_scope]
    if by == BY_CODER:
        names = coder_names(conn)
        ids = scope.coder_ids if scope.coder_ids is not None else [
            r[0] for r in conn.execute(
                "SELECT id FROM coders c WHERE EXISTS (SELECT 1 FROM codings k "
                "WHERE k.coder_id = c.id)")]
        ordered = sorted(ids, key=lambda i: names[i].casefold())
        return [_Group(names[i], tuple(in_scope), coder_id=i) for i in ordered]
    check_attribute_key(conn, by)
    values = {r[0]: r[1] for r in conn.execute(
        "SELECT document_id, value FROM document_attributes WHERE key = ?", (by,))}
    members: dict[str | None, list[int]] = {}
    for d in in_scope:
        members.setdefault(values.get(d), []).append(d)
    labels = sorted((v for v in members if v is not None), key=str.casefold)
    # Documents without the attribute form their own group, shown last.
    return [_Group(v, tuple(members[v])) for v in [*labels, *([None] if None in members else [])]]


_COUNT_SQL = """
WITH RECURSIVE {tree},
runs(document_id, lo, hi) AS (
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
      FROM json_each(:runs)
),
counted(code_id) AS (SELECT value FROM json_each(:counted)),
rolled(code_id) AS (SELECT value FROM json_each(:rolled)),
selected(code_id) AS (SELECT value FROM json_each(:selected)),
coders_in(coder_id) AS (SELECT value FROM json_each(:coders)),
doc_groups(document_id, grp) AS (
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(:groups)
),
-- One cell per code x run (x coder when grouped by coder): the code's own counts, and
-- for a parent code the distinct paragraphs carrying it or anything below it.
cells AS MATERIALIZED (
    SELECT c.code_id, r.document_id, {coder_col} AS coder_id,
           (SELECT COUNT(DISTINCT k.paragraph_id) FROM codings k
             WHERE k.code_id = c.code_id AND k.paragraph_id BETWEEN r.lo AND r.hi{coder_cond}
           ) AS own_paragraphs,
           (SELECT COUNT(*) FROM codings k
             WHERE k.code_id = c.code_id AND k.paragraph_id BETWEEN r.lo AND r.hi{coder_cond}
           ) AS own_codings,
           CASE WHEN c.code_id IN (SELECT code_id FROM rolled) THEN
           (SELECT COUNT(DISTINCT k.paragraph_id) FROM codings k
             WHERE k.code_id IN (SELECT t.code_id FROM tree t WHERE t.ancestor = c.code_id)
               AND k.paragraph_id BETWEEN r.lo AND r.hi{coder_cond}
           ) END AS rolled_paragraphs
      FROM counted c CROSS JOIN runs r{coder_join}
),
per_document AS (
    SELECT code_id, document_id, coder_id,
           SUM(COALESCE(rolled_paragraphs, own_paragraphs)) AS paragraphs,
           SUM(own_paragraphs) AS own_paragraphs, SUM(own_codings) AS own_codings
      FROM cells GROUP BY code_id, document_id, coder_id
),
rolled_codings AS (
    SELECT t.ancestor AS code_id, x.document_id, x.coder_id, SUM(x.own_codings) AS codings
      FROM tree t JOIN per_document x ON x.code_id = t.code_id
     WHERE t.ancestor IN (SELECT code_id FROM selected)
     GROUP BY t.ancestor, x.document_id, x.coder_id
)
SELECT x.code_id, {group_col} AS grp,
       SUM(x.paragraphs),
       COUNT(DISTINCT CASE WHEN x.paragraphs > 0 THEN x.document_id END),
       SUM(r.codings),
       SUM(x.own_paragraphs),
       COUNT(DISTINCT CASE WHEN x.own_paragraphs > 0 THEN x.document_id END),
       SUM(x.own_codings)
  FROM per_document x
  JOIN rolled_codings r
    ON r.code_id = x.code_id AND r.document_id = x.document_id AND r.coder_id = x.coder_id
  {group_join}
 WHERE x.code_id IN (SELECT code_id FROM selected)
 GROUP BY x.code_id, grp
"""


# The same figures from the counts kept per block (qcode.core.store.counts): each cell
# is one document's part of one block, so a document's figures are the sum of its
# cells, and distinct paragraphs add up across blocks as they do across documents.
_KEPT_SQL = """
WITH selected(code_id) AS (SELECT value FROM json_each(:selected)),
doc_groups(document_id, grp) AS (
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(:groups)
)
SELECT c.code_id, {group_col}, SUM(c.rolled_paragraphs), COUNT(DISTINCT c.document_id),
       SUM(c.rolled_codings), SUM(c.paragraphs),
       COUNT(DISTINCT CASE WHEN c.paragraphs > 0 THEN c.document_id END), SUM(c.codings)
  FROM {cells} c {group_join}
 WHERE c.code_id IN (SELECT code_id FROM selected)
 GROUP BY c.code_id{group_by}
"""

_Counts = tuple[int, int, int, int, int, int]


def _count(
    conn: sqlite3.Connection, tree: CodeTree, selected: list[int], *,
    runs: list[tuple[int, int, int]], groups: list[_Group], by: str | None, scope: Scope,
) -> dict[tuple[int, int], _Counts]:
    """(code id, group index) -> (paragraphs, documents, codings, own ×3)."""
    if not selected or not runs or not groups:
        return {}
    counted = list(dict.fromkeys(c for s in selected for c in tree.subtree(s)))
    coder_ids = ([g.coder_id for g in groups if g.coder_id is not None] if by == BY_CODER
                 else scope.coder_ids)
    if coder_ids is not None and not coder_ids:
        return {}
    parts = {"tree": TREE_CTE.strip(), "coder_col": "0", "coder_cond": "", "coder_join": "",
             "group_col": "0", "group_join": ""}
    params: dict[str, Any] = {
        "runs": json.dumps(runs), "counted": json.dumps(counted),
        "rolled": json.dumps([c for c in selected if not tree.by_id[c].is_leaf]),
        "selected": json.dumps(selected), "coders": json.dumps(coder_ids or []), "groups": "[]",
    }
    if by == BY_CODER:
        parts.update(coder_col="s.coder_id", coder_cond=" AND +k.coder_id = s.coder_id",
                     coder_join=" CROSS JOIN coders_in s", group_col="x.coder_id")
    elif coder_ids is not None:
        # Literal ids (integers from the database); the unary + keeps the planner on the
        # (code, paragraph, coder) range per cell, off the coder index, which reads all
        # of the coder's codings in a document once per code (10 s at 1M codings).
        listed = ", ".join(str(int(i)) for i in coder_ids)
        parts["coder_cond"] = (f" AND +k.coder_id = {listed}" if len(coder_ids) == 1
                               else f" AND +k.coder_id IN ({listed})")
    if by is not None and by != BY_CODER:
        params["groups"] = json.dumps(
            [[d, index] for index, g in enumerate(groups) for d in g.documents])
        parts.update(group_col="g.grp",
                     group_join="JOIN doc_groups g ON g.document_id = x.document_id")
    if coder_ids is None and by != BY_CODER:
        # Every coder's codings: the counts the project keeps have the answer.
        # (Every cell has a coding below its code, so each counts its document.)
        whole = by is None and scope.document_ids is None
        sql = _KEPT_SQL.format(
            # Grouped, the cells join the groups as a subquery SQLite indexes on the
            # fly; read straight from the table they would be scanned once per group.
            cells=counts.kept(conn, "count_cells") if whole
            else f"({counts.current('count_cells')})",
            group_col="0" if whole else "g.grp", group_by="" if whole else ", g.grp",
            group_join="" if whole else "JOIN doc_groups g ON g.document_id = c.document_id")
        params = {"selected": params["selected"], "groups": "[]" if whole else json.dumps(
            [[d, index] for index, g in enumerate(groups) for d in g.documents])}
    else:
        sql = _COUNT_SQL.format(**parts)
    rows = conn.execute(sql, params).fetchall()
    position = ({g.coder_id: i for i, g in enumerate(groups)} if by == BY_CODER
                else {i: i for i in range(len(groups))})
    return {(r[0], position[r[1]]): (r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows}
