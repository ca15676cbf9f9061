"""Consistent copies of a project: on demand (``qcode backup``) and automatically before
risky work (a migration, a project merge, a .qdpx import), keeping the last few."""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from qcode.core.errors import ProjectError
from qcode.core.store.db import translate

# Automatic backups kept per reason; older ones are pruned.
KEEP = 5
# A copy in progress is written as TARGET.HOST-PID.backup-partial, then renamed into
# place: the name says whose it is, so the next backup can tell a live copy from one
# whose process was killed (no locks, which behave differently across systems).
PARTIAL = ".backup-partial"
_HOST = socket.gethostname().replace(".", "_") or "host"
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
    partial = partial_name(target)
    try:
        dest = sqlite3.connect(partial)
        try:
            conn.backup(dest)
        finally:
            dest.close()
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        _remove(partial)
        raise translate(exc, target) from exc


def partial_name(target: Path, pid: int | None = None) -> Path:
    """Where this process (or ``pid``) writes the copy that becomes ``target``."""
    return target.with_name(f"{target.name}.{_HOST}-{pid or os.getpid()}{PARTIAL}")


def remove_stale_partials(folder: Path) -> list[Path]:
    """Delete what killed copies left in ``folder`` (the copy and its ``-journal``):
    those written on this machine by a process that is gone. Returns what went."""
    removed = []
    for leftover in folder.glob(f"*{PARTIAL}*"):
        owner = _owner(leftover.name)
        if owner is None or owner[0] != _HOST or _alive(owner[1]):
            continue
        with contextlib.suppress(OSError):
            leftover.unlink()
            removed.append(leftover)
    return removed


def _owner(name: str) -> tuple[str, int] | None:
    head, found, tail = name.rpartition(PARTIAL)
    if not found or tail not in _SIDECARS:
        return None
    host, _, pid = head.rpartition(".")[2].rpartition("-")
    return (host, int(pid)) if pid.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, under another user
    return True


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
