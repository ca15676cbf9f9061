"""QualCoder projects: a data.qda built here from QualCoder's own schema (the CREATE
TABLE statements of QualCoder's new_project, then its v16 step adding sub-codes)
imports with every coding's exact span, coder and memo, its categories, cases,
attributes and memos; an unknown schema version is refused."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.store.check import check
from qcode.exchange.qualcoder import import_qualcoder
from qcode.exchange.refi_qdpx_export import export_qdpx
from tests.conftest import Cli
from tests.refusals import assert_refused, digest

# QualCoder's schema, as its new_project creates it (database v8), then v16's sub-codes.
SCHEMA = [
    "CREATE TABLE project (databaseversion text, date text, memo text,about text, "
    "bookmarkfile integer, bookmarkpos integer, codername text)",
    "CREATE TABLE source (id integer primary key, name text, fulltext text, mediapath text, "
    "memo text, owner text, date text, av_text_id integer, risid integer, unique(name))",
    "CREATE TABLE code_image (imid integer primary key,id integer,x1 integer, y1 integer, "
    "width integer, height integer, cid integer, memo text, date text, owner text, "
    "important integer)",
    "CREATE TABLE code_av (avid integer primary key,id integer,pos0 integer, pos1 integer, "
    "cid integer, memo text, date text, owner text, important integer)",
    "CREATE TABLE annotation (anid integer primary key, fid integer,pos0 integer, pos1 integer, "
    "memo text, owner text, date text, unique(fid,pos0,pos1,owner))",
    "CREATE TABLE attribute_type (name text primary key, date text, owner text, memo text, "
    "caseOrFile text, valuetype text)",
    "CREATE TABLE attribute (attrid integer primary key, name text, attr_type text, value text, "
    "id integer, date text, owner text, unique(name,attr_type,id))",
    "CREATE TABLE case_text (id integer primary key, caseid integer, fid integer, pos0 integer, "
    "pos1 integer, owner text, date text, memo text)",
    "CREATE TABLE cases (caseid integer primary key, name text, memo text, owner text,date text, "
    "constraint ucm unique(name))",
    "CREATE TABLE code_cat (catid integer primary key, name text, owner text, date text, "
    "memo text, supercatid integer, unique(name))",
    "CREATE TABLE code_text (ctid integer primary key, cid integer, fid integer,seltext text, "
    "pos0 integer, pos1 integer, owner text, date text, memo text, avid integer, "
    "important integer, unique(cid,fid,pos0,pos1, owner))",
    "CREATE TABLE code_name (cid integer primary key, name text, memo text, catid integer, "
    "owner text,date text, color text, unique(name))",
    "CREATE TABLE journal (jid integer primary key, name text, jentry text, date text, "
    "owner text, unique(name))",
    "alter table code_name add supercid integer",
]
DATE = "2024-05-01 10:00:00"
# Windows line breaks and an emoji: QualCoder's positions are Python string indices.
INTERVIEW = ("Q: How did the NGO start?\r\n\r\nA: With a letter 🙂 to the ministry, "
             "and a long wait.\r\n\r\nQ: And then?\r\n\r\nA: Then the officials called back.")
NOTES = "Field notes.\n\nThe office was small.\n\nEveryone knew the minister."


def cut(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


# (code id, source id, selected text, owner, memo)
CODINGS = [
    (1, 1, "a letter 🙂 to the ministry", "ana", "the first contact"),
    (1, 1, "a long wait", "ana", None),            # the same code twice in one paragraph
    (2, 1, "With a letter", "ben", None),
    (3, 1, "start?\r\n\r\nA: With", "ana", None),  # across two paragraphs
    (4, 1, "officials called back", "ben", "rage, really"),
    (2, 2, "The office was small.", "ana", None),
]


def make_qualcoder(folder: Path, version: str = "v16") -> Path:
    project = folder / "fieldwork.qda"
    project.mkdir()
    conn = sqlite3.connect(project / "data.qda")
    for statement in SCHEMA:
        conn.execute(statement)
    conn.execute("INSERT INTO project VALUES (?, ?, ?, ?, 0, 0, ?)",
                 (version, DATE, "What we set out to learn.", "QualCoder 3.6", "ana"))
    conn.executemany("INSERT INTO source (id, name, fulltext, mediapath, memo, owner, date) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)", [
                         (1, "interview one.docx", INTERVIEW, None, "Recorded in Lyon.", "ana", DATE),
                         (2, "notes.txt", NOTES, None, None, "ben", DATE),
                         (3, "office.jpg", None, "/images/office.jpg", None, "ana", DATE)])
    conn.executemany("INSERT INTO code_cat (catid, name, owner, date, memo, supercatid) "
                     "VALUES (?, ?, 'ana', ?, ?, ?)",
                     [(1, "Feelings", DATE, "How people felt.", None),
                      (2, "Negative", DATE, None, 1)])
    conn.executemany("INSERT INTO code_name (cid, name, memo, catid, owner, date, color, "
                     "supercid) VALUES (?, ?, ?, ?, 'ana', ?, ?, ?)",
                     [(1, "hope", "Looking forward.", 1, DATE, "#00ff00", None),
                      (2, "citizenship", None, None, DATE, "#0000ff", None),
                      (3, "anger", None, 2, DATE, "#ff0000", None),
                      (4, "rage", "Anger, stronger.", None, DATE, "#aa0000", 3)])
    texts = {1: INTERVIEW, 2: NOTES}
    for number, (cid, fid, needle, owner, memo) in enumerate(CODINGS, start=1):
        pos0, pos1 = cut(texts[fid], needle)
        conn.execute("INSERT INTO code_text (ctid, cid, fid, seltext, pos0, pos1, owner, date, "
                     "memo, important) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                     (number, cid, fid, needle, pos0, pos1, owner, DATE, memo))
    conn.execute("INSERT INTO annotation (fid, pos0, pos1, memo, owner, date) "
                 "VALUES (2, ?, ?, 'Check the minister''s name.', 'ben', ?)",
                 (*cut(NOTES, "the minister"), DATE))
    conn.execute("INSERT INTO cases (caseid, name, memo, owner, date) "
                 "VALUES (1, 'NGO Alpha', '', 'ana', ?)", (DATE,))
    conn.execute("INSERT INTO case_text (caseid, fid, pos0, pos1, owner, date) "
                 "VALUES (1, 1, 0, ?, 'ana', ?)", (len(INTERVIEW), DATE))
    conn.executemany("INSERT INTO attribute_type (name, date, owner, caseOrFile, valuetype) "
                     "VALUES (?, ?, 'ana', ?, ?)",
                     [("founded", DATE, "case", "numeric"), ("city", DATE, "file", "character")])
    conn.executemany("INSERT INTO attribute (name, attr_type, value, id, date, owner) "
                     "VALUES (?, ?, ?, ?, ?, 'ana')",
                     [("founded", "case", "1991", 1, DATE), ("city", "file", "Lyon", 1, DATE),
                      ("city", "file", "Paris", 2, DATE)])
    conn.execute("INSERT INTO journal (name, jentry, date, owner) VALUES "
                 "('week 1', 'Two interviews done.', ?, 'ana')", (DATE,))
    conn.commit()
    conn.close()
    return project


@pytest.fixture
def imported(project: Project, tmp_path: Path) -> Project:
    report = import_qualcoder(project, make_qualcoder(tmp_path), coder="importer")
    assert sorted(report.documents_added) == ["interview one.docx", "notes.txt"]
    assert report.skipped == ["office.jpg (media): qcode codes text only"]
    return project


def test_every_coding_keeps_its_span_coder_and_memo(imported: Project) -> None:
    project = imported
    found: dict[tuple[str, str, str, str], list[tuple[int, int]]] = {}
    memos: dict[tuple[str, str], str | None] = {}
    for doc, code, coder, memo, spans in project.conn.execute(
            "SELECT d.name, k.name, c.name, g.memo, g.spans FROM codings g "
            "JOIN paragraphs p ON p.id = g.paragraph_id JOIN documents d ON d.id = p.document_id "
            "JOIN codes k ON k.id = g.code_id JOIN coders c ON c.id = g.coder_id"):
        for span in json.loads(spans):
            key = (doc, code, coder, span["selection"])
            found.setdefault(key, []).append((span["start"], span["end"]))
            memos[(code, coder)] = memo
    names = {1: "hope", 2: "citizenship", 3: "anger", 4: "rage"}
    documents = {1: "interview one.docx", 2: "notes.txt"}
    selections = {}
    for (doc, code, coder, _selection), pieces in found.items():
        start, end = min(s for s, _e in pieces), max(e for _s, e in pieces)
        text = project.document_text(project.document(doc).id)
        selections.setdefault((doc, code, coder), []).append(text[start:end])
    expected: dict[tuple[str, str, str], list[str]] = {}
    for cid, fid, needle, owner, memo in CODINGS:
        expected.setdefault((documents[fid], names[cid], owner), []).append(
            needle.replace("\r\n", "\n"))
        if memo:
            assert memos[(names[cid], owner)] == memo
    assert {k: sorted(v) for k, v in selections.items()} == {
        k: sorted(v) for k, v in expected.items()}
    # two selections of hope by ana in one paragraph: one coding holding both spans
    assert [tuple(r) for r in project.conn.execute(
        "SELECT json_array_length(spans) FROM codings g JOIN codes k ON k.id = g.code_id "
        "WHERE k.name = 'hope'")] == [(2,)]
    assert check(project.conn).healthy


def test_categories_cases_attributes_and_memos(imported: Project) -> None:
    project = imported
    paths = {project.code_path(c): c.codable for c in project.codes()}
    assert paths == {"Feelings": False, "Feelings/hope": True, "Feelings/Negative": False,
                     "Feelings/Negative/anger": True, "Feelings/Negative/anger/rage": True,
                     "citizenship": True}
    assert project.code("hope").definition == "Looking forward."
    assert project.code("hope").colour == "#00ff00"
    assert project.attributes(project.document("interview one.docx").id) == {
        "case": "NGO Alpha", "city": "Lyon", "founded": "1991"}
    assert project.attributes(project.document("notes.txt").id) == {"city": "Paris"}
    assert project.memo("document", project.document("interview one.docx").id,
                        "ana") == "Recorded in Lyon."
    project_memo = project.memo("project", None, "ana")
    assert project_memo is not None and "What we set out to learn." in project_memo
    assert "Two interviews done." in project_memo
    notes = project.document("notes.txt")
    last = project.paragraph(notes, 3)
    assert project.memo("paragraph", last.id, "ben") == "Check the minister's name."


def test_import_twice_adds_nothing(imported: Project, tmp_path: Path) -> None:
    again = import_qualcoder(imported, tmp_path / "fieldwork.qda" / "data.qda", coder="x")
    assert again.codings_added == 0 and again.documents_added == []


def test_export_writes_qualcoders_own_positions(imported: Project, tmp_path: Path) -> None:
    export_qdpx(imported, tmp_path / "out.qdpx")
    with zipfile.ZipFile(tmp_path / "out.qdpx") as archive:
        root = ET.fromstring(archive.read("project.qde"))
    ns = {"q": "urn:QDA-XML:project:1.0"}
    found = {(s.get("name") or "", int(s.get("startPosition", "")), int(s.get("endPosition", "")))
             for source in root.iterfind("q:Sources/q:TextSource", ns)
             for s in source.iterfind("q:PlainTextSelection", ns) if s.find("q:Coding", ns) is not None}
    texts = {1: INTERVIEW, 2: NOTES}
    assert {(start, end) for _n, start, end in found} == {
        cut(texts[fid], needle) for _c, fid, needle, _o, _m in CODINGS}


def test_an_unknown_schema_version_is_refused(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    folder = tmp_path / "future"
    folder.mkdir()
    project = make_qualcoder(folder, version="v99")
    before = digest(cli.path)
    assert_refused(cli("import", str(project)), "QualCoder database version 'v99'",
                   "nothing was imported")
    assert digest(cli.path) == before
    not_qualcoder = tmp_path / "other.qda"
    not_qualcoder.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    assert_refused(cli("import", str(not_qualcoder)), str(not_qualcoder))
    assert digest(cli.path) == before


def test_a_coding_outside_its_source_is_refused(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    project = make_qualcoder(tmp_path)
    conn = sqlite3.connect(project / "data.qda")
    conn.execute("UPDATE code_text SET pos1 = 5000 WHERE ctid = 1")
    conn.commit()
    conn.close()
    before = digest(cli.path)
    assert_refused(cli("import", str(project)), "lies outside its source 'interview one.docx'")
    assert digest(cli.path) == before


def test_the_cli_imports_the_folder_or_its_file(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    project = make_qualcoder(tmp_path)
    before = sorted(p.name for p in project.iterdir()), (project / "data.qda").read_bytes()
    result = cli("import", str(project / "data.qda"))
    assert result.exit_code == 0, result.output
    assert "2 documents added" in result.stdout
    # QualCoder's project is read, never written (not even a journal beside it)
    assert (sorted(p.name for p in project.iterdir()), (project / "data.qda").read_bytes()) \
        == before
    assert cli("check").exit_code == 0
