"""``qcode agree`` (inter-coder agreement, disagreements) and ``qcode reviewed``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape

from qcode.cli.common import console, open_project, shared
from qcode.cli.terminal import echo
from qcode.core.errors import QcodeError
from qcode.reports.agreement import agreement, disagreements
from qcode.reports.agreement_render import (
    FORMATS,
    disagreements_table,
    render,
    render_bytes,
    render_disagreements,
    table,
)
from qcode.reports.filters import parse_attribute
from qcode.reports.render import format_for, write_report


def _names(values: tuple[str, ...]) -> list[str]:
    """``--coders alice,bob --coders carol`` -> [alice, bob, carol]."""
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def _output_format(output: Path | None, fmt: str | None, force: bool) -> str:
    """Check -o/--format before any work: an existing file fails fast and stays as is."""
    chosen = format_for(output, fmt)
    if chosen not in FORMATS:
        raise QcodeError(f"{output}: agree writes {', '.join(FORMATS)}; not {chosen} "
                         "(pass --format or use .csv .json .md .txt .xlsx)")
    if chosen == "xlsx" and output is None:
        raise QcodeError("--format xlsx writes a file: add -o FILE.xlsx")
    if output is not None:
        if output.exists() and not force and not output.is_dir():
            raise QcodeError(f"{output}: already exists; pass --force to overwrite it")
        if not output.parent.exists():
            raise QcodeError(f"{output}: folder {output.parent} does not exist")
    return chosen


@click.command("agree")
@click.option("--coders", "coder_names", multiple=True, metavar="NAMES",
              help="Compare these coders (comma-separated or repeated; default: everyone "
                   "who reviewed a document, except 'consensus').")
@click.option("--code", "codes", multiple=True, metavar="CODE",
              help="Only this code (repeat for several; default: every codable code).")
@click.option("--document", "documents", multiple=True, metavar="DOC",
              help="Only this document (repeat for several).")
@click.option("--attribute", "-a", "attributes", multiple=True, metavar="KEY=VALUE",
              help="Only documents with this attribute value (repeatable).")
@click.option("--bootstrap", type=click.IntRange(min=0), default=0, metavar="N",
              help="Add a 95% bootstrap interval for alpha from N resamples of the units.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Random seed of the bootstrap (the same seed gives the same interval).")
@click.option("--disagreements", "show_disagreements", is_flag=True,
              help="List the paragraphs where the coders differ instead of the figures.")
@click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format (default: table, or what -o's suffix names).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write to this file (.csv .json .md .txt .xlsx) instead of printing.")
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@shared()
def agree(ctx: click.Context, coder_names: tuple[str, ...],
          codes: tuple[str, ...], documents: tuple[str, ...], attributes: tuple[str, ...],
          bootstrap: int, seed: int, show_disagreements: bool, fmt: str | None,
          output: Path | None, force: bool) -> None:
    """Inter-coder agreement per code and overall.

    \b
    Figures: percent agreement (pairwise), Cohen's kappa (exactly 2
    coders), Fleiss' kappa and Krippendorff's alpha (nominal), with
    categories {0, 1} always.
    \b
    Definitions:
    - coders: those given with --coders, else everyone who has reviewed
      a document, except the coder named 'consensus';
    - reviewed: a coder has reviewed a document if they marked it
      (`qcode reviewed DOC`) or made at least one coding in it;
    - unit: a paragraph of a document reviewed by at least 2 of the
      coders; a coder's value is 1 if they applied the code, 0 if they
      reviewed the document but did not, missing if they did not review
      it (not opened is missing, not "absent");
    - overall: pooled over (paragraph, code) units of all the codes listed.
    \b
    The table shows the codes with figures first; codes whose figures are
    all undefined (N/A, e.g. no variation when no one used them) are named
    in one line below it, and listed in full by --format csv or json.
    --disagreements lists, per code, the paragraphs where some reviewing
    coders applied the code and others did not.
    """
    chosen = _output_format(output, fmt, force)
    opened = open_project(ctx, readonly=True)
    names = _names(coder_names)
    pairs = [parse_attribute(a) for a in attributes]
    if show_disagreements:
        found = disagreements(opened, coders=names, codes=codes, documents=documents,
                              attributes=pairs)
        if output is None and chosen == "table":
            console.print(disagreements_table(found.found))
            return
        if output is None:
            echo(render_disagreements(found.found, chosen), nl=False)
            return
        data = render_bytes(found, chosen)
    else:
        report = agreement(opened, coders=names, codes=codes, documents=documents,
                           attributes=pairs, bootstrap=bootstrap, seed=seed)
        if output is None and chosen == "table":
            console.print(table(report))
            return
        if output is None:
            echo(render(report, chosen), nl=False)
            return
        data = render_bytes(report, chosen)
    write_report(data, output, force=force)
    console.print(f"wrote {escape(str(output))} ({chosen})")


@click.command("reviewed")
@click.argument("document")
@click.option("--undo", is_flag=True, help="Withdraw your reviewed mark on DOCUMENT.")
@shared(coder=True)
def reviewed(ctx: click.Context, document: str, coder: str,
             undo: bool) -> None:
    """Mark DOCUMENT as reviewed by you (for `qcode agree`).

    A reviewed paragraph you did not tag counts as "code absent" for you; in a document
    you have not reviewed you are missing data. Making any coding in a document also
    counts as reviewing it, so mark the documents you read and found nothing to code.
    Undoable with `qcode undo`.
    """
    opened = open_project(ctx)
    doc = opened.document(document)
    changed = opened.mark_reviewed(doc, coder=coder, reviewed=not undo)
    who, name = escape(coder), escape(doc.name)
    if not undo:
        console.print(f"marked {name} as reviewed by {who}" if changed
                      else f"{name} was already marked as reviewed by {who}")
        return
    console.print(f"withdrew {who}'s reviewed mark on {name}" if changed
                  else f"{who} had not marked {name} as reviewed")
    codings = sum(len(v) for v in opened.codings_for_document(doc.id, coder).values())
    if codings:
        console.print(f"[dim]{name} still counts as reviewed by {who}: "
                      f"{codings} codings of theirs are in it[/]")


def register(group: click.Group) -> None:
    """Add ``qcode agree`` and ``qcode reviewed`` to the CLI."""
    for command in (agree, reviewed):
        group.add_command(command)
