"""``qcode codebook load|show``."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.tree import Tree

from qcode.cli.common import (
    coder_option, console, emit_json, handle_errors, json_option, open_project, project_option,
)
from qcode.core.codebook import read_yaml


@click.group()
def codebook() -> None:
    """Load, show and share the codebook."""


@codebook.command()
@click.argument("file", type=click.Path(path_type=Path))
@project_option
@coder_option
@click.pass_context
@handle_errors
def load(ctx: click.Context, file: Path, project: Path | None, coder: str) -> None:
    """Load a codebook (YAML) into the project: new codes are added, codes with the
    same GUID updated; nothing else is touched. One undoable change."""
    opened = open_project(ctx)
    book = read_yaml(file)
    result = opened.load_codebook(book, coder=coder)
    if result.event_id is None:
        console.print(f"codebook {escape(book.name)!r} already up to date ({result.unchanged} codes)")
        return
    console.print(
        f"loaded codebook [bold]{escape(book.name)}[/]: {result.added} added, "
        f"{result.updated} updated, {result.unchanged} unchanged"
    )


@codebook.command()
@project_option
@coder_option
@click.option("--full", is_flag=True, help="Show definitions, when to use, examples.")
@json_option
@click.pass_context
@handle_errors
def show(ctx: click.Context, project: Path | None, coder: str, full: bool, as_json: bool) -> None:
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
