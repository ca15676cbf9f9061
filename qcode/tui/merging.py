"""Reviewing a codebook merge in the app, without widgets: the plan, the researcher's
accept/reject choices (kept when the plan is made again), and each proposal in words.

The plan and its rules are :mod:`qcode.core.codebook.merge`'s, made as ``qcode
codebook merge FILE`` makes them: guesses from name similarity start declined.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text

from qcode.core.codebook.merge import (
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
from qcode.exchange.codebook_diff import word_diff
from qcode.exchange.formats import read_codebook

Key = tuple[str, str | None, str | None, str | None, str | None]
GUESSES = {"merge", "duplicate"}
FIELDS = {"short": "short", "definition": "definition", "when_to_use": "when to use",
          "when_not_to_use": "when not to use", "example": "example",
          "example_ref": "example source"}


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


def _q(value: object) -> str:
    return f"'{value}'"


def mark(plan: MergePlan, proposal: Proposal) -> Text:
    """[✓] applied, [ ] declined, [?] a declined guess, [~] accepted but waiting on a
    declined merge."""
    if plan.is_applied(proposal):
        return Text("[✓]", style="bold green")
    if proposal.accepted:
        return Text("[~]", style="yellow")
    return Text("[?]", style="bold yellow") if proposal.kind in GUESSES else Text("[ ]", "dim")


def change(proposal: Proposal) -> str:
    """The proposal in a few words: which codes, from what to what."""
    p = proposal
    ours = _q(p.ours.name) if p.ours else ""
    theirs = _q(p.theirs.name) if p.theirs else ""
    if p.kind == "add" and p.theirs is not None:
        parent = p.theirs.path.rsplit("/", 1)[0] if "/" in p.theirs.path else None
        return f"{theirs} under {_q(parent)}" if parent else f"{theirs} at the top level"
    if p.kind == "merge":
        return f"their {theirs} = our {ours}"
    if p.kind == "duplicate":
        return f"our {ours} into {_q(p.into.name) if p.into else '?'}"
    if p.kind == "rename":
        return f"{_q(p.before)} → {_q(p.after)}"
    if p.kind == "move":
        return (f"{ours}: {_q(p.before) if p.before else 'top level'} → "
                f"{_q(p.after) if p.after else 'top level'}")
    if p.kind == "recolour":
        return f"{ours}: {p.before or 'none'} → {p.after}"
    if p.kind == "codable":
        return f"{ours} becomes {'codable' if p.after else 'a folder'}"
    return f"{FIELDS.get(p.field or '', p.field or 'text')} of {ours}"


def detail(plan: MergePlan, proposal: Proposal) -> Text:
    """The highlighted proposal in full: what accepting or declining it means."""
    p = proposal
    text = Text.assemble((f"{p.kind}: ", "bold"), change(p))
    if p.score is not None:
        text.append(f"  (name similarity {p.score:.0f})", style="dim")
    if p.kind == "merge":
        text.append("\nAccepted: their code is ours under another name (its texts are "
                    "reconciled). Declined: it is added as a new code.")
    elif p.kind == "duplicate":
        text.append("\nAccepted: our code's codings, sub-codes, texts and memos move into "
                    f"{_q(p.into.name) if p.into else 'the other'} and it goes away. "
                    "Declined: both stay.")
    elif p.kind == "text":
        offered = p.offered if p.offered is not None else p.after
        if p.after != offered:
            text.append("  (rule both: both kept, theirs marked)", style="dim")
        text.append("\n")
        # As `git diff --word-diff` writes it, so it reads without colour too.
        for op, chunk in word_diff(str(p.before or ""), str(offered or "")):
            if op == "-":
                text.append(f"[-{chunk}-]", style="red")
            elif op == "+":
                text.append(f"{{+{chunk}+}}", style="green")
            else:
                text.append(chunk)
    if p.requires is not None and not plan.proposals[p.requires].accepted:
        text.append(f"\nApplied only with proposal {p.requires + 1} (a declined merge).",
                    style="yellow")
    return text


__all__ = ["MergeReview", "change", "detail", "key_of", "mark"]
