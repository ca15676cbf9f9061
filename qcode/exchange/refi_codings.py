"""From placed selections to the codings and memos an import writes.

A selection that landed on paragraphs becomes one coding per paragraph, by the user
who made it; notes become memos on what they are attached to. Two adjustments need the
project, so they run just before writing: a document whose text is already here keeps
its own paragraphs, and the selections are placed again on those
(:func:`refit_on_existing`); and a code whose GUID is new here but whose name is taken
under the same parent is taken to be that code (:func:`adopt_codes_by_name`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from qcode.core.codebook import CodeSpec
from qcode.core.ids import fold, sha256
from qcode.core.imports import ImportedCoder, ImportedCoding, ImportedMemo, MemoTarget
from qcode.exchange.refi_mapping import ParagraphIndex, SourcePlan
from qcode.exchange.refi_project_read import RefiProject
from qcode.ingest.model import ParsedParagraph

if TYPE_CHECKING:
    from qcode.core.project import Project
    from qcode.exchange.refi_qdpx import ImportPlan


class Coders:
    """The file's users as coders; what has no user is the importing coder's."""

    def __init__(self, project: RefiProject, coder: str) -> None:
        self.users, self.default = project.users, ImportedCoder(coder)

    def get(self, guid: str | None) -> ImportedCoder:
        """The coder for a user GUID (a user the file does not name gets one)."""
        if guid is None:
            return self.default
        return ImportedCoder(self.users.get(guid) or f"user {guid[:8].lower()}", guid)


@dataclass
class CodingContext:
    """What turning placements into codings needs, kept after the archive is closed."""

    project: RefiProject
    codes: set[str]
    people: Coders
    note_texts: dict[str, str]

    def memos(self, guids: list[str], target: MemoTarget, *, ordinal: int | None = None,
              code_guid: str | None = None) -> list[ImportedMemo]:
        """The notes ``guids`` as memos on one target (notes without text are dropped)."""
        memos = []
        for guid in guids:
            note, text = self.project.notes.get(guid), self.note_texts.get(guid)
            if note is not None and text:
                memos.append(ImportedMemo(target, self.people.get(note.user), text,
                                          ordinal=ordinal, code_guid=code_guid, guid=guid,
                                          created_at=note.created))
        return memos

    def text_of(self, guids: list[str]) -> str | None:
        """The notes ``guids`` joined, a blank line apart (a coding's memo), or None."""
        return "\n\n".join(t for g in guids if (t := self.note_texts.get(g))) or None


def fill_codings(plan: SourcePlan, context: CodingContext) -> None:
    """(Re)build ``plan``'s codings and paragraph memos from its placements."""
    plan.codings, plan.unknown_codes = [], 0
    plan.memos = [m for m in plan.memos if m.target != "paragraph"]
    for placed in plan.placements:
        selection = placed.selection
        for coding in selection.codings:
            if coding.code_guid not in context.codes:
                plan.unknown_codes += 1
                continue
            coder = context.people.get(coding.user or selection.user)
            memo = context.text_of(coding.notes)
            for ordinal in placed.ordinals:
                plan.codings.append(ImportedCoding(
                    ordinal, coding.code_guid, coder, memo=memo, created_at=coding.created,
                    # one coding per paragraph: the file's GUID fits only when there is one
                    guid=coding.guid if len(placed.ordinals) == 1 else None))
        if selection.notes:
            # A note on a selection belongs to where the selection starts.
            plan.memos.extend(context.memos(selection.notes, "paragraph",
                                            ordinal=placed.ordinals[0]))


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
