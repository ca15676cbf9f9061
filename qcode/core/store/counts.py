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

Triggers on ``codings``, ``paragraphs`` and ``codes`` name the blocks a change touches
in ``count_stale`` (one ``INSERT OR IGNORE`` of a small key per row, whichever program
writes), and every qcode write transaction recounts the stale blocks just before it
commits (:func:`refresh`), so the counts are part of the change that moved them: a
crash, a rollback or an undo leaves them matching the codings. Readers never trust a
stale block: the ``CURRENT_*`` queries below recount stale blocks on the fly and take the
rest from the tables, so counts are exact even after another program wrote the file.

Moving a code changes what its ancestors roll up; its trigger marks every block where
the moved code (and so its subtree) has anything.
"""

from __future__ import annotations

import sqlite3

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
    INSERT OR IGNORE INTO count_stale (block) VALUES (new.paragraph_id >> {BLOCK_SHIFT});
END;
CREATE TRIGGER count_codings_delete AFTER DELETE ON codings BEGIN
    INSERT OR IGNORE INTO count_stale (block) VALUES (old.paragraph_id >> {BLOCK_SHIFT});
END;
CREATE TRIGGER count_codings_update AFTER UPDATE OF paragraph_id, code_id, coder_id
ON codings BEGIN
    INSERT OR IGNORE INTO count_stale (block) VALUES (old.paragraph_id >> {BLOCK_SHIFT});
    INSERT OR IGNORE INTO count_stale (block) VALUES (new.paragraph_id >> {BLOCK_SHIFT});
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
"""

TABLES = ("count_spans", "count_cells", "count_progress", "count_coder_codes")

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
    """A SELECT of ``table`` as it would be with every stale block recounted: the kept
    rows of blocks that are not stale, plus a recount of those that are (columns as
    the table's). Use it as a subquery; it reads nothing but indexes when nothing is
    stale."""
    return (
        f"SELECT * FROM (SELECT * FROM {table} "
        "WHERE block NOT IN (SELECT block FROM count_stale)) UNION ALL "
        f"SELECT * FROM ({_with('SELECT block FROM count_stale', table)} {_FRESH[table]})")


def refresh(conn: sqlite3.Connection) -> int:
    """Recount the stale blocks and clear the list; returns how many there were.

    Runs inside the caller's write transaction (see
    :meth:`qcode.core.store.writer.ProjectWriter.writing`). The codings of the stale
    blocks are gathered once, into a temporary table the four recounts share."""
    stale = [r[0] for r in conn.execute("SELECT block FROM count_stale")]
    if not stale:
        return 0
    blocks = "SELECT block FROM count_stale"
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS count_hits "
                 "(block, document_id, paragraph_id, code_id, coder_id)")
    conn.execute("DELETE FROM temp.count_hits")
    conn.execute(f"INSERT INTO temp.count_hits WITH stale(block) AS ({blocks}) "
                 f"{_HITS_SELECT}")
    hits = "SELECT * FROM temp.count_hits"
    for table in TABLES:
        conn.execute(f"DELETE FROM {table} WHERE block IN ({blocks})")
        conn.execute(f"INSERT INTO {table} {_with(blocks, table, hits)} {_FRESH[table]}")
    conn.execute("DELETE FROM temp.count_hits")
    conn.execute("DELETE FROM count_stale")
    return len(stale)


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
    stale = "SELECT block FROM count_stale"
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
