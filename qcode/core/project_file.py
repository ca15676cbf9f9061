"""An open project file: its reads, its write path, opening and closing.

:class:`ProjectFile` is what every part of a project builds on — the codebook editor,
coded imports, project merges — and :class:`qcode.Project` composes them. Opening
checks that the file is a qcode project before anything is written to it, and migrates
an older one after a backup.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Self

from qcode.core.errors import ProjectError
from qcode.core.ids import new_guid, now
from qcode.core.reading import ProjectReader
from qcode.core.settings import DEFAULT_PROJECT, busy_timeout_ms
from qcode.core.store import schema
from qcode.core.store.backup import automatic_backup, backup_to
from qcode.core.store.db import (
    connect,
    is_writable,
    looks_like_sqlite,
    transaction,
    translate,
)
from qcode.core.store.writer import ProjectWriter

DEFAULT_PATH = DEFAULT_PROJECT
# PRAGMA optimize samples this many index entries per index (a few ms at any size) and
# waits at most this long for another process's write lock.
ANALYSIS_LIMIT = 1000
OPTIMIZE_WAIT_MS = 200


class ProjectFile(ProjectReader, ProjectWriter):
    """An open project file. Use :meth:`create` or :meth:`open`; close when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, readonly: bool = False) -> None:
        self.path = path
        self.conn = conn
        self.readonly = readonly

    # -- lifecycle -------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path | str = DEFAULT_PATH, *, name: str | None = None) -> Self:
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
    def open(cls, path: Path | str = DEFAULT_PATH, *, readonly: bool = False) -> Self:
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
        """Close the connection (the file stays consistent whether or not you call it).

        A connection that wrote first lets SQLite refresh the planner's statistics where
        they are missing or stale (``PRAGMA optimize``, as SQLite recommends before
        closing a connection).
        """
        if self.wrote:
            self.optimize()
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()

    def optimize(self) -> None:
        """``PRAGMA optimize``, bounded: a sampled ANALYZE (``analysis_limit``) of the
        tables that need it, skipped rather than waited for when another process writes.
        Plans do not depend on it (tests/core/test_query_plans.py); it only helps."""
        if self.readonly:
            return
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute(f"PRAGMA busy_timeout = {OPTIMIZE_WAIT_MS}")
            self.conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
            self.conn.execute("PRAGMA optimize")
        with contextlib.suppress(sqlite3.Error):
            self.conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def backup(self, target: Path | str) -> Path:
        """A consistent copy of the project via SQLite's online backup API."""
        target = Path(target)
        backup_to(self.conn, target)
        return target

    @contextlib.contextmanager
    def bulk(self) -> Iterator[Self]:
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
            self.optimize()

    def free_name(self, wanted: str) -> str:
        # Names are unique ignoring case (the column's collation); one indexed lookup per
        # candidate keeps a thousand-file import linear.
        name, n = wanted, 1
        while self.conn.execute("SELECT 1 FROM documents WHERE name = ?", (name,)).fetchone():
            n += 1
            name = f"{wanted}-{n}"
        return name

