"""``qcode sync [FOLDER]``: merge the team's published copies, publish yours."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click
from rich.markup import escape

from qcode.cli.common import console, emit_json, fail, open_project, shared
from qcode.cli.progress import counted_progress
from qcode.core import settings
from qcode.core.sync import SyncReport
from qcode.core.sync import sync as run_sync


@click.command("sync")
@click.argument("folder", required=False, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True,
              help="Say what would come in and whether your copy would be published; "
                   "change nothing.")
@shared(coder=True, as_json=True)
def sync(ctx: click.Context, folder: Path | None, coder: str, dry_run: bool,
         as_json: bool) -> None:
    """Work as a team through a shared folder (Dropbox, OneDrive, Syncthing, a network
    drive, a git checkout).

    Merges every other coder's published copy in FOLDER into your project — each file
    one change that `qcode undo` takes back — then publishes your copy there as
    <project-guid>.<you>.qcode. Your project stays on your own disk: never open a
    project inside a synced folder. Files still syncing, damaged, from another project
    or from a newer qcode are skipped with the reason; conflict copies made by sync
    clients are merged too. FOLDER is remembered for this project on this machine:
    next time, `qcode sync` is enough ($QCODE_SYNC overrides it).
    """
    project = open_project(ctx)
    if folder is None:
        folder = settings.sync_folder(project.meta("guid") or "")
        if folder is None:
            fail("no sync folder for this project on this machine: give one, "
                 "`qcode sync FOLDER` (it is remembered for next time)")
            return
    try:
        with counted_progress("syncing") as update:
            report = run_sync(project, folder, coder=coder, dry_run=dry_run,
                              progress=lambda what, done, total: update(done, total,
                                                                        escape(what)))
    except KeyboardInterrupt:
        console.print("cancelled: every file merged so far is whole (one change each); "
                      "your copy was not published")
        raise SystemExit(130) from None
    if as_json:
        emit_json(asdict(report))
    else:
        _print(report)
    if report.stopped:
        fail(f"sync stopped: {report.stopped} (the files above were merged, each one "
             "undoable; your copy was not published)")


def _print(report: SyncReport) -> None:
    prefix = "dry run: " if report.dry_run else ""
    others = [f for f in report.files if f.status != "yours"]
    if not others:
        say(f"{prefix}no one else has published in {escape(report.folder)} yet")
    for outcome in others:
        line = escape(outcome.line())
        if outcome.status == "skipped":
            line = f"[yellow]{line}[/]"
        say(f"{prefix}{line}")
        merge = outcome.merge
        if merge is None:
            continue
        for conflict in merge.code_conflicts:
            say(f"  [yellow]not settled[/] {escape(conflict)}")
        for line in merge.attribute_conflicts:
            say(f"  [yellow]attribute differs[/] {escape(line)}")
        if merge.unplaced:
            say(f"  [yellow]{len(merge.unplaced)} could not be placed[/]:")
            for line in merge.unplaced[:10]:
                say(f"    {escape(line)}")
    published = escape(report.published or "")
    said = {"published": f"published your copy as {published}",
            "up to date": f"your published copy {published} is up to date",
            "would publish": f"would publish your copy as {published}"}
    if report.publish:
        say(f"{prefix}{said[report.publish]}")
    if report.backup:
        say(f"[dim]backup before sync: {escape(report.backup)}[/]")


def say(markup: str) -> None:
    """One line, never wrapped: a file name or a code name stays whole for a script
    (or a person) to copy."""
    console.print(markup, soft_wrap=True)


def register(group: click.Group) -> None:
    """Add this module's commands to the CLI."""
    group.add_command(sync)
