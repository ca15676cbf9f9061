"""The coding screen's way into the bigger jobs: consensus review, merging a shared
codebook, importing documents, syncing through the team's shared folder. Each opens
its screen (or prompt) and, when it is done, shows what it changed."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from qcode.core import settings
from qcode.core.codebook.merge_apply import MergeOutcome
from qcode.core.errors import QcodeError
from qcode.core.project import Project
from qcode.core.sync import SyncReport, sync
from qcode.tui.importing import ImportResult, expand
from qcode.tui.live import Watching
from qcode.tui.merging import MergeReview
from qcode.tui.modals.progress import ImportProgress
from qcode.tui.modals.prompt import Prompt
from qcode.tui.screens.consensus import ConsensusScreen
from qcode.tui.screens.merge import MergeScreen

if TYPE_CHECKING:
    from qcode.tui.screens.coding import CodingScreen


def here() -> str:
    """The folder typed paths start from, ``~`` for the home folder."""
    cwd, home = Path.cwd(), Path.home()
    if cwd == home or not cwd.is_relative_to(home):
        return "~" if cwd == home else str(cwd)
    return f"~/{cwd.relative_to(home)}"


def consensus_review(screen: CodingScreen) -> None:
    """Open the consensus review; coming back shows consensus's codings."""

    def closed(_result: None) -> None:
        screen.outside_changes("back from the consensus review")

    screen.app.push_screen(ConsensusScreen(screen.session), closed)


def merge_codebook(screen: CodingScreen, last: list[str]) -> None:
    """Ask for a codebook file, then review the merge plan; ``last`` remembers the path
    typed, for the next time."""
    session = screen.session
    path_name: list[str] = []

    def merged(outcome: MergeOutcome | None) -> None:
        if outcome is None:
            screen.say("merge cancelled: nothing changed")
            return
        session.reload()
        what = outcome.summary.split(": ", 1)[-1]
        screen.after_reload(f"merged {path_name[0]}: {what} (u undoes it)")

    def answered(value: str | None) -> None:
        if not value or not value.strip():
            return
        last[:] = [value.strip()]
        path = Path(value.strip()).expanduser()
        path_name[:] = [path.name]
        review = screen.attempt(lambda: MergeReview.from_file(session.project, path))
        if review is not None:
            screen.app.push_screen(MergeScreen(session, review), merged)

    screen.app.push_screen(Prompt(
        "Merge a shared codebook into the project", value=last[0] if last else "",
        placeholder="path of a codebook file (.yaml .qdc .qdpx .csv)",
        hint=f"Relative to {here()}.   Enter: review what it would change (nothing is "
             "written until you apply)   Esc: cancel"), answered)


def import_documents(screen: CodingScreen) -> None:
    """Ask for files (paths, a folder or a pattern), then import them with a progress
    bar; the documents pane shows them as soon as it is done."""
    app = screen.app
    session = screen.session

    def finished(result: ImportResult | None) -> None:
        if isinstance(app, Watching):
            app.importing_ends()
        if result is None:
            return
        had_document = session.view is not None
        screen.outside_changes(result.message())
        if not had_document and result.tally.first_document is not None:
            screen.open_document(result.tally.first_document)
            screen.say(result.message())
        if result.error:
            screen.notify(result.message(), severity="error", timeout=8)
        elif result.cancelled:
            screen.notify(result.message(), severity="warning")
        else:
            screen.notify(result.message())

    def answered(value: str | None) -> None:
        if not value or not value.strip():
            return
        files = screen.attempt(lambda: expand(value))
        if not files:
            return
        if isinstance(app, Watching):
            app.importing_starts()
        app.push_screen(ImportProgress(session.project.path, files, session.coder), finished)

    screen.app.push_screen(Prompt(
        "Import documents", placeholder="interviews/*.txt   or   a.docx b.md   or a folder",
        hint=f"Text, Markdown, Word (.docx) or HTML, relative to {here()}; files already "
             "in the project are skipped.   Enter: import   Esc: cancel"), answered)


def sync_through_folder(screen: CodingScreen) -> None:
    """Ask for the shared folder (this machine's, filled in), then sync as ``qcode
    sync`` does, on a connection of its own off the screen's thread; the screens show
    what came in, and a notification says it file by file."""
    app = screen.app
    session = screen.session
    folder = settings.sync_folder(session.project.meta("guid") or "")

    def finished(report: SyncReport | None, error: str | None) -> None:
        if isinstance(app, Watching):
            app.importing_ends()
        if report is None:
            screen.say(f"sync refused: {error}")
            screen.notify(error or "sync failed", severity="error", timeout=10)
            return
        lines = [f.line() for f in report.files if f.status != "yours"]
        lines += [c for f in report.files if f.merge for c in f.merge.code_conflicts]
        came = "something came in" if report.changed else "nothing new came in"
        done = f"synced: {came}; your copy {report.publish}"
        if report.stopped:
            done = f"sync stopped: {report.stopped}"
        screen.outside_changes(done)
        screen.notify("\n".join([*lines, done]), markup=False, timeout=15,
                      severity="warning" if report.stopped or any(
                          f.status == "skipped" for f in report.files) else "information")

    def answered(value: str | None) -> None:
        if not value or not value.strip():
            return
        chosen = Path(value.strip()).expanduser()
        if isinstance(app, Watching):
            app.importing_starts()
        screen.say(f"syncing through {chosen}…")

        def work() -> None:
            try:
                with Project.open(session.project.path) as project:
                    report = sync(project, chosen, coder=session.coder)
            except (QcodeError, sqlite3.Error, OSError) as exc:
                # (A failure must reach the screen: an exception would end the app.)
                app.call_from_thread(finished, None, str(exc))
                return
            app.call_from_thread(finished, report, None)

        app.run_worker(work, thread=True, exclusive=True, group="sync")

    screen.app.push_screen(Prompt(
        "Sync through the team's shared folder", value=str(folder or ""),
        placeholder="the shared folder: Dropbox, OneDrive, Syncthing, a network drive",
        hint=f"Relative to {here()}. Your copy is published there and the others' copies "
             "merged in, each one change (u undoes the last).   Enter: sync   Esc: cancel"),
        answered)
