"""The words typo-tolerant search expands against are kept in the project, so a new
process's first search does not walk the whole index; they follow the index exactly."""

from __future__ import annotations

from pathlib import Path

from qcode import Project
from qcode.core.search import index_signature, search
from qcode.ingest import importer


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def statements(project: Project, query: str) -> list[str]:
    seen: list[str] = []
    project.conn.set_trace_callback(seen.append)
    try:
        search(project, query)
    finally:
        project.conn.set_trace_callback(None)
    return seen


def test_an_import_leaves_the_terms_ready_for_the_next_process(tmp_path: Path) -> None:
    files = [write(tmp_path / "t", "a.txt", "Q: How was the prison administration?\n\n"
                                             "A: Difficult, then cooperative.\n"),
             write(tmp_path / "t", "b.txt", "Q: And the regional police?\n\nA: Hostile.\n")]
    with Project.create(tmp_path / "p.db") as project:
        importer.write(project, importer.prepare(project, files), coder="alice")
        terms = {r[0] for r in project.conn.execute("SELECT term FROM search_terms")}
        indexed = {r[0] for r in project.conn.execute("SELECT term FROM paragraphs_vocab")}
        assert terms == indexed and "administration" in terms
        kept = project.conn.execute("SELECT signature FROM search_terms_source").fetchone()[0]
        assert kept == index_signature(project.conn)
    with Project.open(tmp_path / "p.db", readonly=True) as project:
        seen = statements(project, "administartion")
        assert not any("paragraphs_vocab" in s for s in seen), seen
        assert [h.document for h in search(project, "administartion")] == ["a"]


def test_the_terms_follow_the_index_when_documents_come_and_go(tmp_path: Path) -> None:
    first = write(tmp_path / "t", "a.txt", "A: The ombudsman visited the colony.\n")
    second = write(tmp_path / "t", "b.txt", "A: Veterans of Chechnya came to us.\n")
    with Project.create(tmp_path / "p.db") as project:
        importer.write(project, importer.prepare(project, [first]), coder="alice")
        assert search(project, "chechnya") == []
        project.add_document(importer.prepare(project, [second])[0].parsed(), coder="alice")
        assert [h.document for h in search(project, "chechyna")] == ["b"]
        project.undo(coder="alice")
        assert search(project, "chechyna") == []
        assert "chechnya" not in {r[0] for r in project.conn.execute(
            "SELECT term FROM search_terms")}


def test_a_read_only_project_searches_without_writing(tmp_path: Path) -> None:
    path = write(tmp_path / "t", "a.txt", "A: The ombudsman visited the colony.\n")
    with Project.create(tmp_path / "p.db") as project:
        project.add_document(importer.prepare(project, [path])[0].parsed(), coder="alice")
    before = (tmp_path / "p.db").read_bytes()
    with Project.open(tmp_path / "p.db", readonly=True) as project:
        assert [h.document for h in search(project, "ombudsmann")] == ["a"]
    assert (tmp_path / "p.db").read_bytes() == before
