"""One coder identity path: tagging, imports and merges find a coder by GUID, then by
folded name, and a coder a change creates is part of that change's event, so undoing it
removes the coder again unless something refers to them by then (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcode import Project
from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.model import Block, compose


def project_at(path: Path, *, guid: str = "0A0A0A0A-0000-4000-8000-0000000000A1") -> Project:
    project = Project.create(path)
    project.load_codebook(Codebook(name="c", codes=[CodeSpec(name="x", guid=guid),
                                                   CodeSpec(name="y")]), coder="lead")
    project.add_document(compose("d", [Block("paragraph", f"paragraph {i}")
                                       for i in range(4)]), coder="lead")
    return project


def names(project: Project) -> list[str]:
    return [c.name for c in project.coders()]


def paragraphs(project: Project) -> list[int]:
    return [p.id for p in project.paragraphs(project.document("d").id)]


def test_undoing_a_merge_removes_the_coders_it_brought(tmp_path: Path) -> None:
    ours = project_at(tmp_path / "ours.db")
    with project_at(tmp_path / "theirs.db") as theirs:
        theirs.tag(paragraphs(theirs)[:2], [theirs.code("x").id], coder="bob")
        theirs.tag(paragraphs(theirs)[2:], [theirs.code("x").id], coder="carol")
    report = ours.merge_project(tmp_path / "theirs.db", coder="alice")
    assert sorted(report.coders_added) == ["bob", "carol"]
    assert names(ours) == ["alice", "bob", "carol", "lead"]
    bob = ours.find_coder("bob")
    ours.undo(coder="alice")
    # Alice stays: she authored the merge (and its undo); bob and carol go.
    assert names(ours) == ["alice", "lead"]
    ours.redo(coder="alice")
    assert ours.find_coder("bob") == bob
    ours.close()


def test_undo_keeps_a_coder_who_has_since_worked_here(tmp_path: Path) -> None:
    ours = project_at(tmp_path / "ours.db")
    with project_at(tmp_path / "theirs.db") as theirs:
        theirs.tag(paragraphs(theirs)[:1], [theirs.code("x").id], coder="bob")
    ours.merge_project(tmp_path / "theirs.db", coder="alice")
    ours.tag(paragraphs(ours)[3:], [ours.code("y").id], coder="bob")
    ours.undo(coder="alice")
    assert names(ours) == ["alice", "bob", "lead"]
    assert ours.code_counts("bob") == {ours.code("y").id: 1}
    ours.close()


def test_a_coder_is_the_same_by_guid_or_by_folded_name(tmp_path: Path) -> None:
    ours = project_at(tmp_path / "ours.db")
    ours.tag(paragraphs(ours)[:1], [ours.code("x").id], coder="Zoë Sánchez")
    ours.tag(paragraphs(ours)[1:2], [ours.code("x").id], coder="zoe sanchez")
    assert [n for n in names(ours) if n != "lead"] == ["Zoë Sánchez"]
    zoe = ours.find_coder("Zoë Sánchez")
    with ours.writing():
        assert ours.ensure_coder("someone else entirely", zoe.guid) == zoe.id
    ours.close()


def test_a_first_change_records_its_author_and_undo_keeps_them(tmp_path: Path) -> None:
    ours = project_at(tmp_path / "ours.db")
    result = ours.tag(paragraphs(ours)[:1], [ours.code("x").id], coder="dana")
    from qcode.core.store.events import changes_of

    created = changes_of(ours.conn, result.event_id)[0]
    assert (created["table"], created["rows"][0]["name"]) == ("coders", "dana")
    ours.undo(coder="dana")
    assert "dana" in names(ours)  # her undo is hers too: the audit trail keeps authors
    ours.close()


@pytest.mark.parametrize("attempt", ["untag", "memo", "tag_none"])
def test_a_change_with_nothing_to_do_leaves_no_coder(tmp_path: Path, attempt: str) -> None:
    ours = project_at(tmp_path / "ours.db")
    first = paragraphs(ours)[:1]
    if attempt == "untag":
        ours.untag(first, [ours.code("x").id], coder="erin")
    elif attempt == "memo":
        ours.set_memo("paragraph", first[0], "", coder="erin")
    else:
        ours.tag_many([], coder="erin")
    assert "erin" not in names(ours)
    ours.close()
