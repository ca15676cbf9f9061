"""The project: one SQLite file, and the only code that writes to it.

Every public method that changes something runs one ``BEGIN IMMEDIATE`` transaction
that applies its row changes and appends one event (:mod:`qcode.core.events`), so the
audit trail, undo and redo all stand on the same record.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qcode.core import events, schema
from qcode.core.backup import automatic_backup, backup_to
from qcode.core.changes import Change
from qcode.core.changes import apply as apply_change
from qcode.core.codebook import Codebook, CodeSpec
from qcode.core.db import connect, is_writable, looks_like_sqlite, transaction, translate
from qcode.core.errors import DuplicateImport, ProjectError, QcodeError
from qcode.core.ids import fold, new_guid, now, sha256, text_hash
from qcode.core.model import Code, Document
from qcode.core.reading import ProjectReader
from qcode.ingest.model import ParsedDocument

if TYPE_CHECKING:
    from qcode.core.codebook_merge import MergePlan
    from qcode.core.codebook_merge_apply import MergeOutcome
    from qcode.core.imports import CodedImport, ImportedCoder, ImportedCoding, ImportedMemo
    from qcode.core.project_merge import MergeReport

DEFAULT_PATH = Path("qcode.db")
CODE_FIELDS = (
    "name", "colour", "short", "definition", "when_to_use", "when_not_to_use", "example",
    "example_ref", "codable",
)


@dataclass(frozen=True)
class TagResult:
    """What a tag/untag call did."""

    changed: int
    unchanged: int
    event_id: int | None


@dataclass(frozen=True)
class CodebookLoad:
    """What loading a codebook did."""

    added: int
    updated: int
    unchanged: int
    event_id: int | None


class Project(ProjectReader):
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

    # -- the write path --------------------------------------------------------------

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        if self.readonly:
            raise ProjectError(f"{self.path}: the project is read-only; nothing was changed")
        with transaction(self.conn, self.path) as conn:
            yield conn

    def _ensure_coder(self, name: str) -> int:
        """The coder's id, creating the coder on first write (inside the transaction)."""
        name = name.strip()
        if not name:
            raise QcodeError("a coder needs a name (--coder NAME or $QCODE_CODER)")
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
        if row is not None:
            return int(row[0])
        cursor = self.conn.execute(
            "INSERT INTO coders (guid, name, created_at) VALUES (?, ?, ?)",
            (new_guid(), name, now()),
        )
        return int(cursor.lastrowid or 0)

    def _record(self, coder: str, action: str, summary: str, changes: list[Change]) -> int:
        coder_id = self._ensure_coder(coder)
        return events.record(self.conn, coder_id, action, summary, changes)

    def undo(self, *, coder: str) -> str:
        """Take back the coder's latest change; returns what was undone."""
        with self._writing():
            _, summary = events.undo(self.conn, self._ensure_coder(coder))
        return summary

    def redo(self, *, coder: str) -> str:
        """Re-apply the coder's latest undone change; returns what was redone."""
        with self._writing():
            _, summary = events.redo(self.conn, self._ensure_coder(coder))
        return summary

    # -- project settings ------------------------------------------------------------

    def set_meta(self, values: dict[str, str | None], *, coder: str, summary: str) -> None:
        """Set (or with None, remove) project settings as one event."""
        with self._writing():
            self._record(coder, "settings", summary, self._meta_changes(values))

    def _meta_changes(self, values: dict[str, str | None]) -> list[Change]:
        changes: list[Change] = []
        for key, value in values.items():
            old = self.meta(key)
            if old == value:
                continue
            if old is None:
                changes.append({"op": "insert", "table": "meta",
                                "rows": [{"key": key, "value": value}]})
            elif value is None:
                changes.append({"op": "delete", "table": "meta", "rows": [{"key": key}]})
            else:
                changes.append({"op": "update", "table": "meta", "key": {"key": key},
                                "before": {"value": old}, "after": {"value": value}})
        return changes

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

    # -- the codebook ----------------------------------------------------------------

    def load_codebook(self, codebook: Codebook, *, coder: str) -> CodebookLoad:
        """Add the codebook's codes (matched by GUID) and update changed ones, as one event.

        Codes in the project but not in the file are left alone; so are codings.
        """
        existing = {c.guid: c for c in self.codes()}
        added = updated = unchanged = 0
        with self._writing():
            changes: list[Change] = []
            # Codes are inserted parents first so children can point at them.
            ids: dict[str, int] = {g: c.id for g, c in existing.items()}
            for spec, parent, _depth in codebook.walk():
                parent_id = ids[parent.guid] if parent else None
                position = (parent.children if parent else codebook.codes).index(spec)
                values = _spec_values(spec) | {"parent_id": parent_id, "position": position}
                current = existing.get(spec.guid)
                if current is None:
                    row = {"guid": spec.guid, **values, "created_at": now()}
                    self._check_sibling_name(spec.name, parent_id, None)
                    realised = apply_change(self.conn, {"op": "insert", "table": "codes",
                                                      "rows": [row]})
                    ids[spec.guid] = realised["rows"][0]["id"]
                    changes.append(realised)
                    added += 1
                    continue
                before = {k: _db_value(getattr(current, k)) for k in values}
                diff = {k: v for k, v in values.items() if before[k] != v}
                if not diff:
                    unchanged += 1
                    continue
                if "name" in diff or "parent_id" in diff:
                    self._check_sibling_name(spec.name, parent_id, current.id)
                changes.append(apply_change(self.conn, {
                    "op": "update", "table": "codes", "key": {"id": current.id},
                    "before": {k: before[k] for k in diff}, "after": diff}))
                updated += 1
            changes.extend(apply_change(self.conn, c) for c in self._meta_changes({
                "codebook_name": codebook.name, "codebook_version": codebook.version,
                "codebook_description": codebook.description,
                "codebook_source": codebook.source,
            }))
            if not (added or updated):
                return CodebookLoad(0, 0, unchanged, None)
            summary = f"load codebook {codebook.name!r} ({added} added, {updated} updated)"
            event = events.record_applied(self.conn, self._ensure_coder(coder), "codebook",
                                          summary, changes)
        return CodebookLoad(added, updated, unchanged, event)

    def _check_sibling_name(self, name: str, parent_id: int | None, own_id: int | None) -> None:
        for row in self.conn.execute(
            "SELECT id, name FROM codes WHERE parent_id IS ?", (parent_id,)
        ):
            if row["id"] != own_id and fold(row["name"]) == fold(name):
                where = "at the top level" if parent_id is None else "under the same parent"
                raise QcodeError(f"a code named {row['name']!r} already exists {where}")

    def add_code(
        self, name: str, *, coder: str, parent: Code | None = None, **fields: Any
    ) -> Code:
        """Create a code (at the end of its parent's children)."""
        name = name.strip()
        if not name:
            raise QcodeError("a code needs a name")
        spec = CodeSpec(name=name, **fields)
        with self._writing():
            parent_id = parent.id if parent else None
            self._check_sibling_name(name, parent_id, None)
            position = self.conn.execute(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM codes WHERE parent_id IS ?",
                (parent_id,),
            ).fetchone()[0]
            row = {"guid": spec.guid, **_spec_values(spec), "parent_id": parent_id,
                   "position": position, "created_at": now()}
            self._record(coder, "add-code", f"add code {name!r}",
                         [{"op": "insert", "table": "codes", "rows": [row]}])
        return self.code(spec.guid)

    def update_code(self, code: Code, *, coder: str, **fields: Any) -> Code:
        """Change a code's name, colour or definitions (one event)."""
        unknown = set(fields) - set(CODE_FIELDS)
        if unknown:
            raise QcodeError(f"codes have no field {', '.join(sorted(unknown))}")
        after = {k: _db_value(v) for k, v in fields.items()
                 if _db_value(v) != _db_value(getattr(code, k))}
        if not after:
            return code
        with self._writing():
            if "name" in after:
                if not str(after["name"]).strip():
                    raise QcodeError("a code needs a name")
                self._check_sibling_name(after["name"], code.parent_id, code.id)
            before = {k: _db_value(getattr(code, k)) for k in after}
            what = "rename" if set(after) == {"name"} else "edit"
            summary = (f"rename code {code.name!r} to {after['name']!r}" if what == "rename"
                       else f"edit code {code.name!r} ({', '.join(after)})")
            self._record(coder, f"{what}-code", summary, [
                {"op": "update", "table": "codes", "key": {"id": code.id},
                 "before": before, "after": after}])
        return self.code_by_id(code.id)

    def move_code(self, code: Code, parent: Code | None, *, coder: str) -> Code:
        """Move a code (with its sub-codes) under another parent, or to the top level."""
        parent_id = parent.id if parent else None
        if parent_id == code.parent_id:
            return code
        ancestor = parent
        while ancestor is not None:
            if ancestor.id == code.id:
                raise QcodeError(f"cannot move {code.name!r} under its own sub-code")
            ancestor = self.code_by_id(ancestor.parent_id) if ancestor.parent_id else None
        with self._writing():
            self._check_sibling_name(code.name, parent_id, code.id)
            position = self.conn.execute(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM codes WHERE parent_id IS ?",
                (parent_id,),
            ).fetchone()[0]
            where = repr(parent.name) if parent else "the top level"
            self._record(coder, "move-code", f"move code {code.name!r} to {where}", [
                {"op": "update", "table": "codes", "key": {"id": code.id},
                 "before": {"parent_id": code.parent_id, "position": code.position},
                 "after": {"parent_id": parent_id, "position": position}}])
        return self.code_by_id(code.id)

    def merge_project(
        self, other: Path | str, *, coder: str, dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> MergeReport:
        """Merge another project file into this one (see :mod:`qcode.core.project_merge`)."""
        from qcode.core.project_merge import merge_project

        return merge_project(self, Path(other), coder=coder, dry_run=dry_run,
                             progress=progress)

    def affected_codings(self, code: Code) -> int:
        """How many codings a delete or merge of ``code`` would touch."""
        return int(self.conn.execute(
            "SELECT COUNT(*) FROM codings WHERE code_id = ?", (code.id,)).fetchone()[0])

    def merge_codes(self, source: Code, target: Code, *, coder: str) -> int:
        """Fold ``source`` into ``target``: its codings move over (duplicates collapse),
        its sub-codes move under ``target``, and ``source`` is removed. One event."""
        if source.id == target.id:
            raise QcodeError("cannot merge a code into itself")
        with self._writing():
            rows = [dict(r) for r in self.conn.execute(
                "SELECT * FROM codings WHERE code_id = ?", (source.id,))]
            target_pairs = {(r[0], r[1]) for r in self.conn.execute(
                "SELECT paragraph_id, coder_id FROM codings WHERE code_id = ?", (target.id,))}
            moved = [r for r in rows if (r["paragraph_id"], r["coder_id"]) not in target_pairs]
            changes: list[Change] = []
            if rows:
                changes.append({"op": "delete", "table": "codings",
                                "rows": [{"id": r["id"]} for r in rows]})
            if moved:
                changes.append({"op": "insert", "table": "codings",
                                "rows": [{**r, "code_id": target.id} for r in moved]})
            changes.extend(self._reparent_children(source, target.id))
            changes.append({"op": "delete", "table": "codes", "rows": [{"id": source.id}]})
            self._record(coder, "merge-codes",
                         f"merge code {source.name!r} into {target.name!r} "
                         f"({len(rows)} codings reassigned)", changes)
        return len(rows)

    def delete_code(self, code: Code, *, coder: str) -> int:
        """Delete a code and its codings; its sub-codes move up to its parent. Undoable."""
        with self._writing():
            ids = [r[0] for r in self.conn.execute(
                "SELECT id FROM codings WHERE code_id = ?", (code.id,))]
            changes: list[Change] = []
            if ids:
                changes.append({"op": "delete", "table": "codings",
                                "rows": [{"id": i} for i in ids]})
            changes.extend(self._reparent_children(code, code.parent_id))
            changes.append({"op": "delete", "table": "codes", "rows": [{"id": code.id}]})
            self._record(coder, "delete-code",
                         f"delete code {code.name!r} ({len(ids)} codings removed)", changes)
        return len(ids)

    def _reparent_children(self, code: Code, new_parent: int | None) -> list[Change]:
        changes: list[Change] = []
        for child in self.conn.execute(
            "SELECT id, name, position FROM codes WHERE parent_id = ?", (code.id,)
        ).fetchall():
            self._check_sibling_name(child["name"], new_parent, child["id"])
            changes.append({"op": "update", "table": "codes", "key": {"id": child["id"]},
                            "before": {"parent_id": code.id},
                            "after": {"parent_id": new_parent}})
        return changes

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

    # -- merging a shared codebook ---------------------------------------------------

    def merge_codebook(self, plan: MergePlan, *, coder: str) -> MergeOutcome:
        """Apply the accepted proposals of a codebook merge plan as one undoable event
        (see :mod:`qcode.core.codebook_merge`); refuses a plan made before the project's
        codebook last changed."""
        from dataclasses import replace

        from qcode.core.codebook_merge_apply import merge_changes

        with self._writing():
            changes, outcome = merge_changes(self, plan)
            if not changes:
                return outcome
            event = self._record(coder, "merge-codebook", outcome.summary, changes)
        return replace(outcome, event_id=event)

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


def _db_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        return value.strip() or None
    return value


def _spec_values(spec: CodeSpec) -> dict[str, Any]:
    return {k: _db_value(getattr(spec, k)) for k in CODE_FIELDS}


__all__ = ["DEFAULT_PATH", "CodebookLoad", "Project", "TagResult"]
