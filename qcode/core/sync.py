"""``qcode sync FOLDER``: a team's copies of one project meet in a shared folder.

Two machines must never open one SQLite file in a Dropbox, OneDrive or Syncthing folder
(or on a network share): each would write pages the other's sync client overwrites.
So every coder keeps their project on their own disk, and the shared folder holds only
published copies, one per coder (:mod:`qcode.core.sync_files`). A sync:

1. copies each other ``.qcode`` file of the folder to a private folder, checks the copy
   (whole, an SQLite database, not damaged, this project, a schema this qcode reads —
   an older one is upgraded, in the copy) and merges it (:mod:`qcode.core.merge`): one
   transaction and one undoable event per file. A file that fails a check is skipped
   with the reason, and the rest goes on;
2. publishes this coder's project, with everything that just came in, as
   ``<project-guid>.<coder>.qcode`` (unless the copy there is already up to date).

Whose rows a file speaks for (:class:`qcode.core.merge_rows.Authority`): a coder's file
for that coder, so what they untag or delete disappears everywhere; no file for the
coder who syncs (their own project is the authority on their work), or for a coder
who has a file of their own. Conflict copies that sync clients make are merged for
everything else (merging is idempotent). A copy of this coder's own file that this
machine did not publish (the same coder on a second machine, or a project restored
from a backup) is merged in full before it is replaced, so no work is lost.

Which publications are this machine's, and which files it merged whole into the
project, is bookkeeping in the state folder (:class:`qcode.core.sync_files.MachineRecord`):
lost, the next sync merges the coder's own file and the others' once more, which
changes nothing that matters.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qcode.core import settings
from qcode.core.errors import ProjectError, QcodeError
from qcode.core.merge import MergeReport, merge_file
from qcode.core.merge_rows import Authority
from qcode.core.project_file import ProjectFile
from qcode.core.store import schema
from qcode.core.store.health import damage
from qcode.core.sync_files import (
    PUBLICATION,
    MachineRecord,
    SharedFile,
    SkipFile,
    header,
    private_copy,
    publication_of,
    publish,
    published_name,
    scan,
    slug,
    stamp,
)

# progress(what, done, total): "reading FILE" (files done of all), then "placing bob's
# codings" (codings placed of the file's), for each file.
Progress = Callable[[str, int, int], None]


@dataclass
class FileOutcome:
    """What became of one file of the shared folder: its ``kind`` ("coder", "own",
    "copy", "own-copy", "unnamed", "foreign"), whose it is, what happened ("merged",
    "nothing new", "skipped", "yours": this machine's own publication), why it was
    skipped or nothing was taken, a note on what the file is, and the merge's report."""

    file: str
    kind: str
    coder: str | None = None
    status: str = "skipped"
    reason: str | None = None
    note: str | None = None
    merge: MergeReport | None = None

    def who(self) -> str:
        """The file as a person reads it: "bob", "bob (Dropbox conflict copy: …)"."""
        if self.kind == "own-copy" and self.coder:
            return f"{self.coder} ({self.file})"
        if self.kind == "own" and self.coder and self.note:
            return f"{self.coder} ({self.note})"
        if self.kind in {"coder", "own"} and self.coder:
            return self.coder
        if self.coder and self.note:
            return f"{self.coder} ({self.note}: {self.file})"
        return self.file

    def line(self) -> str:
        """One line: "bob: 34 codings, 2 codes", "carol: nothing new", "skipped …"."""
        if self.status == "skipped":
            return f"skipped {self.file}: {self.reason}"
        if self.status == "yours":
            return f"{self.file}: your own published copy"
        if self.merge is None or not self.merge.changed:
            tail = f" ({self.reason})" if self.reason else ""
            return f"{self.who()}: nothing new{tail}"
        return f"{self.who()}: {describe(self.merge)}"


def describe(merge: MergeReport) -> str:
    """What a merge brought, in a few words ("34 codings, 2 codes, 1 renamed")."""
    parts = [_count(len(merge.documents_added), "document"),
             _count(merge.codings_added, "coding"), _count(len(merge.codes_added), "code"),
             _count(merge.memos_added, "memo"), _count(merge.reviews_added, "review mark"),
             _count(len(merge.coders_added), "coder")]
    if merge.codes_renamed:
        parts.append(f"renamed {', '.join(merge.codes_renamed)}")
    if merge.codes_updated:
        parts.append(_count(len(merge.codes_updated), "code edit"))
    gone = merge.codings_removed + merge.memos_removed + merge.reviews_removed
    if gone:
        parts.append(f"{gone} removed by their coder")
    edited = merge.codings_updated + merge.memos_updated
    if edited:
        parts.append(_count(edited, "memo rewritten", "memos rewritten"))
    if merge.attributes_added:
        parts.append(_count(merge.attributes_added, "attribute"))
    return ", ".join(p for p in parts if p) or "changes"


def _count(number: int, one: str, many: str | None = None) -> str:
    if not number:
        return ""
    return f"{number} {one if number == 1 else many or one + 's'}"


@dataclass
class SyncReport:
    """What a sync did (or, with ``dry_run``, would do)."""

    folder: str
    coder: str
    files: list[FileOutcome] = field(default_factory=list)
    published: str | None = None
    publish: str = ""  # "published", "up to date", "would publish"
    backup: str | None = None
    dry_run: bool = False
    # Set when the sync stopped part-way (the files merged before it stay merged).
    stopped: str | None = None

    @property
    def changed(self) -> bool:
        """Whether anything came into the project."""
        return any(f.merge is not None and f.merge.changed for f in self.files)


def sync(project: ProjectFile, folder: Path, *, coder: str, dry_run: bool = False,
         progress: Progress | None = None) -> SyncReport:
    """Merge every other coder's published copy in ``folder`` into ``project``, then
    publish this coder's copy there (see the module's description)."""
    folder = check_folder(project, folder, dry_run=dry_run)
    guid = project.meta("guid")
    if not guid:
        raise ProjectError(f"{project.path}: the project has no GUID; it cannot be synced")
    if not dry_run:
        project.ensure_writable()
        project.verify()
    report = SyncReport(folder=str(folder), coder=coder, dry_run=dry_run)
    run = _Sync(project, folder, guid, coder, report, progress)
    try:
        run.bring_in()
        run.publish()
    except QcodeError as exc:
        if not any(f.merge is not None and f.merge.event_id for f in report.files):
            raise
        report.stopped = str(exc)
    if not dry_run:
        run.record.save({f.name for f in run.files})
    if not dry_run and not report.stopped:
        # Where this machine syncs the project: a bare `qcode sync` goes there next.
        settings.remember_sync_folder(guid, folder)
    return report


def check_folder(project: ProjectFile, folder: Path, *, dry_run: bool = False) -> Path:
    """The sync folder, refused when it is missing, not a folder, not writable, or
    holds the project itself (which must live on the coder's own disk)."""
    folder = folder.expanduser()
    if not folder.exists():
        raise QcodeError(f"{folder}: no such folder; create the shared folder first "
                         "(in your Dropbox, OneDrive, Syncthing folder or git checkout)")
    if not folder.is_dir():
        raise QcodeError(f"{folder}: is a file, not a folder; give the shared folder")
    resolved = folder.resolve()
    if project.path.resolve().is_relative_to(resolved):
        raise QcodeError(
            f"{project.path}: the project is inside the sync folder {folder}; keep it on "
            "your own disk (move it out) and let `qcode sync` publish copies into the folder")
    if not dry_run and not _writable(resolved):
        raise QcodeError(f"{folder}: the sync folder is read-only; nothing was changed")
    return resolved


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


class _Sync:
    def __init__(self, project: ProjectFile, folder: Path, guid: str, coder: str,
                 report: SyncReport, progress: Progress | None) -> None:
        self.project, self.folder, self.guid = project, folder, guid
        self.coder, self.me = coder, slug(coder)
        self.report, self.progress = report, progress
        self.files = scan(folder, guid)
        self.owners = {f.slug for f in self.files if f.kind == "coder" and f.slug}
        self.record = MachineRecord(guid, project.path, self.me)
        self.backup: str | None = "before-sync"

    # -- bringing the others' work in --------------------------------------------------

    def bring_in(self) -> None:
        """Every file but this machine's own publications, one at a time."""
        for number, shared in enumerate(self.files, start=1):
            if self.progress is not None:
                self.progress(f"reading {shared.name}", number - 1, len(self.files))
            outcome = self._one(shared)
            self.report.files.append(outcome)
            if outcome.merge is not None and outcome.merge.backup:
                self.report.backup = outcome.merge.backup
                self.backup = None  # one backup, before the sync's first change

    def _one(self, shared: SharedFile) -> FileOutcome:
        kind = shared.kind
        mine = (shared.slug or shared.of) == self.me
        if kind == "foreign":
            return FileOutcome(shared.name, kind, reason="from another project (its name "
                               f"says project {shared.name.split('.', 1)[0]})")
        try:
            mark = stamp(header(shared.path))
            if mine and mark in self.record.stamps:
                if kind == "coder":
                    return FileOutcome(shared.name, "own", self.coder, "yours")
                return FileOutcome(shared.name, "own-copy", self.coder, "nothing new",
                                   reason=f"an older copy of your own file, which "
                                   f"{shared.client or 'a sync client'} made; it can be "
                                   "deleted")
            if mark is not None and self.record.unchanged(shared.name, mark, self.project):
                return FileOutcome(shared.name, kind, shared.slug or shared.of, "nothing new",
                                   reason="unchanged since your last sync")
            outcome = self._merge(shared, mine)
            settled = outcome.merge is not None and not outcome.merge.code_conflicts
            if mark is not None and settled and not self.report.dry_run:
                # (A file with an unsettled conflict is merged, and says so, every time.)
                self.record.merged_now(shared.name, mark, self.project)
            return outcome
        except SkipFile as exc:
            return FileOutcome(shared.name, kind, shared.slug or shared.of, reason=str(exc))

    def _merge(self, shared: SharedFile, mine: bool) -> FileOutcome:
        with tempfile.TemporaryDirectory(prefix="qcode-sync-") as private:
            other = _open_checked(private_copy(shared.path, Path(private)), self.guid)
            try:
                publication = publication_of(other.meta(PUBLICATION))
                publisher = publication.get("coder")
                who = str(publisher) if publisher else (shared.slug or shared.of)
                authority, kind, note = self._authority(shared, mine, publisher)
                label = f"{who}'s file" if kind == "coder" else shared.name
                placing = None
                if self.progress is not None:
                    report = self.progress
                    what = f"placing {who}'s codings" if kind == "coder" else \
                        f"placing codings from {shared.name}"

                    def placing(done: int, total: int) -> None:
                        report(what, done, total)
                try:
                    merged = merge_file(
                        self.project, other, coder=self.coder, dry_run=self.report.dry_run,
                        source=shared.name, label=label, authority=authority, action="sync",
                        backup=self.backup, checked=True, progress=placing)
                except ProjectError:
                    raise  # this project's trouble (locked, full, damaged): stop
                except QcodeError as exc:
                    # The file's: a name qcode refuses, rows that cannot go in together.
                    raise SkipFile(f"could not be merged ({_without(str(exc), other.path)}); "
                                   "nothing from it was written") from exc
            finally:
                other.close()
        status = "merged" if merged.changed else "nothing new"
        return FileOutcome(shared.name, kind, who, status, note=note, merge=merged)

    def _authority(self, shared: SharedFile, mine: bool,
                   publisher: Any) -> tuple[Authority, str, str | None]:
        """Whose rows the file speaks for, its kind for the report, and a note."""
        others = frozenset(self.owners | {self.me})
        if mine:
            # This coder's work from somewhere else: all of it comes in (added only).
            note = ("your file, published from another copy of the project (another "
                    "machine?); merged in full before it is replaced")
            kind = "own" if shared.kind == "coder" else "own-copy"
            return Authority(others=others - {self.me}, key=slug), kind, note
        named_for = shared.slug if shared.kind == "coder" else None
        if named_for is not None and (not publisher or slug(str(publisher)) == named_for):
            return Authority(owner=named_for, others=others - {named_for}, key=slug), \
                "coder", None
        note = (f"{shared.client} conflict copy" if shared.client and shared.of
                else "a copy under another name")
        return Authority(others=others, key=slug), "copy", note

    # -- publishing ---------------------------------------------------------------------

    def publish(self) -> None:
        """This coder's copy into the folder, unless the one there is up to date."""
        target = self.folder / published_name(self.guid, self.coder)
        self.report.published = target.name
        latest = self.project.latest_event_id()
        own = next((f for f in self.report.files if f.kind == "own"), None)
        ours = own is not None and own.status == "yours"
        try:
            current = stamp(header(target)) if ours else None
        except SkipFile:
            current = None
        if current is not None and current == self.record.last and \
                self.record.event == latest:
            self.report.publish = "up to date"
            return
        if self.report.dry_run:
            self.report.publish = "would publish"
            return
        coder = self.project.find_coder_id(self.coder)
        guid = None if coder is None else self.project.conn.execute(
            "SELECT guid FROM coders WHERE id = ?", (coder,)).fetchone()[0]
        mark = publish(self.project.conn, target, {
            "coder": self.coder, "coder_guid": guid, "project": self.guid,
            "events": latest, "schema": schema.LATEST})
        self.record.remember(mark, latest)
        self.report.publish = "published"


def _open_checked(copy: Path, guid: str) -> ProjectFile:
    """The private copy opened (an older project upgraded in it) and checked: a
    qcode project, of this project, not damaged. Raises :class:`SkipFile`."""
    try:
        other = ProjectFile.open(copy)
    except QcodeError as exc:
        raise SkipFile(_without(str(exc), copy)) from exc
    try:
        problem = damage(other.conn, other.path, full=True)
        if problem is not None:
            raise SkipFile(f"damaged ({problem})")
        if other.meta("guid") != guid:
            raise SkipFile(f"from another project ({other.name!r})")
    except BaseException:
        other.close()
        raise
    return other


def _without(message: str, copy: Path) -> str:
    """A message about the private copy, as said about the shared file."""
    text = message.removeprefix(f"{copy}: ")
    return text.replace(str(copy), "the file").replace("; nothing was changed", "")
