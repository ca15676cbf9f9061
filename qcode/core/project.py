"""The project: one SQLite file, and the only code that writes to it.

Every public method that changes something runs one ``BEGIN IMMEDIATE`` transaction
that applies its row changes and appends one event (:mod:`qcode.core.events`), so the
audit trail, undo and redo all stand on the same record. The class is assembled from
parts: reads (:mod:`qcode.core.reading`), the write path (:mod:`qcode.core.writer`),
codebook editing (:mod:`qcode.core.codebook_editing`); this module opens and creates
projects and holds documents, codings, memos and reviews.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qcode.core import schema
from qcode.core.backup import automatic_backup, backup_to
from qcode.core.changes import Change
from qcode.core.codebook_editing import CodebookEditing, CodebookLoad
from qcode.core.db import connect, is_writable, looks_like_sqlite, transaction, translate
from qcode.core.errors import DuplicateImport, ProjectError, QcodeError
from qcode.core.ids import new_guid, now, sha256, text_hash
from qcode.core.model import Document
from qcode.ingest.model import ParsedDocument

if TYPE_CHECKING:
    from qcode.core.imports import CodedImport, ImportedCoder, ImportedCoding, ImportedMemo
    from qcode.core.project_merge import MergeReport

DEFAULT_PATH = Path("qcode.db")


@dataclass(frozen=True)
class TagResult:
    """What a tag/untag call did."""

    changed: int
    unchanged: int
    event_id: int | None


class Project(CodebookEditing):
    """An open project file. Use :meth:`create` or :meth:`open`; close when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, readonly: bool = False) -> None:
        self.path = path
        self.conn = conn
        self.readonly = readonly

    # -- lifecycle -------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path | str = DEFAULT_PATH, *, name: str | None = None) -> Project:
        """Create a new project file; refuses to touch an existing one."""
        path = Path(path)
        if path.exists() and path.stat().st_size > 0:
            raise ProjectError(f"{path}: already exists; open it, or choose another file")
        if not path.parent.exists():
            raise ProjectError(f"{path}: folder {path.parent} does not exist")
        conn = None
        try:
            conn = connect(path)
            schema.migrate(conn)
            with transaction(conn, path):
                conn.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [("guid", new_guid()), ("name", name or path.stem), ("created_at", now())],
                )
        except (sqlite3.Error, OSError) as exc:
            if conn is not None:
                conn.close()
            raise translate(exc, path) from exc
        return cls(path, conn)

    @classmethod
    def open(cls, path: Path | str = DEFAULT_PATH, *, readonly: bool = False) -> Project:
        """Open an existing project, migrating an older one (after a backup copy)."""
        path = Path(path)
        if not path.exists():
            raise ProjectError(f"{path}: no project here; create one with `qcode init`")
        if path.is_dir():
            raise ProjectError(f"{path}: is a directory, not a project file")
        if not looks_like_sqlite(path) or path.stat().st_size == 0:
            raise ProjectError(f"{path}: not a qcode project (not an SQLite database)")
        readonly = readonly or not is_writable(path)
        conn = connect(path, readonly=readonly)
        try:
            cls._check_schema(conn, path, readonly)
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, readonly=readonly)

    @staticmethod
    def _check_schema(conn: sqlite3.Connection, path: Path, readonly: bool) -> None:
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            version = schema.current_version(conn)
        except sqlite3.Error as exc:
            raise translate(exc, path) from exc
        if "schema_migrations" not in tables or "meta" not in tables:
            raise ProjectError(f"{path}: not a qcode project (an SQLite file of something else)")
        if version > schema.LATEST:
            raise ProjectError(
                f"{path}: written by a newer qcode (schema {version}, this qcode knows "
                f"{schema.LATEST}); upgrade qcode to open it"
            )
        if schema.pending(conn):
            if readonly:
                raise ProjectError(
                    f"{path}: needs upgrading to schema {schema.LATEST} but is read-only"
                )
            automatic_backup(conn, path, f"before-schema-{schema.LATEST}")
            try:
                schema.migrate(conn)
            except sqlite3.Error as exc:
                raise translate(exc, path) from exc

    def close(self) -> None:
        """Close the connection (the file stays consistent whether or not you call it)."""
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def backup(self, target: Path | str) -> Path:
        """A consistent copy of the project via SQLite's online backup API."""
        target = Path(target)
        backup_to(self.conn, target)
        return target

    @contextlib.contextmanager
    def bulk(self) -> Iterator[Project]:
        """Many writes in a row (an import of many files): each still commits whole, but
        without waiting for the disk after every one; at the end everything is flushed.

        Inside, ``synchronous=NORMAL``: in WAL mode that loses nothing if qcode crashes
        or is killed, and never corrupts the file; a power cut could drop the last few
        documents, which a re-run of the import (``--skip-existing``) puts back. On
        leaving, a full checkpoint writes the batch to the database file and syncs it.
        """
        if self.readonly:
            yield self
            return
        self.conn.execute("PRAGMA synchronous = NORMAL")
        try:
            yield self
        finally:
            self.conn.execute("PRAGMA synchronous = FULL")
            with contextlib.suppress(sqlite3.Error):
                self.conn.execute("PRAGMA wal_checkpoint(FULL)")

    # -- documents -------------------------------------------------------------------

    def add_document(
        self,
        parsed: ParsedDocument,
        *,
        coder: str,
        name: str | None = None,
        attributes: dict[str, str] | None = None,
    ) -> Document:
        """Add an imported document with its paragraphs and attributes.

        Refuses the same text twice (:class:`DuplicateImport`); a name already taken
        by another text gets a numeric suffix ("interview-2").
        """
        digest = sha256(parsed.text)
        existing = self.conn.execute(
            "SELECT name FROM documents WHERE sha256 = ?", (digest,)
        ).fetchone()
        if existing is not None:
            raise DuplicateImport(
                f"{parsed.name}: already imported as {existing[0]!r} (same text); nothing changed"
            )
        merged = {**parsed.attributes, **(attributes or {})}
        with self._writing():
            doc_name = self._free_name(name or parsed.name)
            document = {
                "guid": new_guid(), "name": doc_name, "title": parsed.title,
                "kind": parsed.kind or "interview", "source": parsed.source,
                "author": parsed.author, "licence": parsed.licence,
                "language": parsed.language, "sha256": digest, "text": parsed.text,
                "imported_at": now(),
            }
            paragraphs = [
                {"ordinal": p.ordinal, "label": p.label, "section": p.section,
                 "speaker": p.speaker, "text": p.text, "start": p.start, "end": p.end,
                 "text_hash": text_hash(p.text)}
                for p in parsed.paragraphs
            ]
            change = {"op": "insert_document",
                      "snapshot": {"document": document, "paragraphs": paragraphs,
                                   "attributes": merged}}
            self._record(coder, "import", f"import {doc_name} ({len(paragraphs)} paragraphs)",
                         [change])
        return self.document(doc_name)

    def _free_name(self, wanted: str) -> str:
        # Names are unique ignoring case (the column's collation); one indexed lookup per
        # candidate keeps a thousand-file import linear.
        name, n = wanted, 1
        while self.conn.execute("SELECT 1 FROM documents WHERE name = ?", (name,)).fetchone():
            n += 1
            name = f"{wanted}-{n}"
        return name

    def remove_document(self, document: Document, *, coder: str) -> None:
        """Remove a document and everything on it (undo brings it all back)."""
        with self._writing():
            self._record(coder, "remove-document", f"remove document {document.name}",
                         [{"op": "delete_document", "id": document.id}])

    def set_attributes(
        self, document: Document, values: dict[str, str | None], *, coder: str
    ) -> None:
        """Set (or with None, remove) a document's attributes, as one event."""
        current = self.attributes(document.id)
        changes: list[Change] = []
        for key, value in values.items():
            key_row = {"document_id": document.id, "key": key}
            if key not in current and value is not None:
                changes.append({"op": "insert", "table": "document_attributes",
                                "rows": [{**key_row, "value": value}]})
            elif key in current and value is None:
                changes.append({"op": "delete", "table": "document_attributes",
                                "rows": [key_row]})
            elif key in current and current[key] != value:
                changes.append({"op": "update", "table": "document_attributes", "key": key_row,
                                "before": {"value": current[key]}, "after": {"value": value}})
        if not changes:
            return
        with self._writing():
            keys = ", ".join(values)
            self._record(coder, "attributes", f"set {keys} of {document.name}", changes)

    # -- coding ----------------------------------------------------------------------

    def tag(
        self,
        paragraph_ids: Iterable[int],
        code_ids: Iterable[int],
        *,
        coder: str,
        memo: str | None = None,
    ) -> TagResult:
        """Apply codes to paragraphs (every pair); pairs already coded are left alone."""
        paragraphs, codes = list(dict.fromkeys(paragraph_ids)), list(dict.fromkeys(code_ids))
        self._check_codable(codes)
        with self._writing():
            coder_id = self._ensure_coder(coder)
            have = self._existing(paragraphs, codes, coder_id)
            stamp = now()
            rows = [
                {"guid": new_guid(), "paragraph_id": p, "code_id": c, "coder_id": coder_id,
                 "memo": memo, "created_at": stamp}
                for p in paragraphs for c in codes if (p, c) not in have
            ]
            if not rows:
                return TagResult(0, len(have), None)
            summary = "tag " + self._describe_pairs(paragraphs, codes)
            event = self._record(coder, "tag", summary,
                                 [{"op": "insert", "table": "codings", "rows": rows}])
        return TagResult(len(rows), len(have), event)

    def untag(
        self, paragraph_ids: Iterable[int], code_ids: Iterable[int], *, coder: str
    ) -> TagResult:
        """Remove the coder's codings of these codes from these paragraphs."""
        paragraphs, codes = list(dict.fromkeys(paragraph_ids)), list(dict.fromkeys(code_ids))
        with self._writing():
            coder_id = self._ensure_coder(coder)
            have = self._existing(paragraphs, codes, coder_id)
            if not have:
                return TagResult(0, len(paragraphs) * len(codes), None)
            summary = "untag " + self._describe_pairs(paragraphs, codes)
            event = self._record(
                coder, "untag", summary,
                [{"op": "delete", "table": "codings", "rows": [{"id": i} for i in have.values()]}],
            )
        return TagResult(len(have), len(paragraphs) * len(codes) - len(have), event)

    def _existing(
        self, paragraphs: list[int], codes: list[int], coder_id: int
    ) -> dict[tuple[int, int], int]:
        found: dict[tuple[int, int], int] = {}
        wanted = set(codes)
        for start in range(0, len(paragraphs), 500):
            chunk = paragraphs[start:start + 500]
            rows = self.conn.execute(
                f"SELECT id, paragraph_id, code_id FROM codings WHERE coder_id = ? "
                f"AND paragraph_id IN ({', '.join('?' * len(chunk))})",
                [coder_id, *chunk],
            )
            for row in rows:
                if row[2] in wanted:
                    found[(row[1], row[2])] = row[0]
        return found

    def _check_codable(self, codes: list[int]) -> None:
        for code_id in codes:
            code = self.code_by_id(code_id)
            if not code.codable:
                raise QcodeError(f"code {code.name!r} is a folder (not codable); pick a sub-code")

    def _describe_pairs(self, paragraphs: list[int], codes: list[int]) -> str:
        first = self.paragraph_by_id(paragraphs[0])
        doc = self.conn.execute(
            "SELECT name FROM documents WHERE id = ?", (first.document_id,)
        ).fetchone()[0]
        where = (first.ref if len(paragraphs) == 1
                 else f"{len(paragraphs)} paragraphs from {first.ref}")
        names = ", ".join(repr(self.code_by_id(c).name) for c in codes)
        return f"{doc} {where} with {names}"

    def set_coding_memo(
        self, paragraph_id: int, code_id: int, text: str | None, *, coder: str
    ) -> None:
        """Write (or with None/empty, clear) the memo on one of the coder's codings."""
        coder_id = self.coder_id(coder)
        row = self.conn.execute(
            "SELECT id, memo FROM codings WHERE paragraph_id = ? AND code_id = ? AND coder_id = ?",
            (paragraph_id, code_id, coder_id or -1),
        ).fetchone()
        if row is None:
            raise QcodeError("that paragraph does not carry this code for you; tag it first")
        value = text.strip() if text and text.strip() else None
        if row["memo"] == value:
            return
        with self._writing():
            self._record(coder, "memo", f"memo on coding #{row['id']}", [
                {"op": "update", "table": "codings", "key": {"id": row["id"]},
                 "before": {"memo": row["memo"]}, "after": {"memo": value}}])

    def set_memo(self, target: str, target_id: int | None, text: str | None, *, coder: str) -> None:
        """Write (or with None/empty, delete) the coder's memo on a paragraph, document,
        code or the project."""
        value = text.strip() if text and text.strip() else None
        with self._writing():
            coder_id = self._ensure_coder(coder)
            row = self.conn.execute(
                "SELECT * FROM memos WHERE target = ? AND target_id IS ? AND coder_id = ?",
                (target, target_id, coder_id),
            ).fetchone()
            summary = f"memo on {target}" + (f" #{target_id}" if target_id is not None else "")
            if row is None and value is None:
                return
            if row is None:
                change: Change = {"op": "insert", "table": "memos", "rows": [{
                    "guid": new_guid(), "target": target, "target_id": target_id,
                    "coder_id": coder_id, "text": value, "created_at": now()}]}
            elif value is None:
                change = {"op": "delete", "table": "memos", "rows": [{"id": row["id"]}]}
            elif row["text"] == value:
                return
            else:
                change = {"op": "update", "table": "memos", "key": {"id": row["id"]},
                          "before": {"text": row["text"]}, "after": {"text": value}}
            self._record(coder, "memo", summary, [change])

    # -- merging another project file -------------------------------------------

    def merge_project(
        self, other: Path | str, *, coder: str, dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> MergeReport:
        """Merge another project file into this one (see :mod:`qcode.core.project_merge`)."""
        from qcode.core.project_merge import merge_project

        return merge_project(self, Path(other), coder=coder, dry_run=dry_run,
                             progress=progress)

    # -- coded documents from another tool (REFI-QDA import) -------------------------

    def import_coded_document(
        self, parsed: ParsedDocument, codings: list[ImportedCoding], *, coder: str,
        guid: str | None = None, attributes: dict[str, str] | None = None,
        memos: list[ImportedMemo] | None = None,
    ) -> CodedImport:
        """Add a document with its codings and memos as one event (or, if its text is
        already here, add them to that document); see :mod:`qcode.core.imports`."""
        from qcode.core.imports import import_coded_document

        return import_coded_document(self, parsed, codings, coder=coder, guid=guid,
                                     attributes=attributes, memos=memos)

    def import_coders(self, coders: list[ImportedCoder]) -> list[str]:
        """Create the coders another tool lists (matched by GUID, then name); returns the
        names of those added."""
        from qcode.core.imports import import_coders

        return import_coders(self, coders)

    def import_memos(self, memos: list[ImportedMemo], *, coder: str,
                     summary: str) -> tuple[int, int]:
        """Add imported memos on the project or on codes as one event: (added, present)."""
        from qcode.core.imports import import_memos

        return import_memos(self, memos, coder=coder, summary=summary)

    # -- reviews (who has read which document, for agreement) ------------------------

    def mark_reviewed(self, document: Document, *, coder: str, reviewed: bool = True) -> bool:
        """Record that ``coder`` has reviewed ``document`` (or, with ``reviewed=False``,
        withdraw the mark), as one undoable event; returns whether anything changed.

        Agreement counts a document as reviewed by a coder when they marked it *or* made
        at least one coding in it, so withdrawing the mark does not un-review a document
        the coder has coded. A reviewed paragraph without a code is "absent" for that
        coder; an unreviewed one is missing data.
        """
        coder_id = self.coder_id(coder)
        current = None if coder_id is None else self.conn.execute(
            "SELECT * FROM reviews WHERE document_id = ? AND coder_id = ?",
            (document.id, coder_id),
        ).fetchone()
        if (current is not None) == reviewed:
            return False
        with self._writing():
            coder_id = self._ensure_coder(coder)
            key = {"document_id": document.id, "coder_id": coder_id}
            if reviewed:
                change: Change = {"op": "insert", "table": "reviews",
                                  "rows": [{**key, "reviewed_at": now()}]}
                summary = f"mark {document.name} reviewed"
            else:
                change = {"op": "delete", "table": "reviews", "rows": [key]}
                summary = f"unmark {document.name} as reviewed"
            self._record(coder, "review", summary, [change])
        return True

    # -- many codings at once --------------------------------------------------------

    def tag_pairs(self, pairs: Iterable[tuple[int, int]], *, coder: str,
                  summary: str) -> TagResult:
        """Apply (paragraph id, code id) pairs as one undoable event — where :meth:`tag`
        codes every paragraph with every code, this codes each paragraph with its own
        codes (the TUI's consensus review carries agreed codings over with it). Pairs
        the coder already has are left alone."""
        wanted = list(dict.fromkeys(pairs))
        self._check_codable(list(dict.fromkeys(code for _p, code in wanted)))
        with self._writing():
            coder_id = self._ensure_coder(coder)
            have = self._existing(list(dict.fromkeys(p for p, _c in wanted)),
                                  list(dict.fromkeys(c for _p, c in wanted)), coder_id)
            stamp = now()
            rows = [{"guid": new_guid(), "paragraph_id": p, "code_id": c, "coder_id": coder_id,
                     "memo": None, "created_at": stamp} for p, c in wanted if (p, c) not in have]
            if not rows:
                return TagResult(0, len(wanted), None)
            event = self._record(coder, "tag", summary,
                                 [{"op": "insert", "table": "codings", "rows": rows}])
        return TagResult(len(rows), len(wanted) - len(rows), event)


__all__ = ["DEFAULT_PATH", "CodebookLoad", "Project", "TagResult"]
