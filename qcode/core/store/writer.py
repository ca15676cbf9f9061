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
from qcode.core.errors import NothingToDo, ProjectError, QcodeError
from qcode.core.ids import fold, new_guid, now
from qcode.core.store import changes as ch
from qcode.core.store import counts, events
from qcode.core.store.changes import Change
from qcode.core.store.db import transaction
from qcode.core.store.rows import Row


class ProjectWriter:
    """An open project file with its write path (see :class:`qcode.Project`)."""

    path: Path
    conn: sqlite3.Connection
    readonly: bool
    readonly_reason: str | None = None
    # Whether this connection has committed a change (closing it then tunes the file).
    wrote: bool = False
    # Coders created in the transaction under way, to go into the event it records.
    _created: list[Row] | None = None

    @contextlib.contextmanager
    def writing(self, *, references_checked: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on error).

        ``references_checked``: the caller checks, inside the transaction, that every
        row it adds refers to rows that exist, so SQLite's foreign-key checks are
        switched off for it: the bulk path checks a million codings' paragraphs with
        one range read, where SQLite would look each one up (a fifth of its time).
        """
        self.ensure_writable()
        self._created = []
        # A no-op inside a transaction already open, where SQLite keeps checking.
        unchecked = references_checked and not self.conn.in_transaction
        if unchecked:
            self.conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with transaction(self.conn, self.path) as conn:
                yield conn
                if self._created:
                    # Created for a change that then had nothing to do: not kept, as no
                    # event records them.
                    conn.executemany("DELETE FROM coders WHERE id = ?",
                                     [(row["id"],) for row in self._created])
                # The kept counts move with the change, in its transaction.
                counts.refresh(conn)
        finally:
            self._created = None
            if unchecked:
                self.conn.execute("PRAGMA foreign_keys = ON")
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

    def find_coder_id(self, name: str, guid: str | None = None) -> int | None:
        """The one rule that says who a coder is, for tagging, imports and merges alike:
        the coder with this GUID, else the one whose name folds the same (case, accents
        and dashes ignored: the same person on another machine), else None."""
        if guid:
            row = self.conn.execute("SELECT id FROM coders WHERE guid = ?", (guid,)).fetchone()
            if row is not None:
                return int(row[0])
        wanted = fold(name)
        for row in self.conn.execute("SELECT id, name FROM coders"):
            if fold(row[1]) == wanted:
                return int(row[0])
        return None

    def ensure_coder(self, name: str, guid: str | None = None) -> int:
        """The coder's id (:meth:`find_coder_id`), or a new coder, created inside the
        transaction under way and recorded in the event it writes: undoing that event
        removes the coder again, unless something refers to them by then (their own
        events always do: the audit trail keeps its authors)."""
        name = name.strip()
        if not name:
            raise QcodeError("a coder needs a name (--coder NAME or $QCODE_CODER)")
        check_name(name, "coder")
        found = self.find_coder_id(name, guid)
        if found is not None:
            return found
        if self._created is None:
            raise ProjectError("a coder can only be created inside a write")
        if not guid or self.conn.execute(
                "SELECT 1 FROM coders WHERE guid = ?", (guid,)).fetchone() is not None:
            guid = new_guid()
        row: Row = {"guid": guid, "name": name, "created_at": now()}
        cursor = self.conn.execute(
            "INSERT INTO coders (guid, name, created_at) VALUES (?, ?, ?)",
            (row["guid"], row["name"], row["created_at"]))
        self._created.append({"id": int(cursor.lastrowid or 0), **row})
        return int(cursor.lastrowid or 0)

    def record(self, coder: str, action: str, summary: str, changes: list[Change]) -> int:
        """Apply ``changes`` and log them, with any coders the transaction created, as
        one event by ``coder``; returns the event's id."""
        realised = [ch.apply(self.conn, c) for c in changes]
        return self.record_applied(coder, action, summary, realised)

    def record_applied(self, coder: str, action: str, summary: str,
                       realised: list[Change]) -> int:
        """Log changes the caller has already applied (realised) as one event."""
        coder_id = self.ensure_coder(coder)
        created = self._created or []
        prefix: list[Change] = (
            [{"op": "insert", "table": "coders", "rows": list(created)}] if created else [])
        created.clear()
        return events.record_applied(self.conn, coder_id, action, summary, [*prefix, *realised])

    def undo(self, *, coder: str) -> str:
        """Take back the coder's latest change; returns what was undone."""
        with self.writing():
            _, summary = events.undo(self.conn, self._known_coder(coder, "undo"))
        return summary

    def redo(self, *, coder: str) -> str:
        """Re-apply the coder's latest undone change; returns what was redone."""
        with self.writing():
            _, summary = events.redo(self.conn, self._known_coder(coder, "redo"))
        return summary

    def _known_coder(self, coder: str, what: str) -> int:
        found = self.find_coder_id(coder.strip())
        if found is None:
            raise NothingToDo(f"nothing to {what}: {coder!r} has made no change here")
        return found

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
