"""Opening the terminal UI from the command line (a bare ``qcode``, ``qcode tui``)."""

from __future__ import annotations

import click

from qcode.cli.common import open_project
from qcode.cli.project import print_status


def launch(ctx: click.Context) -> None:
    """Open the project; show its summary (the terminal UI takes over once it exists)."""
    project = open_project(ctx, readonly=True)
    print_status(project.status())
