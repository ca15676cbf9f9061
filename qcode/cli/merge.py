"""``qcode merge OTHER.db``: bring another coder's project file into this one."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click
from rich.markup import escape

from qcode.cli.common import (
    console,
    emit_json,
    open_project,
    shared,
)
from qcode.cli.progress import counted_progress


@click.command()
@click.argument("other", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be merged; change nothing.")
@shared(coder=True, as_json=True)
def merge(ctx: click.Context, other: Path, coder: str, dry_run: bool,
          as_json: bool) -> None:
    """Merge another coder's project file into this one.

    Documents match by content, paragraphs by position and text, codes by GUID then
    name, coders by GUID then name. Merging twice adds nothing; codings that cannot be
    placed are listed, never dropped silently. A backup is made first, and the merge
    is one change: `qcode undo` takes it back whole.
    """
    try:
        with counted_progress("placing codings") as update:
            report = open_project(ctx).merge_project(other, coder=coder, dry_run=dry_run,
                                                     progress=update)
    except KeyboardInterrupt:
        console.print("cancelled: the merge is one transaction, nothing was changed")
        raise SystemExit(130) from None
    if as_json:
        emit_json(asdict(report))
        return
    verb = "would add" if dry_run else "added"
    if not report.changed:
        console.print(f"nothing new in {escape(str(other))}: "
                      f"{report.codings_present} codings already here")
    else:
        console.print(
            f"{'dry run: ' if dry_run else ''}merged {escape(str(other))}: {verb} "
            f"{len(report.documents_added)} documents, {len(report.codes_added)} codes, "
            f"{report.codings_added} codings, {report.memos_added} memos, "
            f"{report.reviews_added} review marks "
            f"({report.codings_present} codings were already here)"
        )
    for name in report.coders_added:
        console.print(f"  new coder: {escape(name)}")
    for name in report.coders_matched_by_name:
        console.print(f"  coder {escape(name)}: same name here, taken as the same person")
    for path in report.codes_added:
        console.print(f"  new code: {escape(path)}")
    for line in report.codes_renamed:
        console.print(f"  code renamed: {escape(line)}")
    for line in report.codes_updated:
        console.print(f"  code changed: {escape(line)}")
    for line in report.code_conflicts:
        console.print(f"  [yellow]not settled[/] {escape(line)}")
    for line in report.attribute_conflicts:
        console.print(f"  [yellow]attribute differs[/] {escape(line)}")
    if report.unplaced:
        console.print(f"[yellow]{len(report.unplaced)} could not be placed[/] (kept in {other}):")
        for line in report.unplaced[:20]:
            console.print(f"  {escape(line)}")
    if report.backup:
        console.print(f"[dim]backup before merge: {escape(report.backup)}[/]")


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    group.add_command(merge)
