"""Consensus review without widgets: the paragraphs where coders disagree, one at a
time, and the codes the team settles on recorded as the coder "consensus".

The rules (the review screen's help repeats them):

* The disagreements are :func:`qcode.reports.agreement.disagreements` (the same as
  ``qcode agree --disagreements``) grouped by paragraph: the coders compared are
  everyone who reviewed a document, except "consensus" itself.
* A paragraph is *resolved* when "consensus" has a coding on it, or a memo on it that
  starts with "agreed: no code" (what ``x`` writes when none of the codes apply).
* A decision that adds codes also adds the codes every coder of the paragraph applied
  (the agreed ones), so the consensus coding of a resolved paragraph is whole.
* Codings every coder agrees on, on paragraphs without a disagreement, are carried
  over to "consensus" in one change (``A``), so reports on "consensus" count them too.

Every write is an ordinary :class:`qcode.Project` call by the coder "consensus", so
``qcode undo --coder consensus`` (or ``u`` on the screen) takes back the latest one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from qcode.core.agreement.tallies import coder_bits_sql, document_masks, runs
from qcode.core.errors import QcodeError
from qcode.core.project import Project
from qcode.core.store.runs import document_runs
from qcode.reports.agreement import CONSENSUS, choose_coders, disagreements
from qcode.reports.filters import code_tree

NO_CODE = "agreed: no code"


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


def find(project: Project, coders: Sequence[str] = ()) -> Found:
    """Group the disagreements by paragraph (raises QcodeError with fewer than 2 coders)."""
    result = disagreements(project, coders=coders)
    ids = {node.path: node.id for node in code_tree(project).nodes}
    codes: dict[int, list[int]] = {}
    first = {}
    for row in result.rows:
        if row.paragraph_id not in codes:
            codes[row.paragraph_id] = []
            first[row.paragraph_id] = row
        codes[row.paragraph_id].append(ids[row.code_path])
    documents = _document_ids(project, list(codes))
    items = []
    for paragraph_id, code_ids in codes.items():
        row = first[paragraph_id]
        reviewers = set(row.with_code) | set(row.without_code)
        items.append(Disputed(
            paragraph_id, documents[paragraph_id], row.document, row.ref, row.section,
            row.text, tuple(code_ids), tuple(c for c in result.coders if c in reviewers)))
    return Found(result.coders, items)


def _document_ids(project: Project, paragraph_ids: list[int]) -> dict[int, int]:
    found: dict[int, int] = {}
    for start in range(0, len(paragraph_ids), 500):
        chunk = paragraph_ids[start:start + 500]
        found.update(project.conn.execute(
            f"SELECT id, document_id FROM paragraphs WHERE id IN ({', '.join('?' * len(chunk))})",
            chunk).fetchall())
    return found


def agreed_pairs(project: Project, coders: Sequence[str]) -> list[tuple[int, int]]:
    """(paragraph id, code id) that every reviewing coder applied, in documents reviewed
    by at least two of ``coders``, and that "consensus" does not have yet."""
    chosen = choose_coders(project, coders)
    ids = [c.id for c in chosen]
    case, params = coder_bits_sql(ids)
    consensus = project.coder_id(CONSENSUS) or -1
    sql = (f"SELECT paragraph_id, code_id FROM (SELECT paragraph_id, code_id, {case} AS s "
           "FROM codings WHERE paragraph_id BETWEEN ? AND ? GROUP BY paragraph_id, code_id) x "
           "WHERE s = ? AND NOT EXISTS (SELECT 1 FROM codings c WHERE c.paragraph_id = "
           "x.paragraph_id AND c.code_id = x.code_id AND c.coder_id = ?)")
    codable = {c.id for c in project.codes() if c.codable}
    pairs = []
    spans = document_runs(project.conn)
    for run in runs(project.conn, document_masks(project.conn, ids, None, spans), spans):
        for paragraph_id, code_id in project.conn.execute(
                sql, [*params, run.low, run.high, run.mask, consensus]):
            if code_id in codable:
                pairs.append((paragraph_id, code_id))
    return pairs


class Review:
    """Walks the disputed paragraphs and records the consensus on the current one."""

    def __init__(self, project: Project, found: Found) -> None:
        self.project = project
        self.coders = found.coders
        self.items = found.items
        self.position = 0
        self.resolved: set[int] = set()
        self.rank = {code.id: i for i, (code, _depth) in enumerate(project.code_tree())}
        self.recount()

    @property
    def current(self) -> Disputed | None:
        """The paragraph under review (None when there is no disagreement)."""
        return self.items[self.position] if self.items else None

    def move(self, delta: int) -> bool:
        """Go ``delta`` paragraphs on; False (and no move) past either end."""
        wanted = self.position + delta
        if not 0 <= wanted < len(self.items):
            return False
        self.position = wanted
        return True

    def go_to(self, paragraph_id: int) -> None:
        """Stay on a paragraph after the list was found again (if it is still there)."""
        for index, item in enumerate(self.items):
            if item.paragraph_id == paragraph_id:
                self.position = index
                return
        self.position = min(self.position, max(len(self.items) - 1, 0))

    # -- reading -----------------------------------------------------------------------

    def codings(self, item: Disputed) -> dict[str, set[int]]:
        """Coder name -> the codes they put on the paragraph ("consensus" included)."""
        names = {c.id: c.name for c in self.project.coders()}
        found: dict[str, set[int]] = {name: set() for name in (*self.coders, CONSENSUS)}
        for code_id, coder_id in self.project.codings_for_paragraphs(
                [item.paragraph_id])[item.paragraph_id]:
            name = names.get(coder_id)
            if name in found:
                found[name].add(code_id)
        return found

    def agreed(self, item: Disputed, codings: dict[str, set[int]]) -> list[int]:
        """The codes every reviewing coder applied to the paragraph."""
        sets = [codings[name] for name in item.reviewers]
        common = set.intersection(*sets) if sets else set()
        return self.ordered(common - set(item.codes))

    def ordered(self, codes: Iterable[int]) -> list[int]:
        """Codes in codebook order."""
        return sorted(codes, key=lambda c: self.rank.get(c, len(self.rank)))

    def no_code_marked(self, item: Disputed) -> bool:
        """Whether consensus wrote "agreed: no code" on the paragraph."""
        memo = self.project.memo("paragraph", item.paragraph_id, CONSENSUS)
        return bool(memo and memo.startswith(NO_CODE))

    def recount(self) -> None:
        """Which paragraphs are resolved (after undo, or writes made elsewhere)."""
        consensus = self.project.coder_id(CONSENSUS)
        self.resolved = set()
        if consensus is None:
            return
        ids = [item.paragraph_id for item in self.items]
        for paragraph_id, pairs in self.project.codings_for_paragraphs(ids).items():
            if any(coder_id == consensus for _code, coder_id in pairs):
                self.resolved.add(paragraph_id)
        marked = self.project.conn.execute(
            "SELECT target_id FROM memos WHERE target = 'paragraph' AND coder_id = ? "
            "AND text LIKE ?", (consensus, NO_CODE + "%"))
        wanted = set(ids)
        self.resolved |= {row[0] for row in marked if row[0] in wanted}

    def _update(self, item: Disputed) -> None:
        codings = self.codings(item)
        if codings[CONSENSUS] or self.no_code_marked(item):
            self.resolved.add(item.paragraph_id)
        else:
            self.resolved.discard(item.paragraph_id)

    # -- deciding (each call writes as "consensus" and commits before returning) -------

    def _names(self, codes: Iterable[int]) -> str:
        return ", ".join(repr(self.project.code_by_id(c).name) for c in self.ordered(codes))

    def _decide(self, item: Disputed, add: set[int], remove: set[int]) -> tuple[set[int], set[int]]:
        """Tag ``add`` (with the agreed codes) and untag ``remove``: two calls at most,
        plus removing an "agreed: no code" memo the decision contradicts."""
        codings = self.codings(item)
        have = codings[CONSENSUS]
        if add:
            add = add | set(self.agreed(item, codings))
        added, removed = add - have, remove & have
        if added:
            self.project.tag([item.paragraph_id], self.ordered(added), coder=CONSENSUS)
        if removed:
            self.project.untag([item.paragraph_id], self.ordered(removed), coder=CONSENSUS)
        if (have | added) - removed and self.no_code_marked(item):
            self.project.set_memo("paragraph", item.paragraph_id, None, coder=CONSENSUS)
        self._update(item)
        return added, removed

    def _said(self, item: Disputed, added: set[int], removed: set[int], how: str) -> str:
        parts = []
        if added:
            parts.append(f"+ {self._names(added)}")
        if removed:
            parts.append(f"− {self._names(removed)}")
        change = "; ".join(parts) if parts else "nothing to change"
        return f"consensus on {item.ref}{' ' + how if how else ''}: {change}"

    def toggle(self, number: int) -> str:
        """Add the N-th code in dispute (1-based) to the consensus, or take it off."""
        item = self._item()
        if not 1 <= number <= len(item.codes):
            return f"no code {number} in dispute on {item.ref}"
        code = item.codes[number - 1]
        if code in self.codings(item)[CONSENSUS]:
            added, removed = self._decide(item, set(), {code})
        else:
            added, removed = self._decide(item, {code}, set())
        return self._said(item, added, removed, "")

    def take(self, coder: str) -> str:
        """Make the consensus on the paragraph exactly this coder's codes."""
        item = self._item()
        codings = self.codings(item)
        if coder not in item.reviewers:
            return f"{coder} did not review {item.document}"
        theirs = codings[coder]
        if not theirs:
            return self.no_code()
        added, removed = self._decide(item, set(theirs), codings[CONSENSUS] - theirs)
        return self._said(item, added, removed, f"takes {coder}'s codes")

    def accept_all(self) -> str:
        """Add every code any coder applied to the paragraph."""
        item = self._item()
        codings = self.codings(item)
        union = set().union(*(codings[name] for name in item.reviewers))
        added, removed = self._decide(item, union, set())
        return self._said(item, added, removed, "takes every coder's codes")

    def no_code(self) -> str:
        """None of the disputed codes applies: consensus keeps only the agreed codes, or,
        with none, gets an "agreed: no code" memo (and marks the document reviewed)."""
        item = self._item()
        codings = self.codings(item)
        agreed = set(self.agreed(item, codings))
        added, removed = self._decide(item, agreed, codings[CONSENSUS] - agreed)
        if not agreed:
            self._mark_reviewed(item)
            self.project.set_memo("paragraph", item.paragraph_id, NO_CODE, coder=CONSENSUS)
            self._update(item)
            return f"consensus on {item.ref}: agreed that no code applies"
        return self._said(item, added, removed, "keeps only the agreed codes")

    def _mark_reviewed(self, item: Disputed) -> None:
        # Agreement counts a document as reviewed by a coder with a coding in it or a
        # mark; a document where consensus decided "no code" everywhere needs the mark.
        consensus = self.project.coder_id(CONSENSUS)
        coded = self.project.conn.execute(
            "SELECT 1 FROM codings c JOIN paragraphs p ON p.id = c.paragraph_id "
            "WHERE p.document_id = ? AND c.coder_id = ? LIMIT 1",
            (item.document_id, consensus)).fetchone()
        if coded is None:
            document = self.project.document(item.document_id)
            self.project.mark_reviewed(document, coder=CONSENSUS)

    def carry_over(self, pairs: list[tuple[int, int]]) -> str:
        """Give "consensus" the codings every coder agrees on, as one change."""
        result = self.project.tag_many(
            pairs, coder=CONSENSUS,
            summary=f"carry over {len(pairs)} agreed codings to consensus")
        self.recount()
        noun = "coding" if result.changed == 1 else "codings"
        return f"carried over {result.changed} agreed {noun} to consensus (u undoes it)"

    def undo(self) -> str:
        """Take back consensus's latest change (whatever paragraph it was on)."""
        summary = self.project.undo(coder=CONSENSUS)
        self.recount()
        return f"undone: {summary}"

    def redo(self) -> str:
        """Re-apply consensus's latest undone change."""
        summary = self.project.redo(coder=CONSENSUS)
        self.recount()
        return f"redone: {summary}"

    def _item(self) -> Disputed:
        item = self.current
        if item is None:
            raise QcodeError("no disagreement to review")
        return item


__all__ = ["NO_CODE", "Disputed", "Found", "Review", "agreed_pairs", "find"]
