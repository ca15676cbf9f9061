"""The bulk path: many codings as one event, logged compactly, undone and redone whole,
and still refusing to undo over someone's later change."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.errors import ConflictError
from qcode.core.model import Block, compose
from qcode.core.store.check import check
from qcode.core.store.rows import Batch, batch, stored, unpack


@pytest.fixture
def project(tmp_path: Path) -> Project:
    project = Project.create(tmp_path / "p.db")
    project.load_codebook(Codebook(name="b", codes=[CodeSpec(name=f"code {i}")
                                                    for i in range(6)]), coder="lead")
    for n in range(5):
        blocks = [Block("paragraph", f"Document {n}, paragraph {i}.") for i in range(100)]
        project.add_document(compose(f"doc-{n}", blocks), coder="lead")
    return project


def all_pairs(project: Project) -> list[tuple[int, int]]:
    paragraphs = [r[0] for d in project.documents()
                  for r in project.paragraph_outline(d.document.id)]
    return [(p, c.id) for p in paragraphs for c in project.codes()]


def codings(project: Project, coder: str) -> set[tuple[int, int]]:
    coder_id = project.coder_id(coder)
    return {(r[0], r[1]) for r in project.conn.execute(
        "SELECT paragraph_id, code_id FROM codings WHERE coder_id = ?", (coder_id,))}


def test_many_codings_are_one_event_and_one_undo(project: Project) -> None:
    pairs = all_pairs(project)
    random.Random(1).shuffle(pairs)
    wanted = pairs[:2000]
    before = project.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    result = project.tag_many(wanted, coder="alice", summary="auto-coded 'x'")
    assert (result.changed, result.unchanged) == (2000, 0)
    assert project.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before + 1
    assert codings(project, "alice") == set(wanted)
    # Each row got its own GUID and an id the database can find it by.
    rows = project.conn.execute("SELECT id, guid FROM codings").fetchall()
    assert len({r[1] for r in rows}) == len(rows) == 2000
    assert project.undo(coder="alice") == "auto-coded 'x'"
    assert codings(project, "alice") == set()
    project.redo(coder="alice")
    assert codings(project, "alice") == set(wanted)
    assert check(project.conn).healthy


def test_pairs_the_coder_has_are_left_alone(project: Project) -> None:
    pairs = all_pairs(project)
    project.tag_many(pairs[:300], coder="alice")
    project.tag_many(pairs[:300], coder="bob")
    result = project.tag_many(pairs[:500] + pairs[:10], coder="alice")
    assert (result.changed, result.unchanged) == (200, 300)
    assert codings(project, "alice") == set(pairs[:500])
    assert codings(project, "bob") == set(pairs[:300])


def test_the_log_keeps_many_rows_as_columns(project: Project) -> None:
    project.tag_many(all_pairs(project)[:1000], coder="alice", memo="first pass")
    (changes,) = project.conn.execute(
        "SELECT changes FROM events ORDER BY id DESC LIMIT 1").fetchone()
    created, change = json.loads(changes)
    # Alice's first change also created her: the event records that too.
    assert created["table"] == "coders" and created["rows"][0]["name"] == "alice"
    rows = change["rows"]
    assert rows["columns"] == ["id", "guid", "paragraph_id", "code_id"]
    assert rows["same"]["memo"] == "first pass"
    assert set(rows["same"]) == {"coder_id", "memo", "created_at"}
    # The compact form is the same rows as the table holds.
    logged = {(r["id"], r["guid"], r["paragraph_id"], r["code_id"], r["memo"])
              for r in unpack(rows)}
    table = {tuple(r) for r in project.conn.execute(
        "SELECT id, guid, paragraph_id, code_id, memo FROM codings")}
    assert logged == table


def test_undo_refuses_when_a_coding_changed_since(project: Project) -> None:
    """Alice auto-codes; the lead then folds one of those codes into another, which
    moves Alice's codings. Her undo would now remove codings the lead's merge made:
    it refuses, and everything stays as it is."""
    pairs = all_pairs(project)[:600]
    project.tag_many(pairs, coder="alice", summary="auto-coded")
    source, target = project.code("code 0"), project.code("code 1")
    project.merge_codes(source, target, coder="lead")
    after_merge = codings(project, "alice")
    with pytest.raises(ConflictError, match=r"changed since|no longer there"):
        project.undo(coder="alice")
    assert codings(project, "alice") == after_merge
    project.undo(coder="lead")
    project.undo(coder="alice")
    assert codings(project, "alice") == set()


@pytest.mark.parametrize("rows", [
    [],
    [{"id": 1, "name": "a"}],
    [{"id": 1, "name": "a", "x": None}, {"id": 2, "name": "b", "x": None}],
    [{"id": 1, "name": "a"}, {"id": 2, "name": "a"}, {"id": 3, "name": "a"}],
])
def test_rows_round_trip_through_their_stored_form(rows: list[dict[str, object]]) -> None:
    found = batch(rows)
    assert found is not None
    kept = json.loads(json.dumps(stored(found)))
    assert unpack(kept) == rows


def test_rows_of_different_shapes_stay_a_list() -> None:
    rows = [{"id": 1}, {"id": 2, "name": "b"}]
    assert batch(rows) is None
    assert unpack(rows) == rows
    assert Batch({"k": 1}, ["a"], [[1], [2]]).dicts() == [{"k": 1, "a": 1}, {"k": 1, "a": 2}]
