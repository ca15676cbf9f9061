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
from qcode.core.agreement.disagreements import Disagreements
from qcode.core.agreement.disagreements import disagreements as find_disagreements
from qcode.core.agreement.units import Scope, choose_coders, scope, tallies
from qcode.core.codebook.tree import code_tree
from qcode.core.errors import QcodeError
from qcode.core.project import Project
from qcode.reports.filters import ReportContext, ReportFilter, report_context, resolve

CATEGORIES = (0, 1)
OVERALL = "(overall)"
NO_UNITS = "no paragraph was reviewed by at least 2 of the chosen coders"


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


def _scope(project: Project, coders: Sequence[str], codes: Sequence[str],
           documents: Sequence[str], attributes: Sequence[tuple[str, str]]
           ) -> tuple[Scope, ReportFilter]:
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
    return scope(project, chosen, code_ids, resolved.document_ids), flt


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
    found, flt = _scope(project, coders, codes, documents, attributes)
    counted = tallies(project, found)
    nodes = code_tree(project).by_id
    n = len(found.coders)
    rows = tuple(_figures(nodes[c].name, nodes[c].path, nodes[c].guid, nodes[c].depth,
                          counted[c], n, bootstrap, seed) for c in found.code_ids)
    pooled: Counter[Column] = Counter()
    for tally in counted.values():
        pooled.update(tally)
    overall = _figures(OVERALL, OVERALL, None, 0, pooled, n, bootstrap, seed)
    # The coders are named in the report's own line; "coder a or b" would misread here.
    shown = ReportFilter(documents=flt.documents, codes=flt.codes, attributes=flt.attributes)
    context = report_context(project, shown, "Inter-coder agreement")
    return AgreementReport(context, tuple(c.name for c in found.coders), found.reviewed,
                           found.documents, sum(r.paragraphs for r in found.runs), rows,
                           overall, bootstrap, seed)


@dataclass(frozen=True)
class DisagreementReport:
    """The disagreements, and what a file of them says about itself (project, filters,
    date), as every report does."""

    context: ReportContext
    found: Disagreements


def disagreements(project: Project, *, coders: Sequence[str] = (), codes: Sequence[str] = (),
                  documents: Sequence[str] = (), attributes: Sequence[tuple[str, str]] = ()
                  ) -> DisagreementReport:
    """Every (paragraph, code) among the units where the reviewing coders differ: some
    applied the code, some did not (coders who did not review the document are not
    listed). Arguments as for :func:`agreement`."""
    found, flt = _scope(project, coders, codes, documents, attributes)
    return DisagreementReport(report_context(project, flt, "Disagreements"),
                              find_disagreements(project, found))
