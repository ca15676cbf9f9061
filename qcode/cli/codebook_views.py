"""How ``qcode codebook diff`` and ``merge`` look on a terminal (rich text, one line each)."""

from __future__ import annotations

from rich.text import Text

from qcode.core.codebook.match import CodeRef
from qcode.core.codebook.merge import GUESSES, MergePlan, Proposal
from qcode.core.codebook.merge_apply import MergeOutcome
from qcode.core.codebook.model import FIELD_LABELS
from qcode.exchange.codebook_diff import CodebookDiff, DiffEntry, word_diff

# Long unchanged stretches of a definition are cut to their ends, so the change shows.
_CONTEXT = 40


def words(runs: list[tuple[str, str]]) -> Text:
    """A word diff as ``git diff --word-diff`` writes it, ``[-removed-]{+inserted+}``,
    and in colour where the terminal has it."""
    text = Text()
    for index, (op, chunk) in enumerate(runs):
        if op == "=":
            text.append(_trim(chunk, first=index == 0, last=index == len(runs) - 1))
        elif op == "-":
            text.append(f"[-{chunk}-]", style="red")
        else:
            text.append(f"{{+{chunk}+}}", style="green")
    return text


def _trim(chunk: str, *, first: bool, last: bool) -> str:
    if len(chunk) <= 2 * _CONTEXT:
        return chunk
    head = "" if first else chunk[:_CONTEXT]
    tail = "" if last else chunk[-_CONTEXT:]
    return f"{head}…{tail}"


_KEPT = {"rename": "name", "move": "place", "recolour": "colour", "codable": "folder state",
         "text": "text"}


def _q(value: object) -> str:
    return f"'{value}'"


def _under(ref: CodeRef) -> str:
    parent = ref.path.rsplit("/", 1)[0] if "/" in ref.path else None
    return f" under {_q(parent)}" if parent else " at the top level"


# The structure first: what a colleague added, renamed or moved is what a merge is about.
_ORDER = ("added", "removed", "renamed", "moved", "codable", "colour", "text")


def diff_lines(diff: CodebookDiff, *, text: bool = False) -> list[Text]:
    """The diff with a heading line first: one line per change of structure, then the
    text changes, each word by word with ``text``, else summarised in one line."""
    head = Text.assemble(
        ("codebook diff: ", "bold"), f"{diff.a_label} ({diff.a_count} codes) → "
        f"{diff.b_label} ({diff.b_count} codes); {diff.unchanged} unchanged")
    lines = [head]
    if not diff.entries:
        lines.append(Text("no differences", style="dim"))
    for kind in _ORDER:
        found = diff.of_kind(kind)
        if kind == "text" and found and not text:
            lines.append(_text_summary(found))
            continue
        lines.extend(_diff_line(entry) for entry in found)
    return lines


def _text_summary(entries: list[DiffEntry]) -> Text:
    """One line: in how many codes texts differ, and which, by whether only A has them,
    only B, or both differently ("only in A: definition 35, example 35")."""
    codes = len({ref.guid for e in entries for ref in (e.a or e.b,) if ref is not None})
    states = {"only in A": [e for e in entries if not e.after],
              "only in B": [e for e in entries if not e.before],
              "changed": [e for e in entries if e.before and e.after]}
    parts = []
    for state, found in states.items():
        counts = [(label, sum(1 for e in found if e.field == key))
                  for key, label in FIELD_LABELS.items()]
        listed = ", ".join(f"{label} {n}" for label, n in counts if n)
        if listed:
            parts.append(f"{state}: {listed}")
    noun = "code" if codes == 1 else "codes"
    return Text.assemble(("✎ texts    ", "blue"), f"differ in {codes} {noun} ({'; '.join(parts)})",
                         (" — --text shows them word by word", "dim"))


def _diff_line(entry: DiffEntry) -> Text:
    name = _q(entry.name)
    if entry.kind == "added":
        assert entry.b is not None
        return Text.assemble(("+ added    ", "green"), name, _under(entry.b))
    if entry.kind == "removed":
        assert entry.a is not None
        return Text.assemble(("- removed  ", "red"), name, f" (was{_under(entry.a)})")
    if entry.kind == "renamed":
        how = ("same GUID" if entry.method == "guid" else "same name" if entry.method == "name"
               else f"name similarity {entry.score:.0f}")
        return Text.assemble(("~ renamed  ", "yellow"), f"{_q(entry.before)} → {_q(entry.after)}"
                             f" ({how})")
    if entry.kind == "moved":
        before = _q(entry.before) if entry.before else "the top level"
        after = _q(entry.after) if entry.after else "the top level"
        return Text.assemble(("↳ moved    ", "cyan"), f"{name}: {before} → {after}")
    if entry.kind == "colour":
        return Text.assemble(("■ colour   ", "magenta"), f"{name}: {entry.before or 'none'} → "
                             f"{entry.after or 'none'}")
    if entry.kind == "codable":
        state = "codable again" if entry.after else "a folder (not codable)"
        return Text.assemble(("◇ folder   ", "magenta"), f"{name} is now {state}")
    label = FIELD_LABELS.get(entry.field or "", entry.field or "text")
    return Text.assemble(("✎ text     ", "blue"), f"{label} of {name}: ",
                         words(entry.words or []))


def plan_lines(plan: MergePlan, outcome: MergeOutcome | None, *, dry_run: bool) -> list[Text]:
    """The merge plan, one line per proposal, and what it comes to."""
    lines = [Text.assemble(
        ("merge plan: ", "bold"), f"{plan.source} into the project (rule: {plan.rule}; "
        f"name similarity threshold {plan.threshold:.0f})")]
    if not plan.proposals:
        lines.append(Text("nothing to merge: the codebooks agree", style="dim"))
    for proposal in plan.proposals:
        lines.append(_proposal_line(plan, proposal))
    if plan.unchanged or plan.only_ours:
        lines.append(Text(f"{plan.unchanged} codes the same in both; {len(plan.only_ours)} "
                          "only in the project (kept as they are)", style="dim"))
    if any(p.kind in GUESSES and not p.accepted for p in plan.proposals):
        lines.append(Text("[?] name-similarity guesses are not applied: check them, then "
                          "merge again with --accept-fuzzy", style="yellow"))
    kept = [p for p in plan.proposals if not p.accepted
            and p.kind in {"rename", "move", "recolour", "codable", "text"}]
    if kept and plan.rule == "ours":
        counts: dict[str, int] = {}
        for p in kept:
            counts[p.kind] = counts.get(p.kind, 0) + 1
        listed = ", ".join(f"{n} {_KEPT[kind]}{'' if n == 1 else 's'}"
                           for kind, n in counts.items())
        lines.append(Text(f"kept ours where theirs differ ({listed}, listed above as [ ]): "
                          "--definitions theirs or both takes theirs", style="dim"))
    if outcome is not None:
        verb = "would do" if dry_run else "done"
        lines.append(Text.assemble((f"{verb}: ", "bold"), outcome.summary.split(": ", 1)[-1]))
    return lines


def _proposal_line(plan: MergePlan, p: Proposal) -> Text:
    applied = plan.is_applied(p)
    mark = ("[✓] ", "green") if applied else (
        ("[?] ", "yellow") if p.kind in GUESSES else ("[ ] ", "dim"))
    ours = _q(p.ours.name) if p.ours else ""
    theirs = _q(p.theirs.name) if p.theirs else ""
    body: Text | str
    if p.kind == "add":
        assert p.theirs is not None
        body = f"add       {theirs}{_under(p.theirs)}"
    elif p.kind == "merge":
        fallback = "" if applied else " (declined: added as a new code)"
        body = (f"merge     their {theirs} into our {ours} (name similarity {p.score:.0f})"
                f"{fallback}")
    elif p.kind == "duplicate":
        into = _q(p.into.name) if p.into else "?"
        body = (f"duplicate our {ours} into {into} (name similarity {p.score:.0f}): "
                "its codings, sub-codes and memos move")
    elif p.kind == "rename":
        body = f"rename    {_q(p.before)} → {_q(p.after)}"
    elif p.kind == "move":
        before = _q(p.before) if p.before else "the top level"
        after = _q(p.after) if p.after else "the top level"
        body = f"move      {ours}: {before} → {after}"
    elif p.kind == "recolour":
        body = f"recolour  {ours}: {p.before or 'none'} → {p.after}"
    elif p.kind == "codable":
        body = f"folder    {ours} becomes {'codable' if p.after else 'a folder'}"
    else:
        label = FIELD_LABELS.get(p.field or "", p.field or "text")
        offered = p.offered if p.offered is not None else p.after
        how = " (both kept, theirs marked)" if p.after != offered else ""
        if p.requires is not None and not applied:
            how += " (with the merge above)"
        body = Text.assemble(f"text      {label} of {ours}{how}: ",
                             words(word_diff(str(p.before or ""), str(offered or ""))))
    return Text.assemble(mark, body)
