"""A document's text is kept once, in its paragraphs, and comes back exactly.

Projects written before schema 5 kept each text twice (on the document and, cut up, on
its paragraphs); opening one moves what lies between paragraphs onto them, drops the
document's copy and compacts the file. Events from before keep working: a document
removed then (its snapshot holds the whole text) comes back whole on redo.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.ids import sha256, text_hash
from qcode.core.store import changes, schema
from qcode.core.store.check import check
from qcode.ingest import read_document

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT / "corpus" / "sieca-kozlowski-2009.md"


def _schema_4_project(path: Path, texts: dict[str, str]) -> None:
    """A project as qcode wrote it before schema 5: every text on the document too."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute(schema.VERSION_TABLE)
    for migration in schema.MIGRATIONS:
        if migration.version <= 4:
            for statement in schema._statements(migration.sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations VALUES (?, ?, '2025-01-01')",
                         (migration.version, migration.name))
    conn.executemany("INSERT INTO meta VALUES (?, ?)", [
        ("guid", "0A0A0A0A-0000-4000-8000-000000000001"), ("name", "old"),
        ("created_at", "2025-01-01")])
    for n, (name, source) in enumerate(texts.items()):
        parsed = read_document(Path(source)) if source.endswith(".md") else None
        text = parsed.text if parsed else source
        spans = [(p.start, p.end) for p in parsed.paragraphs] if parsed else [(0, len(text))]
        cursor = conn.execute(
            "INSERT INTO documents (guid, name, sha256, text, imported_at) VALUES (?, ?, ?, ?, ?)",
            (f"0A0A0A0A-0000-4000-8000-00000000010{n}", name, sha256(text), text, "2025"))
        conn.executemany(
            'INSERT INTO paragraphs (document_id, ordinal, text, start, "end", text_hash) '
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(cursor.lastrowid, i, text[s:e], s, e, text_hash(text[s:e]))
             for i, (s, e) in enumerate(spans, start=1)])
    conn.execute("INSERT INTO paragraphs_fts (paragraphs_fts) VALUES ('rebuild')")
    conn.close()


def test_an_older_project_keeps_every_text_exactly(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    article = read_document(ARTICLE)
    _schema_4_project(path, {"article": str(ARTICLE), "note": "  a short note, trailing\n\n"})
    with Project.open(path) as project:
        assert project.document_text(project.document("article").id) == article.text
        assert project.document_text(project.document("note").id) == "  a short note, trailing\n\n"
        columns = {r[1] for r in project.conn.execute("PRAGMA table_info(documents)")}
        assert "text" not in columns
        # What lay between paragraphs (headings, labels, blank lines) is on them now.
        between = project.conn.execute(
            "SELECT COUNT(*) FROM paragraphs WHERE preceding != ''").fetchone()[0]
        assert between == len(article.paragraphs) - (article.paragraphs[0].start == 0)
        # Built by hand without an event log; every text and offset checks out.
        problems = check(project.conn).problems
        assert [p for p in problems if "sha256" in p or "offsets" in p] == [], problems
    backups = list(tmp_path.glob("old*before-schema*"))
    assert backups, "the project was backed up before its upgrade"


def test_the_upgrade_refuses_a_document_whose_paragraphs_do_not_cut_its_text(
        tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _schema_4_project(path, {"note": "one paragraph of text"})
    conn = sqlite3.connect(path)
    conn.execute("UPDATE paragraphs SET text = 'something else'")
    conn.commit()
    conn.close()
    with pytest.raises(Exception, match="do not match its text"):
        Project.open(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT text FROM documents").fetchone()[0] == "one paragraph of text"
    conn.close()


def test_a_document_removed_before_the_upgrade_comes_back_whole(tmp_path: Path) -> None:
    """The snapshot of an old removal holds the text; re-inserting it splits the text
    onto the paragraphs."""
    parsed = read_document(ARTICLE)
    document = {"id": 7, "guid": "0A0A0A0A-0000-4000-8000-000000000777", "name": "article",
                "title": None, "kind": "article", "source": None, "author": None,
                "licence": None, "language": None, "sha256": sha256(parsed.text),
                "text": parsed.text, "imported_at": "2025"}
    paragraphs = [{"id": 100 + p.ordinal, "document_id": 7, "ordinal": p.ordinal,
                   "label": p.label, "section": p.section, "speaker": p.speaker,
                   "text": p.text, "start": p.start, "end": p.end,
                   "text_hash": text_hash(p.text)} for p in parsed.paragraphs]
    with Project.create(tmp_path / "p.db") as project:
        with project.writing() as conn:
            changes.apply(conn, {"op": "insert_document", "snapshot": {
                "document": document, "paragraphs": paragraphs, "attributes": {},
                "codings": [], "memos": [], "reviews": []}})
        assert project.document_text(7) == parsed.text
        assert [p.text for p in project.paragraphs(7)] == [p.text for p in parsed.paragraphs]


def test_a_new_project_stores_each_text_once(tmp_path: Path) -> None:
    with Project.create(tmp_path / "p.db") as project:
        parsed = read_document(ARTICLE)
        doc = project.add_document(parsed, coder="alice")
        assert project.document_text(doc.id) == parsed.text
        stored = project.conn.execute(
            "SELECT SUM(LENGTH(text) + LENGTH(preceding)) FROM paragraphs").fetchone()[0]
        trailing = project.conn.execute("SELECT trailing FROM documents").fetchone()[0]
        # Every character of the text once: paragraphs plus what lies around them.
        assert stored + len(trailing) == len(parsed.text)


def test_the_upgrade_keeps_every_coding_its_id_and_the_id_sequence(tmp_path: Path) -> None:
    """Schema 6 rebuilds the codings table (no GUID index): ids, GUIDs and the sequence
    that hands out the next id survive, so an undo can still bring back a coding whose
    id lies above every current one."""
    path = tmp_path / "old.db"
    _schema_4_project(path, {"note": "one paragraph of text"})
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO coders (id, guid, name, created_at) VALUES "
                 "(1, '0A0A0A0A-0000-4000-8000-000000000C01', 'alice', '2025')")
    conn.execute("INSERT INTO codes (id, guid, name, created_at) VALUES "
                 "(1, '0A0A0A0A-0000-4000-8000-000000000D01', 'a code', '2025')")
    conn.executemany("INSERT INTO codings (id, guid, paragraph_id, code_id, coder_id, "
                     "created_at) VALUES (?, ?, 1, 1, 1, '2025')",
                     [(5, "0A0A0A0A-0000-4000-8000-000000000E05")])
    conn.execute("UPDATE sqlite_sequence SET seq = 9 WHERE name = 'codings'")
    conn.commit()
    conn.close()
    with Project.open(path) as project:
        rows = project.conn.execute("SELECT id, guid FROM codings").fetchall()
        assert [tuple(r) for r in rows] == [(5, "0A0A0A0A-0000-4000-8000-000000000E05")]
        seq = project.conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'codings'").fetchone()[0]
        assert seq == 9
        indexes = {r[1] for r in project.conn.execute("PRAGMA index_list(codings)")}
        assert {"codings_code", "codings_coder"} <= indexes
        columns = {r[2] for index in indexes for r in project.conn.execute(
            f"PRAGMA index_info({index})")}
        assert "guid" not in columns
        project.tag([project.paragraph(project.document("note"), "1").id],
                    [project.code("a code").id], coder="bob")
        assert project.conn.execute("SELECT MAX(id) FROM codings").fetchone()[0] == 10
