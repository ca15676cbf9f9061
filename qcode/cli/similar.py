"""``qcode similar``: the paragraphs most like one paragraph, or like a code's."""

from __future__ import annotations

import click

from qcode.cli.common import console, emit_json, open_project, say, shared
from qcode.cli.passages import heading, marked
from qcode.core.errors import QcodeError
from qcode.core.model import format_time
from qcode.core.similar import Similar, Uncoded, code_scope, similar_to, similar_to_code


def _record(found: Similar) -> dict[str, object]:
    """One result as JSON: every field always of one type (no nulls)."""
    p = found.paragraph
    return {
        "document": found.document, "label": p.ref, "ordinal": p.ordinal,
        "speaker": p.speaker or "", "section": p.section or "",
        "time": format_time(p.time_ms) or "", "score": float(round(found.score, 6)),
        "shared": list(found.shared), "coded": found.coded,
        "snippet": found.snippet, "highlights": [list(h) for h in found.highlights],
        "text": p.text, "matches": [list(m) for m in found.matches],
    }


@click.command("similar")
@click.argument("document", required=False)
@click.argument("paragraph", required=False)
@click.option("--code", metavar="CODE",
              help="Rank the paragraphs not yet carrying CODE (or a code below it) by "
                   "likeness to those that do.")
@click.option("--uncoded", is_flag=True, help="Only paragraphs nobody has coded yet.")
@click.option("--uncoded-first", is_flag=True,
              help="Paragraphs nobody has coded yet first, then the others.")
@click.option("-n", "--limit", type=click.IntRange(1, 10_000), default=10, show_default=True,
              help="How many paragraphs to show.")
@shared(as_json=True)
def similar_command(ctx: click.Context, document: str | None, paragraph: str | None,
                    code: str | None, uncoded: bool, uncoded_first: bool, limit: int,
                    as_json: bool) -> None:
    """The paragraphs across the project most like one, with the words they share.

    \b
    qcode similar DOCUMENT PARAGRAPH     like this paragraph (a label such
                                         as §12, or a position such as #12)
    qcode similar --code CODE            paragraphs not yet carrying CODE,
                                         most like those that do
    The score is 0–1 (1: the same words in the same proportions); words
    count as shared across inflections (funding, funded, funds).
    """
    if code is not None and (document is not None or paragraph is not None):
        raise QcodeError("give either DOCUMENT PARAGRAPH or --code CODE, not both")
    if code is None and (document is None or paragraph is None):
        raise QcodeError("give a paragraph (qcode similar DOCUMENT PARAGRAPH) or a code "
                         "(qcode similar --code CODE)")
    if uncoded and uncoded_first:
        raise QcodeError("--uncoded already leaves out every coded paragraph: give one of "
                         "--uncoded and --uncoded-first")
    mode: Uncoded | None = "only" if uncoded else "first" if uncoded_first else None
    opened = open_project(ctx, readonly=True)
    if code is not None:
        name = repr(opened.code(code).name)
        found = similar_to_code(opened, code_scope(opened, code), limit=limit, uncoded=mode,
                                name=name)
        source = f"the paragraphs coded {name}"
    else:
        assert document is not None and paragraph is not None
        doc = opened.document(document)
        para, _by_position = opened.locate_paragraph(doc, paragraph)
        found = similar_to(opened, para.id, limit=limit, uncoded=mode)
        source = f"{doc.name} {para.ref}"
    if as_json:
        emit_json([_record(f) for f in found])
        return
    if not found:
        say(f"no paragraph shares a telling word with {source}")
        return
    _print(found, limit, source)


def _print(found: list[Similar], limit: int, source: str) -> None:
    from rich.text import Text

    for item in found:
        head = heading(item.document, item.paragraph)
        head.append(f"  {item.score:.2f}", style="dim")
        if not item.coded:
            head.append("  uncoded", style="yellow")
        console.print(head, soft_wrap=True)
        console.print(Text("  shares: " + ", ".join(item.shared[:8]), style="dim"),
                      soft_wrap=True)
        console.print(marked(item.snippet, item.highlights))
    more = " (more with --limit)" if len(found) == limit else ""
    noun = "paragraph" if len(found) == 1 else "paragraphs"
    say(f"{len(found)} {noun} like {source}{more}")


def register(group: click.Group) -> None:
    """Add ``qcode similar`` to the CLI."""
    group.add_command(similar_command)
