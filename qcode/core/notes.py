"""Memos and review marks as the row changes that write them, for every write that
includes one: a memo or a mark on its own (:class:`qcode.Project`), or as part of a
bigger decision (a consensus decision writes codings, its memo and its mark as one
event)."""

from __future__ import annotations

import sqlite3
from typing import Literal

from qcode.core.ids import new_guid, now
from qcode.core.store.changes import Change

MemoTarget = Literal["project", "document", "paragraph", "code"]


def memo_value(text: str | None) -> str | None:
    """A memo as it is kept: stripped, and None for an empty one (which deletes it)."""
    return text.strip() if text and text.strip() else None


def memo_change(conn: sqlite3.Connection, target: str, target_id: int | None, coder_id: int,
                text: str | None) -> Change | None:
    """The change that makes the coder's memo on a target ``text`` (None or empty:
    delete it); None when it already is."""
    value = memo_value(text)
    row = conn.execute(
        "SELECT id, text FROM memos WHERE target = ? AND target_id IS ? AND coder_id = ?",
        (target, target_id, coder_id)).fetchone()
    if row is None:
        if value is None:
            return None
        return {"op": "insert", "table": "memos", "rows": [{
            "guid": new_guid(), "target": target, "target_id": target_id,
            "coder_id": coder_id, "text": value, "created_at": now()}]}
    if value is None:
        return {"op": "delete", "table": "memos", "rows": [{"id": row[0]}]}
    if row[1] == value:
        return None
    return {"op": "update", "table": "memos", "key": {"id": row[0]},
            "before": {"text": row[1]}, "after": {"text": value}}


def review_change(conn: sqlite3.Connection, document_id: int, coder_id: int,
                  reviewed: bool) -> Change | None:
    """The change that marks (or unmarks) a document reviewed by a coder; None when it
    already is (or is not)."""
    key = {"document_id": document_id, "coder_id": coder_id}
    present = conn.execute("SELECT 1 FROM reviews WHERE document_id = ? AND coder_id = ?",
                           (document_id, coder_id)).fetchone() is not None
    if present == reviewed:
        return None
    if reviewed:
        return {"op": "insert", "table": "reviews", "rows": [{**key, "reviewed_at": now()}]}
    return {"op": "delete", "table": "reviews", "rows": [key]}
