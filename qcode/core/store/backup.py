"""Consistent copies of a project: on demand (``qcode backup``) and automatically before
risky work (a migration, a project merge, a .qdpx import), keeping the last few."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from qcode.core.errors import ProjectError
from qcode.core.store.db import translate

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows; stale partials then stay
    fcntl = None  # type: ignore[assignment]

# Automatic backups kept per reason; older ones are pruned.
KEEP = 5
# A copy in progress is written under this suffix, then renamed into place.
PARTIAL = ".backup-partial"
# SQLite's own files beside a database (a killed copy leaves its rollback journal).
_SIDECARS = ("", "-journal", "-wal", "-shm")


def backup_to(conn: sqlite3.Connection, target: Path) -> None:
    """Copy the open database to ``target`` with SQLite's online backup API.

    Safe while other processes write: the API copies a consistent snapshot. The copy
    is written beside the target and renamed into place, so ``target`` is never half
    written; what a killed copy left in that folder is cleaned up first.
    """
    if target.exists():
        raise ProjectError(f"{target}: already exists; choose another name")
    if not target.parent.is_dir():
        raise ProjectError(f"{target}: folder {target.parent} does not exist")
    remove_stale_partials(target.parent)
    partial = target.with_name(target.name + PARTIAL)
    try:
        with _held(partial):
            dest = sqlite3.connect(partial)
            try:
                conn.backup(dest)
            finally:
                dest.close()
            os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        _remove(partial)
        raise translate(exc, target) from exc


@contextlib.contextmanager
def _held(partial: Path) -> Iterator[None]:
    """Create ``partial`` and hold a lock on it for as long as the copy runs, so that
    another qcode's clean-up can tell a live copy from one whose process was killed."""
    fd = os.open(partial, os.O_CREAT | os.O_RDWR, 0o666)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield
    finally:
        os.close(fd)  # releases the lock


def remove_stale_partials(folder: Path) -> list[Path]:
    """Delete copies that a killed backup left in ``folder`` (``X.partial`` and its
    ``-journal``): those no running qcode holds the lock of. Returns what went."""
    removed: list[Path] = []
    if fcntl is None:
        return removed
    for partial in folder.glob(f"*{PARTIAL}"):
        try:
            fd = os.open(partial, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # a copy in progress
        try:
            if _is_backup_partial(partial):
                _remove(partial)
                removed.append(partial)
        finally:
            os.close(fd)
    return removed


def _is_backup_partial(partial: Path) -> bool:
    # Only what backup_to writes: an SQLite file (or an empty one, killed before the
    # first page). Other programs' "*.partial" files are not ours to delete.
    try:
        with partial.open("rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    return head in (b"", b"SQLite format 3\x00")


def _remove(partial: Path) -> None:
    for suffix in _SIDECARS:
        with contextlib.suppress(OSError):
            Path(f"{partial}{suffix}").unlink()


def automatic_backup(conn: sqlite3.Connection, path: Path, why: str, keep: int = KEEP) -> Path:
    """Back up before ``why`` (e.g. "before-merge") and prune to the ``keep`` newest."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    target = path.with_name(f"{path.name}.{why}.{stamp}.bak")
    backup_to(conn, target)
    older = sorted(path.parent.glob(f"{path.name}.{why}.*.bak"))
    for stale in older[:-keep] if keep > 0 else older:
        with contextlib.suppress(OSError):
            stale.unlink()
    return target


def snapshot_backup(path: Path, why: str) -> Path:
    """Back up the last committed state of ``path`` through a connection of its own.

    Called inside a write transaction that has made its changes but not committed
    them: the other connection sees the project as it was before them, and since the
    transaction holds the write lock, no one else can commit in between. So a backup
    is written only for a change that will happen, and shows the state just before."""
    uri = path.resolve().as_uri()
    try:
        reader = sqlite3.connect(f"{uri}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise translate(exc, path) from exc
    try:
        return automatic_backup(reader, path, why)
    finally:
        reader.close()


def latest_backup(path: Path) -> Path | None:
    """The newest backup beside the project (automatic or from ``qcode backup``)."""
    found = [*path.parent.glob(f"{path.name}.*.bak"),
             *path.parent.glob(f"{path.stem}.*.backup.db")]
    try:
        return max(found, key=lambda p: p.stat().st_mtime) if found else None
    except OSError:
        return None
