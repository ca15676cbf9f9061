"""Which coders and which units agreement is computed over, and the tallies it needs,
read from SQL (see :mod:`qcode.reports.agreement` for the definitions).

Coders are numbered 0..n-1 in the order chosen and stand for bit ``1 << i`` of a mask:
a document's *review mask* says which coders reviewed it, a (paragraph, code)'s
*applied mask* which coders applied the code there. The units are the paragraphs of
documents reviewed by at least two of the coders, as runs of paragraph ids
(:func:`qcode.core.agreement.tallies.runs`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from qcode.core.agreement.coefficients import Column
from qcode.core.agreement.tallies import (
    Run,
    coder_bits_sql,
    document_masks,
    reviewed_coders,
    runs,
)
from qcode.core.errors import QcodeError
from qcode.core.model import Coder
from qcode.core.reading import ProjectReader
from qcode.core.store.runs import document_runs

# The coder agreed codes are recorded under (never compared with the others).
CONSENSUS = "consensus"
# Coders are bits of an SQLite integer (64-bit, signed).
MAX_CODERS = 62
# Tallies are read a code and a run at a time while that is at most this many queries
# (documents reviewed by different sets of coders make many runs); else a run at a time.
PER_CODE_QUERIES = 4000


@dataclass(frozen=True)
class Scope:
    """The coders compared, the codes, and the runs of paragraph ids that are units."""

    coders: tuple[Coder, ...]
    code_ids: tuple[int, ...]
    runs: tuple[Run, ...]
    documents: int  # documents reviewed by at least 2 of the coders
    reviewed: tuple[int, ...]  # documents each coder reviewed


def choose_coders(project: ProjectReader, names: Sequence[str] = ()) -> tuple[Coder, ...]:
    """The coders to compare: ``names`` (did-you-mean for typos), or by default every
    coder who has reviewed a document except ``consensus``; at least 2."""
    if names:
        chosen: dict[int, Coder] = {}
        for name in names:
            coder = project.find_coder(name)
            chosen.setdefault(coder.id, coder)
        coders = tuple(chosen.values())
        if len(coders) < 2:
            raise QcodeError(f"agreement needs at least 2 coders; only {coders[0].name!r} "
                             "was named (give two or more, e.g. --coders alice,bob)")
    else:
        coders = tuple(c for c in reviewed_coders(project.conn)
                       if c.name.casefold() != CONSENSUS)
        if len(coders) < 2:
            found = f"only {coders[0].name!r} has" if coders else "no coder has"
            raise QcodeError(f"agreement needs at least 2 coders who reviewed documents; "
                             f"{found} (tag paragraphs or mark documents with "
                             "`qcode reviewed DOC`)")
    if len(coders) > MAX_CODERS:
        raise QcodeError(f"agreement compares at most {MAX_CODERS} coders at once; "
                         f"got {len(coders)} (name fewer with --coders)")
    return coders


def scope(project: ProjectReader, coders: tuple[Coder, ...], code_ids: Sequence[int],
          document_ids: Sequence[int] | None = None) -> Scope:
    """The units for ``coders`` and ``code_ids`` (in ``document_ids`` if given)."""
    spans = document_runs(project.conn)
    masks = document_masks(project.conn, [c.id for c in coders], document_ids, spans)
    reviewed = tuple(sum(1 for m in masks.values() if m >> i & 1) for i in range(len(coders)))
    found = runs(project.conn, masks, spans)
    shared = sum(1 for m in masks.values() if m & (m - 1))
    return Scope(coders, tuple(code_ids), tuple(found), shared, reviewed)


def disputed(project: ProjectReader, scope: Scope) -> list[tuple[int, int, int, int]]:
    """(paragraph id, code id, applied mask, review mask) of every unit where the
    reviewing coders differ on a code: some applied it, some did not."""
    case, params = coder_bits_sql([c.id for c in scope.coders])
    sql = (f"SELECT paragraph_id, code_id, s FROM (SELECT paragraph_id, code_id, {case} AS s "
           "FROM codings WHERE paragraph_id BETWEEN ? AND ? GROUP BY paragraph_id, code_id) "
           "WHERE s > 0 AND s != ?")
    wanted = set(scope.code_ids)
    found: list[tuple[int, int, int, int]] = []
    for run in scope.runs:
        for paragraph_id, code_id, s in project.conn.execute(
                sql, [*params, run.low, run.high, run.mask]):
            if code_id in wanted:
                found.append((paragraph_id, code_id, s, run.mask))
    return found


def agreed(project: ProjectReader, scope: Scope, *, missing_for: int
           ) -> list[tuple[int, int]]:
    """(paragraph id, code id) that every reviewing coder applied, and that the coder
    ``missing_for`` (an id) does not have yet."""
    case, params = coder_bits_sql([c.id for c in scope.coders])
    sql = (f"SELECT paragraph_id, code_id FROM (SELECT paragraph_id, code_id, {case} AS s "
           "FROM codings WHERE paragraph_id BETWEEN ? AND ? GROUP BY paragraph_id, code_id) x "
           "WHERE s = ? AND NOT EXISTS (SELECT 1 FROM codings c WHERE c.paragraph_id = "
           "x.paragraph_id AND c.code_id = x.code_id AND c.coder_id = ?)")
    wanted = set(scope.code_ids)
    pairs = []
    for run in scope.runs:
        for paragraph_id, code_id in project.conn.execute(
                sql, [*params, run.low, run.high, run.mask, missing_for]):
            if code_id in wanted:
                pairs.append((paragraph_id, code_id))
    return pairs


def tallies(project: ProjectReader, scope: Scope) -> dict[int, Counter[Column]]:
    """code id -> column tally (pattern of 1/0/None per coder -> paragraphs)."""
    n = len(scope.coders)
    paragraphs: Counter[int] = Counter()
    for run in scope.runs:
        paragraphs[run.mask] += run.paragraphs
    if len(scope.runs) * len(scope.code_ids) <= PER_CODE_QUERIES:
        applied = _applied_per_code(project, scope)
    else:
        applied = _applied_per_run(project, scope)
    tallies: dict[int, Counter[Column]] = {}
    for code_id in scope.code_ids:
        tally: Counter[Column] = Counter()
        coded: Counter[int] = Counter()
        for (mask, s), count in applied[code_id].items():
            tally[_pattern(mask, s, n)] += count
            coded[mask] += count
        for mask, total in paragraphs.items():
            if total > coded[mask]:
                tally[_pattern(mask, 0, n)] += total - coded[mask]
        tallies[code_id] = tally
    return tallies


Applied = dict[int, dict[tuple[int, int], int]]


def _applied_per_code(project: ProjectReader, scope: Scope) -> Applied:
    """code id -> {(review mask, applied mask): paragraphs}, a code and a run at a time.

    Each query reads one range of the (code, paragraph, coder) index in paragraph
    order, so grouping by paragraph needs no sort; only the few applied masks of one
    code are then sorted, instead of a million rows into (code, mask) groups (what
    :func:`_applied_per_run` does, in one query per run)."""
    case, params = coder_bits_sql([c.id for c in scope.coders])
    sql = (f"SELECT s, COUNT(*) FROM (SELECT {case} AS s FROM codings WHERE code_id = ? "
           "AND paragraph_id BETWEEN ? AND ? GROUP BY paragraph_id) WHERE s > 0 GROUP BY s")
    applied: dict[int, dict[tuple[int, int], int]] = {c: {} for c in scope.code_ids}
    for code_id in scope.code_ids:
        counts = applied[code_id]
        for run in scope.runs:
            for mask, count in project.conn.execute(
                    sql, [*params, code_id, run.low, run.high]):
                key = (run.mask, mask)
                counts[key] = counts.get(key, 0) + count
    return applied


def _applied_per_run(project: ProjectReader, scope: Scope) -> Applied:
    """The same as :func:`_applied_per_code`, for many coders: a run at a time,
    grouped by (code, applied mask)."""
    case, params = coder_bits_sql([c.id for c in scope.coders])
    sql = (f"SELECT code_id, s, COUNT(*) FROM (SELECT code_id, {case} AS s FROM codings "
           "WHERE paragraph_id BETWEEN ? AND ? GROUP BY paragraph_id, code_id) "
           "WHERE s > 0 GROUP BY code_id, s")
    wanted = set(scope.code_ids)
    applied: dict[int, dict[tuple[int, int], int]] = {c: {} for c in scope.code_ids}
    for run in scope.runs:
        for code_id, s, count in project.conn.execute(sql, [*params, run.low, run.high]):
            if code_id in wanted:
                key = (run.mask, s)
                applied[code_id][key] = applied[code_id].get(key, 0) + count
    return applied


def _pattern(mask: int, s: int, n: int) -> Column:
    return tuple((1 if s >> i & 1 else 0) if mask >> i & 1 else None for i in range(n))
