"""Is the project file fit to be written? Checks sized to what each open can afford.

A full ``PRAGMA integrity_check`` reads and cross-checks every row (seconds on a big
project); ``PRAGMA quick_check`` still reads every page (measured on a 350 MB project
of 200,000 paragraphs and a million codings: 0.4 s with the file in the page cache,
1.9 s from disk). Neither belongs on every key press. So:

- every open for writing checks that the schema's tables, indexes and triggers are all
  there: SQLite counts every change to the schema (``PRAGMA schema_version``), and the
  project notes the count at which it last found them whole (``schema_seen``), so an
  open whose count still matches reads two integers; any other compares
  ``sqlite_master`` with the schema the migrations build (a few milliseconds);
- it runs the quick check too when the file is at most :data:`QUICK_CHECK_BYTES`
  (measured: 51 ms to open a 30 MB project of 18,000 paragraphs and 100,000 codings
  for writing, against 1 ms without), which covers most projects;
- operations that read or rewrite much of the project anyway (imports, merges,
  repairs) run the quick check whatever the size (:func:`damage` with ``full``);
- and any write that meets damage the checks missed fails whole: SQLite reports the
  corruption, the transaction rolls back and :func:`qcode.core.store.db.translate`
  says so in one line.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
from pathlib import Path

from qcode.core.store import schema

QUICK_CHECK_BYTES = 32 * 1024 * 1024
# Enough lines to say what is wrong; a badly damaged file can yield thousands.
MAX_LINES = 20


def expected_objects() -> frozenset[tuple[str, str]]:
    """(type, name) of every table, index and trigger a current project holds, from
    the migrations themselves (so a new migration needs no list kept by hand).
    Views are made as plain SQL. Computed once per process and set of migrations."""
    return _expected(tuple((m.version, m.name) for m in schema.MIGRATIONS))


@functools.cache
def _expected(migrations: tuple[tuple[int, str], ...]) -> frozenset[tuple[str, str]]:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        schema.migrate(conn, plain_views=True)
        return frozenset((r[0], r[1]) for r in conn.execute(
            "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"))
    finally:
        conn.close()


def missing_objects(conn: sqlite3.Connection) -> list[str]:
    """The schema objects a current project should hold and this one does not."""
    present = {(r[0], r[1]) for r in conn.execute("SELECT type, name FROM sqlite_master")}
    return [f"{kind} {name} is missing" for kind, name in sorted(expected_objects() - present)]


def schema_unchanged(conn: sqlite3.Connection) -> bool:
    """Whether the schema is unchanged since it was last found whole (see above)."""
    try:
        row = conn.execute("SELECT cookie FROM schema_seen WHERE id = 1").fetchone()
    except sqlite3.OperationalError:  # a project from before the table
        return False
    cookie = conn.execute("PRAGMA schema_version").fetchone()[0]
    return row is not None and row[0] == cookie


def remember_schema(conn: sqlite3.Connection) -> None:
    """After an open for writing (and any migration): if every schema object is there,
    note SQLite's schema count, so the next open need not compare again. Best effort:
    a file that cannot take the note is simply compared again next time."""
    if schema.pending(conn) or schema_unchanged(conn) or missing_objects(conn):
        return
    cookie = conn.execute("PRAGMA schema_version").fetchone()[0]
    with contextlib.suppress(sqlite3.Error):
        conn.execute("INSERT OR REPLACE INTO schema_seen (id, cookie) VALUES (1, ?)", (cookie,))


def quick_check(conn: sqlite3.Connection) -> list[str]:
    """SQLite's quick check as problem lines (empty when the file is sound)."""
    try:
        return sqlite_check(conn, "quick_check")
    except sqlite3.DatabaseError as exc:
        return [f"SQLite cannot read the file ({exc})"]


def sqlite_check(conn: sqlite3.Connection, pragma: str) -> list[str]:
    """``PRAGMA integrity_check`` or ``quick_check`` as one-line problems (none: sound)."""
    rows = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}({MAX_LINES})")]
    if rows == ["ok"]:
        return []
    lines = []
    for row in rows:
        # SQLite heads its findings with "*** in database main ***" on a line of its own.
        text = " ".join(part.strip() for part in row.splitlines()
                        if part.strip() and not part.startswith("***"))
        if text:
            lines.append(text)
    return lines


def damage(conn: sqlite3.Connection, path: Path, *, full: bool = False) -> str | None:
    """What makes the file unfit to write, in a few words, or None when it looks sound.

    Checks the schema objects, and runs the quick check when ``full`` or when the file
    is small enough for it to be cheap."""
    try:
        if not schema.pending(conn) and not schema_unchanged(conn):
            # (A project with migrations still to run lacks what they will add.)
            missing = missing_objects(conn)
            if missing:
                return "; ".join(missing[:3])
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        if full or size <= QUICK_CHECK_BYTES:
            problems = quick_check(conn)
            if problems:
                more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
                return f"{problems[0]}{more}"
    except sqlite3.DatabaseError as exc:
        return f"SQLite cannot read the file ({exc})"
    return None
