"""Merging another coder's project file into this one (``qcode merge OTHER.db``).

Documents match by content hash, paragraphs by document + ordinal + text hash, codes
by GUID then by name under the same parent, coders by GUID then by name. Everything
the other file adds arrives in one event, so ``qcode undo`` takes the merge back whole.
Merging twice adds nothing. A coding that cannot be placed (its paragraph's text
differs here) is reported, never dropped silently.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qcode.core.controls import check_name
from qcode.core.errors import DamagedProject, QcodeError
from qcode.core.ids import fold, new_guid, now
from qcode.core.project_file import ProjectFile
from qcode.core.spans import dump, load, merged, shifted
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
    documents_matched: int = 0
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

    @property
    def changed(self) -> bool:
        """Whether the merge added anything."""
        return bool(self.documents_added or self.codes_added or self.codings_added
                    or self.codings_widened or self.memos_added or self.attributes_added)


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
        # Every row of the other file is read: a damaged one is refused by its own name
        # before anything starts (inside our transaction its errors would name ours).
        problem = damage(other.conn, other_path, full=True)
        if problem is not None:
            raise DamagedProject(f"{other_path}: {DAMAGED} ({problem}); nothing was merged")
        report = MergeReport(source=str(other_path), dry_run=dry_run)
        if not dry_run:
            project.verify()
        try:
            with project.writing():
                _Merger(project, other, report, progress).run(coder)
                if dry_run:
                    raise _DryRun
                if report.changed:
                    # Backed up only now that the merge is sure to change something.
                    report.backup = str(snapshot_backup(project.path, "before-merge"))
        except _DryRun:
            pass
        return report
    finally:
        other.close()


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

    def run(self, coder: str) -> None:
        self.map_coders()
        self.map_codes()
        self.map_documents()
        self.merge_codings()
        self.merge_memos()
        if self.report.changed:
            r = self.report
            summary = (f"merge {Path(r.source).name}: {len(r.documents_added)} documents, "
                       f"{len(r.codes_added)} codes, {r.codings_added} codings added")
            r.event_id = self.ours.record_applied(coder, "merge-project", summary, self.changes)

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

    def map_codes(self) -> None:
        ours_by_guid = {r["guid"]: r["id"] for r in self.conn.execute("SELECT id, guid FROM codes")}
        for code, _depth in self.theirs.code_tree():
            check_name(code.name, "code", str(self.theirs.path))
            parent = self.codes.get(code.parent_id) if code.parent_id else None
            match = ours_by_guid.get(code.guid) or self._code_by_name(code.name, parent)
            if match is not None:
                self.codes[code.id] = match
                self.report.codes_matched += 1
                continue
            position = self.conn.execute(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM codes WHERE parent_id IS ?", (parent,)
            ).fetchone()[0]
            row = {"guid": code.guid, "name": code.name, "parent_id": parent,
                   "position": position, "colour": code.colour, "short": code.short,
                   "definition": code.definition, "when_to_use": code.when_to_use,
                   "when_not_to_use": code.when_not_to_use, "example": code.example,
                   "example_ref": code.example_ref, "codable": int(code.codable),
                   "created_at": now()}
            realised = self.apply({"op": "insert", "table": "codes", "rows": [row]})
            self.codes[code.id] = realised["rows"][0]["id"]
            self.report.codes_added.append(self.theirs.code_path(code))

    def _code_by_name(self, name: str, parent: int | None) -> int | None:
        for row in self.conn.execute("SELECT id, name FROM codes WHERE parent_id IS ?", (parent,)):
            if fold(row["name"]) == fold(name):
                return int(row["id"])
        return None

    # -- documents and paragraphs -----------------------------------------------------

    def map_documents(self) -> None:
        ours = {r["sha256"]: r["id"] for r in self.conn.execute("SELECT id, sha256 FROM documents")}
        for doc in self.theirs.conn.execute("SELECT * FROM documents ORDER BY id").fetchall():
            our_id = ours.get(doc["sha256"])
            if our_id is None:
                our_id = self._add_document(doc)
                self.report.documents_added.append(doc["name"])
            else:
                self.report.documents_matched += 1
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

    # -- codings and memos ----------------------------------------------------------

    def merge_codings(self) -> None:
        have = {(r[0], r[1], r[2]): (r[3], r[4]) for r in self.conn.execute(
            "SELECT paragraph_id, code_id, coder_id, id, spans FROM codings")}
        guids = {r[0] for r in self.conn.execute("SELECT guid FROM codings")}
        rows: list[dict[str, Any]] = []
        widened: list[Change] = []
        total = self.theirs.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0]
        for number, c in enumerate(self.theirs.conn.execute(
            "SELECT c.*, d.name AS document, p.ordinal, p.label, k.name AS code_name "
            "FROM codings c JOIN paragraphs p ON p.id = c.paragraph_id "
            "JOIN documents d ON d.id = p.document_id JOIN codes k ON k.id = c.code_id "
            "ORDER BY c.id"
        ), start=1):
            if self.progress and (number % 2000 == 0 or number == total):
                self.progress(number, total)
            paragraph = self.paragraphs.get(c["paragraph_id"])
            if paragraph is None:
                where = c["label"] or f"¶{c['ordinal']}"
                self.report.unplaced.append(
                    f"{c['document']} {where} '{c['code_name']}': "
                    "the paragraph's text differs here"
                )
                continue
            key = (paragraph, self.codes[c["code_id"]], self.coders[c["coder_id"]])
            spans = c["spans"]
            if spans is not None and c["paragraph_id"] in self.shift:
                spans = dump(shifted(load(spans), self.shift[c["paragraph_id"]]))
            if key in have:
                self.report.codings_present += 1
                coding_id, ours = have[key]
                both = merged(ours, spans)
                if coding_id is not None and both != ours:
                    # The same coding with other exact selections: it holds them all.
                    widened.append({"op": "update", "table": "codings",
                                    "key": {"id": coding_id},
                                    "before": {"spans": ours}, "after": {"spans": both}})
                    have[key] = (coding_id, both)
                continue
            have[key] = (None, spans)
            guid = c["guid"] if c["guid"] not in guids else new_guid()
            rows.append({"guid": guid, "paragraph_id": key[0], "code_id": key[1],
                         "coder_id": key[2], "memo": c["memo"], "created_at": c["created_at"],
                         "spans": spans})
        if rows:
            self.apply({"op": "insert", "table": "codings", "rows": rows})
            self.report.codings_added = len(rows)
        for change in widened:
            self.apply(change)
        self.report.codings_widened = len(widened)

    def merge_memos(self) -> None:
        guids = {r[0] for r in self.conn.execute("SELECT guid FROM memos")}
        targets = {"document": self.documents, "paragraph": self.paragraphs, "code": self.codes}
        rows = []
        for m in self.theirs.conn.execute("SELECT * FROM memos ORDER BY id"):
            if m["guid"] in guids:
                continue
            target_id = m["target_id"]
            if m["target"] in targets:
                target_id = targets[m["target"]].get(target_id)
                if target_id is None:
                    self.report.unplaced.append(f"memo on {m['target']} #{m['target_id']}")
                    continue
            coder_id = self.coders.get(m["coder_id"]) if m["coder_id"] is not None else None
            clash = self.conn.execute(
                "SELECT 1 FROM memos WHERE target = ? AND target_id IS ? AND coder_id IS ?",
                (m["target"], target_id, coder_id)).fetchone()
            if clash:
                self.report.unplaced.append(
                    f"memo on {m['target']} #{m['target_id']}: that coder already has one here")
                continue
            rows.append({"guid": m["guid"], "target": m["target"], "target_id": target_id,
                         "coder_id": coder_id, "text": m["text"], "created_at": m["created_at"]})
        if rows:
            self.apply({"op": "insert", "table": "memos", "rows": rows})
            self.report.memos_added = len(rows)
