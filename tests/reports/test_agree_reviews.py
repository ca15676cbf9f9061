"""Reviews: the migration, Project.mark_reviewed through the event log, and documents
that take their reviews with them when removed (and bring them back on undo)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from agree_helpers import add_document, tag

from qcode import Project
from qcode.core.store import schema
from qcode.core.store.events import changes_of
from tests.conftest import ARTICLE, CODER

DOC = "sieca-kozlowski-2009"


def reviews(project: Project) -> set[tuple[str, str]]:
    return {(r[0], r[1]) for r in project.conn.execute(
        "SELECT d.name, k.name FROM reviews r JOIN documents d ON d.id = r.document_id "
        "JOIN coders k ON k.id = r.coder_id")}


def test_migration_4_creates_the_reviews_table(project: Project) -> None:
    names = dict(project.conn.execute("SELECT version, name FROM schema_migrations"))
    assert names[4] == "reviews"
    assert schema.LATEST >= 4
    columns = [r[1] for r in project.conn.execute("PRAGMA table_info(reviews)")]
    assert columns == ["document_id", "coder_id", "reviewed_at"]
    keys = sorted((r[5], r[1]) for r in project.conn.execute("PRAGMA table_info(reviews)")
                  if r[5])
    assert [name for _, name in keys] == ["document_id", "coder_id"]


def test_an_older_project_gets_the_reviews_table_on_open(project_path: Path) -> None:
    Project.create(project_path).close()
    conn = sqlite3.connect(project_path)
    conn.execute("DROP TABLE reviews")
    conn.execute("DELETE FROM schema_migrations WHERE version = 4")
    conn.commit()
    conn.close()
    with Project.open(project_path) as reopened:
        assert reopened.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 0
        assert 4 in schema.applied_versions(reopened.conn)


def test_mark_reviewed_is_one_undoable_event(study: Project) -> None:
    doc = study.document(DOC)
    assert study.mark_reviewed(doc, coder="bob")
    assert reviews(study) == {(DOC, "bob")}
    latest = study.log(limit=1)[0]
    assert (latest.coder, latest.action, latest.summary) == (
        "bob", "review", f"mark {DOC} reviewed")
    change = changes_of(study.conn, latest.id)
    assert change[-1]["op"] == "insert" and change[-1]["table"] == "reviews"
    # Marking twice changes nothing and logs nothing.
    assert not study.mark_reviewed(doc, coder="bob")
    assert study.log(limit=1)[0].id == latest.id
    assert study.undo(coder="bob") == f"mark {DOC} reviewed"
    assert reviews(study) == set()
    study.redo(coder="bob")
    assert reviews(study) == {(DOC, "bob")}
    assert study.mark_reviewed(doc, coder="bob", reviewed=False)
    assert reviews(study) == set()
    assert study.log(limit=1)[0].summary == f"unmark {DOC} as reviewed"
    # Withdrawing a mark nobody made is a no-op, and creates no coder.
    assert not study.mark_reviewed(doc, coder="zoe", reviewed=False)
    assert "zoe" not in [c.name for c in study.coders()]


def test_removing_a_document_takes_its_reviews_and_undo_restores_them(project: Project) -> None:
    add_document(project, "d1", ["p1", "p2"])
    add_document(project, "d2", ["q1"])
    project.add_code("A", coder=CODER)
    tag(project, "d1", ["p1"], "A", "bob")
    for coder in ("bob", "carol"):
        project.mark_reviewed(project.document("d1"), coder=coder)
    project.mark_reviewed(project.document("d2"), coder="carol")
    project.remove_document(project.document("d1"), coder=CODER)
    assert reviews(project) == {("d2", "carol")}
    project.undo(coder=CODER)
    assert reviews(project) == {("d1", "bob"), ("d1", "carol"), ("d2", "carol")}


def test_undoing_an_import_takes_its_reviews_and_redo_brings_them_back(project: Project
                                                                       ) -> None:
    from qcode.ingest import read_document

    project.add_document(read_document(ARTICLE), coder=CODER)
    project.mark_reviewed(project.document(DOC), coder="bob")
    project.undo(coder=CODER)  # alice's import: no codings on it yet, so it may go
    assert project.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0
    assert reviews(project) == set()
    project.redo(coder=CODER)
    assert reviews(project) == {(DOC, "bob")}


@pytest.mark.parametrize("reviewed", [True, False])
def test_read_only_project_refuses_a_mark(study: Project, reviewed: bool) -> None:
    path = study.path
    study.close()
    with Project.open(path, readonly=True) as readonly:
        if reviewed:
            with pytest.raises(Exception, match="read-only"):
                readonly.mark_reviewed(readonly.document(DOC), coder="bob")
        else:
            assert not readonly.mark_reviewed(readonly.document(DOC), coder="bob",
                                              reviewed=False)
