"""The append-only event log and the per-coder undo/redo stacks built on it.

Every write is one ``do`` event holding its realised changes. Undo and redo are events
too (``undo``/``redo`` rows naming their target), so history is never rewritten and the
stacks survive restarts. Each coder has their own stacks: undo takes back *your* last
change, not a colleague's. The stack state is carried on each coder's latest row
(``undo_top``/``redo_top``; NULL ``undo_top`` on a ``do`` row means the row itself), so
finding what to undo is one indexed lookup whatever the size of the log.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from qcode.core.errors import NothingToDo
from qcode.core.ids import now
from qcode.core.store import changes as ch

Changes = list[ch.Change]


def _dump(changes: Changes) -> str:
    return json.dumps(changes, ensure_ascii=False, separators=(",", ":"))


def _state(conn: sqlite3.Connection, coder_id: int) -> tuple[int | None, int | None]:
    """(undo top, redo top) for a coder: the events an undo/redo would act on."""
    row = conn.execute(
        "SELECT id, kind, undo_top, redo_top FROM events WHERE coder_id = ? "
        "ORDER BY id DESC LIMIT 1",
        (coder_id,),
    ).fetchone()
    if row is None:
        return None, None
    undo_top = row["id"] if row["kind"] == "do" else row["undo_top"]
    return undo_top, row["redo_top"]


def record_applied(
    conn: sqlite3.Connection,
    coder_id: int,
    action: str,
    summary: str,
    realised: Changes,
) -> int:
    """Log changes the caller has already applied (realised) as one ``do`` event; runs
    inside the caller's transaction. A new change clears the coder's redo stack."""
    undo_top, _ = _state(conn, coder_id)
    cursor = conn.execute(
        "INSERT INTO events (at, coder_id, kind, action, summary, changes, undo_below) "
        "VALUES (?, ?, 'do', ?, ?, ?, ?)",
        (now(), coder_id, action, summary, _dump(realised), undo_top),
    )
    return int(cursor.lastrowid or 0)


def _latest_application(conn: sqlite3.Connection, event_id: int) -> Changes:
    """The changes as last applied for an event: the original or its latest redo."""
    row = conn.execute(
        "SELECT changes FROM events WHERE (id = ? AND kind = 'do') "
        "OR (target = ? AND kind = 'redo') ORDER BY id DESC LIMIT 1",
        (event_id, event_id),
    ).fetchone()
    result: Changes = json.loads(row["changes"])
    return result


def undo(conn: sqlite3.Connection, coder_id: int) -> tuple[int, str]:
    """Take back the coder's latest change; return (undone event id, its summary)."""
    undo_top, redo_top = _state(conn, coder_id)
    if undo_top is None:
        raise NothingToDo("nothing to undo")
    target = conn.execute(
        "SELECT summary, undo_below FROM events WHERE id = ?", (undo_top,)
    ).fetchone()
    inverse = [ch.invert(c) for c in reversed(_latest_application(conn, undo_top))]
    realised = [ch.apply(conn, c) for c in inverse]
    conn.execute(
        "INSERT INTO events (at, coder_id, kind, action, summary, target, changes, "
        "undo_top, redo_top, redo_below) VALUES (?, ?, 'undo', 'undo', ?, ?, ?, ?, ?, ?)",
        (
            now(),
            coder_id,
            f"undid: {target['summary']}",
            undo_top,
            _dump(realised),
            target["undo_below"],
            undo_top,
            redo_top,
        ),
    )
    return undo_top, str(target["summary"])


def redo(conn: sqlite3.Connection, coder_id: int) -> tuple[int, str]:
    """Re-apply the coder's latest undone change; return (event id, its summary)."""
    _, redo_top = _state(conn, coder_id)
    if redo_top is None:
        raise NothingToDo("nothing to redo")
    undo_row = conn.execute(
        "SELECT changes, redo_below FROM events WHERE target = ? AND kind = 'undo' "
        "ORDER BY id DESC LIMIT 1",
        (redo_top,),
    ).fetchone()
    summary = conn.execute("SELECT summary FROM events WHERE id = ?", (redo_top,)).fetchone()[0]
    inverse = [ch.invert(c) for c in reversed(json.loads(undo_row["changes"]))]
    realised = [ch.apply(conn, c) for c in inverse]
    conn.execute(
        "INSERT INTO events (at, coder_id, kind, action, summary, target, changes, "
        "undo_top, redo_top) VALUES (?, ?, 'redo', 'redo', ?, ?, ?, ?, ?)",
        (now(), coder_id, f"redid: {summary}", redo_top, _dump(realised), redo_top,
         undo_row["redo_below"]),
    )
    return redo_top, str(summary)


def changes_of(conn: sqlite3.Connection, event_id: int) -> Any:
    """The stored changes of one event (for audit and tests)."""
    row = conn.execute("SELECT changes FROM events WHERE id = ?", (event_id,)).fetchone()
    return json.loads(row["changes"]) if row else None
