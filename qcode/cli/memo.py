"""``qcode memo``: read and write memos on a document or one of its paragraphs (what
``m`` does in the terminal UI)."""

from __future__ import annotations

import click

from qcode.cli.common import emit_json, open_project, say, shared
from qcode.core.errors import QcodeError


@click.command("memo")
@click.argument("document")
@click.argument("paragraph", required=False)
@click.argument("text", required=False)
@click.option("--text", "text_option", metavar="TEXT",
              help="The memo (for the document's own memo, where no PARAGRAPH comes first).")
@click.option("--edit", is_flag=True, help="Write the memo in $EDITOR (starting from yours).")
@click.option("--delete", is_flag=True, help="Delete your memo.")
@shared(coder=True, as_json=True)
def memo(ctx: click.Context, document: str, paragraph: str | None, text: str | None,
         text_option: str | None, edit: bool, delete: bool, coder: str,
         as_json: bool) -> None:
    """Your memo on PARAGRAPH of DOCUMENT (or, without PARAGRAPH, on the document).

    With TEXT (or --text), write it; with --edit, write it in $EDITOR; with --delete,
    delete it; with none of these, show every coder's memo there. Writing an empty
    memo deletes it. Each write is one change (`qcode undo` takes it back).
    """
    written = text if text is not None else text_option
    if sum((written is not None, edit, delete)) > 1:
        raise QcodeError("give TEXT, --edit or --delete, one of them")
    if text is not None and text_option is not None:
        raise QcodeError("give the memo once: as TEXT or with --text")
    reading = written is None and not edit and not delete
    project = open_project(ctx, readonly=reading)
    doc = project.document(document)
    if paragraph is None:
        target, target_id, where = "document", doc.id, doc.name
    else:
        para = project.paragraph(doc, paragraph)
        target, target_id, where = "paragraph", para.id, f"{doc.name} {para.ref}"
    if reading:
        memos = project.memos_on(target, [target_id]).get(target_id, [])
        if as_json:
            emit_json({"target": target, "where": where,
                       "memos": [{"coder": who, "text": body} for who, body in memos]})
        elif not memos:
            say(f"no memo on {where}")
        else:
            for who, body in memos:
                say(f"memo on {where} ({who}):")
                say(body)
        return
    if edit:
        current = project.memo(target, target_id, coder) or ""
        try:
            edited = click.edit(current, extension=".md", require_save=True)
        except click.ClickException as exc:
            raise QcodeError(f"the editor failed ({exc.message}); nothing changed") from exc
        if edited is None or edited.strip() == current.strip():
            say(f"memo on {where} unchanged; nothing changed")
            return
        written = edited
    before = project.memo(target, target_id, coder)
    project.set_memo(target, target_id, None if delete else written, coder=coder)
    after = project.memo(target, target_id, coder)
    if before == after:
        say(f"memo on {where} already was that; nothing changed")
    elif after is None:
        say(f"deleted your memo on {where}", dim=f"({coder})")
    else:
        say(f"memo on {where} saved", dim=f"({coder})")


def register(group: click.Group) -> None:
    """Add ``qcode memo``."""
    group.add_command(memo)
