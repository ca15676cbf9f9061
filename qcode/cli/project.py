"""``qcode init`` and ``qcode status``."""

from __future__ import annotations

import click
from rich.table import Table

from qcode.cli.common import (
    console,
    emit_json,
    open_project,
    project_path,
    shared,
    warn_if_shared,
)
from qcode.core.project import Project


@click.command()
@click.option("--name", help="Display name of the project (default: the file name).")
@shared()
def init(ctx: click.Context, name: str | None) -> None:
    """Create a new, empty project file."""
    path = project_path(ctx)
    with Project.create(path, name=name) as created:
        console.print(f"created project [bold]{created.name}[/] in {path}")
    warn_if_shared(path)


@click.command()
@shared(as_json=True)
def status(ctx: click.Context, as_json: bool) -> None:
    """The project at a glance: documents, paragraphs, codes, codings, last change."""
    opened = open_project(ctx, readonly=True)
    info = opened.status()
    if as_json:
        emit_json(info)
        return
    print_status(info)


def print_status(info: dict[str, object]) -> None:
    """The status as a small table (also what a bare ``qcode`` shows without a screen)."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    paragraphs = int(str(info["paragraphs"]))
    coded = int(str(info["coded_paragraphs"]))
    share = f" ({coded / paragraphs:.0%})" if paragraphs else ""
    codebook = info["codebook"] or "none loaded"
    if info.get("codebook_version"):
        codebook = f"{codebook} v{info['codebook_version']}"
    last = info["last_activity"]
    rows = [
        ("project", f"{info['name']}  [dim]{info['project']}[/]"),
        ("documents", str(info["documents"])),
        ("paragraphs", f"{paragraphs}, coded {coded}{share}"),
        ("codebook", f"{codebook}, {info['codes']} codes"),
        ("codings", str(info["codings"])),
        ("coders", ", ".join(info["coders"]) or "none yet"),  # type: ignore[arg-type]
        ("last change", f"{last['at']} {last['coder']}: {last['summary']}"  # type: ignore[index]
         if last else "none yet"),
    ]
    for key, value in rows:
        table.add_row(key, value)
    console.print(table)


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    group.add_command(init)
    group.add_command(status)
