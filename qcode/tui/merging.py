"""How a codebook merge review reads in the app: each proposal's mark and words.

The review itself (plan, choices, rule, apply) is
:class:`qcode.exchange.codebook_review.MergeReview`, re-exported here for the screens.
"""

from __future__ import annotations

from rich.text import Text

from qcode.core.codebook.merge import MergePlan, Proposal
from qcode.core.codebook.model import FIELD_LABELS
from qcode.exchange.codebook_diff import word_diff
from qcode.exchange.codebook_review import GUESSES, MergeReview, key_of


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
    return f"{FIELD_LABELS.get(p.field or '', p.field or 'text')} of {ours}"


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
