"""Opening the project file: pragmas, lock waiting, and turning SQLite's failures into
messages a researcher can act on."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from qcode.core.errors import ProjectError
from qcode.core.settings import busy_timeout_ms

SQLITE_HEADER = b"SQLite format 3\x00"



# SQLite's default page cache is 2 MB: a bulk write into a big project then reads the
# same index pages from the OS again and again (a 100k-coding merge was 3x slower).
CACHE_KIB = -64 * 1024


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open ``path`` with the project's pragmas (WAL, foreign keys, busy timeout).

    The connection is in autocommit mode: every write runs inside an explicit
    ``BEGIN IMMEDIATE`` ... ``COMMIT`` so that a writer takes the lock up front and
    waits for it, rather than failing halfway through a transaction.
    """
    if readonly:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    else:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA cache_size = {CACHE_KIB}")
        if not readonly:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise ProjectError(f"{path}: could not switch the project to WAL mode ({mode})")
            # FULL: a commit is on disk before the screen says so, power cut included.
            conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.Error as exc:
        conn.close()
        raise translate(exc, path) from exc
    return conn


def looks_like_sqlite(path: Path) -> bool:
    """True when ``path`` starts with the SQLite header (or is empty: a fresh file)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise ProjectError(f"{path}: cannot read the project file ({exc.strerror})") from exc
    return head == SQLITE_HEADER or head == b""


def translate(exc: BaseException, path: Path | str) -> ProjectError:
    """Map a low-level SQLite or OS failure to a one-line :class:`ProjectError`."""
    text = str(exc)
    lowered = text.lower()
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in lowered:
        return ProjectError(f"{path}: the disk is full; nothing was changed")
    if "locked" in lowered or "busy" in lowered:
        return ProjectError(
            f"{path}: the project is locked by another qcode process; try again in a moment"
        )
    if "readonly" in lowered or "read-only" in lowered:
        return ProjectError(f"{path}: the project is read-only; nothing was changed")
    if "not a database" in lowered or "malformed" in lowered:
        return ProjectError(f"{path}: not a qcode project, or the file is damaged ({text})")
    if "unable to open" in lowered:
        return ProjectError(f"{path}: cannot open the project file ({text})")
    return ProjectError(f"{path}: {text}")


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection, path: Path | str) -> Iterator[sqlite3.Connection]:
    """One write transaction: ``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any error.

    SQLite and OS errors leave as :class:`ProjectError`; everything else (including
    our own :class:`QcodeError`) propagates unchanged after the rollback.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise translate(exc, path) from exc
    try:
        yield conn
        conn.execute("COMMIT")
    except (sqlite3.Error, OSError) as exc:
        _rollback(conn)
        raise translate(exc, path) from exc
    except BaseException:
        _rollback(conn)
        raise


def _rollback(conn: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):
        if conn.in_transaction:
            conn.execute("ROLLBACK")


def is_writable(path: Path) -> bool:
    """Whether this process may write the project file and its directory (WAL needs both)."""
    return os.access(path, os.W_OK) and os.access(path.parent or Path("."), os.W_OK)
