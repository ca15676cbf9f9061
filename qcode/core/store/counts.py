"""Counts kept in the project, so reports and the document list do not recount a
million codings each time they are asked.

The unit is a *block*: 512 consecutive paragraph ids (``paragraph_id >> 9``). For each
block the project keeps

- ``count_spans``: each document's paragraphs in it (lowest and highest id, how many);
- ``count_cells``: per document × code, the paragraphs and codings carrying the code
  itself and, rolled up, the code or anything below it (distinct paragraphs: two
  coders, or a parent and its sub-code, on one paragraph count it once);
- ``count_progress``: per document × coder (0: anyone), paragraphs coded and codings;
- ``count_coder_codes``: per coder × code, codings (one per paragraph by the schema's
  uniqueness, so also the coder's paragraphs).

Every figure is a sum over paragraphs, so a change is counted by what it did to the
paragraphs it touched. Triggers, whichever program writes, note each coding added or
removed in ``count_log`` (one row each), and the blocks whose paragraphs or code tree
changed in ``count_stale``. Every qcode write transaction, just before it commits
(:func:`refresh`), recounts the stale blocks and, for the logged codings elsewhere,
adds what their paragraphs count now and takes away what they counted before: the
cost follows the change (one tag, or an auto-coding of 4,000 paragraphs), not the
blocks it falls in. So the counts are part of the change that moved them: a crash, a
rollback or an undo leaves them matching the codings. Readers never trust a block
with anything pending: :func:`current` recounts those on the fly and takes the rest
from the tables, so counts are exact even after another program wrote the file.

Moving or deleting a code changes what its ancestors roll up (and a change counted by
its paragraphs must see one code tree before and after); its trigger marks every block
where the code (and so its subtree) has anything, to be recounted whole.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

# 512 ids: recounting one block after a key press reads a few thousand index entries,
# and a project of 200,000 paragraphs keeps a few tens of thousands of cells.
BLOCK_SHIFT = 9

# Each code paired with itself and every code below it, at any depth. The roll-up of
# every report is a join on this: a parent counts what is on it or on its sub-codes.
TREE_CTE = """
tree(ancestor, code_id) AS (
    SELECT id, id FROM codes
    UNION ALL
    SELECT t.ancestor, c.id FROM tree t JOIN codes c ON c.parent_id = t.code_id
)"""

SCHEMA = f"""
CREATE TABLE count_stale (block INTEGER PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE count_log (
    paragraph_id INTEGER NOT NULL,
    code_id      INTEGER NOT NULL,
    coder_id     INTEGER NOT NULL,
    delta        INTEGER NOT NULL
);
CREATE TABLE count_spans (
    block       INTEGER NOT NULL,
    document_id INTEGER NOT NULL,
    low         INTEGER NOT NULL,
    high        INTEGER NOT NULL,
    paragraphs  INTEGER NOT NULL,
    PRIMARY KEY (block, document_id)
) WITHOUT ROWID;
CREATE TABLE count_cells (
    block             INTEGER NOT NULL,
    document_id       INTEGER NOT NULL,
    code_id           INTEGER NOT NULL,
    paragraphs        INTEGER NOT NULL,
    codings           INTEGER NOT NULL,
    rolled_paragraphs INTEGER NOT NULL,
    rolled_codings    INTEGER NOT NULL,
    PRIMARY KEY (block, document_id, code_id)
) WITHOUT ROWID;
CREATE TABLE count_progress (
    block       INTEGER NOT NULL,
    document_id INTEGER NOT NULL,
    coder_id    INTEGER NOT NULL,
    paragraphs  INTEGER NOT NULL,
    codings     INTEGER NOT NULL,
    PRIMARY KEY (block, document_id, coder_id)
) WITHOUT ROWID;
CREATE TABLE count_coder_codes (
    block    INTEGER NOT NULL,
    coder_id INTEGER NOT NULL,
    code_id  INTEGER NOT NULL,
    codings  INTEGER NOT NULL,
    PRIMARY KEY (block, coder_id, code_id)
) WITHOUT ROWID;
CREATE TRIGGER count_codings_insert AFTER INSERT ON codings BEGIN
    INSERT INTO count_log VALUES (new.paragraph_id, new.code_id, new.coder_id, 1);
END;
CREATE TRIGGER count_codings_delete AFTER DELETE ON codings BEGIN
    INSERT INTO count_log VALUES (old.paragraph_id, old.code_id, old.coder_id, -1);
END;
CREATE TRIGGER count_codings_update AFTER UPDATE OF paragraph_id, code_id, coder_id
ON codings BEGIN
    INSERT INTO count_log VALUES (old.paragraph_id, old.code_id, old.coder_id, -1);
    INSERT INTO count_log VALUES (new.paragraph_id, new.code_id, new.coder_id, 1);
END;
CREATE TRIGGER count_paragraphs_insert AFTER INSERT ON paragraphs BEGIN
    INSERT OR IGNORE INTO count_stale (block) VALUES (new.id >> {BLOCK_SHIFT});
END;
CREATE TRIGGER count_paragraphs_delete AFTER DELETE ON paragraphs BEGIN
    INSERT OR IGNORE INTO count_stale (block) VALUES (old.id >> {BLOCK_SHIFT});
END;
CREATE TRIGGER count_paragraphs_update AFTER UPDATE OF id, document_id ON paragraphs BEGIN
    INSERT OR IGNORE INTO count_stale (block) VALUES (old.id >> {BLOCK_SHIFT});
    INSERT OR IGNORE INTO count_stale (block) VALUES (new.id >> {BLOCK_SHIFT});
END;
CREATE TRIGGER count_codes_move AFTER UPDATE OF parent_id ON codes BEGIN
    INSERT OR IGNORE INTO count_stale (block)
        SELECT DISTINCT block FROM count_cells WHERE code_id = new.id;
END;
CREATE TRIGGER count_codes_delete AFTER DELETE ON codes BEGIN
    INSERT OR IGNORE INTO count_stale (block)
        SELECT DISTINCT block FROM count_cells WHERE code_id = old.id;
END;
"""

TABLES = ("count_spans", "count_cells", "count_progress", "count_coder_codes")

# Blocks whose kept counts are not to be trusted until the next refresh.
PENDING = (f"SELECT block FROM count_stale UNION "
           f"SELECT paragraph_id >> {BLOCK_SHIFT} FROM count_log")

# The tables a coding changes: key columns, figures, and when a row is empty (gone).
_ADDITIVE = {
    "count_cells": (("block", "document_id", "code_id"),
                    ("paragraphs", "codings", "rolled_paragraphs", "rolled_codings"),
                    "rolled_codings = 0"),
    "count_progress": (("block", "document_id", "coder_id"), ("paragraphs", "codings"),
                       "codings = 0"),
    "count_coder_codes": (("block", "coder_id", "code_id"), ("codings",), "codings = 0"),
}

_BLOCK_RANGE = (f"s.block << {BLOCK_SHIFT} AND (s.block << {BLOCK_SHIFT}) + "
                f"{(1 << BLOCK_SHIFT) - 1}")

# The recount of the blocks listed in ``stale(block)``, one SELECT per table, each in
# the table's column order. ``hits`` is every coding in those blocks with its document,
# read in (paragraph, code, coder) order off the codings key; ``pairs`` folds coders
# together per paragraph and code; a cell groups each paragraph's codings under every
# code they roll up to. No COUNT(DISTINCT): each distinct count is a count
# of groups, which SQLite sorts once rather than keeping a B-tree per group.
_FRESH = {
    "count_spans": f"""
SELECT s.block, p.document_id, MIN(p.id), MAX(p.id), COUNT(*)
  FROM stale s CROSS JOIN paragraphs p ON p.id BETWEEN {_BLOCK_RANGE}
 GROUP BY s.block, p.document_id""",
    "count_cells": """
SELECT block, document_id, ancestor, SUM(own_paragraph), SUM(own_codings),
       COUNT(*), SUM(codings)
  FROM (SELECT h.block, h.document_id, h.paragraph_id, t.ancestor,
               MAX(h.code_id = t.ancestor) AS own_paragraph,
               SUM(h.code_id = t.ancestor) AS own_codings, COUNT(*) AS codings
          FROM hits h JOIN tree t ON t.code_id = h.code_id
         GROUP BY h.paragraph_id, t.ancestor)
 GROUP BY block, document_id, ancestor""",
    "count_progress": """
SELECT block, document_id, coder_id, COUNT(*), SUM(n)
  FROM (SELECT block, document_id, paragraph_id, coder_id, COUNT(*) AS n
          FROM hits GROUP BY paragraph_id, coder_id)
 GROUP BY block, document_id, coder_id
UNION ALL
SELECT block, document_id, 0, COUNT(*), SUM(n)
  FROM (SELECT block, document_id, paragraph_id, SUM(n) AS n FROM pairs GROUP BY paragraph_id)
 GROUP BY block, document_id""",
    "count_coder_codes": """
SELECT block, coder_id, code_id, COUNT(*) FROM hits GROUP BY block, coder_id, code_id""",
}

_HITS_SELECT = f"""
SELECT s.block, p.document_id, k.paragraph_id, k.code_id, k.coder_id
  FROM stale s
 -- CROSS JOIN keeps this order (blocks, their paragraphs, their codings) whatever the
 -- planner guesses without statistics; the other way round reads every coding.
 CROSS JOIN paragraphs p ON p.id BETWEEN {_BLOCK_RANGE}
 CROSS JOIN codings k ON k.paragraph_id = p.id"""

_PAIRS = """
pairs AS MATERIALIZED (
    SELECT block, document_id, paragraph_id, code_id, COUNT(*) AS n
      FROM hits GROUP BY paragraph_id, code_id
)"""


def _with(stale: str, table: str, hits: str | None = None) -> str:
    """The WITH clause a fresh count of ``table`` needs, over blocks from ``stale``
    (and the codings in them from ``hits``, when the caller has gathered them)."""
    parts = [f"stale(block) AS ({stale})"]
    if table != "count_spans":
        parts.append(f"hits AS ({hits or _HITS_SELECT})")
    if table == "count_progress":
        parts.append(_PAIRS.strip())
    if table == "count_cells":
        parts.append(TREE_CTE.strip())
    return "WITH RECURSIVE " + ",\n".join(parts)


def current(table: str) -> str:
    """A SELECT of ``table`` as it would be with everything pending counted: the kept
    rows of blocks with nothing pending, plus a recount of those with something
    (columns as the table's). Use it as a subquery; it reads nothing but indexes when
    nothing is pending."""
    return (
        f"SELECT * FROM (SELECT * FROM {table} WHERE block NOT IN ({PENDING})) UNION ALL "
        f"SELECT * FROM ({_with(PENDING, table)} {_FRESH[table]})")


def kept(conn: sqlite3.Connection, table: str) -> str:
    """What to read ``table`` from: the table itself when nothing is pending (after
    any qcode write), else :func:`current`. Decide and read in one snapshot
    (:func:`snapshot`): another program's write could otherwise fall between."""
    pending = conn.execute("SELECT EXISTS (SELECT 1 FROM count_stale) "
                           "OR EXISTS (SELECT 1 FROM count_log)").fetchone()[0]
    return f"({current(table)})" if pending else table


@contextlib.contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[None]:
    """Reads that see one state of the file (a read transaction), unless the caller
    is already inside a transaction."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")


def refresh(conn: sqlite3.Connection) -> int:
    """Count what the transaction under way changed; returns how many blocks it
    touched (0: nothing pending, nothing done).

    Runs inside the caller's write transaction (see
    :meth:`qcode.core.store.writer.ProjectWriter.writing`): stale blocks are recounted
    whole, then logged codings elsewhere are counted by their paragraphs."""
    stale = conn.execute("SELECT COUNT(*) FROM count_stale").fetchone()[0]
    logged = conn.execute("SELECT EXISTS (SELECT 1 FROM count_log)").fetchone()[0]
    if not stale and not logged:
        return 0
    # Typed columns: an untyped one has no affinity, and its index would not serve a
    # comparison with an INTEGER column (every lookup into it became a scan).
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS count_hits (block INTEGER, "
                 "document_id INTEGER, paragraph_id INTEGER, code_id INTEGER, "
                 "coder_id INTEGER)")
    touched = 0
    if stale:
        touched += _recount(conn)
    if logged:
        touched += _count_log(conn)
    conn.execute("DELETE FROM count_stale")
    conn.execute("DELETE FROM count_log")
    return touched


def _recount(conn: sqlite3.Connection) -> int:
    """Recount every stale block whole (its codings gathered once, shared by the four
    recounts)."""
    blocks = "SELECT block FROM count_stale"
    conn.execute("DELETE FROM temp.count_hits")
    conn.execute(f"INSERT INTO temp.count_hits WITH stale(block) AS ({blocks}) "
                 f"{_HITS_SELECT}")
    hits = "SELECT * FROM temp.count_hits"
    for table in TABLES:
        conn.execute(f"DELETE FROM {table} WHERE block IN ({blocks})")
        conn.execute(f"INSERT INTO {table} {_with(blocks, table, hits)} {_FRESH[table]}")
    conn.execute("DELETE FROM temp.count_hits")
    return int(conn.execute("SELECT COUNT(*) FROM count_stale").fetchone()[0])


def _count_log(conn: sqlite3.Connection) -> int:
    """Apply the logged codings outside stale blocks.

    Codings add up: a figure of codings moves by the net of the log. A figure of
    paragraphs moves only where a paragraph starts or stops carrying something: for
    each (paragraph, code rolled up to) and (paragraph, coder) the log touched, the
    count now is read off the paragraph's codings, the count before is that less the
    net, and the paragraph counts +1, -1 or 0."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS count_net (paragraph_id INTEGER, "
                 "code_id INTEGER, coder_id INTEGER, delta INTEGER, "
                 "PRIMARY KEY (paragraph_id, code_id, coder_id)) WITHOUT ROWID")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS count_changed "
                 "(paragraph_id INTEGER PRIMARY KEY, block INTEGER, document_id INTEGER)")
    conn.execute("DELETE FROM temp.count_net")
    conn.execute("DELETE FROM temp.count_changed")
    conn.execute("DELETE FROM temp.count_hits")
    # (A coding is unique per paragraph, code and coder: the net of its log rows is +1
    # for added, -1 for removed, 0 for removed and added back.)
    conn.execute(f"""
        INSERT INTO temp.count_net
        SELECT paragraph_id, code_id, coder_id, SUM(delta) FROM count_log
         WHERE paragraph_id >> {BLOCK_SHIFT} NOT IN (SELECT block FROM count_stale)
         GROUP BY paragraph_id, code_id, coder_id HAVING SUM(delta) != 0""")
    conn.execute(f"""
        INSERT INTO temp.count_changed
        SELECT p.id, p.id >> {BLOCK_SHIFT}, p.document_id
          FROM (SELECT DISTINCT paragraph_id FROM temp.count_net) x
         CROSS JOIN paragraphs p ON p.id = x.paragraph_id""")
    conn.execute("""
        INSERT INTO temp.count_hits
        SELECT c.block, c.document_id, k.paragraph_id, k.code_id, k.coder_id
          FROM temp.count_changed c CROSS JOIN codings k ON k.paragraph_id = c.paragraph_id""")
    # +1 when a paragraph carries it now and did not before, -1 the other way round.
    moved = "(COALESCE(y.n, 0) > 0) - (COALESCE(y.n, 0) - x.d > 0)"
    moved_own = "(COALESCE(y.n_own, 0) > 0) - (COALESCE(y.n_own, 0) - x.d_own > 0)"
    deltas = {
        "count_cells": f"""
WITH RECURSIVE {TREE_CTE.strip()},
touched AS MATERIALIZED (
    SELECT n.paragraph_id AS p, t.ancestor AS a, SUM(n.delta) AS d,
           SUM(CASE WHEN n.code_id = t.ancestor THEN n.delta ELSE 0 END) AS d_own
      FROM temp.count_net n JOIN tree t ON t.code_id = n.code_id
     GROUP BY n.paragraph_id, t.ancestor
),
-- Only the (paragraph, code rolled up to) pairs the change touched are looked at.
carried AS MATERIALIZED (
    SELECT h.paragraph_id AS p, t.ancestor AS a, COUNT(*) AS n,
           SUM(h.code_id = t.ancestor) AS n_own
      FROM temp.count_hits h JOIN tree t ON t.code_id = h.code_id
      JOIN touched x ON x.p = h.paragraph_id AND x.a = t.ancestor
     GROUP BY h.paragraph_id, t.ancestor
)
SELECT c.block, c.document_id, x.a, SUM({moved_own}), SUM(x.d_own), SUM({moved}), SUM(x.d)
  FROM touched x JOIN temp.count_changed c ON c.paragraph_id = x.p
  LEFT JOIN carried y ON y.p = x.p AND y.a = x.a
 GROUP BY c.block, c.document_id, x.a""",
        "count_progress": f"""
WITH touched AS (
    SELECT paragraph_id AS p, coder_id AS k, SUM(delta) AS d FROM temp.count_net
     GROUP BY paragraph_id, coder_id
    UNION ALL
    SELECT paragraph_id, 0, SUM(delta) FROM temp.count_net GROUP BY paragraph_id
),
-- A touched paragraph's codings by the coders the change touched, and by anyone.
carried AS MATERIALIZED (
    SELECT h.paragraph_id AS p, h.coder_id AS k, COUNT(*) AS n FROM temp.count_hits h
     WHERE EXISTS (SELECT 1 FROM temp.count_net n
                    WHERE n.paragraph_id = h.paragraph_id AND n.coder_id = h.coder_id)
     GROUP BY h.paragraph_id, h.coder_id
    UNION ALL
    SELECT paragraph_id, 0, COUNT(*) FROM temp.count_hits GROUP BY paragraph_id
)
SELECT c.block, c.document_id, x.k, SUM({moved}), SUM(x.d)
  FROM touched x JOIN temp.count_changed c ON c.paragraph_id = x.p
  LEFT JOIN carried y ON y.p = x.p AND y.k = x.k
 GROUP BY c.block, c.document_id, x.k""",
        "count_coder_codes": f"""
SELECT paragraph_id >> {BLOCK_SHIFT}, coder_id, code_id, SUM(delta) FROM temp.count_net
 GROUP BY paragraph_id >> {BLOCK_SHIFT}, coder_id, code_id""",
    }
    for table, (keys, figures, empty) in _ADDITIVE.items():
        columns = ", ".join((*keys, *figures))
        key_list = ", ".join(keys)
        conn.execute(f"""
            INSERT INTO {table} ({columns})
            SELECT * FROM ({deltas[table]}) WHERE true
            ON CONFLICT ({key_list}) DO UPDATE SET
            {", ".join(f"{f} = {f} + excluded.{f}" for f in figures)}""")
        conn.execute(f"DELETE FROM {table} WHERE {empty} AND block IN "
                     "(SELECT DISTINCT block FROM temp.count_changed)")
    conn.execute("DELETE FROM temp.count_hits")
    return int(conn.execute(
        "SELECT COUNT(DISTINCT block) FROM temp.count_changed").fetchone()[0])


def recount_all(conn: sqlite3.Connection) -> int:
    """Mark every block stale and recount (a new table, or a repair)."""
    for table in TABLES:
        conn.execute(f"DELETE FROM {table}")
    conn.execute(f"INSERT OR IGNORE INTO count_stale (block) "
                 f"SELECT DISTINCT id >> {BLOCK_SHIFT} FROM paragraphs")
    return refresh(conn)


def fill(conn: sqlite3.Connection) -> None:
    """Count a project for the first time (the migration that adds the tables)."""
    recount_all(conn)


def differences(conn: sqlite3.Connection) -> list[str]:
    """Tables whose kept counts differ from a recount of everything (empty: all agree).

    For ``qcode check``: the counts are only as right as the triggers that keep them."""
    every = f"SELECT DISTINCT id >> {BLOCK_SHIFT} FROM paragraphs"
    stale = PENDING
    found = []
    for table in TABLES:
        kept = f"SELECT * FROM {table} WHERE block NOT IN ({stale})"
        fresh = (f"SELECT * FROM ({_with(every, table)} {_FRESH[table]}) "
                 f"WHERE block NOT IN ({stale})")
        row = conn.execute(
            f"SELECT (SELECT COUNT(*) FROM ({kept} EXCEPT {fresh})) + "
            f"(SELECT COUNT(*) FROM ({fresh} EXCEPT {kept}))").fetchone()
        if row[0]:
            found.append(f"{table}: {row[0]} rows differ from a recount")
    return found
