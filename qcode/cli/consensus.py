"""``qcode consensus``: where coders differ, and recording what the team decided (the
review screen's ``A``, from a script)."""

from __future__ import annotations

from typing import Any

import click
from click.core import ParameterSource

from qcode.cli.common import console, emit_json, open_project, say, shared
from qcode.core.errors import QcodeError


def _names(values: tuple[str, ...]) -> list[str]:
    """``--coders alice,bob --coders carol`` -> [alice, bob, carol]."""
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


coders_option = click.option(
    "--coders", "coder_names", multiple=True, metavar="NAMES",
    help="Compare these coders (comma-separated or repeated; default: everyone who "
         "reviewed a document, except 'consensus').")


@click.group("consensus", invoke_without_command=True)
@coders_option
@shared(as_json=True)
def consensus(ctx: click.Context, coder_names: tuple[str, ...], as_json: bool) -> None:
    """The paragraphs where coders differ, and the consensus so far.

    Each row: document, paragraph, a code in dispute, who applied it, who did not, and
    whether "consensus" has it. A paragraph is resolved when "consensus" coded it or
    decided that no code applies. Record a decision with `qcode consensus set`; each
    decision is one change, and `qcode undo --coder consensus` takes it back whole.
    """
    if ctx.invoked_subcommand is not None:
        return
    from qcode.core import consensus as rules

    project = open_project(ctx, readonly=True)
    found = rules.find(project, _names(coder_names))
    decided = rules.resolved(project, [item.paragraph_id for item in found.items])
    rows: list[dict[str, Any]] = []
    for item in found.items:
        codings = rules.codings_by_coder(project, item, found.coders)
        for code_id in item.codes:
            rows.append({
                "document": item.document, "paragraph": item.ref,
                "code": project.code_path(project.code_by_id(code_id)),
                "applied_by": [c for c in item.reviewers if code_id in codings[c]],
                "not_by": [c for c in item.reviewers if code_id not in codings[c]],
                "consensus": code_id in codings[rules.CONSENSUS],
                "resolved": item.paragraph_id in decided})
    if as_json:
        emit_json({"coders": list(found.coders), "disagreements": rows})
        return
    if not rows:
        say(f"no disagreement among {', '.join(found.coders)}")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"disagreements among {escape(', '.join(found.coders))}",
                  title_justify="left", show_edge=False, box=None, padding=(0, 1))
    for column in ("document", "§", "code", "applied by", "not by", "consensus"):
        table.add_column(column, overflow="fold")
    for row in rows:
        verdict = "has it" if row["consensus"] else ("decided" if row["resolved"] else "—")
        table.add_row(escape(row["document"]), escape(row["paragraph"]), escape(row["code"]),
                      escape(", ".join(row["applied_by"])), escape(", ".join(row["not_by"])),
                      verdict)
    console.print(table)
    say(f"{len(found.items)} paragraphs, {len(decided)} resolved")


@consensus.command("set")
@click.argument("document")
@click.argument("paragraph")
@click.argument("codes", nargs=-1)
@click.option("--take", metavar="CODER|union|intersection",
              help="Instead of CODEs: a reviewing coder's codes, every code any of them "
                   "applied (union), or only those all applied (intersection; none: "
                   "'agreed: no code').")
@click.option("--memo", help="The consensus memo on the paragraph (replaces any).")
@coders_option
@shared(coder=True)
def set_decision(ctx: click.Context, document: str, paragraph: str, codes: tuple[str, ...],
                 take: str | None, memo: str | None, coder_names: tuple[str, ...],
                 coder: str) -> None:
    """Record the consensus on PARAGRAPH of DOCUMENT: exactly CODEs (none: take every
    code off), or what --take says. One change, undone whole by
    `qcode undo --coder consensus`.

    --coder names who records it (default "consensus" here, not your login name).
    """
    from qcode.core import consensus as rules

    if codes and take:
        raise QcodeError("give CODEs or --take, not both")
    project = open_project(ctx)
    doc = project.document(document)
    para = project.paragraph(doc, paragraph)
    given = ctx.get_parameter_source("coder") is ParameterSource.COMMANDLINE
    recorder = coder if given else rules.CONSENSUS
    if take:
        item = rules.item_for(project, para, _names(coder_names))
        plan = rules.plan_take(item, rules.codings_by_coder(project, item, item.reviewers), take)
        wanted, note, reviewed = list(plan.codes), plan.memo, plan.reviewed
    else:
        wanted = [project.code(name).id for name in codes]
        note, reviewed = "keep", False
    if memo is not None:
        note = memo
    decision = project.decide(para.id, wanted, coder=recorder, memo=note, reviewed=reviewed)
    where = f"{doc.name} {para.ref}"
    if decision.event_id is None:
        say(f"{where}: the consensus already is that; nothing changed")
        return
    parts = []
    if decision.added:
        parts.append("+ " + ", ".join(repr(project.code_by_id(c).name) for c in decision.added))
    if decision.removed:
        parts.append("− " + ", ".join(repr(project.code_by_id(c).name)
                                      for c in decision.removed))
    if decision.memo:
        parts.append("memo")
    say(f"consensus on {where}: {'; '.join(parts)}", dim=f"({recorder})")


def register(group: click.Group) -> None:
    """Add ``qcode consensus``."""
    group.add_command(consensus)
