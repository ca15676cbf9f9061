"""Row-level changes: the one mechanism behind every write, undo and redo.

A change is a JSON-able dict. :func:`apply` performs it and returns it *realised*
(ids filled in, deleted rows captured whole), which is what the event log stores.
:func:`invert` turns a realised change into the change that takes it back. Before
applying, each change checks that the rows it expects are still as it recorded them,
so an undo can never overwrite a later change made by someone else.

Kinds (``rows`` as :mod:`qcode.core.store.rows` describes: dicts, or columns for many;
an insert may also be handed :class:`~qcode.core.store.rows.Columns`, the bulk path's
form, and is then logged packed):
  ``insert``  {table, rows}            rows without an id get one
  ``delete``  {table, rows}            rows may hold only their key; captured whole
  ``update``  {table, key, before, after}
  ``insert_document`` {id, snapshot?}  a whole document: row, paragraphs, attributes
  ``delete_document`` {id, snapshot?}  captured whole (with any codings and reviews on it)

The log keeps a realised ``insert_document`` without the document's text and
paragraphs (they are the rows themselves; storing them twice would double a
project's size) but with everything small that came with it, so the log still
replays every coding, code, attribute and memo (see :mod:`qcode.core.store.check`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from itertools import chain
from typing import Any

from qcode.core.errors import ConflictError
from qcode.core.store.rows import (
    PACK_AT,
    Batch,
    Columns,
    Row,
    Rows,
    as_columns,
    batch,
    stored,
    unpack,
)
from qcode.core.store.texts import split_text

Change = dict[str, Any]

KEYS: dict[str, tuple[str, ...]] = {
    "meta": ("key",),
    "coders": ("id",),
    "documents": ("id",),
    "paragraphs": ("id",),
    "codes": ("id",),
    "codings": ("id",),
    "document_attributes": ("document_id", "key"),
    "memos": ("id",),
    "reviews": ("document_id", "coder_id"),
}

PARAGRAPH_COLUMNS = (
    "id", "document_id", "ordinal", "label", "section", "speaker", "text", "start", "end",
    "text_hash", "preceding", "page", "time_ms",
)


def apply(conn: sqlite3.Connection, change: Change) -> Change:
    """Perform ``change`` inside the caller's transaction; return it realised."""
    op = change["op"]
    if op == "insert":
        return _insert(conn, change["table"], change["rows"])
    if op == "delete":
        return _delete(conn, change["table"], change["rows"])
    if op == "update":
        return _update(conn, change)
    if op == "insert_document":
        return _insert_document(conn, change)
    if op == "delete_document":
        return _delete_document(conn, change["id"], expected=change.get("expected"))
    if op == "delete_unused":
        return _delete_unused_coders(conn, unpack(change["rows"]))
    raise ValueError(f"unknown change {op!r}")


def invert(change: Change) -> Change:
    """The change that undoes a realised ``change``."""
    op = change["op"]
    if op == "insert":
        if change["table"] == "coders":
            # A coder the change created goes with it, unless something refers to them
            # by then (their own events, or codings someone made since).
            return {"op": "delete_unused", "table": "coders", "rows": change["rows"]}
        return {"op": "delete", "table": change["table"], "rows": change["rows"]}
    if op == "delete":
        return {"op": "insert", "table": change["table"], "rows": change["rows"]}
    if op == "update":
        return {
            "op": "update",
            "table": change["table"],
            "key": change["key"],
            "before": change["after"],
            "after": change["before"],
        }
    if op == "insert_document":
        # Taking a document back out must not take codings made on it since it came in:
        # only those it brought with it (none for a fresh import) may go with it.
        expected = [row["id"] for row in unpack(change.get("codings") or [])]
        return {"op": "delete_document", "id": change["id"], "expected": expected}
    if op == "delete_document":
        return {"op": "insert_document", "id": change["id"], "snapshot": change["snapshot"]}
    raise ValueError(f"unknown change {op!r}")


def _quote(column: str) -> str:
    return f'"{column}"'


def _where(table: str, row: Row) -> tuple[str, list[Any]]:
    keys = KEYS[table]
    return " AND ".join(f"{_quote(k)} = ?" for k in keys), [row[k] for k in keys]


def _insert(conn: sqlite3.Connection, table: str, rows: Rows | Columns) -> Change:
    """Insert rows with one ``executemany``; rows without an id get the next ones.

    AUTOINCREMENT hands out ids in order and the write lock is ours, so the ids the
    rows received are the table's sequence before, plus 1 … n.
    """
    if isinstance(rows, Columns):
        return _insert_columns(conn, table, rows)
    packed = as_columns(rows)
    if packed is not None:
        return _insert_columns(conn, table, packed)
    given = batch(rows)
    if given is None:
        realised: list[Row] = []
        for row in unpack(rows):
            realised.extend(unpack(_insert(conn, table, [row])["rows"]))
        return {"op": "insert", "table": table, "rows": realised}
    if not len(given):
        return {"op": "insert", "table": table, "rows": []}
    columns = given.all_columns
    numbered = "id" in KEYS[table] and "id" not in columns
    before = _sequence(conn, table) if numbered else 0
    try:
        conn.executemany(
            f"INSERT INTO {table} ({', '.join(map(_quote, columns))}) "
            f"VALUES ({', '.join('?' for _ in columns)})", given.params())
    except sqlite3.IntegrityError as exc:
        done = _sequence(conn, table) - before if numbered else 0
        failed = given.row(done) if done < len(given) else {}
        raise ConflictError(f"cannot add to {table}: {_describe(table, failed)} ({exc})") from exc
    if numbered:
        after = _sequence(conn, table)
        if after - before != len(given):
            raise ConflictError(f"cannot add to {table}: ids were not handed out in order")
        given = given.with_first("id", range(before + 1, after + 1))
    if table == "paragraphs" and _has_search_index(conn):
        # Paragraphs added one by one (a corrected transcript, an undone removal) enter
        # the search index here; a whole document's enter in _insert_document.
        conn.executemany("INSERT INTO paragraphs_fts (rowid, text) VALUES (?, ?)",
                         zip(given.column("id"), given.column("text"), strict=True))
    return {"op": "insert", "table": table, "rows": stored(given)}


def _insert_columns(conn: sqlite3.Connection, table: str, given: Columns) -> Change:
    """:func:`_insert` for rows column by column (the bulk path, or a packed log entry):
    no object per row on the way in, and the realised change stays packed, its new ids
    one range."""
    if not len(given):
        return {"op": "insert", "table": table, "rows": []}
    numbered = "id" in KEYS[table] and "id" not in given.all_columns
    before = _sequence(conn, table) if numbered else 0
    try:
        _insert_rows(conn, table, given)
    except sqlite3.IntegrityError as exc:
        done = _sequence(conn, table) - before if numbered else 0
        failed = given.batch().row(done) if done < len(given) else {}
        raise ConflictError(f"cannot add to {table}: {_describe(table, failed)} ({exc})") from exc
    if numbered:
        after = _sequence(conn, table)
        if after - before != len(given):
            raise ConflictError(f"cannot add to {table}: ids were not handed out in order")
        given = given.with_first("id", range(before + 1, after + 1), ["range", before + 1])
    if table == "paragraphs" and _has_search_index(conn):
        conn.executemany("INSERT INTO paragraphs_fts (rowid, text) VALUES (?, ?)",
                         zip(given.column("id"), given.column("text"), strict=True))
    # A few rows stay readable in the log (a keypress's coding is one dict).
    logged = given.stored() if len(given) >= PACK_AT else stored(given.batch())
    return {"op": "insert", "table": table, "rows": logged}


# Rows per INSERT on the bulk path: SQLite's per-statement work (AUTOINCREMENT's
# sequence read and write, the shared values' binding) is paid once per this many rows.
_ROWS_PER_INSERT = 256


def _insert_rows(conn: sqlite3.Connection, table: str, given: Columns) -> None:
    """INSERT ``given`` in order, many rows per statement: ``VALUES (?1, ?2, ?3, ?4),
    (?1, ?2, ?5, ?6)…`` with the values all rows share bound once (as ?1, ?2) — half
    the time of one statement per row. Rows go in in order, so AUTOINCREMENT ids too."""
    shared, names = list(given.same.values()), list(given.data)
    width = len(names)
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    per = max(1, min(_ROWS_PER_INSERT, (limit - len(shared)) // max(width, 1)))
    head = ", ".join(f"?{i + 1}" for i in range(len(shared)))

    def statement(rows: int) -> str:
        tuples = []
        for row in range(rows):
            first = len(shared) + row * width + 1
            own = ", ".join(f"?{first + i}" for i in range(width))
            tuples.append(f"({head}, {own})" if head else f"({own})")
        return (f"INSERT INTO {table} ({', '.join(map(_quote, given.all_columns))}) "
                f"VALUES {', '.join(tuples)}")

    flat = list(chain.from_iterable(zip(*given.data.values(), strict=True)))
    step, total = per * width, len(flat)
    whole = total // step * step
    if whole:
        prefix = tuple(shared)
        conn.executemany(statement(per), (prefix + tuple(flat[i:i + step])
                                          for i in range(0, whole, step)))
    if whole < total:
        conn.execute(statement((total - whole) // width), [*shared, *flat[whole:]])


def _sequence(conn: sqlite3.Connection, table: str) -> int:
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    return int(row[0]) if row is not None else 0


def _delete(conn: sqlite3.Connection, table: str, rows: Rows) -> Change:
    """Delete rows, each checked to be there and as recorded; captured whole.

    Rows keyed by id are looked up and deleted in batches (an undo of a big merge);
    others one by one.
    """
    wanted = batch(rows)
    if wanted is None or KEYS[table] != ("id",) or len(wanted) <= 1:
        return _delete_each(conn, table, unpack(rows))
    ids = wanted.column("id")
    current: dict[int, tuple[Any, ...]] = {}
    names: list[str] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        cursor = conn.execute(
            f"SELECT * FROM {table} WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
        names = [d[0] for d in cursor.description]
        current.update((r[0], tuple(r)) for r in cursor)
    position = {name: i for i, name in enumerate(names)}
    checked = [(name, wanted.column(name)) for name in wanted.all_columns if name != "id"]
    for index, row_id in enumerate(ids):
        found = current.get(row_id)
        if found is None:
            raise ConflictError(f"{_describe(table, wanted.row(index))} is no longer there")
        changed = [name for name, values in checked
                   if name in position and found[position[name]] != values[index]]
        if changed:
            raise ConflictError(
                f"{_describe(table, wanted.row(index))} has changed since ({', '.join(changed)})")
    try:
        conn.executemany(f"DELETE FROM {table} WHERE id = ?", ((i,) for i in ids))
    except sqlite3.IntegrityError:
        # Find which row is still needed, to say so (rare: an undo under later work).
        return _delete_each(conn, table, [wanted.row(i) for i in range(len(wanted))])
    if _as_given(conn, table, [position[n] for n in names if n not in wanted.all_columns],
                 current.values()):
        # The rows deleted are the rows given, so the log keeps them in the form given
        # (packed: an undone merge of a million codings stays a few MB, not ~45).
        return {"op": "delete", "table": table, "rows": rows}
    whole = Batch({}, names, [list(current[i]) for i in ids])
    return {"op": "delete", "table": table, "rows": stored(whole)}


def _as_given(conn: sqlite3.Connection, table: str, unrecorded: list[int],
              found: Iterable[tuple[Any, ...]]) -> bool:
    """Whether rows found as recorded are whole as recorded: each column the record
    leaves out (``unrecorded``, positions in the rows) is NULL in every row and NULL
    by default, so inserting the record again gives these very rows."""
    if not unrecorded:
        return True
    defaults = [r[4] for r in conn.execute(f"PRAGMA table_info({table})")]
    return all(defaults[i] is None for i in unrecorded) and all(
        row[i] is None for row in found for i in unrecorded)


def _delete_each(conn: sqlite3.Connection, table: str, rows: list[Row]) -> Change:
    realised = []
    for row in rows:
        where, params = _where(table, row)
        current = conn.execute(f"SELECT * FROM {table} WHERE {where}", params).fetchone()
        if current is None:
            raise ConflictError(f"{_describe(table, row)} is no longer there")
        whole = dict(current)
        changed = [k for k, v in row.items() if whole.get(k) != v]
        if changed:
            raise ConflictError(
                f"{_describe(table, row)} has changed since ({', '.join(changed)})"
            )
        try:
            conn.execute(f"DELETE FROM {table} WHERE {where}", params)
        except sqlite3.IntegrityError as exc:
            raise ConflictError(
                f"{_describe(table, whole)} is in use by a later change (someone's codings "
                "or sub-codes depend on it)"
            ) from exc
        realised.append(whole)
    found = batch(realised)
    return {"op": "delete", "table": table, "rows": stored(found) if found else realised}


# What may refer to a coder: their codings, memos, review marks and events.
_CODER_REFERENCES = ("codings", "memos", "reviews", "events")


def _delete_unused_coders(conn: sqlite3.Connection, rows: list[Row]) -> Change:
    """Delete the coders nothing refers to any more (each checked to be as recorded);
    realised as the plain delete of those actually deleted, so a redo restores them."""
    unused = [row for row in rows if not any(
        conn.execute(f"SELECT 1 FROM {table} WHERE coder_id = ? LIMIT 1",
                     (row["id"],)).fetchone() for table in _CODER_REFERENCES)]
    if not unused:
        return {"op": "delete", "table": "coders", "rows": []}
    return _delete_each(conn, "coders", unused)


def _update(conn: sqlite3.Connection, change: Change) -> Change:
    table, key, before, after = change["table"], change["key"], change["before"], change["after"]
    where, params = _where(table, key)
    current = conn.execute(f"SELECT * FROM {table} WHERE {where}", params).fetchone()
    if current is None:
        raise ConflictError(f"{_describe(table, key)} is no longer there")
    stale = [k for k, v in before.items() if current[k] != v]
    if stale:
        raise ConflictError(f"{_describe(table, key)} has changed since ({', '.join(stale)})")
    assignments = ", ".join(f"{_quote(c)} = ?" for c in after)
    try:
        conn.execute(
            f"UPDATE {table} SET {assignments} WHERE {where}", [*after.values(), *params]
        )
    except sqlite3.IntegrityError as exc:
        raise ConflictError(f"cannot change {_describe(table, key)} ({exc})") from exc
    return {"op": "update", "table": table, "key": key, "before": before, "after": after}


def _insert_document(conn: sqlite3.Connection, change: Change) -> Change:
    """Insert a whole document; the event keeps only its id (the rows are the record).

    With ``"search_index": "later"`` its paragraphs are left out of the search index:
    the caller, adding many documents in one transaction, indexes them all in one
    statement before it commits (see :func:`index_paragraphs_after`).
    """
    snapshot = change["snapshot"]
    document = dict(snapshot["document"])
    paragraphs = batch(snapshot["paragraphs"])
    if paragraphs is None:  # rows with different keys (a page on some only): as dicts
        paragraphs = _columns(unpack(snapshot["paragraphs"]))
    if "text" in document:
        # A snapshot from before the text was kept once (schema 5): what lay between
        # paragraphs comes from the document's text.
        text = document.pop("text")
        preceding, document["trailing"] = split_text(text, list(zip(
            paragraphs.column("start"), paragraphs.column("end"), strict=True)))
        paragraphs = Batch(paragraphs.same, [*paragraphs.columns, "preceding"],
                           [[*row, before] for row, before
                            in zip(paragraphs.values, preceding, strict=True)])
    try:
        cursor = conn.execute(
            f"INSERT INTO documents ({', '.join(map(_quote, document))}) "
            f"VALUES ({', '.join('?' for _ in document)})",
            list(document.values()),
        )
    except sqlite3.IntegrityError as exc:
        raise ConflictError(f"cannot add document {document.get('name')!r} ({exc})") from exc
    doc_id = document.get("id", cursor.lastrowid)
    if len(paragraphs):
        if "document_id" not in paragraphs.all_columns:  # a captured row names its own
            paragraphs = Batch({"document_id": doc_id, **paragraphs.same}, paragraphs.columns,
                               paragraphs.values)
        columns = paragraphs.all_columns
        params: Iterable[list[Any]] = paragraphs.params()
        if not set(columns) <= set(PARAGRAPH_COLUMNS):
            # Only the columns paragraphs have (as before: the known ones).
            keep = [i for i, c in enumerate(columns) if c in PARAGRAPH_COLUMNS]
            columns = [columns[i] for i in keep]
            params = ([row[i] for i in keep] for row in paragraphs.params())
        conn.executemany(
            f"INSERT INTO paragraphs ({', '.join(map(_quote, columns))}) "
            f"VALUES ({', '.join('?' for _ in columns)})", params)
        if change.get("search_index") != "later" and _has_search_index(conn):
            conn.execute(
                "INSERT INTO paragraphs_fts (rowid, text) "
                "SELECT id, text FROM paragraphs WHERE document_id = ?", (doc_id,))
    conn.executemany(
        "INSERT INTO document_attributes (document_id, key, value) VALUES (?, ?, ?)",
        ((doc_id, key, value) for key, value in snapshot.get("attributes", {}).items()),
    )
    # Snapshots taken before the reviews table existed simply have no "reviews" key.
    brought: dict[str, Rows] = {}
    for table in ("codings", "memos", "reviews"):
        rows = snapshot.get(table) or []
        brought[table] = _insert(conn, table, rows)["rows"] if rows else []
    return {
        "op": "insert_document",
        "id": doc_id,
        "sha256": document["sha256"],
        "paragraphs": len(paragraphs),
        "attributes": snapshot.get("attributes", {}),
        "codings": brought["codings"],
        "memos": brought["memos"],
        # Review marks it brought back (an undone removal), for the log's replay.
        "reviews": brought["reviews"],
    }


def paragraph_sequence(conn: sqlite3.Connection) -> int:
    """The highest paragraph id handed out so far: paragraphs added after this, under
    the same write lock, have greater ids (AUTOINCREMENT hands them out in order)."""
    return _sequence(conn, "paragraphs")


# New terms FTS5 gathers in memory before it writes them as a segment of the index
# (its 'hashsize'; 1 MB by default). An import's batch of 10,000 paragraphs made a
# dozen 1 MB segments for later merges to rewrite; in one it indexes ~25% faster
# (2.7 -> 2.0 s at 200,000 paragraphs). Kept in the index's own configuration, so it
# holds for every write of the project, none of which gathers more than its batch.
INDEX_BUFFER_BYTES = 32 * 1024 * 1024


def index_paragraphs_after(conn: sqlite3.Connection, last: int) -> None:
    """Put the paragraphs with ids above ``last`` into the search index, in one
    statement (documents inserted with ``"search_index": "later"``)."""
    if _has_search_index(conn):
        buffer = conn.execute(
            "SELECT v FROM paragraphs_fts_config WHERE k = 'hashsize'").fetchone()
        if buffer is None or buffer[0] != INDEX_BUFFER_BYTES:
            conn.execute("INSERT INTO paragraphs_fts (paragraphs_fts, rank) "
                         "VALUES ('hashsize', ?)", (INDEX_BUFFER_BYTES,))
        conn.execute("INSERT INTO paragraphs_fts (rowid, text) "
                     "SELECT id, text FROM paragraphs WHERE id > ?", (last,))


def _columns(rows: list[Row]) -> Batch:
    """Rows whose keys differ as one batch of the columns any of them has (None where
    a row has none: a page only where a PDF paragraph has one)."""
    present: set[str] = set().union(*rows) if rows else set()
    columns = [c for c in PARAGRAPH_COLUMNS if c in present]
    return Batch({}, columns, [[row.get(c) for c in columns] for row in rows])


def _has_search_index(conn: sqlite3.Connection) -> bool:
    # Projects are migrated on open, so the index exists; a project being migrated from
    # before schema 2 builds it whole (the migration's 'rebuild').
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'paragraphs_fts'"
    ).fetchone()
    return row is not None


def _delete_document(
    conn: sqlite3.Connection, doc_id: int, *, expected: list[int] | None
) -> Change:
    """Delete a document with everything hanging on it, captured for a later redo."""
    document = conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
    if document is None:
        raise ConflictError(f"document #{doc_id} is no longer there")
    if expected is not None:
        allowed = set(expected)
        since = [
            r[0] for r in conn.execute(
                "SELECT c.id FROM codings c JOIN paragraphs p ON p.id = c.paragraph_id "
                "WHERE p.document_id = ?", (doc_id,))
            if r[0] not in allowed
        ]
        if since:
            raise ConflictError(
                f"document {document['name']!r} has {len(since)} codings made since it was "
                "imported; remove it explicitly if you mean to (its codings go with it)"
            )
    paragraphs = [
        dict(r)
        for r in conn.execute(
            "SELECT * FROM paragraphs WHERE document_id = ? ORDER BY ordinal", (doc_id,)
        )
    ]
    codings = [
        dict(r)
        for r in conn.execute(
            "SELECT c.* FROM codings c JOIN paragraphs p ON p.id = c.paragraph_id "
            "WHERE p.document_id = ?",
            (doc_id,),
        )
    ]
    memos = [
        dict(r)
        for r in conn.execute(
            "SELECT * FROM memos WHERE (target = 'document' AND target_id = ?) "
            "OR (target = 'paragraph' AND target_id IN "
            "(SELECT id FROM paragraphs WHERE document_id = ?))",
            (doc_id, doc_id),
        )
    ]
    attributes = {
        r["key"]: r["value"]
        for r in conn.execute(
            "SELECT key, value FROM document_attributes WHERE document_id = ?", (doc_id,)
        )
    }
    reviews = [
        dict(r)
        for r in conn.execute("SELECT * FROM reviews WHERE document_id = ?", (doc_id,))
    ]
    conn.execute("DELETE FROM reviews WHERE document_id = ?", (doc_id,))
    conn.executemany("DELETE FROM memos WHERE id = ?", ((m["id"],) for m in memos))
    conn.executemany("DELETE FROM codings WHERE id = ?", ((c["id"],) for c in codings))
    conn.execute("DELETE FROM document_attributes WHERE document_id = ?", (doc_id,))
    conn.execute("DELETE FROM paragraphs WHERE document_id = ?", (doc_id,))
    conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
    snapshot = {
        "document": dict(document),
        "paragraphs": _stored(paragraphs),
        "attributes": attributes,
        "codings": _stored(codings),
        "memos": _stored(memos),
        "reviews": _stored(reviews),
    }
    return {"op": "delete_document", "id": doc_id, "snapshot": snapshot}


def _stored(rows: list[Row]) -> Rows:
    found = batch(rows)
    return stored(found) if found is not None else rows


def _describe(table: str, row: Row) -> str:
    names = {
        "codings": "the coding",
        "codes": "code",
        "coders": "coder",
        "documents": "document",
        "paragraphs": "paragraph",
        "memos": "memo",
        "document_attributes": "attribute",
        "meta": "project setting",
        "reviews": "review of document",
    }
    label = row.get("name") or row.get("key") or (f"#{row['id']}" if "id" in row else "")
    return f"{names.get(table, table)} {label}".strip()
