"""``qcode check`` and ``qcode backup``: is the project healthy, and a safe copy of it."""

from __future__ import annotations

import sys
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.markup import escape

from qcode.cli.common import (
    console,
    emit_json,
    open_project,
    project_path,
    shared,
)
from qcode.core.errors import DamagedProject
from qcode.core.store.check import CheckReport, unreadable


@click.command()
@click.option("--repair", is_flag=True,
              help="After a backup, fix what can be fixed safely (indexes, search, hashes).")
@shared(as_json=True)
def check(ctx: click.Context, repair: bool, as_json: bool) -> None:
    """Check the project: SQLite integrity and foreign keys, paragraph offsets and hashes,
    the search index, and that the event log replays to the current codings.

    Exit status 0 when healthy, 1 when problems were found (listed, with what --repair
    or a backup can do about them). --repair writes a backup and changes the project
    only when there is something it can fix.
    """
    path = project_path(ctx)
    try:
        opened = open_project(ctx)
    except DamagedProject as exc:
        # SQLite cannot even read the file's schema: that is the finding.
        report = unreadable(str(exc.__cause__ or exc), path)
    else:
        path = opened.path
        report = opened.check(repair=repair)
    if as_json:
        emit_json(asdict(report) | {"healthy": report.healthy})
    else:
        _print_report(report, path, repair)
    if not report.healthy:
        sys.exit(1)


def _print_report(report: CheckReport, path: Path, repair: bool) -> None:
    for line in report.repaired:
        console.print(f"[green]repaired[/] {escape(line)}")
    if report.backup:
        console.print(f"[dim]backup before repair: {escape(report.backup)}[/]")
    where = escape(str(path))
    if report.healthy:
        figures = ", ".join(f"{n} {what}" for what, n in report.checked.items())
        nothing = "; nothing to repair" if repair and not report.repaired else ""
        console.print(f"[green]healthy[/]: {where} ({figures}){nothing}", soft_wrap=True)
        return
    console.print(f"[red]{len(report.problems)} problem(s)[/] in {where}:")
    for line in report.problems:
        console.print(f"  {escape(line)}", soft_wrap=True)
    if report.advice:
        console.print("what to do:")
        for line in report.advice:
            console.print(f"  {escape(line)}", soft_wrap=True)


@click.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@shared()
def backup(ctx: click.Context, file: Path | None) -> None:
    """Write a consistent copy of the project (safe while others are coding).

    FILE defaults to <project>.<timestamp>.backup.db beside the project.
    """
    opened = open_project(ctx, readonly=True)
    if file is None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = project_path(ctx)
        file = path.with_name(f"{path.stem}.{stamp}.backup.db")
    target = opened.backup(file)
    console.print(f"backed up {escape(str(opened.path))} to {escape(str(target))}")


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    group.add_command(check)
    group.add_command(backup)
