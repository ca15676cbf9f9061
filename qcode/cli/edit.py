"""``qcode edit``: correct a document's text and keep its coding (see
:mod:`qcode.core.transcript_edit`)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click

from qcode.cli.common import emit_json, open_project, say, shared
from qcode.core.errors import QcodeError


@click.command("edit")
@click.argument("document")
@click.option("--from", "source", type=click.Path(dir_okay=False, path_type=Path),
              default=None, metavar="FILE",
              help="Take the corrected text from FILE instead of opening $EDITOR.")
@click.option("--encoding", default=None, metavar="NAME",
              help="FILE's encoding when it is not UTF-8 (or marked by a BOM).")
@click.option("--print", "show", is_flag=True,
              help="Print the document as editable text (with its markers); change nothing.")
@click.option("--yes", is_flag=True,
              help="Apply without asking when codings or memos are split, joined, moved or lost.")
@click.option("--dry-run", is_flag=True, help="Show the plan; change nothing.")
@shared(coder=True, as_json=True)
def edit(ctx: click.Context, document: str, source: Path | None, encoding: str | None,
         show: bool, yes: bool, dry_run: bool, coder: str, as_json: bool) -> None:
    """Correct the text of DOCUMENT; its codings, spans and memos follow their text.

    Opens the text in $EDITOR (each paragraph under a [[label]] line), or reads the
    corrected text from --from FILE (make one with --print). A blank line splits a
    paragraph; delete a [[label]] line and the blank line above it to join its paragraph
    to the one above (or with its text, to remove it); text under [[new]] is a new
    paragraph; paragraphs cannot be moved. The plan is shown,
    and must be accepted (--yes) when codings or memos are split, joined, moved or lost.
    The whole correction is one change: `qcode undo` restores the text and every coding.
    """
    from qcode.core import transcript_edit as te
    from qcode.core.textfile import decode, read_bytes

    project = open_project(ctx, readonly=show or dry_run)
    doc = project.document(document)
    if show:
        click.echo(te.render(project, doc))
        return
    kept: Path | None = None
    if source is not None:
        corrected = decode(read_bytes(source, what="a corrected text"), source, encoding)
    else:
        if encoding is not None:
            raise QcodeError("--encoding goes with --from FILE")
        original = te.render(project, doc)
        try:
            edited = click.edit(original, extension=".txt", require_save=True)
        except click.ClickException as exc:
            raise QcodeError(f"the editor failed ({exc.message}); nothing changed") from exc
        if edited is None or edited == original:
            _nothing(doc.name, as_json)
            return
        corrected = edited
    plan = te.plan(project, doc, corrected)
    if not plan.changed:
        _nothing(doc.name, as_json)
        return
    if as_json and (dry_run or (plan.needs_confirmation and not yes)):
        emit_json({**plan.as_json(), "applied": False})
        if not dry_run:
            sys.exit(2)
        return
    if not as_json:
        for line in te.describe(plan):
            say(line)
    if dry_run:
        say("dry run: nothing changed")
        return
    if plan.needs_confirmation and not yes:
        if source is None:
            kept = _keep(corrected)
        if sys.stdin.isatty() and click.confirm("apply this correction?", default=False):
            pass
        else:
            again = f"`qcode edit {doc.name} --from {kept or source} --yes`"
            raise QcodeError("codings or memos are split, joined, moved or lost: nothing "
                             f"changed; to apply it, {again}")
    event = te.apply(project, plan, coder=coder)
    if kept is not None:
        kept.unlink(missing_ok=True)
    if as_json:
        emit_json({**plan.as_json(), "applied": True, "event": event})
    else:
        say(f"{plan.summary()}; `qcode undo` takes it back", dim=f"({coder})")


def _nothing(name: str, as_json: bool) -> None:
    if as_json:
        emit_json({"document": name, "counts": {}, "applied": False})
    else:
        say(f"{name}: nothing to change")


def _keep(text: str) -> Path:
    """Keep an edited text that was not applied, so the work is not lost."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", prefix="qcode-edit-",
                                     suffix=".txt", delete=False) as handle:
        handle.write(text)
    return Path(handle.name)


def register(group: click.Group) -> None:
    """Add ``qcode edit``."""
    group.add_command(edit)
