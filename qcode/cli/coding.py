"""``qcode tag``, ``untag``, ``undo``, ``redo``, ``log``."""

from __future__ import annotations

import click

from qcode.cli import tagging
from qcode.cli.common import (
    console,
    emit_json,
    open_project,
    say,
    shared,
)


@click.command()
@click.argument("document")
@click.argument("paragraph")
@click.argument("codes", nargs=-1, required=True)
@click.option("--memo", help="A memo on the new coding(s).")
@shared(coder=True)
def tag(ctx: click.Context, document: str, paragraph: str, codes: tuple[str, ...], coder: str,
        memo: str | None) -> None:
    """Tag a paragraph with one or more codes.

    \b
    DOCUMENT is a name or GUID; PARAGRAPH a label (§12, "note 3"; a bare 12 is the
    paragraph labelled 12 when there is one) or a position (#12); CODE a code name
    (quote names with spaces), path (parent/child) or GUID.
    """
    tagging.tag(open_project(ctx), document, paragraph, codes, coder=coder, memo=memo)


@click.command()
@click.argument("document")
@click.argument("paragraph")
@click.argument("codes", nargs=-1, required=True)
@shared(coder=True)
def untag(ctx: click.Context, document: str, paragraph: str, codes: tuple[str, ...],
          coder: str) -> None:
    """Remove codes from a paragraph (the coder's own codings).

    PARAGRAPH is a label or a position (#12), as for `qcode tag`.
    """
    tagging.untag(open_project(ctx), document, paragraph, codes, coder=coder)


@click.command()
@shared(coder=True)
def undo(ctx: click.Context, coder: str) -> None:
    """Undo your latest change (each coder has their own undo history)."""
    summary = open_project(ctx).undo(coder=coder)
    say(f"undone: {summary}")


@click.command()
@shared(coder=True)
def redo(ctx: click.Context, coder: str) -> None:
    """Redo your latest undone change."""
    summary = open_project(ctx).redo(coder=coder)
    say(f"redone: {summary}")


@click.command()
@click.option("--coder", default=None, help="Only this coder's changes.")
@click.option("-n", "--limit", type=click.IntRange(1, 2**31), default=20, show_default=True,
              help="How many changes to show.")
@shared(as_json=True)
def log(ctx: click.Context, coder: str | None, limit: int,
        as_json: bool) -> None:
    """The history of changes, newest first."""
    entries = open_project(ctx, readonly=True).log(limit=limit, coder=coder)
    if as_json:
        emit_json([e.__dict__ for e in entries])
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(show_edge=False, box=None, padding=(0, 1))
    for column in ("#", "when", "coder", "change"):
        table.add_column(column, style="dim" if column in {"#", "when"} else None)
    for e in entries:
        style = "italic" if e.kind != "do" else ""
        table.add_row(str(e.id), e.at[:19].replace("T", " "), escape(e.coder),
                      f"[{style}]{escape(e.summary)}[/]" if style else escape(e.summary))
    console.print(table)


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    for command in (tag, untag, undo, redo, log):
        group.add_command(command)
