"""``qcode search``: the terminal UI's ``/`` as a command, on the same engine."""

from __future__ import annotations

import click

from qcode.cli.common import console, emit_json, open_project, say, shared
from qcode.cli.passages import heading, marked
from qcode.core.errors import QcodeError
from qcode.core.model import format_time
from qcode.core.search import Hit, centred_snippet, is_blank, scope_for, search


def _record(hit: Hit) -> dict[str, object]:
    p = hit.paragraph
    return {
        "document": hit.document, "label": p.ref, "ordinal": p.ordinal,
        "speaker": p.speaker, "section": p.section, "time": format_time(p.time_ms),
        "score": round(hit.score, 6), "match": hit.kind, "terms": list(hit.terms),
        "matched": [p.text[s:e] for s, e in hit.matches],
        "snippet": hit.snippet, "highlights": [list(h) for h in hit.highlights],
        "text": p.text, "matches": [list(m) for m in hit.matches],
    }


@click.command("search")
@click.argument("query", nargs=-1)
@click.option("--document", metavar="DOC", help="Only this document.")
@click.option("--speaker", metavar="NAME", help="Only what this speaker said.")
@click.option("--code", metavar="CODE",
              help="Only paragraphs carrying this code (a parent: any code below it).")
@click.option("-n", "--limit", type=click.IntRange(1, 100_000), default=20, show_default=True,
              help="How many hits to show.")
@shared(as_json=True)
def search_command(ctx: click.Context, query: tuple[str, ...], document: str | None,
                   speaker: str | None, code: str | None, limit: int, as_json: bool) -> None:
    """Find paragraphs by the words in them, typos forgiven.

    \b
    Every word is required; "a phrase in quotes" must appear as written
    (quote it for the shell too: qcode search '"power ministries"').
    A misspelt word finds the word meant, then the words built on it
    (goverment: government, then non-governmental), before other near
    spellings; exact and prefix matches come before fuzzy ones.
    """
    text = " ".join(query)
    if is_blank(text):
        raise QcodeError("nothing to search for: give a word or a \"phrase\" "
                         "(qcode search WORDS)")
    opened = open_project(ctx, readonly=True)
    where = scope_for(opened, document=document, speaker=speaker, code=code)
    hits = search(opened, text, limit=limit, scope=where)
    if as_json:
        emit_json([_record(h) for h in hits])
        return
    if not hits:
        say(f"no paragraph matches {text!r}")
        return
    _print(hits, limit)


def _print(hits: list[Hit], limit: int) -> None:

    width = max(40, console.width - 4)
    for hit in hits:
        p = hit.paragraph
        head = heading(hit.document, p)
        head.append(f"  {hit.score:.2f}", style="dim")
        console.print(head, soft_wrap=True)
        # Two lines of the terminal for the text, centred on the best match.
        snippet, highlights = centred_snippet(p.text, hit.matches, width=2 * width,
                                              focus=hit.focus)
        console.print(marked(snippet, highlights))
    more = " (more with --limit)" if len(hits) == limit else ""
    noun = "hit" if len(hits) == 1 else "hits"
    say(f"{len(hits)} {noun}{more}")


def register(group: click.Group) -> None:
    """Add ``qcode search`` to the CLI."""
    group.add_command(search_command)
