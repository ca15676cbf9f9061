"""``qcode autocode``: tag every paragraph a search finds, as one undoable change."""

from __future__ import annotations

import click

from qcode.cli.common import console, emit_json, open_project, say, shared
from qcode.cli.passages import heading, marked
from qcode.core.autocode import Found, Plan, Request, apply, plan
from qcode.core.model import format_time
from qcode.core.search import centred_snippet


def _record(found: Found) -> dict[str, object]:
    p = found.paragraph
    return {
        "document": found.document, "label": p.ref, "ordinal": p.ordinal,
        "speaker": p.speaker, "section": p.section, "time": format_time(p.time_ms),
        "matched": [p.text[s:e] for s, e in found.matches],
        "snippet": found.snippet, "highlights": [list(h) for h in found.highlights],
        "carries": found.carries,
    }


@click.command("autocode")
@click.argument("query")
@click.argument("codes", nargs=-1, required=True)
@click.option("--exact", is_flag=True, help="No typo tolerance: each word as written.")
@click.option("--regex", is_flag=True,
              help="QUERY is a Python regular expression (case-sensitive; (?i) for any case).")
@click.option("--document", metavar="DOC", help="Only this document.")
@click.option("--speaker", metavar="NAME", help="Only what this speaker said.")
@click.option("--code", metavar="CODE",
              help="Only paragraphs already carrying this code (a parent: any code below it).")
@click.option("--uncoded", is_flag=True, help="Only paragraphs no coder has coded yet.")
@click.option("--preview", is_flag=True, help="List what would be tagged; change nothing.")
@shared(coder=True, as_json=True)
def autocode_command(ctx: click.Context, query: str, codes: tuple[str, ...], exact: bool,
                     regex: bool, document: str | None, speaker: str | None, code: str | None,
                     uncoded: bool, preview: bool, coder: str, as_json: bool) -> None:
    """Tag every paragraph matching QUERY with the CODEs, as one change.

    \b
    QUERY is written as for `qcode search` (words, "a phrase", typos forgiven
    unless --exact), or is a regular expression with --regex. Every hit is
    tagged, not a page of them. --preview lists them (✓: already carries the
    codes) and changes nothing; without it, one `qcode undo` takes the whole
    run back. The codings record the command that made them:
    `qcode report frequencies --by origin` tells them from hand-coding.
      qcode autocode '"Public Chamber"' "GONGOs and the Public Chamber" --preview
    """
    opened = open_project(ctx, readonly=preview)
    request = Request(query, codes, regex=regex, exact=exact, document=document,
                      speaker=speaker, code=code, uncoded=uncoded)
    planned = plan(opened, request, coder=coder)
    event = None
    if not preview and planned.pairs:
        event = apply(opened, planned).event_id
    if as_json:
        emit_json({
            "query": query, "regex": regex, "codes": [c.name for c in planned.codes],
            "coder": coder, "origin": planned.origin, "preview": preview,
            "paragraphs": planned.paragraphs, "already": planned.already,
            ("would_tag" if preview else "tagged"): planned.to_tag, "event": event,
            "matches": [_record(f) for f in planned.found],
        })
        return
    names = ", ".join(repr(c.name) for c in planned.codes)
    if not planned.found:
        say(f"no paragraph matches {query!r}: nothing to change")
        return
    if preview:
        _print(planned)
    noun = "paragraph matches" if planned.paragraphs == 1 else "paragraphs match"
    counts = f"{planned.paragraphs} {noun}, {planned.already} already carry {names}"
    if not planned.pairs:
        say(f"{counts}: nothing to change")
    elif preview:
        say(f"{counts}; {planned.to_tag} would be tagged (preview: nothing changed)")
    else:
        say(f"{counts}; tagged {planned.to_tag} with {names}",
            dim=f"({coder}; one change: qcode undo takes it back)")


def _print(planned: Plan) -> None:
    from rich.text import Text

    width = max(40, console.width - 4)
    for found in planned.found:
        p = found.paragraph
        lead = Text("✓ " if found.carries else "  ", style="bold green")
        console.print(heading(found.document, p, lead=lead), soft_wrap=True)
        snippet, highlights = centred_snippet(p.text, found.matches, width=2 * width,
                                              focus=found.focus)
        console.print(marked(snippet, highlights, indent=4))


def register(group: click.Group) -> None:
    """Add ``qcode autocode`` to the CLI."""
    group.add_command(autocode_command)
