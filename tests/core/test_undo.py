"""Undo and redo: every change is an event, each coder has their own history, and the
history survives closing and reopening the project."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.errors import ConflictError, NothingToDo


def codings(project: Project) -> set[tuple[str | None, str, str]]:
    rows = project.conn.execute(
        "SELECT p.label, c.name, k.name FROM codings g JOIN paragraphs p ON p.id = g.paragraph_id "
        "JOIN codes c ON c.id = g.code_id JOIN coders k ON k.id = g.coder_id"
    )
    return {(r[0], r[1], r[2]) for r in rows}


def ids(study: Project, label: str, *codes: str) -> tuple[list[int], list[int]]:
    doc = study.document("sieca-kozlowski-2009")
    return [study.paragraph(doc, label).id], [study.code(c).id for c in codes]


def test_tag_writes_one_coding_and_one_event(study: Project) -> None:
    before = study.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    result = study.tag(*ids(study, "§12", "regional variation"), coder="alice")
    assert result.changed == 1
    assert codings(study) == {("§12", "regional variation", "alice")}
    rows = study.conn.execute("SELECT kind, action, summary FROM events WHERE id > ?", (before,))
    assert [tuple(r) for r in rows] == [
        ("do", "tag", "tag sieca-kozlowski-2009 §12 with 'regional variation'")
    ]
    again = study.tag(*ids(study, "§12", "regional variation"), coder="alice")
    assert (again.changed, again.unchanged, again.event_id) == (0, 1, None)


def test_undo_redo_walks_back_and_forth(study: Project) -> None:
    study.tag(*ids(study, "§10", "generational shift"), coder="alice")
    study.tag(*ids(study, "§12", "regional variation"), coder="alice")
    study.untag(*ids(study, "§10", "generational shift"), coder="alice")
    assert codings(study) == {("§12", "regional variation", "alice")}
    assert "untag" in study.undo(coder="alice")
    assert codings(study) == {("§10", "generational shift", "alice"),
                              ("§12", "regional variation", "alice")}
    study.undo(coder="alice")
    study.undo(coder="alice")
    assert codings(study) == set()
    study.redo(coder="alice")
    assert codings(study) == {("§10", "generational shift", "alice")}
    study.redo(coder="alice")
    study.redo(coder="alice")
    assert codings(study) == {("§12", "regional variation", "alice")}
    with pytest.raises(NothingToDo):
        study.redo(coder="alice")


def test_new_change_clears_redo(study: Project) -> None:
    study.tag(*ids(study, "§10", "generational shift"), coder="alice")
    study.undo(coder="alice")
    study.tag(*ids(study, "§11", "generational shift"), coder="alice")
    with pytest.raises(NothingToDo, match="nothing to redo"):
        study.redo(coder="alice")
    study.undo(coder="alice")
    # Below the new change is the codebook load, not the undone tag.
    assert codings(study) == set()
    assert "load codebook" in study.undo(coder="alice")
    assert study.codes() == []


def test_each_coder_undoes_their_own_changes(study: Project) -> None:
    study.tag(*ids(study, "§12", "regional variation"), coder="alice")
    study.tag(*ids(study, "§12", "regional variation"), coder="bob")
    study.undo(coder="alice")
    assert codings(study) == {("§12", "regional variation", "bob")}
    with pytest.raises(NothingToDo):
        study.undo(coder="bob") and study.undo(coder="bob")


def test_history_survives_reopening(study: Project) -> None:
    study.tag(*ids(study, "§14", "long-term impact"), coder="alice")
    study.tag(*ids(study, "§17", "foreign funding"), coder="alice")
    path = study.path
    study.close()
    with Project.open(path) as reopened:
        reopened.undo(coder="alice")
        assert codings(reopened) == {("§14", "long-term impact", "alice")}
    with Project.open(path) as third:
        third.redo(coder="alice")
        assert codings(third) == {("§14", "long-term impact", "alice"),
                                  ("§17", "foreign funding", "alice")}


def test_undo_of_import_and_redo_restores_everything(project: Project, tmp_path: Path) -> None:
    from qcode.core.codebook.model import Codebook, CodeSpec
    from qcode.ingest import read_document

    path = tmp_path / "melnikova.txt"
    path.write_text("Q: Вопрос?\n\nA: Ответ.\n", encoding="utf-8")
    project.load_codebook(Codebook(codes=[CodeSpec(name="theme")]), coder="alice")
    doc = project.add_document(read_document(path), coder="alice")
    project.set_attributes(doc, {"organisation": "CSM"}, coder="alice")
    para = project.paragraph(doc, "2")
    project.tag([para.id], [project.code("theme").id], coder="alice", memo="key answer")
    project.set_memo("paragraph", para.id, "follow up", coder="alice")
    snapshot = [list(map(tuple, project.conn.execute(f"SELECT * FROM {t} ORDER BY 1")))
                for t in ("documents", "paragraphs", "codings", "memos", "document_attributes")]
    for _ in range(4):
        project.undo(coder="alice")
    assert project.conn.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0] == 0
    for _ in range(4):
        project.redo(coder="alice")
    again = [list(map(tuple, project.conn.execute(f"SELECT * FROM {t} ORDER BY 1")))
             for t in ("documents", "paragraphs", "codings", "memos", "document_attributes")]
    assert again == snapshot


def test_undo_refuses_to_overwrite_a_later_change(study: Project) -> None:
    code = study.add_code("new theme", coder="alice")
    study.tag(*ids(study, "§12", "new theme"), coder="bob")
    # alice's undo would delete a code bob has used since: refused, nothing changed.
    with pytest.raises(ConflictError):
        study.undo(coder="alice")
    assert study.code("new theme").id == code.id
    assert codings(study) == {("§12", "new theme", "bob")}


def test_events_are_append_only(study: Project) -> None:
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        study.conn.execute("DELETE FROM events")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        study.conn.execute("UPDATE events SET summary = 'x'")


def test_code_edits_merge_and_delete_are_undoable(study: Project) -> None:
    study.tag(*ids(study, "§12", "regional variation"), coder="alice")
    study.tag(*ids(study, "§12", "personal relations with officials"), coder="alice")
    study.tag(*ids(study, "§13", "personal relations with officials"), coder="alice")
    source = study.code("personal relations with officials")
    target = study.code("regional variation")
    assert study.affected_codings(source) == 2
    assert study.merge_codes(source, target, coder="alice") == 2
    assert codings(study) == {("§12", "regional variation", "alice"),
                              ("§13", "regional variation", "alice")}
    study.undo(coder="alice")
    assert codings(study) == {("§12", "regional variation", "alice"),
                              ("§12", "personal relations with officials", "alice"),
                              ("§13", "personal relations with officials", "alice")}
    renamed = study.update_code(target, name="regional differences", coder="alice")
    assert renamed.name == "regional differences"
    assert study.delete_code(renamed, coder="alice") == 1
    study.undo(coder="alice")
    study.undo(coder="alice")
    assert study.code("regional variation").id == target.id
    assert ("§12", "regional variation", "alice") in codings(study)


def test_undoing_an_import_never_takes_later_codings(project: Project, tmp_path: Path) -> None:
    from qcode.ingest import read_document

    source = tmp_path / "novikova.txt"
    source.write_text("Q: Regions?\n\nA: It depends on the region.\n", encoding="utf-8")
    doc = project.add_document(read_document(source), coder="alice")
    code = project.add_code("regional variation", coder="bob")
    project.tag([project.paragraph(doc, "2").id], [code.id], coder="bob")
    with pytest.raises(ConflictError, match="1 codings made since it was imported"):
        project.undo(coder="alice")
    assert project.paragraph_count(doc.id) == 2
    assert codings(project) == {(None, "regional variation", "bob")}


def test_remove_document_undo_redo_keeps_its_codings(study: Project) -> None:
    doc = study.document("sieca-kozlowski-2009")
    study.tag([study.paragraph(doc, "§12").id], [study.code("regional variation").id],
              coder="bob")
    study.remove_document(doc, coder="alice")
    assert codings(study) == set()
    study.undo(coder="alice")
    assert codings(study) == {("§12", "regional variation", "bob")}
    study.redo(coder="alice")
    assert codings(study) == set() and study.documents() == []
    study.undo(coder="alice")
    assert codings(study) == {("§12", "regional variation", "bob")}


def test_codes_from_another_codebook_keep_the_project_codebook_name(study: Project) -> None:
    from qcode.core.codebook.model import Codebook, CodeSpec

    assert study.meta("codebook_name") == "NGOs and the power ministries in Russia"
    study.load_codebook(Codebook(name="nvivo export", version="9",
                                 codes=[CodeSpec(name="extra theme")]), coder="alice")
    assert study.meta("codebook_name") == "NGOs and the power ministries in Russia"
    assert study.meta("codebook_version") == "1.0"
    study.load_codebook(Codebook(name="NGOs and the power ministries in Russia", version="1.1",
                                 codes=[CodeSpec(name="another theme")]), coder="alice")
    assert study.meta("codebook_version") == "1.1"
