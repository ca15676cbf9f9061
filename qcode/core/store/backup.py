"""Consistent copies of a project: on demand (``qcode backup``) and automatically before
risky work (a migration, a project merge, a .qdpx import), keeping the last few."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from qcode.core.errors import ProjectError
from qcode.core.store.db import translate

# Automatic backups kept per reason; older ones are pruned.
KEEP = 5


def backup_to(conn: sqlite3.Connection, target: Path) -> None:
    """Copy the open database to ``target`` with SQLite's online backup API.

    Safe while other processes write: the API copies a consistent snapshot. The copy
    is written beside the target and renamed into place, so ``target`` is never half
    written.
    """
    if target.exists():
        raise ProjectError(f"{target}: already exists; choose another name")
    if not target.parent.is_dir():
        raise ProjectError(f"{target}: folder {target.parent} does not exist")
    partial = target.with_name(target.name + ".partial")
    try:
        dest = sqlite3.connect(partial)
        try:
            conn.backup(dest)
        finally:
            dest.close()
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise translate(exc, target) from exc


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
