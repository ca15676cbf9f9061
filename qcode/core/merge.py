"""Merging another coder's project file into this one (``qcode merge OTHER.db``, and each
file ``qcode sync`` brings in).

Documents match by content hash, paragraphs by document + ordinal + text hash, coders
by the one identity rule (GUID, then name). Codes pair and settle their differences as
:mod:`qcode.core.merge_codes` says (a rename on one side is taken, renames on both are
reported); codings, memos and review marks come in as :mod:`qcode.core.merge_rows`
says. Everything the other file brings arrives in one event, so ``qcode undo`` takes
the merge back whole. Merging twice adds nothing. A coding that cannot be placed (its
paragraph's text differs here) is reported, never dropped silently.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qcode.core.controls import check_name
from qcode.core.errors import DamagedProject, QcodeError
from qcode.core.ids import new_guid
from qcode.core.merge_codes import CodeMerge
from qcode.core.merge_rows import Authority, Placement, RowMerge
from qcode.core.project_file import ProjectFile
from qcode.core.store.backup import snapshot_backup
from qcode.core.store.changes import Change
from qcode.core.store.changes import apply as apply_change
from qcode.core.store.db import DAMAGED
from qcode.core.store.health import damage


class _DryRun(Exception):
    """Raised to roll back a merge that was only a rehearsal."""


@dataclass
class MergeReport:
    """What a merge did (or, with ``dry_run``, would do)."""

    source: str
    documents_added: list[str] = field(default_factory=list)
    documents_matched: list[str] = field(default_factory=list)
    codes_added: list[str] = field(default_factory=list)
    codes_matched: int = 0
    coders_added: list[str] = field(default_factory=list)
    coders_matched_by_name: list[str] = field(default_factory=list)
    codings_added: int = 0
    codings_present: int = 0
    # Codings here that took in exact selections the other file's same coding had.
    codings_widened: int = 0
    memos_added: int = 0
    attributes_added: int = 0
    attribute_conflicts: list[str] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    event_id: int | None = None
    backup: str | None = None
    dry_run: bool = False
    reviews_added: int = 0
    # A code's edit taken from the other file: "'old' to 'new'", "'name': place, colour".
    codes_renamed: list[str] = field(default_factory=list)
    codes_updated: list[str] = field(default_factory=list)
    # Edits of one code made on both sides (or that would break the tree): not guessed.
    code_conflicts: list[str] = field(default_factory=list)
    # What the file's own coder removed or rewrote since (a sync only; see merge_rows).
    codings_removed: int = 0
    codings_updated: int = 0
    memos_updated: int = 0
    memos_removed: int = 0
    reviews_removed: int = 0

    @property
    def changed(self) -> bool:
        """Whether the merge changed anything."""
        return bool(self.documents_added or self.codes_added or self.codings_added
                    or self.codings_widened or self.memos_added or self.attributes_added
                    or self.reviews_added
                    or self.codes_renamed or self.codes_updated or self.codings_removed
                    or self.codings_updated or self.memos_updated or self.memos_removed
                    or self.reviews_removed)


def merge_project(project: ProjectFile, other_path: Path, *, coder: str,
                  dry_run: bool = False,
                  progress: Callable[[int, int], None] | None = None) -> MergeReport:
    """Merge ``other_path`` into ``project`` as one undoable event.

    ``progress(done, total)`` counts the other file's codings as they are placed. The
    merge is one transaction: interrupted, it leaves the project as it was."""
    other = ProjectFile.open(other_path, readonly=True)
    try:
        if other_path.resolve() == project.path.resolve():
            raise QcodeError(f"{other_path}: cannot merge a project into itself")
        return merge_file(project, other, coder=coder, dry_run=dry_run, progress=progress)
    finally:
        other.close()


def merge_file(project: ProjectFile, other: ProjectFile, *, coder: str,
               dry_run: bool = False, progress: Callable[[int, int], None] | None = None,
               source: str | None = None, label: str | None = None,
               authority: Authority | None = None, action: str = "merge-project",
               backup: str | None = "before-merge", checked: bool = False) -> MergeReport:
    """Merge an open project file into ``project`` as one event of ``coder``.

    ``source`` names the file in the report (its path by default) and ``label`` in the
    event and in conflict lines (its file name); ``authority`` says whose rows the file
    speaks for (a sync's rule; a plain merge only adds); ``backup`` is the reason of the
    automatic backup taken when something will change (None: none); ``checked``: the
    caller has run SQLite's quick check on both files already (a sync, once for its
    project and once for each file it merges)."""
    source = source or str(other.path)
    # Every row of the other file is read: a damaged one is refused by its own name
    # before anything starts (inside our transaction its errors would name ours).
    problem = None if checked else damage(other.conn, other.path, full=True)
    if problem is not None:
        raise DamagedProject(f"{source}: {DAMAGED} ({problem}); nothing was merged")
    report = MergeReport(source=source, dry_run=dry_run)
    if not dry_run and not checked:
        project.verify()
    try:
        with project.writing():
            merger = _Merger(project, other, report, progress)
            merger.run(coder, label or Path(source).name, authority, action)
            if dry_run:
                raise _DryRun
            if report.changed and backup is not None:
                # Backed up only now that the merge is sure to change something.
                report.backup = str(snapshot_backup(project.path, backup))
    except _DryRun:
        pass
    return report


class _Merger:
    def __init__(self, ours: ProjectFile, theirs: ProjectFile, report: MergeReport,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.ours, self.theirs, self.report = ours, theirs, report
        self.progress = progress
        self.conn: sqlite3.Connection = ours.conn
        self.changes: list[Change] = []
        self.coders: dict[int, int] = {}
        self.codes: dict[int, int] = {}
        self.paragraphs: dict[int, int] = {}
        self.documents: dict[int, int] = {}
        self.shift: dict[int, int] = {}

    def apply(self, change: Change) -> Change:
        realised = apply_change(self.conn, change)
        self.changes.append(realised)
        return realised

    def run(self, coder: str, label: str, authority: Authority | None, action: str) -> None:
        self.map_coders()
        self.map_codes(label)
        self.map_documents()
        self.merge_rows(authority)
        r = self.report
        if r.changed:
            summary = (f"{'sync' if action == 'sync' else 'merge'} {label}: "
                       f"{len(r.documents_added)} documents, {len(r.codes_added)} codes, "
                       f"{r.codings_added} codings added")
            if r.codings_removed:
                summary += f", {r.codings_removed} removed"
            r.event_id = self.ours.record_applied(coder, action, summary, self.changes)

    # -- identities ---------------------------------------------------------------------

    def map_coders(self) -> None:
        """Their coders here, by the one rule (GUID, then folded name); those created go
        into the merge's event, so undoing the merge removes them."""
        before = {c.id for c in self.ours.coders()}
        for row in self.theirs.conn.execute("SELECT id, guid, name FROM coders"):
            check_name(row["name"], "coder", str(self.theirs.path))
            ours = self.ours.ensure_coder(row["name"], row["guid"])
            self.coders[row["id"]] = ours
            if ours not in before:
                self.report.coders_added.append(row["name"])
            elif self.ours.conn.execute("SELECT guid FROM coders WHERE id = ?",
                                        (ours,)).fetchone()[0] != row["guid"]:
                # Same name, different file: the same person coding on two machines.
                self.report.coders_matched_by_name.append(row["name"])

    def map_codes(self, label: str) -> None:
        """Their codebook into ours (see :mod:`qcode.core.merge_codes`)."""
        outcome = CodeMerge(self.ours, self.theirs, label, self.apply).run()
        self.codes = outcome.codes
        r = self.report
        r.codes_matched += outcome.matched
        r.codes_added += outcome.added
        r.codes_renamed += outcome.renamed
        r.codes_updated += outcome.updated
        r.code_conflicts += outcome.conflicts

    # -- documents and paragraphs -----------------------------------------------------

    def map_documents(self) -> None:
        ours = {r["sha256"]: r["id"] for r in self.conn.execute("SELECT id, sha256 FROM documents")}
        for doc in self.theirs.conn.execute("SELECT * FROM documents ORDER BY id").fetchall():
            our_id = ours.get(doc["sha256"])
            if our_id is None:
                our_id = self._add_document(doc)
                self.report.documents_added.append(doc["name"])
            else:
                self.report.documents_matched.append(doc["name"])
                self._merge_attributes(doc, our_id)
            self.documents[doc["id"]] = our_id
            ours_paragraphs = {
                (r["ordinal"], r["text_hash"]): (r["id"], r["start"])
                for r in self.conn.execute(
                    "SELECT id, ordinal, text_hash, start FROM paragraphs WHERE document_id = ?",
                    (our_id,),
                )
            }
            for p in self.theirs.conn.execute(
                "SELECT id, ordinal, text_hash, start FROM paragraphs WHERE document_id = ?",
                (doc["id"],)
            ):
                found = ours_paragraphs.get((p["ordinal"], p["text_hash"]))
                if found is not None:
                    self.paragraphs[p["id"]] = found[0]
                    if found[1] != p["start"]:
                        # The same paragraph at another offset: its exact spans move too.
                        self.shift[p["id"]] = found[1] - p["start"]

    def _add_document(self, doc: sqlite3.Row) -> int:
        check_name(doc["name"], "document", str(self.theirs.path))
        document = {k: doc[k] for k in doc.keys() if k != "id"}  # noqa: SIM118 (a Row)
        guid_taken = self.conn.execute(
            "SELECT 1 FROM documents WHERE guid = ?", (doc["guid"],)).fetchone()
        if guid_taken:
            # Same document identity, different text (an edited transcript): a new identity.
            document["guid"] = new_guid()
        document["name"] = self.ours.free_name(doc["name"])
        paragraphs = [
            {k: p[k] for k in p.keys() if k not in {"id", "document_id"}}  # noqa: SIM118
            for p in self.theirs.conn.execute(
                "SELECT * FROM paragraphs WHERE document_id = ? ORDER BY ordinal", (doc["id"],))
        ]
        attributes = self.theirs.attributes(doc["id"])
        self.report.attributes_added += len(attributes)
        realised = self.apply({"op": "insert_document", "snapshot": {
            "document": document, "paragraphs": paragraphs, "attributes": attributes}})
        return int(realised["id"])

    def _merge_attributes(self, doc: sqlite3.Row, our_id: int) -> None:
        ours = self.ours.attributes(our_id)
        rows = []
        for key, value in self.theirs.attributes(doc["id"]).items():
            if key not in ours:
                rows.append({"document_id": our_id, "key": key, "value": value})
            elif ours[key] != value:
                self.report.attribute_conflicts.append(
                    f"{doc['name']}: {key} is {ours[key]!r} here, {value!r} there (kept ours)")
        if rows:
            self.apply({"op": "insert", "table": "document_attributes", "rows": rows})
            self.report.attributes_added += len(rows)

    # -- codings, memos, review marks --------------------------------------------------

    def merge_rows(self, authority: Authority | None) -> None:
        """The per-coder rows (see :mod:`qcode.core.merge_rows`)."""
        place = Placement(self.conn, self.theirs.conn, self.coders, self.codes,
                          self.documents, self.paragraphs, self.apply, self.progress,
                          shift=self.shift)
        tally = RowMerge(place, authority).run()
        r = self.report
        r.codings_added, r.codings_present = tally.codings_added, tally.codings_present
        r.codings_removed, r.codings_updated = tally.codings_removed, tally.codings_updated
        r.codings_widened = tally.codings_widened
        r.memos_added, r.memos_updated = tally.memos_added, tally.memos_updated
        r.memos_removed = tally.memos_removed
        r.reviews_added, r.reviews_removed = tally.reviews_added, tally.reviews_removed
        r.unplaced += tally.unplaced
