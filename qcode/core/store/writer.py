"""The write path every change goes through: one transaction, one event.

:class:`ProjectWriter` holds the connection and the helpers that turn a list of row
changes into a committed event; :class:`qcode.Project` and its parts build on it.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from qcode.core.controls import check_name
from qcode.core.errors import ProjectError, QcodeError
from qcode.core.ids import new_guid, now
from qcode.core.store import events
from qcode.core.store.changes import Change
from qcode.core.store.db import transaction


class ProjectWriter:
    """An open project file with its write path (see :class:`qcode.Project`)."""

    path: Path
    conn: sqlite3.Connection
    readonly: bool
    readonly_reason: str | None = None
    # Whether this connection has committed a change (closing it then tunes the file).
    wrote: bool = False

    @contextlib.contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on error)."""
        self.ensure_writable()
        with transaction(self.conn, self.path) as conn:
            yield conn
        self.wrote = True

    def ensure_writable(self) -> None:
        """Refuse, saying why, when this project cannot be written: a read-only file,
        folder or ``-shm``, or a file found damaged when it was opened."""
        if not self.readonly:
            return
        reason = self.readonly_reason
        if reason is not None and "nothing was changed" not in reason:
            reason += "; nothing was changed"
        raise ProjectError(reason or f"{self.path}: the project is read-only; "
                           "nothing was changed")

    def ensure_coder(self, name: str) -> int:
        """The coder's id, creating the coder on first write (inside the transaction)."""
        name = name.strip()
        if not name:
            raise QcodeError("a coder needs a name (--coder NAME or $QCODE_CODER)")
        check_name(name, "coder")
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
        if row is not None:
            return int(row[0])
        cursor = self.conn.execute(
            "INSERT INTO coders (guid, name, created_at) VALUES (?, ?, ?)",
            (new_guid(), name, now()),
        )
        return int(cursor.lastrowid or 0)

    def record(self, coder: str, action: str, summary: str, changes: list[Change]) -> int:
        coder_id = self.ensure_coder(coder)
        return events.record(self.conn, coder_id, action, summary, changes)

    def undo(self, *, coder: str) -> str:
        """Take back the coder's latest change; returns what was undone."""
        with self.writing():
            _, summary = events.undo(self.conn, self.ensure_coder(coder))
        return summary

    def redo(self, *, coder: str) -> str:
        """Re-apply the coder's latest undone change; returns what was redone."""
        with self.writing():
            _, summary = events.redo(self.conn, self.ensure_coder(coder))
        return summary

    # -- project settings ------------------------------------------------------------

    def set_meta(self, values: dict[str, str | None], *, coder: str, summary: str) -> None:
        """Set (or with None, remove) project settings as one event."""
        with self.writing():
            self.record(coder, "settings", summary, self._meta_changes(values))

    def _meta_changes(self, values: dict[str, str | None]) -> list[Change]:
        changes: list[Change] = []
        for key, value in values.items():
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
            old = None if row is None else str(row[0])
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
