"""Reviewing a codebook merge before applying it: the plan for one incoming codebook,
the researcher's accept/decline choices (kept when the plan is made again against a
codebook that changed meanwhile), the rule for values both sides changed, a preview
and the one-event apply. The app's merge review screen is a view of this.

The plan and its rules are :mod:`qcode.core.codebook.merge`'s, made as ``qcode
codebook merge FILE`` makes them: guesses from name similarity start declined.
"""

from __future__ import annotations

from pathlib import Path

from qcode.core.codebook.merge import (
    GUESSES,
    RULES,
    MergePlan,
    Proposal,
    Rule,
    fingerprint,
    plan_merge,
)
from qcode.core.codebook.merge_apply import MergeOutcome, load_aliases, merge_changes
from qcode.core.codebook.model import Codebook
from qcode.core.project import Project
from qcode.exchange.formats import read_codebook

Key = tuple[str, str | None, str | None, str | None, str | None]


def key_of(proposal: Proposal) -> Key:
    """What identifies a proposal across plans (the same change, planned again)."""
    return (proposal.kind, proposal.ours.guid if proposal.ours else None,
            proposal.theirs.guid if proposal.theirs else None, proposal.field,
            proposal.into.guid if proposal.into else None)


class MergeReview:
    """A merge plan for one incoming codebook, and the choices made on it."""

    def __init__(self, project: Project, theirs: Codebook, source: str) -> None:
        self.project = project
        self.theirs = theirs
        self.source = source
        self.rule: Rule = "both"
        self.choices: dict[Key, bool] = {}
        self.plan = self.replan()

    @classmethod
    def from_file(cls, project: Project, path: Path) -> MergeReview:
        """Read any codebook file qcode reads (raises QcodeError naming the file)."""
        return cls(project, read_codebook(path), path.name)

    def replan(self) -> MergePlan:
        """Plan again against the project's codebook as it is now, keeping the choices."""
        plan = plan_merge(self.project.codebook(), self.theirs, source=self.source,
                          rule=self.rule, aliases=load_aliases(self.project))
        for proposal in plan.proposals:
            chosen = self.choices.get(key_of(proposal))
            if chosen is not None:
                proposal.accepted = chosen
        self.plan = plan
        return plan

    def stale(self) -> bool:
        """Whether the project's codebook changed since the plan was made."""
        return fingerprint(self.project.codebook()) != self.plan.ours_fingerprint

    def toggle(self, index: int) -> Proposal:
        """Accept a declined proposal or decline an accepted one."""
        proposal = self.plan.proposals[index]
        proposal.accepted = not proposal.accepted
        self.choices[key_of(proposal)] = proposal.accepted
        return proposal

    def next_rule(self) -> Rule:
        """ours → theirs → both → ours: who wins where both sides changed a value."""
        self.rule = RULES[(RULES.index(self.rule) + 1) % len(RULES)]
        self.replan()
        return self.rule

    def preview(self) -> MergeOutcome:
        """What applying would do, without writing (QcodeError if it cannot be done)."""
        return merge_changes(self.project, self.plan)[1]

    def apply(self, coder: str) -> MergeOutcome:
        """Apply the accepted proposals as one undoable event."""
        return self.project.merge_codebook(self.plan, coder=coder)


__all__ = ["GUESSES", "Key", "MergeReview", "key_of"]
