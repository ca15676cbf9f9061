"""What a REFI-QDA import will write, worked out before anything is, and the two
adjustments that need the project and so run just before writing: a document whose
text is already here keeps its own paragraphs, and the selections are placed again on
those (:func:`refit_on_existing`); and a code whose GUID is new here but whose name is
taken under the same parent is taken to be that code (:func:`adopt_codes_by_name`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.coded_import import ImportedMemo
from qcode.core.ids import fold, sha256
from qcode.core.model import ParsedDocument, ParsedParagraph
from qcode.core.project import Project
from qcode.exchange.refi_codings import CodingContext, fill_codings
from qcode.exchange.refi_mapping import ParagraphIndex, SourcePlan
from qcode.exchange.refi_project_read import RefiProject

EXAMPLES = 5


@dataclass
class ImportReport:
    """What an import found, how it placed selections, and what it wrote."""

    path: str
    origin: str | None
    documents: list[SourcePlan] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    skipped_selections: int = 0
    notes: list[str] = field(default_factory=list)
    coders_added: list[str] = field(default_factory=list)
    # Fields named as in MergeReport have its types: one --json shape for both.
    codes_added: list[str] = field(default_factory=list)
    codes_updated: list[str] = field(default_factory=list)
    codings_added: int = 0
    codings_present: int = 0
    memos_added: int = 0
    memos_present: int = 0
    documents_added: list[str] = field(default_factory=list)
    documents_matched: list[str] = field(default_factory=list)
    backup: str | None = None

    def count(self, kind: str) -> int:
        """Selections of one kind (whole, partial, spanning, unplaced) in every document."""
        return sum(len(getattr(d, kind)) for d in self.documents)

    @property
    def selections(self) -> int:
        """Text selections in the imported sources."""
        return sum(d.selections for d in self.documents)

    @property
    def codings_mapped(self) -> int:
        """Codings the selections became (one per paragraph overlapped)."""
        return sum(len(d.codings) for d in self.documents)

    def examples(self, kind: str) -> list[str]:
        """Up to :data:`EXAMPLES` described selections of one kind."""
        found = [p.describe(d.name) for d in self.documents for p in getattr(d, kind)]
        return found[:EXAMPLES]


@dataclass
class ImportPlan:
    """Everything an import will write, worked out before anything is."""

    project: RefiProject
    codebook: Codebook | None
    documents: list[tuple[ParsedDocument, SourcePlan]]
    project_memos: list[ImportedMemo]
    report: ImportReport
    context: CodingContext



def refit_on_existing(project: Project, plan: ImportPlan) -> None:
    """Documents whose text is already here keep their paragraphs: place the selections
    again on those (a qcode document coded in NVivo and sent back, say)."""
    for index, (parsed, source) in enumerate(plan.documents):
        row = project.conn.execute("SELECT id FROM documents WHERE sha256 = ?",
                                   (sha256(parsed.text),)).fetchone()
        if row is None:
            continue
        here = [ParsedParagraph(p.ordinal, p.label, p.section, p.speaker, p.text, p.start,
                                p.end) for p in project.paragraphs(int(row[0]))]
        if [(p.start, p.end) for p in here] == [(p.start, p.end) for p in parsed.paragraphs]:
            continue
        paragraphs = ParagraphIndex(here, parsed.text)
        again = replace(source, selections=0, whole=[], partial=[], spanning=[], unplaced=[],
                        in_order=[], layout="the paragraphs of the same text already here")
        for placed in source.in_order:
            again.add(paragraphs.place(placed.selection, placed.start, placed.end))
        fill_codings(again, plan.context)
        plan.documents[index] = (replace(parsed, paragraphs=here), again)
        plan.report.documents[plan.report.documents.index(source)] = again


def adopt_codes_by_name(project: Project, plan: ImportPlan) -> None:
    """A file code whose GUID is new here but whose name is taken under the same parent
    is the same code (made twice by hand, or in two projects): it takes the GUID of the
    code here, and so do the codings and memos that name it. Loading the codebook then
    updates that code as ``qcode codebook load`` would."""
    if plan.codebook is None:
        return
    here = project.codes()
    by_guid = {c.guid: c for c in here}
    by_place = {(c.parent_id, fold(c.name)): c for c in here}
    in_file = {spec.guid for spec, _p, _d in plan.codebook.walk()}
    adopted: dict[str, str] = {}

    def visit(specs: list[CodeSpec], parent_id: int | None) -> None:
        for spec in specs:
            found = by_guid.get(spec.guid)
            match = by_place.get((parent_id, fold(spec.name))) if found is None else None
            if match is not None and match.guid not in in_file | set(adopted.values()):
                adopted[spec.guid] = spec.guid = match.guid
                found = match
            # Under a code that is new here nothing can match: -1 is no code's id.
            visit(spec.children, found.id if found is not None else -1)

    visit(plan.codebook.codes, None)
    if not adopted:
        return
    plan.report.notes.append(f"{len(adopted)} codes of the file matched codes here by name "
                             "(their GUIDs differ) and were loaded onto them")
    for _parsed, source in plan.documents:
        source.codings = [replace(c, code_guid=adopted.get(c.code_guid, c.code_guid))
                          for c in source.codings]
    plan.project_memos = [
        replace(m, code_guid=adopted.get(m.code_guid, m.code_guid)) if m.code_guid else m
        for m in plan.project_memos]
