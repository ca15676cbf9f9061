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
import gc
import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from operator import itemgetter
from typing import Any

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
    radix = _radix(conn) if logged else None
    if logged and radix is None:
        # Ids that do not pack (0, negative or huge: never made by qcode): recount
        # those blocks whole.
        conn.execute(f"INSERT OR IGNORE INTO count_stale (block) "
                     f"SELECT DISTINCT paragraph_id >> {BLOCK_SHIFT} FROM count_log")
        stale = True
    if stale:
        touched += _recount(conn)
    if radix is not None:
        with _no_collection():
            touched += _count_log(conn, radix, bool(stale))
    conn.execute("DELETE FROM count_stale")
    conn.execute("DELETE FROM count_log")
    return touched


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """Python's cycle collector held off: counting a bulk change makes some 10^5
    short-lived strings and tuples (none in a cycle), which would start collections
    that walk everything else the process holds (a bulk caller's million pairs):
    13% of the refresh in the bulk benchmark."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


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


def _count_log(conn: sqlite3.Connection, radix: int, stale: bool) -> int:
    """Apply the logged codings outside stale blocks; returns how many blocks they fell in.

    Every figure of a block is a sum over its paragraphs, so a touched paragraph moves
    each figure by what it counts now less what it counted before. Both are read off
    the paragraph's codings: those it carries now, and before = now - added + removed
    (the log's rows, one per coding added or removed: a coding removed and added back
    is in both and cancels).

    The arithmetic is done on Python integers used as vectors of counters (see
    :class:`_Fields`): a coding is one integer with a 1 in every figure it counts
    towards (each code it rolls up to, its own code, its coder, anyone), so a
    paragraph's figures are one ``sum`` of its codings, and whether it carries each
    one (count > 0) is two integer operations. SQL did the same with sorts and
    groupings per (paragraph, code rolled up to): several times slower.

    ``radix`` exceeds every coder id: a coding travels as one word,
    ``code_id * radix + coder_id`` (see :func:`_radix`). ``stale``: whether any block
    is stale (its logged codings are left to the whole recount)."""
    # One pass in paragraph order: each touched paragraph with its document, its log
    # (grouped by one sort of the log; a removed coding's word is negative) and its
    # codings now. Stale blocks, recounted whole, are left out (a probe per row: only
    # when there are any).
    word = f"code_id * {radix} + coder_id"
    fresh = (f"WHERE paragraph_id >> {BLOCK_SHIFT} NOT IN (SELECT block FROM count_stale)"
             if stale else "")
    cursor = conn.cursor()
    cursor.row_factory = None
    rows = cursor.execute(f"""
        SELECT l.paragraph_id, p.document_id, l.logged,
               (SELECT group_concat(k.{word}, ' ') FROM codings k
                 WHERE k.paragraph_id = l.paragraph_id)
          FROM (SELECT paragraph_id, group_concat(delta * ({word}), ' ') AS logged
                  FROM count_log {fresh} GROUP BY paragraph_id) l
         CROSS JOIN paragraphs p ON p.id = l.paragraph_id""").fetchall()
    if not rows:
        return 0
    logged_words = " ".join(map(itemgetter(2), rows)).split()
    # A bound on every counter: the codings on one paragraph (fewer than the
    # characters of their words), the rows logged, the paragraphs in a block.
    bound = (max(map(len, filter(None, map(itemgetter(3), rows))), default=0)
             + len(logged_words) + (1 << BLOCK_SHIFT))
    fields = _Fields(conn, {w.lstrip("-") for w in set(logged_words)}, radix, bound)
    spread = fields.spread.__getitem__
    offset, high, shift = fields.offset, fields.high, fields.width - 1
    # Per (block, document): paragraphs that started and stopped carrying each
    # counter, the net codings logged to each, and the log's words.
    totals: dict[tuple[int, int], list[Any]] = {}
    for paragraph, document, logged, now in rows:
        key = (paragraph >> BLOCK_SHIFT, document)
        total = totals.get(key)
        if total is None:
            total = totals[key] = [0, 0, 0, []]
        after = sum(map(spread, now.split())) if now else 0
        net = spread(logged)
        # The high bit of each counter is set where its count is above 0.
        carries = (after + offset) & high
        carried = (after - net + offset) & high
        if carries != carried:
            total[0] += (carries & ~carried) >> shift
            total[1] += (carried & ~carries) >> shift
        total[2] += net
        total[3].append(logged)
    cells: dict[tuple[int, int, int], list[int]] = {}
    progress = []
    coder_codes: dict[int, Counter[str]] = {}
    for (block, document), (started, stopped, net, logged) in totals.items():
        for index, paragraphs, codings in fields.moved(started, stopped, net):
            kind, what = fields.meaning[index]
            if kind == "coder":
                progress.append((block, document, what, paragraphs, codings))
                continue
            cell = cells.setdefault((block, document, what), [0, 0, 0, 0])
            if kind != "rolled":
                cell[0], cell[1] = paragraphs, codings
            if kind != "own":
                cell[2], cell[3] = paragraphs, codings
        coder_codes.setdefault(block, Counter()).update(" ".join(logged).split())
    conn.executemany(_upsert("count_cells"), [(*key, *figures)
                                              for key, figures in cells.items()])
    conn.executemany(_upsert("count_progress"), progress)
    changed = []
    for block, words in coder_codes.items():
        for removed in [w for w in words if w[0] == "-"]:
            words[removed[1:]] -= words.pop(removed)
        changed += [(block, *reversed(divmod(int(w), radix)), n)
                    for w, n in words.items() if n]
    conn.executemany(_upsert("count_coder_codes"), changed)
    blocks = sorted({block for block, _document in totals})
    for table, (_keys, _figures, empty) in _ADDITIVE.items():
        conn.execute(f"DELETE FROM {table} WHERE {empty} AND block IN "
                     "(SELECT value FROM json_each(?))", (json.dumps(blocks),))
    return len(blocks)


def _radix(conn: sqlite3.Connection) -> int | None:
    """A number above every coder id logged or in ``codings``, such that
    ``code_id * radix + coder_id`` fits SQLite's 64-bit integers for every code id;
    None when some id is not a positive integer (coder 0 aside) or too large."""
    logged = conn.execute("SELECT MIN(code_id), MAX(code_id), MIN(coder_id), "
                          "MAX(coder_id) FROM count_log").fetchone()
    # One aggregate a statement: each is then read off an index, not a scan.
    kept = [conn.execute(f"SELECT {extreme}({column}) FROM codings").fetchone()[0]
            for column in ("code_id", "coder_id") for extreme in ("MIN", "MAX")]
    values = [v for v in (*logged, *kept) if v is not None]
    if not all(isinstance(v, int) for v in values):
        return None
    low_code, high_code, low_coder, high_coder = (
        pick(v for v in (a, b) if v is not None)
        for pick, a, b in zip((min, max, min, max), logged, kept, strict=True))
    radix = high_coder + 1
    # (Code id 0 with coder id 0 would make the word 0, which cannot carry a sign.)
    if low_code < 1 or low_coder < 0 or (high_code + 1) * radix >= 1 << 63:
        return None
    return int(radix)


def _upsert(table: str) -> str:
    """An INSERT of one row of ``table`` that adds its figures to a row already there."""
    keys, figures, _empty = _ADDITIVE[table]
    columns = (*keys, *figures)
    return (f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
            + ", ".join(f"{f} = {f} + excluded.{f}" for f in figures))


class _Fields:
    """Counters packed side by side in one Python integer, ``width`` bits each: one
    per code a logged coding rolls up to (rolled), one per logged code with sub-codes
    (own; a code without any counts the same either way), one per logged coder, and
    one for anyone. Adding two such integers adds every counter at once, as long as no
    counter reaches ``2 ** (width - 1)`` (``width`` is chosen from a bound on every
    count the caller makes), so the top bit of each is free: adding ``offset``
    (``2 ** (width - 1) - 1`` in each) sets it exactly where a counter is above 0, and
    ``& high`` keeps only those bits.

    ``meaning[i]`` says what counter ``i`` is: ("rolled" | "own" | "leaf", code id),
    "leaf" being rolled and own at once, or ("coder", coder id; 0: anyone)."""

    def __init__(self, conn: sqlite3.Connection, words: set[str], radix: int,
                 bound: int) -> None:
        parents: dict[int, int | None] = dict(
            conn.execute("SELECT id, parent_id FROM codes").fetchall())
        above = set(parents.values())
        pairs = {divmod(int(word), radix) for word in words}
        # (A code not in the codebook rolls up to nothing, as in TREE_CTE.)
        own = sorted({code for code, _coder in pairs if code in parents})
        rolled = sorted({a for code in own for a in _lineage(code, parents)})
        coders = sorted({coder for _code, coder in pairs})
        self.meaning: list[tuple[str, int]] = (
            [("rolled" if c in above else "leaf", c) for c in rolled]
            + [("own", c) for c in own if c in above]
            + [("coder", k) for k in coders] + [("coder", 0)])
        self.width = width = bound.bit_length() + 1
        place = {m: 1 << (width * i) for i, m in enumerate(self.meaning)}
        for kind, code in self.meaning:
            if kind == "leaf":
                place["rolled", code] = place["own", code] = place["leaf", code]
        ones = sum(1 << (width * i) for i in range(len(self.meaning)))
        self.offset = ((1 << (width - 1)) - 1) * ones
        self.high = (1 << (width - 1)) * ones
        self.mask = (1 << width) - 1
        anyone = place["coder", 0]

        class Spread(dict[str, int]):
            """A coding's word -> its integer, 1 in each counter it counts towards
            (negated for "-word"); and words joined by spaces -> their sum (kept
            too: a bulk change logs the same few combinations again and again)."""

            def __missing__(self, words: str) -> int:
                if " " in words:
                    value = sum(map(self.__getitem__, words.split()))
                elif words[0] == "-":
                    value = -self[words[1:]]
                else:
                    code, coder = divmod(int(words), radix)
                    value = anyone + place.get(("coder", coder), 0)
                    if code in parents:
                        value += place.get(("own", code), 0) if code in above else 0
                        value += sum(place.get(("rolled", a), 0)
                                     for a in _lineage(code, parents))
                self[words] = value
                return value

        self.spread = Spread()

    def moved(self, started: int, stopped: int, net: int
              ) -> Iterator[tuple[int, int, int]]:
        """(counter, paragraphs moved, codings moved) for each counter that moved, from
        sums of paragraphs that started and stopped carrying it and of the codings
        logged (signed: adding ``high`` makes every counter of it non-negative)."""
        width, mask, half = self.width, self.mask, 1 << (self.width - 1)
        high = self.high
        net += high
        # A counter of ``net ^ high`` is 0 where no coding moved; its top bit may be
        # set (a negative count), so that bit is taken as it is and only the others
        # go through the carry test.
        moved = net ^ high
        bits = (moved & high) | (((started | stopped | (moved & ~high)) + self.offset)
                                 & high)
        while bits:
            low = bits & -bits
            bits ^= low
            at = low.bit_length() - width
            yield (at // width, ((started >> at) & mask) - ((stopped >> at) & mask),
                   ((net >> at) & mask) - half)


def _lineage(code: int, parents: dict[int, int | None]) -> list[int]:
    """The code and every code above it (as :data:`TREE_CTE` pairs them)."""
    line = [code]
    node = parents.get(code)
    while node is not None and node in parents and node not in line:
        line.append(node)
        node = parents[node]
    return line


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
