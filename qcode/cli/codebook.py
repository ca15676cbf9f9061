"""``qcode codebook load|import|show|export|diff|merge``: the codebook, shared."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click
from rich.markup import escape
from rich.tree import Tree

from qcode.cli.codebook_views import diff_lines, plan_lines
from qcode.cli.common import (
    console,
    emit_json,
    open_project,
    shared,
)
from qcode.cli.terminal import echo
from qcode.core.codebook.match import DEFAULT_THRESHOLD
from qcode.core.codebook.merge import RULES, Rule, plan_merge
from qcode.core.codebook.merge_apply import load_aliases, merge_changes
from qcode.core.codebook.model import Codebook
from qcode.core.errors import ProjectError, QcodeError
from qcode.core.project import CodebookLoad
from qcode.exchange.codebook_diff import diff_codebooks
from qcode.exchange.formats import (
    READERS,
    WRITERS,
    read_codebook,
    save_codebook,
    write_codebook,
)

PROJECT = "project"
_READ_FORMATS = click.Choice(sorted(READERS), case_sensitive=False)
_WRITE_FORMATS = click.Choice(sorted(WRITERS), case_sensitive=False)
threshold_option = click.option(
    "--threshold", type=click.FloatRange(0, 100), default=DEFAULT_THRESHOLD, show_default=True,
    help="Name similarity (0-100) from which differently named codes count as the same.",
)


@click.group()
def codebook() -> None:
    """Load, show and share the codebook."""


@codebook.command()
@click.argument("file", type=click.Path(path_type=Path))
@shared(coder=True)
def load(ctx: click.Context, file: Path, coder: str) -> None:
    """Load a codebook (YAML) into the project: new codes are added, codes with the
    same GUID updated; nothing else is touched. One undoable change."""
    opened = open_project(ctx)
    book = read_codebook(file, "yaml")
    _report_load(book, opened.load_codebook(book, coder=coder))


@codebook.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=_READ_FORMATS,
              help="yaml, qdc, qdpx, qde or csv (default: from the file's extension).")
@shared(coder=True)
def import_(ctx: click.Context, file: Path, fmt: str | None,
            coder: str) -> None:
    """Import a codebook from qcode (.yaml), REFI-QDA (.qdc; the codebook of a .qdpx or
    .qde project) or Taguette (.csv). Like `load`: codes are matched by GUID, new ones
    added, changed ones updated; one undoable change. To reconcile a diverged copy, use
    `qcode codebook merge`."""
    opened = open_project(ctx)
    book = read_codebook(file, fmt)
    try:
        result = opened.load_codebook(book, coder=coder)
    except QcodeError as exc:
        if isinstance(exc, ProjectError):
            raise
        raise QcodeError(f"{file}: {exc}; nothing was imported (to combine two codebooks "
                         f"use `qcode codebook merge {file}`)") from exc
    _report_load(book, result)


def _report_load(book: Codebook, result: CodebookLoad) -> None:
    if result.event_id is None:
        console.print(f"codebook {escape(book.name)!r} already up to date "
                      f"({result.unchanged} codes)", soft_wrap=True)
        return
    console.print(
        f"loaded codebook [bold]{escape(book.name)}[/]: {result.added} added, "
        f"{result.updated} updated, {result.unchanged} unchanged", soft_wrap=True,
    )


@codebook.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option("--format", "fmt", type=_WRITE_FORMATS,
              help="yaml, qdc, csv or markdown (default: from the extension; yaml for -).")
@shared()
def export(ctx: click.Context, file: Path, fmt: str | None) -> None:
    """Write the project's codebook to FILE (- for standard output): qcode YAML
    (lossless), REFI-QDA .qdc (NVivo, ATLAS.ti, MAXQDA, QualCoder), Taguette-style CSV
    (opens in a spreadsheet) or a Markdown document."""
    book = open_project(ctx, readonly=True).codebook()
    if str(file) == "-":
        echo(write_codebook(book, fmt or "yaml").decode("utf-8-sig"), nl=False)
        return
    used = save_codebook(book, file, fmt)
    console.print(f"wrote {len(book)} codes to {escape(str(file))} ({used})", soft_wrap=True)


def _side(ctx: click.Context, ref: str) -> tuple[Codebook, str]:
    """A codebook named on the command line: a file, or the open project's."""
    if ref == PROJECT and not Path(ref).exists():
        opened = open_project(ctx, readonly=True)
        return opened.codebook(), f"project {opened.path}"
    return read_codebook(Path(ref)), ref


@codebook.command()
@click.argument("a")
@click.argument("b")
@click.option("--text", "with_text", is_flag=True,
              help="Show every changed definition, word by word (default: a summary).")
@threshold_option
@shared(as_json=True)
def diff(ctx: click.Context, a: str, b: str, with_text: bool, threshold: float,
         as_json: bool) -> None:
    """What changed from codebook A to codebook B: the structure first (codes added,
    removed, renamed by GUID or by name similarity with its score, moved, made folders,
    recoloured), then how many definitions differ; --text shows each, word by word.
    A and B are files in any readable format, or the word `project` for the open
    project's codebook."""
    book_a, label_a = _side(ctx, a)
    book_b, label_b = _side(ctx, b)
    result = diff_codebooks(book_a, book_b, a_label=label_a, b_label=label_b,
                            threshold=threshold)
    if as_json:
        emit_json(result.to_json())
        return
    for line in diff_lines(result, text=with_text):
        console.print(line, soft_wrap=True)


@codebook.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=_READ_FORMATS, help="Format of FILE (default: extension).")
@click.option("--definitions", "rule", type=click.Choice(RULES), default="ours",
              show_default=True,
              help="When both sides differ: keep ours (names, places, colours, texts; "
                   "theirs are listed, not taken), take theirs, or both: their name, "
                   "place and colour, and both texts (theirs marked with FILE).")
@click.option("--accept-fuzzy", is_flag=True,
              help="Apply the merges guessed from name similarity (otherwise only proposed).")
@click.option("--dry-run", is_flag=True, help="Show the plan; change nothing.")
@threshold_option
@shared(coder=True, as_json=True)
def merge(ctx: click.Context, file: Path, fmt: str | None, rule: str, accept_fuzzy: bool,
          dry_run: bool, threshold: float, coder: str,
          as_json: bool) -> None:
    """Merge a diverged copy of the codebook into the project without losing a code or
    a coding. Codes match by GUID, then by name (case and accents ignored); names that
    are merely similar are proposed, and applied only with --accept-fuzzy. Codes merged
    into one keep all their codings. Their new codes, and texts we lack, are added; where
    both sides differ ours stay unless --definitions says otherwise, and theirs are
    listed. One change: `qcode undo` takes it back whole."""
    opened = open_project(ctx, readonly=dry_run)
    incoming = read_codebook(file, fmt)
    plan = plan_merge(opened.codebook(), incoming, source=file.name,
                      rule=cast(Rule, rule),  # click.Choice has checked it
                      threshold=threshold, accept_fuzzy=accept_fuzzy,
                      aliases=load_aliases(opened))
    outcome = (merge_changes(opened, plan)[1] if dry_run
               else opened.merge_codebook(plan, coder=coder))
    if as_json:
        emit_json({"plan": plan.to_json(), "dry_run": dry_run,
                   "outcome": {k: v for k, v in vars(outcome).items()}})
        return
    for line in plan_lines(plan, outcome, dry_run=dry_run):
        console.print(line, soft_wrap=True)
    if not dry_run and outcome.event_id is not None:
        console.print("[dim]one change: `qcode undo` takes the whole merge back[/]")


@codebook.command()
@click.option("--full", is_flag=True, help="Show definitions, when to use, examples.")
@shared(coder=True, as_json=True)
def show(ctx: click.Context, coder: str, full: bool, as_json: bool) -> None:
    """Show the code tree with colours and how many paragraphs carry each code."""
    opened = open_project(ctx, readonly=True)
    counts = opened.code_counts()
    tree = opened.code_tree()
    if as_json:
        emit_json([
            {"guid": c.guid, "name": c.name, "path": opened.code_path(c), "depth": depth,
             "parent": opened.code_by_id(c.parent_id).guid if c.parent_id else None,
             "colour": c.colour, "short": c.short, "definition": c.definition,
             "when_to_use": c.when_to_use, "when_not_to_use": c.when_not_to_use,
             "example": c.example, "example_ref": c.example_ref, "codable": c.codable,
             "paragraphs": counts.get(c.id, 0)}
            for c, depth in tree
        ])
        return
    if not tree:
        console.print("the codebook is empty: qcode codebook load FILE")
        return
    book = opened.codebook()
    title = f"[bold]{escape(book.name)}[/]" + (f" v{escape(book.version)}" if book.version else "")
    root = Tree(title)
    nodes: dict[int, Tree] = {}
    for code, _depth in tree:
        chip = f"[on {code.colour}]  [/] " if code.colour else ""
        label = f"{chip}[bold]{escape(code.name)}[/] [dim]({counts.get(code.id, 0)})[/]"
        if code.short:
            label += f" — {escape(code.short)}"
        parent = nodes[code.parent_id] if code.parent_id else root
        node = parent.add(label)
        nodes[code.id] = node
        if full:
            for title_, value in (("definition", code.definition), ("use when", code.when_to_use),
                                  ("not when", code.when_not_to_use)):
                if value:
                    node.add(f"[italic]{title_}:[/] {escape(value)}")
            if code.example:
                ref = f" ({escape(code.example_ref)})" if code.example_ref else ""
                node.add(f"[italic]example:[/] “{escape(code.example)}”{ref}")
    console.print(root)


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    group.add_command(codebook)
