"""Inter-coder agreement over a project: per code and overall, from SQL tallies.

Definitions (also in ``qcode agree --help``):

* **Coders**: the ones named, or by default everyone who has reviewed at least one
  document, except the coder named ``consensus`` (where agreed codes are recorded).
* **Reviewed**: a coder has reviewed a document if they marked it (``qcode reviewed
  DOC``, :meth:`qcode.Project.mark_reviewed`) *or* made at least one coding in it.
* **Units**: the paragraphs of the documents reviewed by at least 2 of the coders. For a
  code, a coder's value on a unit is 1 (applied it), 0 (reviewed the document, did not
  apply it) or missing (did not review the document) — a coder who never opened a
  document is missing data, not "absent".
* **Overall**: pooled over (paragraph, code) units for every code in the report, so it
  weighs each code by its units, not by how often it is used.
* The categories are always {0, 1}, so chance agreement is defined even for a code no
  one used.

How it stays fast: paragraphs of a document occupy a range of paragraph ids, and
documents reviewed by the same coders are merged into runs of ids. For each run one
``GROUP BY paragraph_id, code_id`` over the covering index of ``codings`` (paragraph,
code, coder) sums a bit per coder, giving "who applied this code here" as a bitmask;
counting those masks per code gives every column pattern with its count except the
all-absent one, which is the run's paragraph count minus the rest. The coefficients
(:mod:`qcode.core.agreement`) work on those tallies directly.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from qcode.core.agreement.coefficients import (
    AgreementResult,
    BootstrapResult,
    Column,
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    krippendorff_alpha_bootstrap,
    percent_agreement,
)
from qcode.core.agreement.tallies import (
    Run,
    coder_bits_sql,
    document_masks,
    reviewed_coders,
    runs,
    split_mask,
)
from qcode.core.errors import QcodeError
from qcode.core.model import Coder
from qcode.core.project import Project
from qcode.core.store.runs import document_runs
from qcode.reports.filters import ReportContext, ReportFilter, code_tree, report_context, resolve

CONSENSUS = "consensus"
CATEGORIES = (0, 1)
OVERALL = "(overall)"
NO_UNITS = "no paragraph was reviewed by at least 2 of the chosen coders"
# Coders are bits of an SQLite integer (64-bit, signed).
MAX_CODERS = 62
# Tallies are read a code and a run at a time while that is at most this many queries
# (documents reviewed by different sets of coders make many runs); else a run at a time.
PER_CODE_QUERIES = 4000


@dataclass(frozen=True)
class CodeAgreement:
    """The agreement figures of one code (or, with ``guid`` None, of all codes pooled)."""

    code: str
    path: str
    guid: str | None
    depth: int
    units: int
    applied: tuple[int, ...]
    percent: AgreementResult
    cohen: AgreementResult | None
    fleiss: AgreementResult
    alpha: AgreementResult
    interval: BootstrapResult | None
    columns: dict[Column, int]

    def figures(self) -> dict[str, AgreementResult | None]:
        """The coefficients by their column name (Cohen's kappa None unless 2 coders)."""
        return {"percent_agreement": self.percent, "cohen_kappa": self.cohen,
                "fleiss_kappa": self.fleiss, "krippendorff_alpha": self.alpha}


@dataclass(frozen=True)
class AgreementReport:
    """Agreement per code and overall, for ``coders``, over the reviewed documents."""

    context: ReportContext
    coders: tuple[str, ...]
    reviewed: tuple[int, ...]
    documents: int
    paragraphs: int
    codes: tuple[CodeAgreement, ...]
    overall: CodeAgreement
    bootstrap: int
    seed: int


@dataclass(frozen=True)
class Disagreement:
    """A paragraph where some reviewing coders applied a code and others did not."""

    code: str
    code_path: str
    document: str
    ref: str
    ordinal: int
    section: str | None
    text: str
    with_code: tuple[str, ...]
    without_code: tuple[str, ...]
    paragraph_id: int

    @property
    def excerpt(self) -> str:
        """The paragraph's first words, on one line (at most 100 characters)."""
        return excerpt(self.text)

    def record(self) -> dict[str, Any]:
        """A flat dict for CSV/JSON; coders joined with "; " in CSV-friendly cells."""
        return {"code": self.code, "code_path": self.code_path, "document": self.document,
                "paragraph": self.ref, "ordinal": self.ordinal, "section": self.section,
                "with_code": "; ".join(self.with_code),
                "without_code": "; ".join(self.without_code),
                "excerpt": self.excerpt, "paragraph_id": self.paragraph_id}


@dataclass(frozen=True)
class Disagreements:
    """The disagreements among ``coders``, in document, paragraph and codebook order."""

    coders: tuple[str, ...]
    rows: list[Disagreement]


def excerpt(text: str, limit: int = 100) -> str:
    """``text`` on one line, cut at a word boundary with "…" when longer than ``limit``."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit - 1].rsplit(" ", 1)[0] or flat[:limit - 1]
    return cut.rstrip(" ,;:") + "…"


@dataclass(frozen=True)
class _Scope:
    coders: tuple[Coder, ...]
    code_ids: tuple[int, ...]
    runs: tuple[Run, ...]
    documents: int
    reviewed: tuple[int, ...]
    filter: ReportFilter


def choose_coders(project: Project, names: Sequence[str] = ()) -> tuple[Coder, ...]:
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


def _scope(project: Project, coders: Sequence[str], codes: Sequence[str],
           documents: Sequence[str], attributes: Sequence[tuple[str, str]]) -> _Scope:
    chosen = choose_coders(project, coders)
    flt = ReportFilter(coders=tuple(c.name for c in chosen), documents=tuple(documents),
                       codes=tuple(codes), attributes=tuple(attributes))
    resolved = resolve(project, ReportFilter(documents=flt.documents, codes=flt.codes,
                                             attributes=flt.attributes))
    tree = {c.id: c for c in project.codes()}
    if resolved.code_ids is not None:
        for code_id in resolved.code_ids:
            if not tree[code_id].codable:
                raise QcodeError(f"code {tree[code_id].name!r} is a folder (not codable); "
                                 "agreement is per code: name its sub-codes")
        code_ids = resolved.code_ids
    else:
        code_ids = tuple(c.id for c in tree.values() if c.codable)
    spans = document_runs(project.conn)
    masks = document_masks(project.conn, [c.id for c in chosen], resolved.document_ids, spans)
    reviewed = tuple(sum(1 for m in masks.values() if m >> i & 1) for i in range(len(chosen)))
    found = runs(project.conn, masks, spans)
    shared = sum(1 for m in masks.values() if m & (m - 1))
    return _Scope(chosen, code_ids, tuple(found), shared, reviewed, flt)


def _tallies(project: Project, scope: _Scope) -> dict[int, Counter[Column]]:
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


def _applied_per_code(project: Project, scope: _Scope) -> dict[int, dict[tuple[int, int], int]]:
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


def _applied_per_run(project: Project, scope: _Scope) -> dict[int, dict[tuple[int, int], int]]:
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


def _figures(code: str, path: str, guid: str | None, depth: int, tally: Counter[Column],
             n_coders: int, bootstrap: int, seed: int) -> CodeAgreement:
    units = tally.total()
    applied = tuple(sum(c for p, c in tally.items() if p[i] == 1) for i in range(n_coders))
    if not units:
        empty = AgreementResult(None, False, NO_UNITS, 0, n_coders)
        return CodeAgreement(code, path, guid, depth, 0, applied, empty,
                             empty if n_coders == 2 else None, empty, empty, None, {})
    columns = dict(tally)
    interval = (krippendorff_alpha_bootstrap(columns, n=bootstrap, seed=seed,
                                             categories=CATEGORIES) if bootstrap else None)
    return CodeAgreement(
        code, path, guid, depth, units, applied,
        percent=percent_agreement(columns, CATEGORIES),
        cohen=cohen_kappa(columns, CATEGORIES) if n_coders == 2 else None,
        fleiss=fleiss_kappa(columns, CATEGORIES),
        alpha=krippendorff_alpha(columns, "nominal", CATEGORIES),
        interval=interval, columns=columns)


def agreement(project: Project, *, coders: Sequence[str] = (), codes: Sequence[str] = (),
              documents: Sequence[str] = (), attributes: Sequence[tuple[str, str]] = (),
              bootstrap: int = 0, seed: int = 0) -> AgreementReport:
    """Agreement per code and overall (see the module docstring for the definitions).

    ``coders``/``codes``/``documents`` are names as a person types them (did-you-mean on
    a typo); ``attributes`` (key, value) pairs restrict the documents. With
    ``bootstrap`` > 0 each alpha gets a 95% percentile interval from that many
    resamples of its units, drawn with ``random.Random(seed)``.
    """
    if bootstrap < 0:
        raise QcodeError(f"--bootstrap {bootstrap}: give a number of resamples (0 for none)")
    scope = _scope(project, coders, codes, documents, attributes)
    tallies = _tallies(project, scope)
    nodes = code_tree(project).by_id
    n = len(scope.coders)
    rows = tuple(_figures(nodes[c].name, nodes[c].path, nodes[c].guid, nodes[c].depth,
                          tallies[c], n, bootstrap, seed) for c in scope.code_ids)
    pooled: Counter[Column] = Counter()
    for tally in tallies.values():
        pooled.update(tally)
    overall = _figures(OVERALL, OVERALL, None, 0, pooled, n, bootstrap, seed)
    # The coders are named in the report's own line; "coder a or b" would misread here.
    shown = ReportFilter(documents=scope.filter.documents, codes=scope.filter.codes,
                         attributes=scope.filter.attributes)
    context = report_context(project, shown, "Inter-coder agreement")
    return AgreementReport(context, tuple(c.name for c in scope.coders), scope.reviewed,
                           scope.documents, sum(r.paragraphs for r in scope.runs), rows,
                           overall, bootstrap, seed)


def disagreements(project: Project, *, coders: Sequence[str] = (), codes: Sequence[str] = (),
                  documents: Sequence[str] = (), attributes: Sequence[tuple[str, str]] = ()
                  ) -> Disagreements:
    """Every (paragraph, code) among the units where the reviewing coders differ: some
    applied the code, some did not (coders who did not review the document are not
    listed). Arguments as for :func:`agreement`."""
    scope = _scope(project, coders, codes, documents, attributes)
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
    return Disagreements(tuple(c.name for c in scope.coders), _describe(project, scope, found))


def _describe(project: Project, scope: _Scope, found: list[tuple[int, int, int, int]]
              ) -> list[Disagreement]:
    nodes = code_tree(project)
    rank = {node.id: i for i, node in enumerate(nodes.nodes)}
    names = [c.name for c in scope.coders]
    details: dict[int, Any] = {}
    ids = sorted({f[0] for f in found})
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for row in project.conn.execute(
                "SELECT p.id, p.ordinal, p.label, p.section, p.text, d.name FROM paragraphs p "
                "JOIN documents d ON d.id = p.document_id "
                f"WHERE p.id IN ({', '.join('?' * len(chunk))})", chunk):
            details[row[0]] = row
    found.sort(key=lambda f: (details[f[0]][5].casefold(), details[f[0]][1], rank[f[1]]))
    result = []
    # Only a handful of (reviewed, applied) mask pairs exist; name each once.
    split: dict[tuple[int, int], tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for paragraph_id, code_id, s, mask in found:
        row, node = details[paragraph_id], nodes.by_id[code_id]
        if (mask, s) not in split:
            split[mask, s] = split_mask(names, mask, s)
        with_code, without = split[mask, s]
        result.append(Disagreement(
            code=node.name, code_path=node.path, document=row[5],
            ref=row[2] or f"¶{row[1]}", ordinal=row[1], section=row[3], text=row[4],
            with_code=with_code, without_code=without, paragraph_id=paragraph_id))
    return result
