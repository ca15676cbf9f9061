"""``qcode export FILE.qdpx``, and the REFI-QDA side of ``qcode import``."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.markup import escape

from qcode.cli.common import (
    console,
    emit_json,
    open_project,
    shared,
)
from qcode.cli.progress import counted_progress
from qcode.core.errors import QcodeError
from qcode.core.project import Project
from qcode.exchange.qualcoder import import_qualcoder, is_qualcoder
from qcode.exchange.refi_plan import ImportReport
from qcode.exchange.refi_qdpx import import_qdpx
from qcode.exchange.refi_qdpx_export import export_qdpx


@click.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.option("--positions", type=click.Choice(["original", "standard"]), default="original",
              show_default=True,
              help="original: a document from another tool keeps its line breaks and that "
                   "tool's way of counting positions (NVivo's UTF-16 units); standard: "
                   "every text with \\n line breaks, positions in code points.")
@shared(as_json=True)
def export(ctx: click.Context, file: Path, force: bool, positions: str,
           as_json: bool) -> None:
    """Export the project as a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA…

    The archive holds every document's text, the coders, the codebook, document
    attributes (as variables), memos (as notes) and every coding: a coding made in
    qcode as a selection of its paragraph, one that came from another tool as the
    exact selection it came with. `qcode import FILE.qdpx` reads it back without loss.
    """
    if file.suffix.lower() != ".qdpx":
        raise QcodeError(f"{file}: a REFI-QDA project file ends in .qdpx")
    try:
        with counted_progress("exporting sources") as update:
            summary = export_qdpx(open_project(ctx, readonly=True), file, force=force,
                                  progress=update, original=positions == "original")
    except KeyboardInterrupt:
        console.print(f"cancelled: {escape(str(file))} was not written")
        raise SystemExit(130) from None
    if as_json:
        emit_json(asdict(summary))
        return
    console.print(
        f"exported [bold]{escape(str(file))}[/]: {summary.documents} documents, "
        f"{summary.codes} codes, {summary.codings} codings by {summary.coders} coders, "
        f"{summary.memos} memos, {summary.variables} variables"
    )


def import_projects(project: Project, files: tuple[Path, ...], *, coder: str,
                    as_json: bool = False) -> None:
    """Import other tools' projects one after another and print what each did (with
    ``as_json``, one report, or a list of them for several files)."""
    reports = []
    for path in files:
        try:
            with counted_progress(f"importing {path.name}") as update:
                if is_qualcoder(path):
                    report = import_qualcoder(project, path, coder=coder, progress=update)
                else:
                    report = import_qdpx(project, path, coder=coder, progress=update)
        except KeyboardInterrupt:
            console.print(f"cancelled: {escape(str(path))} stopped between two documents; "
                          "every document imported so far is whole")
            raise SystemExit(130) from None
        if as_json:
            reports.append(report_data(report))
        else:
            print_report(report)
    if as_json:
        emit_json(reports[0] if len(reports) == 1 else reports)


def report_data(report: ImportReport) -> dict[str, Any]:
    """The import report as plain data (for --json)."""
    return {
        "file": report.path, "origin": report.origin, "backup": report.backup,
        "documents_added": report.documents_added,
        "documents_matched": report.documents_matched,
        "skipped": report.skipped, "skipped_selections": report.skipped_selections,
        "notes": report.notes,
        "coders_added": report.coders_added,
        "codes_added": report.codes_added, "codes_updated": report.codes_updated,
        "selections": report.selections, "codings_mapped": report.codings_mapped,
        "codings_added": report.codings_added, "codings_present": report.codings_present,
        "memos_added": report.memos_added, "memos_present": report.memos_present,
        "documents": [
            {"name": d.name, "unit": d.unit, "unit_reason": d.unit_reason,
             "paragraphs": d.layout, "selections": d.selections,
             **{kind: len(getattr(d, kind)) for kind in _KINDS},
             "codings": len(d.codings), "codings_of_unknown_codes": d.unknown_codes}
            for d in report.documents
        ],
        "examples": {kind: report.examples(kind) for kind in _KINDS[1:]},
    }


_KINDS = ("whole", "partial", "spanning", "unplaced")


def print_report(report: ImportReport) -> None:
    """The import report for a person: counts first, then how selections were mapped."""
    origin = f" (written by {escape(report.origin)})" if report.origin else ""
    console.print(f"imported [bold]{escape(report.path)}[/]{origin}")
    console.print(
        f"  {len(report.documents_added)} documents added, "
        f"{len(report.documents_matched)} already here; {len(report.codes_added)} codes added, "
        f"{len(report.codes_updated)} updated; {report.codings_added} codings added"
        + (f" ({report.codings_present} were already coded)" if report.codings_present else "")
        + f"; {report.memos_added} memos"
    )
    alike: dict[tuple[str, str, str], list[str]] = {}
    for document in report.documents:
        key = (document.layout, document.unit, document.unit_reason)
        alike.setdefault(key, []).append(document.name)
    for (layout, unit, reason), names in alike.items():
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        console.print(f"  [bold]{escape(shown)}[/]: {escape(layout)}; positions read as "
                      f"{escape(unit)} [dim]({escape(reason)})[/]")
    if report.selections:
        counts = ", ".join(f"{report.count(kind)} {kind}" for kind in _KINDS)
        console.print(f"  {report.selections} selections → {report.codings_mapped} codings "
                      f"({counts}); a selection is coded onto every paragraph it overlaps")
    for kind, title in (("partial", "cover part of a paragraph"),
                        ("spanning", "span several paragraphs"),
                        ("unplaced", "touch no paragraph")):
        if report.count(kind):
            console.print(f"  {report.count(kind)} selections {title}, e.g.:")
            for line in report.examples(kind):
                console.print(f"    {escape(line)}", soft_wrap=True)
    unknown = sum(d.unknown_codes for d in report.documents)
    if unknown:
        console.print(f"  [yellow]{unknown} codings name codes not in the codebook; "
                      "not imported[/]")
    if report.coders_added:
        console.print(f"  new coders: {escape(', '.join(report.coders_added))}")
    for line in report.skipped:
        console.print(f"  [yellow]skipped[/] {escape(line)}")
    if report.skipped_selections:
        console.print(f"  [yellow]{report.skipped_selections} text selections in skipped sources "
                      "were not imported[/]")
    for line in report.notes:
        console.print(f"  [yellow]note[/] {escape(line)}")
    console.print(f"  [dim]backup of the project before the import: "
                  f"{escape(report.backup or '-')}[/]")


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    group.add_command(export)
