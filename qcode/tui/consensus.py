"""The consensus review screen's model: which disputed paragraph is shown, and each key's
decision handed to the core (:mod:`qcode.core.consensus`, where the rules live, beside
``qcode consensus``). Every decision is one :meth:`qcode.Project.decide` — one
transaction and one event by the coder "consensus", which one ``u`` takes back whole.
"""

from __future__ import annotations

from collections.abc import Iterable

from qcode.core import consensus
from qcode.core.consensus import (
    CONSENSUS,
    NO_CODE,
    Disputed,
    Found,
    Plan,
    agreed_codes,
    agreed_pairs,
    codings_by_coder,
    find,
    plan_take,
    plan_toggle,
)
from qcode.core.errors import QcodeError
from qcode.core.project import Project


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
        return codings_by_coder(self.project, item, self.coders)

    def agreed(self, item: Disputed, codings: dict[str, set[int]]) -> list[int]:
        """The codes every reviewing coder applied to the paragraph, in codebook order."""
        return self.ordered(agreed_codes(item, codings))

    def ordered(self, codes: Iterable[int]) -> list[int]:
        """Codes in codebook order."""
        return sorted(codes, key=lambda c: self.rank.get(c, len(self.rank)))

    def no_code_marked(self, item: Disputed) -> bool:
        """Whether consensus wrote "agreed: no code" on the paragraph."""
        memo = self.project.memo("paragraph", item.paragraph_id, CONSENSUS)
        return bool(memo and memo.startswith(NO_CODE))

    def recount(self) -> None:
        """Which paragraphs are resolved (after undo, or writes made elsewhere)."""
        self.resolved = consensus.resolved(self.project,
                                           [item.paragraph_id for item in self.items])

    # -- deciding (each one Project.decide: one event, committed before returning) ------

    def _record(self, item: Disputed, plan: Plan, how: str) -> str:
        decision = self.project.decide(item.paragraph_id, self.ordered(plan.codes),
                                       memo=plan.memo, reviewed=plan.reviewed)
        self.recount()
        if plan.memo == NO_CODE and not plan.codes:
            return f"consensus on {item.ref}: agreed that no code applies"
        parts = []
        if decision.added:
            parts.append(f"+ {self._names(decision.added)}")
        if decision.removed:
            parts.append(f"− {self._names(decision.removed)}")
        change = "; ".join(parts) if parts else "nothing to change"
        return f"consensus on {item.ref}{' ' + how if how else ''}: {change}"

    def _names(self, codes: Iterable[int]) -> str:
        return ", ".join(repr(self.project.code_by_id(c).name) for c in self.ordered(codes))

    def toggle(self, number: int) -> str:
        """Add the N-th code in dispute (1-based) to the consensus, or take it off."""
        item = self._item()
        if not 1 <= number <= len(item.codes):
            return f"no code {number} in dispute on {item.ref}"
        return self._record(item, plan_toggle(item, self.codings(item), item.codes[number - 1]),
                            "")

    def take(self, coder: str) -> str:
        """Make the consensus on the paragraph exactly this coder's codes."""
        item = self._item()
        if coder not in item.reviewers:
            return f"{coder} did not review {item.document}"
        codings = self.codings(item)
        how = "keeps only the agreed codes" if not codings[coder] else f"takes {coder}'s codes"
        return self._record(item, plan_take(item, codings, coder), how)

    def accept_all(self) -> str:
        """Add every code any coder applied to the paragraph."""
        item = self._item()
        return self._record(item, plan_take(item, self.codings(item), "union"),
                            "takes every coder's codes")

    def no_code(self) -> str:
        """None of the disputed codes applies: consensus keeps only the agreed codes, or,
        with none, gets an "agreed: no code" memo (and marks the document reviewed)."""
        item = self._item()
        return self._record(item, plan_take(item, self.codings(item), "intersection"),
                            "keeps only the agreed codes")

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
