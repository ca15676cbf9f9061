"""The project file's schema: named, ordered migrations and the version table.

Each migration is a name and a script. ``schema_migrations`` records which ran, so
opening an older project applies the missing ones in order (the caller makes a backup
first) and opening a project written by a newer qcode is refused.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import NamedTuple

from qcode.core.errors import ProjectError
from qcode.core.store import counts
from qcode.core.store.texts import split_text


class Migration(NamedTuple):
    """One step of the schema, applied once, in order: its SQL, then (in the same
    transaction) a Python step for what SQL alone cannot do.

    A named tuple, not a dataclass: every open reads the list, and making the class
    costs a fifth of a frozen dataclass's (issue 11: `qcode tag`'s start)."""

    version: int
    name: str
    sql: str
    then: Callable[[sqlite3.Connection], None] | None = None
    # Views created (or replaced) after the SQL and the Python step: name -> SELECT.
    views: Mapping[str, str] | None = None
    # Rewrites so much that the file is worth compacting afterwards.
    compacts: bool = False


INITIAL = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE coders (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guid       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL
);

CREATE TABLE documents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guid        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    title       TEXT,
    kind        TEXT NOT NULL DEFAULT 'interview',
    source      TEXT,
    author      TEXT,
    licence     TEXT,
    language    TEXT,
    sha256      TEXT NOT NULL UNIQUE,
    text        TEXT NOT NULL,
    imported_at TEXT NOT NULL
);

CREATE TABLE paragraphs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    ordinal     INTEGER NOT NULL,
    label       TEXT,
    section     TEXT,
    speaker     TEXT,
    text        TEXT NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    text_hash   TEXT NOT NULL,
    UNIQUE (document_id, ordinal)
);
CREATE INDEX paragraphs_label ON paragraphs (document_id, label);

CREATE TABLE codes (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    guid            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    parent_id       INTEGER REFERENCES codes(id),
    position        INTEGER NOT NULL DEFAULT 0,
    colour          TEXT,
    short           TEXT,
    definition      TEXT,
    when_to_use     TEXT,
    when_not_to_use TEXT,
    example         TEXT,
    example_ref     TEXT,
    codable         INTEGER NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL
);
CREATE INDEX codes_parent ON codes (parent_id, position);

CREATE TABLE codings (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guid         TEXT NOT NULL UNIQUE,
    paragraph_id INTEGER NOT NULL REFERENCES paragraphs(id),
    code_id      INTEGER NOT NULL REFERENCES codes(id),
    coder_id     INTEGER NOT NULL REFERENCES coders(id),
    memo         TEXT,
    created_at   TEXT NOT NULL,
    UNIQUE (paragraph_id, code_id, coder_id)
);
CREATE INDEX codings_code ON codings (code_id, paragraph_id);
CREATE INDEX codings_coder ON codings (coder_id, code_id, paragraph_id);

CREATE TABLE document_attributes (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    PRIMARY KEY (document_id, key)
);
CREATE INDEX document_attributes_key ON document_attributes (key, value);

CREATE TABLE memos (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guid       TEXT NOT NULL UNIQUE,
    target     TEXT NOT NULL CHECK (target IN ('project', 'document', 'paragraph', 'code')),
    target_id  INTEGER,
    coder_id   INTEGER REFERENCES coders(id),
    text       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (target, target_id, coder_id)
);

CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    coder_id   INTEGER NOT NULL REFERENCES coders(id),
    kind       TEXT NOT NULL CHECK (kind IN ('do', 'undo', 'redo')),
    action     TEXT NOT NULL,
    summary    TEXT NOT NULL,
    target     INTEGER REFERENCES events(id),
    changes    TEXT NOT NULL,
    undo_below INTEGER,
    redo_below INTEGER,
    undo_top   INTEGER,
    redo_top   INTEGER
);
CREATE INDEX events_coder ON events (coder_id, id);
CREATE INDEX events_target ON events (target, kind, id);

-- The audit trail is append-only: undo and redo add rows, they never rewrite history.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
"""

# Full-text search over paragraphs. An external-content FTS5 index (the text lives once,
# in ``paragraphs``). Paragraphs enter in one place, a document at a time
# (qcode.core.store.changes._insert_document), which indexes them with one INSERT ... SELECT:
# a per-row trigger made import three times slower. Deletes and text edits are rare and
# come from several paths, so triggers keep the index in step for those. remove_diacritics
# folds "École" and "ecole" together; the fts5vocab view lists the indexed terms, which
# typo-tolerant search expands against. `qcode check` verifies the index.
SEARCH = """
CREATE VIRTUAL TABLE paragraphs_fts USING fts5(
    text, content = 'paragraphs', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE paragraphs_vocab USING fts5vocab(paragraphs_fts, 'row');
CREATE TRIGGER paragraphs_fts_delete AFTER DELETE ON paragraphs BEGIN
    INSERT INTO paragraphs_fts (paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER paragraphs_fts_update AFTER UPDATE OF text ON paragraphs BEGIN
    INSERT INTO paragraphs_fts (paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO paragraphs_fts (rowid, text) VALUES (new.id, new.text);
END;
INSERT INTO paragraphs_fts (paragraphs_fts) VALUES ('rebuild');
"""

# Which coders have reviewed which documents: inter-coder agreement treats a paragraph
# a coder never looked at as missing, not as "code absent". Codings also count as a
# review (see qcode.reports.agreement); this table records the explicit marks.
REVIEWS = """
CREATE TABLE reviews (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    coder_id    INTEGER NOT NULL REFERENCES coders(id),
    reviewed_at TEXT NOT NULL,
    PRIMARY KEY (document_id, coder_id)
);
CREATE INDEX reviews_coder ON reviews (coder_id, document_id);
"""

# A document's text is kept once, in its paragraphs (qcode.core.store.texts): what lies
# between paragraphs goes on the paragraph it precedes, what follows the last one on the
# document. Storing the whole text on the document as well doubled a project's size.
TEXT_ONCE = """
ALTER TABLE paragraphs ADD COLUMN preceding TEXT NOT NULL DEFAULT '';
ALTER TABLE documents ADD COLUMN trailing TEXT NOT NULL DEFAULT '';
"""


def _keep_text_once(conn: sqlite3.Connection) -> None:
    """Move each document's text into its paragraphs, then drop the column."""
    for doc_id, name, text in conn.execute("SELECT id, name, text FROM documents").fetchall():
        rows = conn.execute(
            'SELECT id, start, "end", text FROM paragraphs WHERE document_id = ? '
            "ORDER BY ordinal", (doc_id,)).fetchall()
        if any(text[start:end] != ptext for _id, start, end, ptext in rows):
            raise ProjectError(
                f"document {name!r}: its paragraphs do not match its text, so it cannot be "
                "upgraded; open it with the qcode that wrote it and run `qcode check`")
        preceding, trailing = split_text(text, [(start, end) for _i, start, end, _t in rows])
        conn.executemany("UPDATE paragraphs SET preceding = ? WHERE id = ?",
                         [(before, row[0]) for before, row in zip(preceding, rows, strict=True)
                          if before])
        conn.execute("UPDATE documents SET trailing = ? WHERE id = ?", (trailing, doc_id))
    conn.execute("ALTER TABLE documents DROP COLUMN text")


# The codings' indexes, for the queries that run on them:
# - a coder's codings by paragraph (coder, paragraph, code): their progress per document
#   is one index range per document (a document's paragraph ids are a range), whatever
#   the planner's statistics; the former (coder, code, paragraph) made it scan every one
#   of the coder's codings for every document;
# - a code's codings by paragraph, with their coder (code, paragraph, coder): per-code
#   counts and agreement tallies read the index alone;
# - no index on the GUID: it was the largest on the table (50 MB at a million codings)
#   for lookups only imports make. New GUIDs are random; imported and merged ones are
#   kept only when no coding has them yet, and `qcode check` verifies they are unique.
# The label index went too: labels are looked up case-insensitively, which it could not
# serve beyond the document (as the (document, ordinal) key does).
CODINGS_INDEXES = """
CREATE TABLE codings_rebuilt (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    guid         TEXT NOT NULL,
    paragraph_id INTEGER NOT NULL REFERENCES paragraphs(id),
    code_id      INTEGER NOT NULL REFERENCES codes(id),
    coder_id     INTEGER NOT NULL REFERENCES coders(id),
    memo         TEXT,
    created_at   TEXT NOT NULL,
    UNIQUE (paragraph_id, code_id, coder_id)
);
"""


def _rebuild_codings(conn: sqlite3.Connection) -> None:
    """Move the codings into the rebuilt table, keeping every id and the id sequence
    (an undo may bring back a coding with an id above every current one)."""
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'codings'").fetchone()
    conn.execute("INSERT INTO codings_rebuilt (id, guid, paragraph_id, code_id, coder_id, "
                 "memo, created_at) SELECT id, guid, paragraph_id, code_id, coder_id, memo, "
                 "created_at FROM codings ORDER BY id")
    conn.execute("DROP TABLE codings")
    conn.execute("ALTER TABLE codings_rebuilt RENAME TO codings")
    if row is not None:
        conn.execute("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = 'codings'",
                     (row[0],))
        conn.execute("INSERT INTO sqlite_sequence (name, seq) SELECT 'codings', ? WHERE NOT "
                     "EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'codings')", (row[0],))
    conn.execute("CREATE INDEX codings_code ON codings (code_id, paragraph_id, coder_id)")
    conn.execute("CREATE INDEX codings_coder ON codings (coder_id, paragraph_id, code_id)")
    conn.execute("DROP INDEX paragraphs_label")


# The indexed terms that typo-tolerant search expands a word against, kept as a table:
# reading them from the index itself (fts5vocab) walks the whole index, ~0.4 s at 200,000
# paragraphs. qcode.core.search refreshes the table when the index has changed, which
# it tells by the index's own row and token totals (``signature``).
SEARCH_TERMS = """
CREATE TABLE search_terms (
    term       TEXT PRIMARY KEY,
    paragraphs INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE search_terms_source (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    signature TEXT NOT NULL
);
"""

# Analysis views, documented in the README, so that sqlite-utils, datasette, R's DBI or
# the sqlite3 shell can query a project without reading qcode's code. Plain SQL views:
# they cost nothing until read, and every SQLite tool understands them. sqlite-utils
# creates them (its create_view is what the views' users will reach for too).
_VIEWS_10: dict[str, str] = {
    "code_paths": """
WITH RECURSIVE walk(id, path, depth) AS (
    SELECT id, name, 0 FROM codes WHERE parent_id IS NULL
    UNION ALL
    SELECT c.id, w.path || '/' || c.name, w.depth + 1 FROM codes c JOIN walk w ON c.parent_id = w.id
)
SELECT c.id AS code_id, c.name AS code, w.path, w.depth, c.guid
  FROM codes c JOIN walk w ON w.id = c.id
""",
    "coded_segments": """
SELECT d.name AS document, p.label, p.ordinal, p.speaker, p.section,
       cp.code, cp.path AS code_path, k.name AS coder, p.text, g.memo,
       g.created_at AS coded_at, g.guid AS coding_guid
  FROM codings g
  JOIN paragraphs p ON p.id = g.paragraph_id
  JOIN documents d ON d.id = p.document_id
  JOIN code_paths cp ON cp.code_id = g.code_id
  JOIN coders k ON k.id = g.coder_id
""",
    "code_counts": """
WITH RECURSIVE tree(ancestor, code_id) AS (
    SELECT id, id FROM codes
    UNION ALL
    SELECT t.ancestor, c.id FROM tree t JOIN codes c ON c.parent_id = t.code_id
)
SELECT cp.code, cp.path,
       COUNT(DISTINCT g.paragraph_id) AS paragraphs,
       COUNT(DISTINCT p.document_id) AS documents,
       COUNT(g.id) AS codings
  FROM code_paths cp
  JOIN tree t ON t.ancestor = cp.code_id
  LEFT JOIN codings g ON g.code_id = t.code_id
  LEFT JOIN paragraphs p ON p.id = g.paragraph_id
 GROUP BY cp.code_id
""",
    "paragraph_codes": """
SELECT d.name AS document, p.label, p.ordinal, p.speaker, p.section, p.text,
       (SELECT json_group_array(path) FROM (
            SELECT DISTINCT cp.path FROM codings g JOIN code_paths cp ON cp.code_id = g.code_id
             WHERE g.paragraph_id = p.id ORDER BY cp.path)) AS codes
  FROM paragraphs p JOIN documents d ON d.id = p.document_id
""",
}


def _create_views(conn: sqlite3.Connection, views: Mapping[str, str], *, plain: bool) -> None:
    """Create (or replace) ``views`` in a project: through sqlite-utils, or as the plain
    ``CREATE VIEW`` it issues when only the schema's shape is wanted (``plain``)."""
    if plain:
        for name, select in views.items():
            conn.execute(f'DROP VIEW IF EXISTS "{name}"')
            conn.execute(f'CREATE VIEW "{name}" AS {select.strip()}')
        return
    # Imported here: loading sqlite-utils (which loads pandas where it is installed)
    # costs ten times what `qcode tag` takes, and a project is created or upgraded
    # far more rarely than it is opened.
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    for name, select in views.items():
        db.create_view(name, select.strip(), replace=True)


# Exact selections (qcode.core.spans): a coding may carry the span(s) of text it was
# made on, as JSON on its own row, so every path that moves a coding moves them too.
# A document from another tool remembers how that tool counted positions (``positions``:
# NVivo's UTF-16 units…) and the line breaks its text had (``line_breaks``: the text is
# kept with "\n" only), so an export writes its text and selections back as they came.
# A paragraph of a PDF knows its page.
EXACT_SELECTIONS = """
ALTER TABLE codings ADD COLUMN spans TEXT;
ALTER TABLE documents ADD COLUMN positions TEXT;
ALTER TABLE documents ADD COLUMN line_breaks TEXT;
ALTER TABLE paragraphs ADD COLUMN page INTEGER;
"""

# When each turn of a transcript begins in the recording (milliseconds), from its
# timestamp ("[00:01:23] Moderator: …", a WebVTT or SubRip cue). A column, not part of the
# label or text: a label is how a paragraph is cited (§12) and the text is what was said;
# a time is neither, and as a number it sorts and can later seek in the recording.
PARAGRAPH_TIME = """
ALTER TABLE paragraphs ADD COLUMN time_ms INTEGER;
"""

# How a coding was made (qcode.core.autocode): NULL by hand (or brought from another
# tool), else the auto-coding that made it, as the command that repeats it. On the
# coding's own row, like its exact selections, so undo, redo, merge, sync and the log's
# replay carry it without knowing about it. coded_segments shows it.
CODING_ORIGIN = """
ALTER TABLE codings ADD COLUMN origin TEXT;
"""

# The schema count (PRAGMA schema_version) at which an open last found every table,
# index and trigger in place: qcode.core.store.health skips the comparison while the
# count is unchanged (every open for writing paid for it).
SCHEMA_SEEN = """
CREATE TABLE schema_seen (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    cookie INTEGER NOT NULL
);
"""

# The views as they are now: coded_segments says how each coding was made.
ANALYSIS_VIEWS: dict[str, str] = {
    **_VIEWS_10,
    "coded_segments": """
SELECT d.name AS document, p.label, p.ordinal, p.speaker, p.section,
       cp.code, cp.path AS code_path, k.name AS coder, p.text, g.memo,
       g.created_at AS coded_at, g.guid AS coding_guid,
       COALESCE(g.origin, 'hand') AS origin
  FROM codings g
  JOIN paragraphs p ON p.id = g.paragraph_id
  JOIN documents d ON d.id = p.document_id
  JOIN code_paths cp ON cp.code_id = g.code_id
  JOIN coders k ON k.id = g.coder_id
""",
}


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial", INITIAL),
    Migration(2, "search", SEARCH),
    Migration(4, "reviews", REVIEWS),
    Migration(5, "text-once", TEXT_ONCE, then=_keep_text_once, compacts=True),
    Migration(6, "codings-indexes", CODINGS_INDEXES, then=_rebuild_codings, compacts=True),
    Migration(7, "search-terms", SEARCH_TERMS),
    Migration(8, "exact-selections", EXACT_SELECTIONS),
    Migration(9, "paragraph-time", PARAGRAPH_TIME),
    Migration(10, "analysis-views", "", views=_VIEWS_10),
    Migration(11, "coding-origin", CODING_ORIGIN,
              views={"coded_segments": ANALYSIS_VIEWS["coded_segments"]}),
    # (12 is reserved.) Counts kept per block of paragraphs: qcode.core.store.counts.
    Migration(13, "counts", counts.SCHEMA, then=counts.fill),
    Migration(14, "schema-seen", SCHEMA_SEEN),
)

# max, not the last entry: versions are reserved ahead, so the tuple may have gaps and
# a reserved number may be filled in later.
LATEST = max(m.version for m in MIGRATIONS)

VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
)
"""


def current_version(conn: sqlite3.Connection) -> int:
    """The highest migration applied to this database (0 for an empty one)."""
    row = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if row is None:
        return 0
    value = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
    return int(value or 0)


def applied_versions(conn: sqlite3.Connection) -> set[int]:
    """Versions recorded in the version table (empty for a new database)."""
    if current_version(conn) == 0:
        return set()
    return {int(r[0]) for r in conn.execute("SELECT version FROM schema_migrations")}


def pending(conn: sqlite3.Connection) -> list[Migration]:
    """Migrations not yet applied, in order (a gap left by a branch is filled too)."""
    done = applied_versions(conn)
    return sorted((m for m in MIGRATIONS if m.version not in done), key=lambda m: m.version)


def migrate(conn: sqlite3.Connection, *, plain_views: bool = False) -> list[Migration]:
    """Apply every pending migration, each in its own transaction; return those applied.

    A project that existed before and was rewritten by a migration is compacted after
    it (VACUUM), so the space the old layout took is given back to the disk.
    ``plain_views`` creates views without loading sqlite-utils: for the in-memory copy
    of the schema that every open for writing compares the project with.
    """
    conn.execute(VERSION_TABLE)
    had_data = current_version(conn) > 0
    applied = []
    for migration in pending(conn):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # executescript would COMMIT our transaction first; run statements one by one.
            for statement in _statements(migration.sql):
                conn.execute(statement)
            if migration.then is not None:
                migration.then(conn)
            if migration.views:
                _create_views(conn, migration.views, plain=plain_views)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, datetime.now(UTC).isoformat()),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(migration)
    if had_data and any(m.compacts for m in applied):
        conn.execute("VACUUM")
    return applied


def _statements(script: str) -> list[str]:
    """Split a migration script into complete statements (triggers contain ';')."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements
