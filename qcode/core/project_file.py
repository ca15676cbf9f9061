"""An open project file: its reads, its write path, opening and closing.

:class:`ProjectFile` is what every part of a project builds on — the codebook editor,
coded imports, project merges — and :class:`qcode.Project` composes them. Opening
checks that the file is a qcode project before anything is written to it, and migrates
an older one after a backup.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Self

from qcode.core.errors import DamagedProject, ProjectError
from qcode.core.ids import new_guid, now
from qcode.core.reading import ProjectReader
from qcode.core.settings import DEFAULT_PROJECT, busy_timeout_ms
from qcode.core.store import schema
from qcode.core.store.db import (
    DAMAGED,
    connect,
    enable_wal,
    looks_like_sqlite,
    transaction,
    translate,
    why_readonly,
)
from qcode.core.store.health import damage, remember_schema
from qcode.core.store.writer import ProjectWriter

if TYPE_CHECKING:
    from qcode.core.store.check import CheckReport

DEFAULT_PATH = DEFAULT_PROJECT
# PRAGMA optimize samples this many index entries per index (a few ms at any size) and
# waits at most this long for another process's write lock.
ANALYSIS_LIMIT = 1000
OPTIMIZE_WAIT_MS = 200


class ProjectFile(ProjectReader, ProjectWriter):
    """An open project file. Use :meth:`create` or :meth:`open`; close when done."""

    def __init__(self, path: Path, conn: sqlite3.Connection, *, readonly: bool = False,
                 readonly_reason: str | None = None, damaged: bool = False) -> None:
        self.path = path
        self.conn = conn
        self.readonly = readonly or readonly_reason is not None
        self.readonly_reason = readonly_reason
        # Found damaged on opening: readable as far as it goes, writable only by a repair.
        self.damaged = damaged

    # -- lifecycle -------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path | str = DEFAULT_PATH, *, name: str | None = None) -> Self:
        """Create a new project file; refuses to touch an existing one."""
        path = Path(path)
        if not path.parent.exists():
            raise ProjectError(f"{path}: folder {path.parent} does not exist")
        _claim(path)
        conn = None
        try:
            conn = connect(path)
            enable_wal(conn, path)
            schema.migrate(conn)
            with transaction(conn, path):
                conn.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [("guid", new_guid()), ("name", name or path.stem), ("created_at", now())],
                )
            remember_schema(conn)
        except (sqlite3.Error, OSError, ProjectError) as exc:
            if conn is not None:
                conn.close()
            if _lost_a_race(exc):
                # Another `qcode init` created the project between our look and our write.
                raise ProjectError(
                    f"{path}: already exists; open it, or choose another file") from exc
            if isinstance(exc, ProjectError):
                raise
            raise translate(exc, path) from exc
        return cls(path, conn)

    @classmethod
    def open(cls, path: Path | str = DEFAULT_PATH, *, readonly: bool = False) -> Self:
        """Open an existing project, migrating an older one (after a backup copy).

        Nothing is written before the file is known to be a qcode project. A file this
        process may not write, or one that fails the checks in
        :mod:`qcode.core.store.health`, opens read-only and says why on a write."""
        path = Path(path)
        if not path.exists():
            raise ProjectError(f"{path}: no project here; create one with `qcode init`")
        if path.is_dir():
            raise ProjectError(f"{path}: is a directory, not a project file")
        if not looks_like_sqlite(path) or path.stat().st_size == 0:
            raise ProjectError(f"{path}: not a qcode project (not an SQLite database)")
        reason = None if readonly else why_readonly(path)
        conn = connect(path, readonly=readonly or reason is not None)
        damaged = False
        try:
            cls._identify(conn, path)
            if not readonly and reason is None:
                reason = _damaged(conn, path)
                damaged = reason is not None
            if not readonly and reason is None:
                enable_wal(conn, path)
                cls._migrate(conn, path)
                remember_schema(conn)
            elif schema.pending(conn):
                if readonly and reason is None and why_readonly(path) is None:
                    # A reading command on a project from the previous qcode: upgrade
                    # it (backup first) as a writing one would, then read.
                    conn.close()
                    cls.open(path).close()
                    return cls.open(path, readonly=True)
                raise ProjectError(
                    f"{path}: needs upgrading to schema {schema.LATEST} but is read-only"
                    + (f" ({reason})" if reason else ""))
        except sqlite3.Error as exc:
            conn.close()
            raise translate(exc, path) from exc
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, readonly=readonly, readonly_reason=reason, damaged=damaged)

    @staticmethod
    def _identify(conn: sqlite3.Connection, path: Path) -> None:
        """Refuse what is not a qcode project, or one from a newer qcode (reads only)."""
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            version = schema.current_version(conn) if "schema_migrations" in tables else 0
        except sqlite3.Error as exc:
            raise translate(exc, path) from exc
        if "schema_migrations" not in tables or "meta" not in tables:
            raise ProjectError(f"{path}: not a qcode project (an SQLite file of something else)")
        if version > schema.LATEST:
            raise ProjectError(
                f"{path}: written by a newer qcode (schema {version}, this qcode knows "
                f"{schema.LATEST}); upgrade qcode to open it"
            )

    @staticmethod
    def _migrate(conn: sqlite3.Connection, path: Path) -> None:
        if schema.pending(conn):
            # Backups and checks are loaded where they are used: every command opens a
            # project, few upgrade or check one (and `qcode tag` is timed from the shell).
            from qcode.core.store.backup import automatic_backup

            automatic_backup(conn, path, f"before-schema-{schema.LATEST}")
            try:
                schema.migrate(conn)
            except sqlite3.Error as exc:
                raise translate(exc, path) from exc

    def verify(self) -> None:
        """Before work that reads or rewrites much of the project (an import, a merge):
        refuse a file that fails SQLite's quick check, whatever its size."""
        if self.readonly:
            return  # writing() refuses with the reason
        problem = damage(self.conn, self.path, full=True)
        if problem is not None:
            self.readonly_reason = _damaged_message(self.path, problem)
            self.readonly = self.damaged = True
            raise DamagedProject(self.readonly_reason)

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

    def check(self, *, repair: bool = False) -> CheckReport:
        """``qcode check``: the project's health (and, with ``repair``, the safe fixes,
        after a backup); see :mod:`qcode.core.store.check`."""
        from qcode.core.store.check import check as run_check
        from qcode.core.store.check import repair as run_repair

        if repair:
            return run_repair(self.conn, self.path, readonly=self.readonly and not self.damaged)
        return run_check(self.conn, self.path)

    def backup(self, target: Path | str) -> Path:
        """A consistent copy of the project via SQLite's online backup API."""
        from qcode.core.store.backup import backup_to

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
        self.verify()
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


def _claim(path: Path) -> None:
    """Refuse an existing project; create the file exclusively, so that of two `qcode
    init`s racing for one path the second is told so too (an empty file is taken over;
    two inits racing for one are told apart by :func:`_lost_a_race`)."""
    if path.exists() and path.stat().st_size > 0:
        raise ProjectError(f"{path}: already exists; open it, or choose another file")
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    except FileExistsError:
        if path.stat().st_size > 0:
            raise ProjectError(
                f"{path}: already exists; open it, or choose another file") from None
    except OSError as exc:
        raise translate(exc, path) from exc


def _lost_a_race(exc: BaseException) -> bool:
    text = str(exc.__cause__ or exc).lower()
    return "already exists" in text or "unique constraint failed" in text


def _damaged(conn: sqlite3.Connection, path: Path) -> str | None:
    problem = damage(conn, path)
    return None if problem is None else _damaged_message(path, problem)


def _damaged_message(path: Path, problem: str) -> str:
    return (f"{path}: {DAMAGED} ({problem}); nothing was changed. "
            "`qcode check` says what is wrong")
