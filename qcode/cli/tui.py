"""Opening the terminal UI from the command line (a bare ``qcode``, ``qcode tui``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from qcode.cli.common import (
    default_coder,
    open_project,
    project_path,
    shared,
)
from qcode.cli.project import print_status


def _on_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _run(path: Path, coder: str, blind: bool) -> None:
    from qcode.tui import run  # Textual loads only when a screen is wanted

    run(path, coder, blind=blind)


def launch(ctx: click.Context) -> None:
    """A bare ``qcode``: the app on a terminal; the project summary when piped."""
    if not _on_terminal():
        print_status(open_project(ctx, readonly=True).status())
        return
    _run(project_path(ctx), default_coder(), False)


@click.command("tui")
@click.argument("project_file", required=False, metavar="[PROJECT]",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--blind", is_flag=True, help="Hide other coders' codings.")
@shared(coder=True)
def tui(ctx: click.Context, project_file: Path | None, coder: str,
        blind: bool) -> None:
    """Open the terminal UI on PROJECT (or -p, $QCODE_PROJECT, ./qcode.db).

    Read paragraph by paragraph and code by keyboard; press ? in the app for every key.
    Without a terminal (output piped), prints the project summary instead.
    """
    path = project_file or project_path(ctx)
    if not _on_terminal():
        from qcode.core.project import Project

        with Project.open(path, readonly=True) as opened:
            print_status(opened.status())
        return
    _run(path, coder, blind)


def register(group: click.Group) -> None:
    """Add ``qcode tui``."""
    group.add_command(tui)
