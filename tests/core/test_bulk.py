"""The bulk path: many codings as one event, logged compactly, undone and redone whole,
and still refusing to undo over someone's later change."""

from __future__ import annotations

import json
import random
import uuid
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.errors import ConflictError, NotFoundError
from qcode.core.ids import new_guid, seeded_guids
from qcode.core.model import Block, compose
from qcode.core.store import events
from qcode.core.store.check import check
from qcode.core.store.rows import (
    PACK_AT,
    Batch,
    as_columns,
    batch,
    pack_column,
    stored,
    unpack,
    unpack_column,
)


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


def test_the_log_keeps_many_rows_packed(project: Project) -> None:
    project.tag_many(all_pairs(project)[:1000], coder="alice", memo="first pass")
    (changes,) = project.conn.execute(
        "SELECT changes FROM events ORDER BY id DESC LIMIT 1").fetchone()
    created, change = json.loads(changes)
    # Alice's first change also created her: the event records that too.
    assert created["table"] == "coders" and created["rows"][0]["name"] == "alice"
    rows = change["rows"]
    assert rows["count"] == 1000
    assert set(rows["packed"]) == {"id", "guid", "paragraph_id", "code_id"}
    # Ids handed out in order are a range; the GUIDs, the seed they were drawn from.
    assert rows["packed"]["id"][0] == "range"
    assert rows["packed"]["guid"][0] == "guids"
    assert rows["same"]["memo"] == "first pass"
    assert set(rows["same"]) == {"coder_id", "memo", "created_at"}
    # The compact form is the same rows as the table holds.
    logged = {(r["id"], r["guid"], r["paragraph_id"], r["code_id"], r["memo"])
              for r in unpack(rows)}
    table = {tuple(r) for r in project.conn.execute(
        "SELECT id, guid, paragraph_id, code_id, memo FROM codings")}
    assert logged == table


def test_a_bulk_event_takes_a_few_bytes_per_coding(project: Project) -> None:
    """Structural, not a timing: the log of N codings in paragraph order is bounded by
    a couple of bytes each (the plain columns took ~60: a GUID alone is 38)."""
    pairs = all_pairs(project)
    project.tag_many(pairs, coder="alice")
    (size,) = project.conn.execute(
        "SELECT LENGTH(changes) FROM events ORDER BY id DESC LIMIT 1").fetchone()
    assert len(pairs) == 3000
    assert size < 600 + 2 * len(pairs)


def test_undo_and_redo_of_a_bulk_event_stay_a_few_bytes_per_coding(project: Project) -> None:
    """Taking back a merge of many codings (and bringing it back) must not grow the
    project by the rows in full: the undo and redo keep them packed as the event did
    (the plain rows of a million codings took ~45 MB)."""
    pairs = all_pairs(project)
    project.tag_many(pairs, coder="alice")
    project.undo(coder="alice")
    project.redo(coder="alice")
    sizes = dict(project.conn.execute(
        "SELECT kind, LENGTH(changes) FROM events WHERE kind IN ('undo', 'redo')"))
    assert len(pairs) == 3000
    assert sizes["undo"] < 600 + 2 * len(pairs)
    assert sizes["redo"] < 600 + 2 * len(pairs)


def test_an_undo_keeps_what_the_record_left_out(project: Project) -> None:
    """A column the bulk event did not record (origin, by hand) but that another
    program set since is kept by the undo whole, so the redo brings it back."""
    pairs = all_pairs(project)[:PACK_AT * 2]
    project.tag_many(pairs, coder="alice")
    with project.conn:
        project.conn.execute("UPDATE codings SET origin = 'their script' WHERE id = 5")
    project.undo(coder="alice")
    project.redo(coder="alice")
    origins = dict(project.conn.execute("SELECT id, origin FROM codings"))
    assert origins[5] == "their script"
    assert sum(o is not None for o in origins.values()) == 1


def test_one_coding_stays_readable_in_the_log(project: Project) -> None:
    (pair,) = all_pairs(project)[:1]
    project.tag_many([pair], coder="alice")
    (changes,) = project.conn.execute(
        "SELECT changes FROM events ORDER BY id DESC LIMIT 1").fetchone()
    (row,) = json.loads(changes)[-1]["rows"]
    assert (row["paragraph_id"], row["code_id"]) == pair and len(row["guid"]) == 36


def test_undo_and_redo_of_a_packed_event_are_exact(project: Project) -> None:
    """Undo takes every row back; redo brings back the very rows (ids and GUIDs)."""
    project.tag_many(all_pairs(project)[:200], coder="bob")
    before = project.conn.execute("SELECT * FROM codings ORDER BY id").fetchall()
    pairs = all_pairs(project)
    random.Random(3).shuffle(pairs)
    project.tag_many(pairs[:2500], coder="alice", memo="m", origin="autocode x")
    made = [tuple(r) for r in project.conn.execute("SELECT * FROM codings ORDER BY id")]
    project.undo(coder="alice")
    assert project.conn.execute("SELECT * FROM codings ORDER BY id").fetchall() == before
    project.redo(coder="alice")
    assert [tuple(r) for r in project.conn.execute("SELECT * FROM codings ORDER BY id")] == made
    project.undo(coder="alice")
    assert project.conn.execute("SELECT * FROM codings ORDER BY id").fetchall() == before
    assert check(project.conn).healthy


def test_an_event_in_the_older_plain_form_still_undoes(project: Project) -> None:
    """Logs written before packing keep many rows as plain columns (ids and GUIDs
    spelled out): they still undo, redo and replay."""
    pairs = all_pairs(project)[:300]
    coder_id = project.conn.execute(
        "SELECT id FROM coders WHERE name = 'lead'").fetchone()[0]
    rows = Batch({"coder_id": coder_id, "memo": None, "created_at": "2025-01-01T00:00:00"},
                 ["id", "guid", "paragraph_id", "code_id"],
                 [[1000 + i, new_guid(), p, c] for i, (p, c) in enumerate(pairs)])
    plain = {"same": rows.same, "columns": rows.columns, "values": rows.values}
    with project.writing():
        project.conn.executemany(
            "INSERT INTO codings (coder_id, memo, created_at, id, guid, paragraph_id, code_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)", rows.params())
        events.record_applied(project.conn, coder_id, "tag", "older tag",
                              [{"op": "insert", "table": "codings", "rows": plain}])
    assert check(project.conn).healthy
    assert project.undo(coder="lead") == "older tag"
    assert codings(project, "lead") == set()
    project.redo(coder="lead")
    assert codings(project, "lead") == set(pairs)
    assert check(project.conn).healthy


def test_a_paragraph_that_is_not_there_is_refused_whole(project: Project) -> None:
    """SQLite's own reference checks are off for the bulk insert: qcode's stand in,
    and refuse the whole call; the checks are back on afterwards."""
    pairs = all_pairs(project)[:50]
    code = pairs[0][1]
    with pytest.raises(NotFoundError, match="no paragraph #99999"):
        project.tag_many([*pairs, (99999, code)], coder="alice")
    assert codings(project, "alice") == set()
    assert project.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(NotFoundError):
        project.tag_many([(pairs[0][0], 99999)], coder="alice")
    # Ids with a gap between them (a removed document) are checked one by one.
    doc = project.documents()[1].document
    project.remove_document(doc, coder="lead")
    with pytest.raises(NotFoundError, match="no paragraph"):
        project.tag_many([pairs[0], (pairs[0][0] + 150, code)], coder="alice")
    result = project.tag_many([pairs[0], (pairs[0][0] + 250, code)], coder="alice")
    assert result.changed == 2


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


@pytest.mark.parametrize("values", [
    list(range(5, 5 + PACK_AT)),                         # a range
    [3, 3, 4, 9, 9, 9, 10, 400, 401],                    # sorted, small steps
    [7, -2, 40, 1, 0, 0, 39],                            # any order, negative steps
    [1, 2**40, -(2**40), 5],                             # wide steps
    [0, 2**62, -(2**62)],                                # too wide for 8 bytes
    ["a", "b"], [1, None, 3], [True, False], [1.5, 2],   # not integers: kept as they are
    [5],
])
def test_a_column_packs_and_comes_back_exactly(values: list[object]) -> None:
    form = json.loads(json.dumps(pack_column(values)))
    back = unpack_column(form, len(values))
    assert back == values and [type(v) for v in back] == [type(v) for v in values]


def test_many_rows_round_trip_packed() -> None:
    rows = Batch({"coder_id": 2}, ["id", "guid", "paragraph_id", "code_id", "memo"],
                 [[10 + i, new_guid(), 100 + i // 3, i % 7, None if i % 2 else "m"]
                  for i in range(PACK_AT * 3)])
    kept = json.loads(json.dumps(stored(rows)))
    assert "packed" in kept
    assert unpack(kept) == rows.dicts()
    found = as_columns(kept)
    assert found is not None and found.batch().dicts() == rows.dicts()


def test_seeded_guids_are_version_4_distinct_and_the_same_again() -> None:
    seed = bytes(range(16))
    guids = seeded_guids(seed, 5000)
    assert len(set(guids)) == 5000
    assert all(uuid.UUID(g).version == 4 and uuid.UUID(g).variant == uuid.RFC_4122
               and str(uuid.UUID(g)).upper() == g for g in guids)
    assert seeded_guids(seed, 10) == guids[:10]
    assert seeded_guids(bytes(16), 10) != guids[:10]
