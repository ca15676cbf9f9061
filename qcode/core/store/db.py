"""Opening the project file: pragmas, lock waiting, and turning SQLite's failures into
messages a researcher can act on."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from qcode.core.errors import DamagedProject, ImportFailed, ProjectError
from qcode.core.settings import busy_timeout_ms
from qcode.core.textfile import open_regular

SQLITE_HEADER = b"SQLite format 3\x00"



# SQLite's default page cache is 2 MB: a bulk write into a big project then reads the
# same index pages from the OS again and again (a 100k-coding merge was 3x slower).
CACHE_KIB = -64 * 1024


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """Open ``path`` with the busy timeout and foreign keys; nothing is written.

    The connection is in autocommit mode: every write runs inside an explicit
    ``BEGIN IMMEDIATE`` ... ``COMMIT`` so that a writer takes the lock up front and
    waits for it, rather than failing halfway through a transaction. A project opened
    for writing is switched to WAL by :func:`enable_wal`, once it is known to be a
    qcode project: another program's database is never changed, not even its header.
    """
    try:
        if readonly:
            conn = _connect_readonly(path)
        else:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as exc:
        raise translate(exc, path) from exc
    conn.row_factory = sqlite3.Row
    try:
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA cache_size = {CACHE_KIB}")
    except sqlite3.Error as exc:
        conn.close()
        raise translate(exc, path) from exc
    return conn


def enable_wal(conn: sqlite3.Connection, path: Path) -> None:
    """WAL and ``synchronous=FULL`` for a project about to be written."""
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise ProjectError(f"{path}: could not switch the project to WAL mode ({mode})")
        # FULL: a commit is on disk before the screen says so, power cut included.
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.Error as exc:
        raise translate(exc, path) from exc


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection, also in a folder this process cannot write.

    A WAL project needs its ``-shm`` file even to be read; SQLite cannot create one in
    a read-only folder. When there is no ``-wal`` beside the file either, nothing is
    waiting to be checkpointed, so the file alone is the whole project and it is read
    as immutable. (With a ``-wal``, SQLite reads without a ``-shm`` by itself.)
    """
    uri = path.resolve().as_uri()
    conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None,
                           check_same_thread=False)
    try:
        # SQLite opens lazily: the first read is what needs the -shm.
        conn.execute("PRAGMA schema_version").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
        if _sidecar(path, "-wal").exists() or os.access(path.parent, os.W_OK):
            raise
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None,
                           check_same_thread=False)


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def looks_like_sqlite(path: Path) -> bool:
    """True when ``path`` starts with the SQLite header (or is empty: a fresh file).

    Anything but a regular file is refused first: reading a FIFO would wait forever."""
    try:
        with open_regular(path, what="a project") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except ImportFailed as exc:
        raise ProjectError(str(exc)) from exc
    except OSError as exc:
        raise ProjectError(f"{path}: cannot read the project file ({exc.strerror})") from exc
    return head == SQLITE_HEADER or head == b""


def why_readonly(path: Path) -> str | None:
    """Why this process cannot write the project, or None when it can: the file, its
    folder (WAL creates files beside it) or a ``-shm``/``-wal`` another user left."""
    if not os.access(path, os.W_OK):
        return f"{path}: the project is read-only"
    folder = path.parent
    if not os.access(folder, os.W_OK):
        return f"{path}: the folder {folder} is read-only"
    for suffix in ("-shm", "-wal"):
        sidecar = _sidecar(path, suffix)
        if sidecar.exists() and not os.access(sidecar, os.W_OK):
            return (f"{sidecar} is read-only (left by another user or program?); make it "
                    "writable, or delete it while no qcode has the project open")
    return None


# SQLite's primary result codes (the low byte of its extended codes) that we explain.
_FULL, _IOERR, _CORRUPT, _NOTADB = 13, 10, 11, 26
# Below this much free space, an I/O error while growing a file is a full disk.
_NEARLY_FULL = 1024 * 1024
DAMAGED = "the project file is damaged"


def translate(exc: BaseException, path: Path | str) -> ProjectError:
    """Map a low-level SQLite or OS failure to a one-line :class:`ProjectError`."""
    text = str(exc)
    lowered = text.lower()
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if ((isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in lowered
            or primary == _FULL
            or ((primary == _IOERR or isinstance(exc, OSError)) and _nearly_full(path))):
        return ProjectError(f"{path}: the disk is full; nothing was changed")
    if "locked" in lowered or "busy" in lowered:
        return ProjectError(
            f"{path}: the project is locked by another qcode process; try again in a moment"
        )
    if "readonly" in lowered or "read-only" in lowered:
        reason = why_readonly(Path(path)) or f"{path}: the project is read-only"
        return ProjectError(f"{reason}; nothing was changed")
    if (primary in (_CORRUPT, _NOTADB) or "malformed" in lowered
            or "not a database" in lowered or lowered.startswith("no such table")
            or lowered.startswith("no such column")):
        return DamagedProject(f"{path}: {DAMAGED} ({text}); nothing was changed. "
                              "`qcode check` says what is wrong")
    if "unable to open" in lowered:
        return ProjectError(f"{path}: cannot open the project file ({text})")
    return ProjectError(f"{path}: {text}")


def _nearly_full(path: Path | str) -> bool:
    import shutil  # only when a write has failed

    folder = Path(path).parent
    try:
        return shutil.disk_usage(folder).free < _NEARLY_FULL
    except OSError:
        return False


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
