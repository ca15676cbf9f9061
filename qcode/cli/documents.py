"""``qcode import``, ``qcode documents``, ``qcode show``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qcode.cli.common import (
    console,
    emit_json,
    open_project,
    shared,
)
from qcode.core.errors import QcodeError
from qcode.core.model import Document, format_time

if TYPE_CHECKING:
    from qcode.ingest import importer

# The importers (every format, REFI-QDA, YAML, rapidfuzz) and rich are loaded by the
# command that uses them: `qcode documents --json` from a script loaded 377 modules.


def _parse_attributes(values: tuple[str, ...]) -> dict[str, str]:
    result = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise QcodeError(f"--attribute {item!r}: write it as KEY=VALUE")
        result[key.strip()] = value.strip()
    return result


@click.command("import")
@click.argument("given", metavar="FILES...", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("--name", help="Document name (one file only; default: the file name).")
@click.option("--kind", help="Document kind: interview, article, notes… (default: interview).")
@click.option("--as", "as_key", metavar="KEY",
              help="Take the attributes of this catalog entry (e.g. --as alpern).")
@click.option("--metadata", "catalog_file", type=click.Path(path_type=Path),
              help="Metadata catalog (YAML) to match files against; kept in the project.")
@click.option("--attribute", "-a", "attributes", multiple=True, metavar="KEY=VALUE",
              help="Set a document attribute (repeatable).")
@click.option("--encoding", help="Text encoding of legacy files (e.g. cp1251, latin-1).")
@click.option("--skip-existing", is_flag=True,
              help="Skip files whose text is already in the project instead of failing.")
@shared(coder=True, as_json=True)
def import_(
    ctx: click.Context, given: tuple[Path, ...], coder: str, as_json: bool,
    name: str | None, kind: str | None, as_key: str | None, catalog_file: Path | None,
    attributes: tuple[str, ...], encoding: str | None, skip_existing: bool,
) -> None:
    """Import transcripts (.txt, .md, .docx, .odt, .rtf, .html, .pdf, .vtt, .srt).

    Paragraphs split on blank lines; "§12", "[12]" or numbered paragraphs keep their
    number as label; a speaker's label at a paragraph's start ("Q:", "Moderator:",
    "resp-2:", "Name Surname:", any label that recurs) sets the speaker, a timestamp
    beside it the paragraph's time. WebVTT and SubRip cues join into turns. Every file
    is read and checked before anything is written: a bad file changes nothing. Files
    whose name matches the metadata catalog (see --metadata) get its attributes. A
    folder gives the files in it that qcode can import.

    A PDF gives its text layer, one paragraph per block of its layout, each knowing
    its page (a scan without text is refused: run OCR first).

    QualCoder projects (the PROJECT.qda folder, or its data.qda) and REFI-QDA projects
    (.qdpx, .qde) from NVivo, ATLAS.ti, MAXQDA… bring their codebook,
    coders, codings and notes; their selections are coded onto every paragraph they
    overlap, the exact selection kept, and a report says how each was mapped.
    """
    from rich.markup import escape

    from qcode.cli.exchange import import_projects
    from qcode.cli.progress import progress_bar
    from qcode.ingest import importer
    from qcode.ingest.catalog import CATALOG_KEY, load_catalog, stored_catalog
    from qcode.ingest.files import importable_files, is_project_file

    paths = importable_files(str(f) for f in given)
    if name and len(paths) > 1:
        raise QcodeError("--name applies to one file; import the files one by one")
    if any(is_project_file(f) for f in paths):
        if not all(is_project_file(f) for f in paths):
            raise QcodeError("import projects of other tools (.qdpx, .qde, .qda) on their "
                             "own, not together with transcripts")
        if name or kind or as_key or catalog_file or attributes or encoding:
            raise QcodeError("--name, --kind, --as, --metadata, --attribute and --encoding "
                             "do not apply to projects of other tools (.qdpx, .qde, .qda)")
        import_projects(open_project(ctx), tuple(paths), coder=coder, as_json=as_json)
        return
    opened = open_project(ctx)
    catalog = load_catalog(catalog_file) if catalog_file else stored_catalog(opened)
    with progress_bar(len(paths) > 1, "reading", len(paths)) as advance_read:
        prepared = importer.prepare(
            opened, paths, encoding=encoding, kind=kind, catalog=catalog, as_key=as_key,
            attributes=_parse_attributes(attributes), skip_existing=skip_existing,
            progress=lambda _path: advance_read(1),
        )
    if catalog_file and catalog is not None:
        opened.set_meta({CATALOG_KEY: catalog.to_json()}, coder=coder,
                        summary=f"metadata catalog from {catalog_file.name}")
    verbose = len(prepared) <= 20 and not as_json
    tally = importer.ImportTally(len(prepared))
    advance: Callable[[int], None] = lambda _n: None  # noqa: E731 - set by the bar below

    def report(item: importer.PreparedFile, added: Document | None) -> None:
        advance(1)
        tally.record(item, added)
        if not verbose:
            return
        if added is None:
            console.print(f"[yellow]skipped[/] {escape(str(item.path))}: already in the project")
            return
        shown = " ".join(f"{k}={v}" for k, v in sorted(item.attributes.items())[:3])
        console.print(f"imported [bold]{escape(added.name)}[/] ({item.paragraphs} "
                      "paragraphs)" + (f"  [dim]{escape(shown)}…[/]" if shown else ""))

    try:
        with progress_bar(len(prepared) > 1, "importing", len(prepared)) as bar:
            advance = bar
            importer.write(opened, prepared, coder=coder, name=name, done=report)
    except KeyboardInterrupt:
        console.print(f"cancelled: {len(tally.documents_added)} of {len(prepared)} documents "
                      "imported, each whole; nothing half-written")
        raise SystemExit(130) from None
    if as_json:
        emit_json(tally.data())
    elif not verbose:
        console.print(f"imported {len(tally.documents_added)} documents "
                      f"({tally.paragraphs:,} paragraphs); {len(tally.skipped)} skipped as "
                      "already in the project")


@click.command()
@shared(coder=True, as_json=True)
def documents(ctx: click.Context, coder: str, as_json: bool) -> None:
    """List documents with their size and the coder's progress."""
    opened = open_project(ctx, readonly=True)
    rows = opened.documents(coder=coder)
    if as_json:
        emit_json([
            {"name": r.document.name, "guid": r.document.guid, "title": r.document.title,
             "kind": r.document.kind, "language": r.document.language,
             "paragraphs": r.paragraphs, "coded_by_coder": r.coded, "codings": r.codings,
             "attributes": r.attributes}
            for r in rows
        ])
        return
    if not rows:
        console.print("no documents yet: qcode import FILE…")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"documents — progress of {escape(coder)}", title_justify="left")
    for column in ("name", "kind", "paragraphs", "coded", "title"):
        table.add_column(column, justify="right" if column in {"paragraphs", "coded"} else "left")
    for r in rows:
        share = f"{r.coded}/{r.paragraphs}"
        table.add_row(escape(r.document.name), r.document.kind, str(r.paragraphs), share,
                      escape(r.document.title or ""))
    console.print(table)


@click.command()
@click.argument("document")
@click.option("--coder", default=None, help="Show only this coder's codes (default: everyone's).")
@shared(as_json=True)
def show(ctx: click.Context, document: str, coder: str | None,
         as_json: bool) -> None:
    """Show a document: paragraphs with labels, sections, speakers, codes and memos (on
    the document, on each paragraph and on each coding)."""
    opened = open_project(ctx, readonly=True)
    doc = opened.document(document)
    codes = {c.id: c for c in opened.codes()}
    coders = {c.id: c.name for c in opened.coders()}
    codings = opened.codings_for_document(doc.id, coder=coder)
    paragraphs = opened.paragraphs(doc.id)
    on_document = opened.memos_on("document", [doc.id]).get(doc.id, [])
    on_paragraphs = opened.memos_on("paragraph", [p.id for p in paragraphs])
    coding_memos = opened.coding_memos(doc.id)
    if coder is not None:
        on_document = [m for m in on_document if m[0] == coder]
        on_paragraphs = {k: [m for m in v if m[0] == coder] for k, v in on_paragraphs.items()}
    if as_json:
        emit_json({
            "name": doc.name, "guid": doc.guid, "title": doc.title, "kind": doc.kind,
            "author": doc.author, "licence": doc.licence, "language": doc.language,
            "source": doc.source, "sha256": doc.sha256,
            "attributes": opened.attributes(doc.id),
            "memos": [{"coder": who, "text": text} for who, text in on_document],
            "paragraphs": [
                {"ordinal": p.ordinal, "label": p.label, "section": p.section,
                 "speaker": p.speaker, "time": format_time(p.time_ms), "page": p.page,
                 "text": p.text, "start": p.start, "end": p.end,
                 "codes": [{"code": codes[c].name, "coder": coders[k],
                            "memo": coding_memos.get((p.id, c, k))}
                           for c, k in codings.get(p.id, [])],
                 "memos": [{"coder": who, "text": text}
                           for who, text in on_paragraphs.get(p.id, [])]}
                for p in paragraphs
            ],
        })
        return
    from rich.markup import escape
    from rich.text import Text

    console.print(f"[bold]{escape(doc.title or doc.name)}[/]  [dim]{escape(doc.name)}[/]")
    if doc.author:
        console.print(f"[dim]{escape(doc.author)}[/]")
    for who, text in on_document:
        console.print(f"[italic]memo ({escape(who)}):[/] {escape(text)}", soft_wrap=True)
    section, page = None, None
    for p in paragraphs:
        if p.section != section and p.section:
            console.print(f"\n[bold underline]{escape(p.section)}[/]")
        section = p.section
        if p.page is not None and p.page != page:
            console.print(f"[dim]{'p. ' + str(p.page):>9}[/]")  # where a printed page starts
        page = p.page
        line = Text()
        line.append(f"{p.ref:>9} ", style="bold cyan")
        if p.time_ms is not None:
            line.append(f"[{format_time(p.time_ms)}] ", style="dim")
        if p.speaker:
            line.append(f"{p.speaker}: ", style="bold")
        line.append(p.text)
        console.print(line)
        chips = Text(" " * 10)
        for code_id, coder_id in codings.get(p.id, []):
            code = codes[code_id]
            chips.append(f" {code.name} ", style=f"black on {code.colour or 'white'}")
            chips.append(f" {coders[coder_id]}  ", style="dim")
        if codings.get(p.id):
            console.print(chips)
        for code_id, coder_id in codings.get(p.id, []):
            note = coding_memos.get((p.id, code_id, coder_id))
            if note:
                console.print(f"{'':10}[italic]memo on {escape(codes[code_id].name)} "
                              f"({escape(coders[coder_id])}):[/] {escape(note)}")
        for who, text in on_paragraphs.get(p.id, []):
            console.print(f"{'':10}[italic]memo ({escape(who)}):[/] {escape(text)}")


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    group.add_command(import_)
    group.add_command(documents)
    group.add_command(show)
