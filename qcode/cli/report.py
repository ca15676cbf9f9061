"""``qcode report frequencies|cooccurrence|segments|summary|matrix|all``: numbers, quotes.

Thin: parse options, call :mod:`qcode.reports`, print or write what
:mod:`qcode.reports.render` makes of the result.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from qcode.cli.common import console, open_project, shared
from qcode.cli.terminal import echo
from qcode.core.errors import QcodeError
from qcode.core.project import Project
from qcode.reports.cooccurrence import MEASURES, cooccurrence
from qcode.reports.filters import ReportFilter, parse_attribute, report_context
from qcode.reports.frequencies import frequencies
from qcode.reports.matrix import UNITS, code_matrix
from qcode.reports.render import (
    BINARY,
    FORMATS,
    Report,
    format_for,
    render,
    render_bytes,
    write_report,
)

F = TypeVar("F", bound=Callable[..., Any])


def filter_options(*, codes: bool = True) -> Callable[[F], F]:
    """--coder, --document, --attribute (and --code): repeatable, composing filters."""

    def decorate(func: F) -> F:
        options = [
            click.option("--coder", "coders", multiple=True, metavar="NAME",
                         help="Count only this coder's codings (repeat for several)."),
            click.option("--document", "documents", multiple=True, metavar="DOC",
                         help="Only this document (repeat for several)."),
            click.option("--attribute", "-a", "attributes", multiple=True, metavar="KEY=VALUE",
                         help="Only documents with this attribute value (repeatable; "
                              "same key: either value, different keys: both)."),
        ]
        if codes:
            options.append(click.option("--code", "codes", multiple=True, metavar="CODE",
                                        help="Only this code (repeat for several)."))
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def output_options(func: F) -> F:
    """--format, -o/--output, --force."""
    for option in reversed([
        click.option("--format", "-f", "fmt", type=click.Choice(FORMATS), default=None,
                     help="Output format (default: table, or what -o's suffix names)."),
        click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
                     help="Write to this file (.csv .json .md .html .txt .xlsx) instead of "
                          "printing."),
        click.option("--force", is_flag=True, help="Overwrite the output file if it exists."),
    ]):
        func = option(func)
    return func


def _filter(coders: tuple[str, ...], documents: tuple[str, ...],
            attributes: tuple[str, ...], codes: tuple[str, ...] = ()) -> ReportFilter:
    return ReportFilter(coders=coders, documents=documents, codes=codes,
                        attributes=tuple(parse_attribute(a) for a in attributes))


def _open(ctx: click.Context, output: Path | None, force: bool, fmt: str | None) -> Project:
    """Check the output before any work: an existing file fails fast and stays as it is."""
    chosen = format_for(output, fmt)
    if chosen in BINARY and output is None:
        raise QcodeError(f"--format {chosen} writes a file: add -o FILE.{chosen}")
    if output is not None:
        if output.exists() and not force and not output.is_dir():
            raise QcodeError(f"{output}: already exists; pass --force to overwrite it")
        if not output.parent.exists():
            raise QcodeError(f"{output}: folder {output.parent} does not exist")
    ctx.meta["qcode_format"] = chosen
    return open_project(ctx, readonly=True)


def _emit(ctx: click.Context, report: Report, output: Path | None, force: bool) -> None:
    fmt = ctx.meta["qcode_format"]
    if output is not None:
        from rich.markup import escape

        write_report(render_bytes(report, fmt), output, force=force)
        console.print(f"wrote {escape(str(output))} ({fmt})")
    elif fmt == "table":
        from qcode.reports.terminal import renderable

        console.print(renderable(report))
    else:
        echo(render(report, fmt), nl=False)


@click.group("report")
def report_group() -> None:
    """Numbers and quotes for the paper: frequencies, co-occurrence, segments, summary.

    Every report prints a table, or writes csv/json (tidy: one row per code × group),
    markdown or a self-contained html file with -o FILE. Filters compose: repeat one
    to allow several values, combine different ones to narrow down.
    """


@report_group.command("frequencies", short_help="Paragraphs, documents and codings per code.")
@click.option("--by", metavar="document|coder|speaker|origin|ATTRIBUTE",
              help="Break the counts down by document, coder, speaker, origin (by hand, "
                   "or which `qcode autocode`) or a document attribute (e.g. generation, "
                   "organisation).")
@filter_options()
@output_options
@shared()
def frequencies_command(ctx: click.Context, by: str | None,
                        coders: tuple[str, ...], documents: tuple[str, ...],
                        attributes: tuple[str, ...], codes: tuple[str, ...], fmt: str | None,
                        output: Path | None, force: bool) -> None:
    """Per code: paragraphs coded, documents, share of all paragraphs, codings.

    A parent code counts each paragraph carrying it or any code below it once; "own"
    counts the code alone. Counts are distinct paragraphs, not codings.
    """
    opened = _open(ctx, output, force, fmt)
    flt = _filter(coders, documents, attributes, codes)
    rows = frequencies(opened, flt, by=by)
    title = "Code frequencies" + (f" by {by}" if by else "")
    _emit(ctx, Report(report_context(opened, flt, title), frequencies=rows), output, force)


@report_group.command("cooccurrence", short_help="Paragraphs carrying both codes, code × code.")
@click.option("--measure", type=click.Choice(MEASURES), default="count", show_default=True,
              help="Cell value: paragraphs with both codes, the Jaccard index or the "
                   "c-coefficient n12/(n1+n2-n12) (the same number on paragraphs).")
@click.option("--rollup", is_flag=True,
              help="A code stands for itself and its sub-codes (compare themes).")
@filter_options()
@output_options
@shared()
def cooccurrence_command(ctx: click.Context, measure: str, rollup: bool,
                         coders: tuple[str, ...], documents: tuple[str, ...],
                         attributes: tuple[str, ...], codes: tuple[str, ...],
                         fmt: str | None, output: Path | None, force: bool) -> None:
    """Code × code matrix of paragraphs carrying both codes."""
    opened = _open(ctx, output, force, fmt)
    flt = _filter(coders, documents, attributes, codes)
    matrix = cooccurrence(opened, flt, rollup=rollup)
    context = report_context(opened, flt, "Code co-occurrence")
    _emit(ctx, Report(context, cooccurrence=matrix, measure=measure), output, force)


@report_group.command("segments", short_help="The paragraphs behind a theme, with sources.")
@click.argument("theme_codes", metavar="CODE...", nargs=-1, required=True)
@click.option("--with-children", is_flag=True, help="Include the codes below each CODE.")
@filter_options(codes=False)
@output_options
@shared()
def segments_command(ctx: click.Context, theme_codes: tuple[str, ...],
                     with_children: bool, coders: tuple[str, ...], documents: tuple[str, ...],
                     attributes: tuple[str, ...], fmt: str | None, output: Path | None,
                     force: bool) -> None:
    """Every paragraph coded with CODE: document, §, section, speaker, coder, memo.

    The quotes behind a theme, ready for a paper. Name codes as in `qcode tag`.
    """
    opened = _open(ctx, output, force, fmt)
    flt = _filter(coders, documents, attributes)
    from qcode.reports.segments import segments

    rows = segments(opened, theme_codes, flt, with_children=with_children)
    context = report_context(opened, flt, "Segments: " + ", ".join(theme_codes))
    _emit(ctx, Report(context, segments=rows), output, force)


@report_group.command("summary", short_help="The project at a glance.")
@filter_options()
@output_options
@shared()
def summary_command(ctx: click.Context, coders: tuple[str, ...],
                    documents: tuple[str, ...], attributes: tuple[str, ...],
                    codes: tuple[str, ...], fmt: str | None, output: Path | None,
                    force: bool) -> None:
    """The project at a glance: documents, paragraphs, share coded, coders, codes."""
    opened = _open(ctx, output, force, fmt)
    flt = _filter(coders, documents, attributes, codes)
    from qcode.reports.summary import summary

    result = summary(opened, flt)
    _emit(ctx, Report(report_context(opened, flt, "Project summary"), summary=result),
          output, force)


@report_group.command("all", short_help="Everything in one report (e.g. -o report.html).")
@click.option("--by", metavar="document|coder|speaker|origin|ATTRIBUTE",
              help="Break frequencies down.")
@click.option("--measure", type=click.Choice(MEASURES), default="count", show_default=True,
              help="Co-occurrence cell value.")
@click.option("--rollup", is_flag=True, help="Co-occurrence of codes with their sub-codes.")
@click.option("--segments/--no-segments", "with_segments", default=True, show_default=True,
              help="Include the coded paragraphs of every code.")
@filter_options()
@output_options
@shared()
def all_command(ctx: click.Context, by: str | None, measure: str,
                rollup: bool, with_segments: bool, coders: tuple[str, ...],
                documents: tuple[str, ...], attributes: tuple[str, ...],
                codes: tuple[str, ...], fmt: str | None, output: Path | None,
                force: bool) -> None:
    """Summary, frequencies, co-occurrence and segments in one report.

    Made for `-o report.html` (one self-contained file with the charts) or `.md`.
    """
    from qcode.reports.segments import segments
    from qcode.reports.summary import summary

    opened = _open(ctx, output, force, fmt)
    flt = _filter(coders, documents, attributes, codes)
    result = Report(
        report_context(opened, flt, opened.name),
        summary=summary(opened, flt),
        frequencies=frequencies(opened, flt, by=by),
        cooccurrence=cooccurrence(opened, flt, rollup=rollup),
        segments=segments(opened, (), flt) if with_segments else None,
        measure=measure,
        codebook=opened.code_tree(),
    )
    _emit(ctx, result, output, force)


@report_group.command("matrix", short_help="One row per paragraph, one 0/1 column per code.")
@click.option("--unit", type=click.Choice(UNITS), default="paragraph", show_default=True,
              help="paragraph: one row per paragraph, 1 where it carries the code; document: "
                   "one row per document, counting the paragraphs that carry each code.")
@click.option("--by", type=click.Choice(["coder"]), default=None,
              help="One row per coder too (for each document the coder reviewed), for "
                   "agreement in R or pandas.")
@filter_options()
@output_options
@shared()
def matrix_command(ctx: click.Context, unit: str, by: str | None, coders: tuple[str, ...],
                   documents: tuple[str, ...], attributes: tuple[str, ...],
                   codes: tuple[str, ...], fmt: str | None, output: Path | None,
                   force: bool) -> None:
    """The codings as a table for R, pandas or Excel: document, paragraph, label,
    section, speaker, the document's attributes, then one column per code.

    `--format csv` reads straight into R (read.csv) and pandas (read_csv) with numbers
    as numbers; `-o matrix.xlsx` writes a workbook. --code keeps only those columns.
    """
    opened = _open(ctx, output, force, fmt)
    flt = _filter(coders, documents, attributes, codes)
    table = code_matrix(opened, flt, unit=unit, by=by)
    title = f"Code matrix by {unit}" + (" and coder" if by else "")
    _emit(ctx, Report(report_context(opened, flt, title), matrix=table), output, force)


def register(group: click.Group) -> None:
    """Add ``qcode report`` to the CLI."""
    group.add_command(report_group)
