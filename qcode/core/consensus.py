"""Consensus: the paragraphs where coders disagree, and the codes a team settles on,
recorded as the coder "consensus" — each decision one transaction and one event, so one
undo takes a whole decision back.

The rules (the review screen's help and ``qcode consensus --help`` repeat them):

* The disagreements are those of ``qcode agree --disagreements`` grouped by paragraph:
  the coders compared are everyone who reviewed a document, except "consensus".
* A paragraph is *resolved* when "consensus" has a coding on it, or a memo on it that
  starts with "agreed: no code" (what deciding that no code applies writes).
* Adding a disputed code also adds the codes every reviewing coder applied (the agreed
  ones), so the consensus coding of a resolved paragraph is whole.
* Deciding that no disputed code applies keeps only the agreed codes; with none, it
  writes the "agreed: no code" memo and marks the document reviewed by "consensus"
  (agreement counts a document as reviewed by a coder who coded in it or marked it).
* Codings every coder agrees on, on paragraphs without a disagreement, can be carried
  over to "consensus" in one change, so reports on "consensus" count them too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from qcode.core.agreement.disagreements import disagreements
from qcode.core.agreement.units import CONSENSUS, agreed, choose_coders, scope
from qcode.core.codebook.tree import code_tree
from qcode.core.errors import QcodeError
from qcode.core.ids import new_guids, now
from qcode.core.model import Paragraph
from qcode.core.notes import memo_change, review_change
from qcode.core.project_file import ProjectFile
from qcode.core.store.changes import Change

NO_CODE = "agreed: no code"
# What a decision does with the paragraph's consensus memo.
Memo = str | None | Literal["keep"]


@dataclass(frozen=True)
class Disputed:
    """A paragraph with at least one code some of its coders applied and some not."""

    paragraph_id: int
    document_id: int
    document: str
    ref: str
    section: str | None
    text: str
    codes: tuple[int, ...]  # the codes in dispute, in codebook order
    reviewers: tuple[str, ...]  # the compared coders who reviewed its document


@dataclass(frozen=True)
class Found:
    """The compared coders and their disputed paragraphs, in document order."""

    coders: tuple[str, ...]
    items: list[Disputed]


@dataclass(frozen=True)
class Decision:
    """What recording a decision changed (``event_id`` None: it changed nothing)."""

    paragraph_id: int
    added: tuple[int, ...]
    removed: tuple[int, ...]
    memo: bool
    reviewed: bool
    event_id: int | None


def find(project: ProjectFile, coders: Sequence[str] = ()) -> Found:
    """The disputed paragraphs among ``coders`` (everyone who reviewed a document except
    "consensus", by default); raises QcodeError with fewer than 2 coders."""
    chosen = choose_coders(project, coders)
    codable = [c.id for c in project.codes() if c.codable]
    result = disagreements(project, scope(project, chosen, codable))
    ids = {node.path: node.id for node in code_tree(project).nodes}
    codes: dict[int, list[int]] = {}
    first = {}
    for row in result.rows:
        if row.paragraph_id not in codes:
            codes[row.paragraph_id] = []
            first[row.paragraph_id] = row
        codes[row.paragraph_id].append(ids[row.code_path])
    documents = project.paragraph_documents(list(codes))
    items = []
    for paragraph_id, code_ids in codes.items():
        row = first[paragraph_id]
        reviewers = set(row.with_code) | set(row.without_code)
        items.append(Disputed(
            paragraph_id, documents[paragraph_id], row.document, row.ref, row.section,
            row.text, tuple(code_ids), tuple(c for c in result.coders if c in reviewers)))
    return Found(result.coders, items)


def item_for(project: ProjectFile, paragraph: Paragraph, coders: Sequence[str] = ()) -> Disputed:
    """Any paragraph as the review sees one: its disputed codes (none, when its coders
    agree) and the compared coders who reviewed its document."""
    chosen = choose_coders(project, coders)
    units = scope(project, chosen, [c.id for c in project.codes() if c.codable],
                  [paragraph.document_id])
    in_dispute = [row for row in disagreements(project, units).rows
                  if row.paragraph_id == paragraph.id]
    reviewed = project.reviewers(paragraph.document_id, [c.name for c in chosen])
    document = project.document(paragraph.document_id)
    ids = {node.path: node.id for node in code_tree(project).nodes}
    return Disputed(paragraph.id, paragraph.document_id, document.name, paragraph.ref,
                    paragraph.section, paragraph.text,
                    tuple(ids[row.code_path] for row in in_dispute), tuple(reviewed))


def agreed_pairs(project: ProjectFile, coders: Sequence[str] = ()) -> list[tuple[int, int]]:
    """(paragraph id, code id) that every reviewing coder applied, in documents reviewed
    by at least two of ``coders``, and that "consensus" does not have yet."""
    chosen = choose_coders(project, coders)
    codable = [c.id for c in project.codes() if c.codable]
    return agreed(project, scope(project, chosen, codable),
                  missing_for=project.coder_id(CONSENSUS) or -1)


# -- what each way of deciding means ----------------------------------------------------


def codings_by_coder(project: ProjectFile, item: Disputed,
                     coders: Iterable[str]) -> dict[str, set[int]]:
    """Coder name -> the codes they put on the paragraph ("consensus" included)."""
    names = {c.id: c.name for c in project.coders()}
    found: dict[str, set[int]] = {name: set() for name in (*coders, CONSENSUS)}
    for code_id, coder_id in project.codings_for_paragraphs(
            [item.paragraph_id])[item.paragraph_id]:
        name = names.get(coder_id)
        if name in found:
            found[name].add(code_id)
    return found


def agreed_codes(item: Disputed, codings: dict[str, set[int]]) -> set[int]:
    """The codes every reviewing coder applied to the paragraph (not in dispute)."""
    sets = [codings[name] for name in item.reviewers]
    common = set.intersection(*sets) if sets else set()
    return common - set(item.codes)


@dataclass(frozen=True)
class Plan:
    """The decision to record: consensus's codes on the paragraph, what happens to its
    memo there, and whether its document is marked reviewed."""

    codes: frozenset[int]
    memo: Memo = "keep"
    reviewed: bool = False


def plan_toggle(item: Disputed, codings: dict[str, set[int]], code: int) -> Plan:
    """Add a code to the consensus (with the agreed codes), or take it off."""
    have = codings[CONSENSUS]
    if code in have:
        return _plan(have - {code})
    return _plan(have | {code} | agreed_codes(item, codings))


def plan_take(item: Disputed, codings: dict[str, set[int]], how: str) -> Plan:
    """``how``: a reviewing coder's name (exactly their codes), "union" (every code any
    reviewer applied, added to the consensus), or "intersection" (only the agreed codes;
    none: "agreed: no code")."""
    agreed_here = agreed_codes(item, codings)
    if how == "union":
        union = set().union(*(codings[name] for name in item.reviewers))
        return _plan(codings[CONSENSUS] | union | agreed_here)
    if how == "intersection":
        if not agreed_here:
            return Plan(frozenset(), memo=NO_CODE, reviewed=True)
        return _plan(agreed_here)
    if how not in item.reviewers:
        raise QcodeError(f"{how} did not review {item.document}; take one of: "
                         + ", ".join([*item.reviewers, "union", "intersection"]))
    if not codings[how]:
        return plan_take(item, codings, "intersection")
    return _plan(codings[how])


def _plan(codes: set[int]) -> Plan:
    # Codes on the paragraph contradict an "agreed: no code" memo: it goes.
    return Plan(frozenset(codes), memo=None if codes else "keep")


# -- recording a decision ---------------------------------------------------------------


def decide(project: ProjectFile, paragraph_id: int, codes: Iterable[int], *,
           coder: str = CONSENSUS, memo: Memo = "keep", reviewed: bool = False,
           summary: str | None = None) -> Decision:
    """Make ``coder``'s codes on the paragraph exactly ``codes``, set (None: remove) the
    coder's memo on it unless ``memo`` is "keep", and mark its document reviewed by the
    coder when ``reviewed`` — all in one transaction and one event."""
    paragraph = project.paragraph_by_id(paragraph_id)
    wanted = list(dict.fromkeys(codes))
    project.check_codable(wanted)
    with project.writing():
        coder_id = project.ensure_coder(coder)
        have = {code: coding for (_p, code), coding in project.codings_of(
            [paragraph_id], coder_id).items()}
        added = [c for c in wanted if c not in have]
        removed = [c for c in have if c not in wanted]
        changes: list[Change] = []
        if added:
            stamp = now()
            changes.append({"op": "insert", "table": "codings", "rows": [
                {"guid": guid, "paragraph_id": paragraph_id, "code_id": code,
                 "coder_id": coder_id, "memo": None, "created_at": stamp}
                for guid, code in zip(new_guids(len(added)), added, strict=True)]})
        if removed:
            changes.append({"op": "delete", "table": "codings",
                            "rows": [{"id": have[c]} for c in removed]})
        memo_written = None if memo == "keep" else memo_change(
            project.conn, "paragraph", paragraph_id, coder_id, memo)
        if memo_written is not None:
            changes.append(memo_written)
        review = review_change(project.conn, paragraph.document_id, coder_id, True) \
            if reviewed and not project.has_coded(paragraph.document_id, coder_id) else None
        if review is not None:
            changes.append(review)
        event = None
        if changes:
            document = project.document(paragraph.document_id)
            event = project.record(coder, "consensus", summary or _summary(
                project, document.name, paragraph.ref, added, removed, memo_written), changes)
    return Decision(paragraph_id, tuple(added), tuple(removed), memo_written is not None,
                    review is not None, event)


def _summary(project: ProjectFile, document: str, ref: str, added: list[int],
             removed: list[int], memo: Change | None) -> str:
    parts = []
    if added:
        parts.append("+ " + ", ".join(repr(project.code_by_id(c).name) for c in added))
    if removed:
        parts.append("− " + ", ".join(repr(project.code_by_id(c).name) for c in removed))
    if memo is not None and not added and not removed:
        parts.append("memo")
    return f"consensus on {document} {ref}: " + ("; ".join(parts) or "nothing")


def resolved(project: ProjectFile, paragraph_ids: list[int]) -> set[int]:
    """Which of these paragraphs "consensus" has decided (a coding, or the
    "agreed: no code" memo)."""
    consensus = project.coder_id(CONSENSUS)
    if consensus is None:
        return set()
    found = {pid for pid, pairs in project.codings_for_paragraphs(paragraph_ids).items()
             if any(coder_id == consensus for _code, coder_id in pairs)}
    marked = project.paragraph_memos(paragraph_ids, CONSENSUS)
    return found | {pid for pid, text in marked.items() if text.startswith(NO_CODE)}


__all__ = ["CONSENSUS", "NO_CODE", "Decision", "Disputed", "Found", "Plan", "agreed_codes",
           "agreed_pairs", "codings_by_coder", "decide", "find", "item_for", "plan_take",
           "plan_toggle", "resolved"]
