"""From placed selections to the codings and memos an import writes.

A selection that landed on paragraphs becomes one coding per paragraph, by the user
who made it; notes become memos on what they are attached to. The adjustments that
need the project are in :mod:`qcode.exchange.refi_plan`.
"""

from __future__ import annotations

from dataclasses import dataclass

from qcode.core.coded_import import ImportedCoder, ImportedCoding, ImportedMemo, MemoTarget
from qcode.core.spans import Span
from qcode.exchange.refi_mapping import SourcePlan
from qcode.exchange.refi_project_read import RefiProject


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
            last = len(placed.ordinals) - 1
            for number, (ordinal, (start, end)) in enumerate(
                    zip(placed.ordinals, placed.pieces, strict=True)):
                span = Span(start, end, selection=selection.guid, coding=coding.guid,
                            source_start=_differs(selection.start, start) if number == 0
                            else None,
                            source_end=_differs(selection.end, end) if number == last
                            else None)
                plan.codings.append(ImportedCoding(
                    ordinal, coding.code_guid, coder, memo=memo, created_at=coding.created,
                    # one coding per paragraph: the file's GUID fits only when there is one
                    guid=coding.guid if len(placed.ordinals) == 1 else None,
                    spans=(span,)))
        if selection.notes:
            # A note on a selection belongs to where the selection starts.
            plan.memos.extend(context.memos(selection.notes, "paragraph",
                                            ordinal=placed.ordinals[0]))


def _differs(original: int, point: int) -> int | None:
    """The tool's own position, kept only where it is not the code point."""
    return original if original != point else None
