"""Merging a diverged copy of the study codebook into the project: nothing lost, the
typo'd duplicate's codings reassigned, and one undo takes it all back."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import pytest

from qcode import Project
from qcode.core.codebook.merge import combine, plan_merge
from qcode.core.codebook.merge_apply import load_aliases, merge_changes
from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.errors import ConflictError, QcodeError
from qcode.core.ids import new_guid
from qcode.exchange.formats import read_codebook
from tests.conftest import CODEBOOK

SOURCE = "theirs.yaml"
FUNDNG = "9B0C4C0A-5A34-4A57-8A22-0D1E2F3A4B5C"
MEMORY = "1D2E3F40-5162-4738-8899-AABBCCDDEEFF"


@dataclass
class Scene:
    """The project before the merge, and the incoming copy."""

    project: Project
    theirs: Codebook
    typo_guid: str
    codings: list[tuple[str, str, str]]  # (paragraph label, coder, code GUID)


def find(book: Codebook, name: str) -> CodeSpec:
    return next(spec for spec, _p, _d in book.walk() if spec.name == name)


def codings(project: Project) -> list[tuple[str, str, str]]:
    rows = project.conn.execute(
        "SELECT p.label, k.name, c.guid FROM codings x JOIN paragraphs p ON p.id = "
        "x.paragraph_id JOIN coders k ON k.id = x.coder_id JOIN codes c ON c.id = x.code_id")
    return sorted((r[0], r[1], r[2]) for r in rows)


def snapshot(project: Project) -> tuple[Any, ...]:
    """Everything a merge may touch, to compare before and after undo."""
    rows = {table: sorted(tuple(r) for r in project.conn.execute(f"SELECT * FROM {table}"))
            for table in ("codes", "codings", "memos")}
    return project.codebook(), rows["codes"], rows["codings"], rows["memos"]


@pytest.fixture
def scene(study: Project) -> Scene:
    """Ours: bob coded with a typo'd duplicate of 'regional variation'. Theirs: a code
    renamed, a definition reworded, a colour changed, a code added, and a typo'd
    duplicate of 'foreign funding' of their own."""
    doc = study.document("sieca-kozlowski-2009")
    p12, p13, p31 = (study.paragraph(doc, ref) for ref in ("§12", "§13", "§31.1"))
    regional = study.code("regional variation")
    typo = study.add_code("regional variaton", coder="bob",
                          parent=study.code("relations with the power ministries"))
    study.tag([p12.id], [regional.id], coder="alice")
    study.tag([p12.id], [regional.id], coder="bob")
    study.tag([p12.id, p13.id], [typo.id], coder="bob")
    study.tag([p31.id], [typo.id], coder="carol")
    study.set_memo("code", typo.id, "is this the same as regional variation?", coder="bob")
    theirs = read_codebook(CODEBOOK)
    find(theirs, "generational shift").name = "generational change"
    law = find(theirs, "2006 NGO law")
    law.definition = (law.definition or "").replace("law", "statute", 1)
    find(theirs, "relations with the power ministries").colour = "#000000"
    find(theirs, "cooperation strategies").children.append(
        CodeSpec(name="memory politics", guid=MEMORY, definition="Uses of the Soviet past."))
    find(theirs, "international dimension").children.append(
        CodeSpec(name="foreign fundng", guid=FUNDNG, definition="Money from abroad."))
    return Scene(study, theirs, typo.guid, codings(study))


def test_plan_lists_proposals_with_kind_sides_score_and_accepted_flag(scene: Scene) -> None:
    plan = plan_merge(scene.project.codebook(), scene.theirs, source=SOURCE)
    kinds = sorted((p.kind, p.ours.name if p.ours else p.theirs.name if p.theirs else "")
                   for p in plan.proposals if p.kind != "text")
    assert kinds == [("add", "memory politics"), ("duplicate", "regional variaton"),
                     ("merge", "foreign funding"), ("recolour",
                                                    "relations with the power ministries"),
                     ("rename", "generational shift")]
    fuzzy = [p for p in plan.proposals if p.kind in {"merge", "duplicate"}]
    assert all(not p.accepted and p.score is not None and p.score > 90 for p in fuzzy)
    duplicate = next(p for p in fuzzy if p.kind == "duplicate")
    assert duplicate.into is not None and duplicate.into.name == "regional variation"
    data = plan.to_json()["proposals"][0]
    assert {"kind", "ours", "theirs", "score", "accepted"} <= set(data)


def test_merge_with_accepted_guesses_loses_nothing_and_reassigns_codings(scene: Scene) -> None:
    project = scene.project
    before_guids = {c.guid for c in project.codes()}
    events = project.status()["events"]
    plan = plan_merge(project.codebook(), scene.theirs, source=SOURCE, accept_fuzzy=True)
    outcome = project.merge_codebook(plan, coder="alice")

    assert project.status()["events"] == events + 1
    assert outcome.event_id is not None
    after = {c.guid: c for c in project.codes()}
    # nothing lost: every code of either side is here, except the two typo'd duplicates
    theirs_guids = {s.guid for s, _p, _d in scene.theirs.walk()}
    assert set(after) == (before_guids | theirs_guids) - {scene.typo_guid, FUNDNG}
    assert after[find(scene.theirs, "generational change").guid].name == "generational change"
    memory = project.code("memory politics")
    assert memory.guid == MEMORY
    assert project.code_by_id(memory.parent_id or 0).name == "cooperation strategies"
    assert project.code("relations with the power ministries").colour == "#000000"
    ours_law = find(read_codebook(CODEBOOK), "2006 NGO law").definition or ""
    their_law = find(scene.theirs, "2006 NGO law").definition or ""
    assert project.code("2006 NGO law").definition == combine(ours_law, their_law, SOURCE)
    funding = project.code("foreign funding").definition or ""
    assert funding.endswith(f" / theirs (from {SOURCE}): Money from abroad.")

    # codings on the typo'd duplicate now sit on 'regional variation'; bob's §12 was
    # there twice and is one coding now; nobody else's coding moved or vanished
    regional = project.code("regional variation").guid
    expected = sorted({(label, coder, regional if guid == scene.typo_guid else guid)
                       for label, coder, guid in scene.codings})
    assert codings(project) == expected
    assert outcome.codings_reassigned == 3 and outcome.folded == 1 and outcome.merged == 1
    assert project.memo("code", project.code("regional variation").id, "bob") == (
        "is this the same as regional variation?")


def test_undo_takes_the_whole_merge_back(scene: Scene) -> None:
    project = scene.project
    before = snapshot(project)
    plan = plan_merge(project.codebook(), scene.theirs, source=SOURCE, accept_fuzzy=True)
    project.merge_codebook(plan, coder="alice")
    assert snapshot(project) != before
    assert "merge codebook from theirs.yaml" in project.undo(coder="alice")
    assert snapshot(project) == before
    project.redo(coder="alice")
    assert project.code("generational change") and codings(project) != scene.codings


def test_without_accept_fuzzy_guesses_are_only_proposed(scene: Scene) -> None:
    project = scene.project
    plan = plan_merge(project.codebook(), scene.theirs, source=SOURCE)
    outcome = project.merge_codebook(plan, coder="alice")
    assert outcome.folded == 0 and outcome.codings_reassigned == 0
    assert project.code("regional variaton").guid == scene.typo_guid
    assert project.code("foreign fundng").guid == FUNDNG  # declined merge: added instead
    assert codings(project) == scene.codings


def test_dry_run_reports_the_outcome_and_writes_nothing(scene: Scene) -> None:
    project = scene.project
    before = snapshot(project)
    plan = plan_merge(project.codebook(), scene.theirs, source=SOURCE, accept_fuzzy=True)
    changes, outcome = merge_changes(project, plan)
    assert changes and outcome.added == 1 and outcome.codings_reassigned == 3
    assert snapshot(project) == before
    assert project.merge_codebook(plan, coder="alice").summary == outcome.summary


@pytest.mark.parametrize(("rule", "expected"), [
    ("ours", "ours"), ("theirs", "theirs"), ("both", "both"),
])
def test_definition_rule_decides_conflicts(scene: Scene, rule: Any, expected: str) -> None:
    project = scene.project
    ours_text = project.code("2006 NGO law").definition or ""
    theirs_text = find(scene.theirs, "2006 NGO law").definition or ""
    plan = plan_merge(project.codebook(), scene.theirs, source=SOURCE, rule=rule)
    project.merge_codebook(plan, coder="alice")
    wanted = {"ours": ours_text, "theirs": theirs_text,
              "both": combine(ours_text, theirs_text, SOURCE)}[expected]
    assert project.code("2006 NGO law").definition == wanted
    renamed = project.code(find(scene.theirs, "generational change").guid)
    assert renamed.name == ("generational shift" if rule == "ours" else "generational change")
    assert project.code("memory politics").guid == MEMORY  # additions never depend on it


def test_an_empty_field_is_filled_whatever_the_rule(study: Project) -> None:
    denunciation = study.code("denunciation")
    study.update_code(denunciation, coder="alice", example=None, example_ref=None)
    theirs = read_codebook(CODEBOOK)
    wanted = find(theirs, "denunciation")
    plan = plan_merge(study.codebook(), theirs, source=SOURCE, rule="ours")
    study.merge_codebook(plan, coder="alice")
    after = study.code("denunciation")
    assert (after.example, after.example_ref) == (wanted.example, wanted.example_ref)


def test_merging_the_same_file_twice_changes_nothing_the_second_time(scene: Scene) -> None:
    project = scene.project
    first = plan_merge(project.codebook(), scene.theirs, source=SOURCE, accept_fuzzy=True)
    project.merge_codebook(first, coder="alice")
    state = snapshot(project)
    second = plan_merge(project.codebook(), scene.theirs, source=SOURCE, accept_fuzzy=True)
    outcome = project.merge_codebook(second, coder="alice")
    assert not outcome.changed and outcome.event_id is None
    assert snapshot(project) == state


def test_a_plan_made_before_the_project_changed_is_refused(scene: Scene) -> None:
    project = scene.project
    plan = plan_merge(project.codebook(), scene.theirs, source=SOURCE)
    project.add_code("late addition", coder="carol")
    before = snapshot(project)
    with pytest.raises(ConflictError, match="changed since this merge was planned"):
        project.merge_codebook(plan, coder="alice")
    assert snapshot(project) == before


def test_a_rename_onto_a_sibling_name_is_refused_whole(study: Project) -> None:
    parent = study.code("cooperation strategies")
    study.add_code("civic memory", coder="alice", parent=parent)
    theirs = read_codebook(CODEBOOK)
    find(theirs, "denunciation").name = "civic memory"
    before = snapshot(study)
    plan = plan_merge(study.codebook(), theirs, source=SOURCE)
    with pytest.raises(QcodeError, match=r"two codes named .*'civic memory'.* under "
                                         r"'cooperation strategies'"):
        study.merge_codebook(plan, coder="alice")
    assert snapshot(study) == before


def test_flipped_proposals_are_honoured_and_a_cycle_is_refused(study: Project) -> None:
    theirs = read_codebook(CODEBOOK)
    relations = theirs.codes.pop(0)
    personal = relations.children.pop(0)
    personal.children.append(relations)       # theirs: relations now under 'personal ...'
    theirs.codes.insert(0, personal)
    plan = plan_merge(study.codebook(), theirs, source=SOURCE)
    moves = {p.ours.name: p for p in plan.proposals if p.kind == "move" and p.ours}
    assert set(moves) == {"relations with the power ministries",
                          "personal relations with officials"}
    moves["personal relations with officials"].accepted = False
    with pytest.raises(QcodeError, match="under its own sub-code"):
        study.merge_codebook(plan, coder="alice")
    moves["personal relations with officials"].accepted = True
    study.merge_codebook(plan, coder="alice")
    moved = study.code("relations with the power ministries")
    assert study.code_by_id(moved.parent_id or 0).name == "personal relations with officials"


def test_a_declined_addition_puts_its_children_under_the_nearest_kept_parent(
    study: Project,
) -> None:
    theirs = read_codebook(CODEBOOK)
    child = CodeSpec(name="memorials", guid=new_guid())
    find(theirs, "cooperation strategies").children.append(
        CodeSpec(name="memory politics", children=[child]))
    plan = plan_merge(study.codebook(), theirs, source=SOURCE)
    (add_parent,) = [p for p in plan.proposals
                     if p.kind == "add" and p.theirs and p.theirs.name == "memory politics"]
    add_parent.accepted = False
    study.merge_codebook(plan, coder="alice")
    memorials = study.code("memorials")
    assert study.code_by_id(memorials.parent_id or 0).name == "cooperation strategies"
    with pytest.raises(QcodeError, match="no code 'memory politics'"):
        study.code("memory politics")


def test_memos_of_both_codes_are_kept_when_duplicates_fold(scene: Scene) -> None:
    project = scene.project
    regional = project.code("regional variation")
    project.set_memo("code", regional.id, "regions differ a lot", coder="bob")
    plan = plan_merge(project.codebook(), scene.theirs, source=SOURCE, accept_fuzzy=True)
    project.merge_codebook(plan, coder="alice")
    assert project.memo("code", regional.id, "bob") == (
        "regions differ a lot\n\nFrom merged code 'regional variaton': "
        "is this the same as regional variation?")


def test_a_duplicate_folds_its_subcodes_and_texts_into_the_survivor(study: Project) -> None:
    relations = study.code("relations with the power ministries")
    typo = study.add_code("turnover of oficials", coder="bob", parent=relations,
                          definition="Staff rotation.")
    study.add_code("new governors", coder="bob", parent=typo)
    plan = plan_merge(study.codebook(), copy.deepcopy(read_codebook(CODEBOOK)), source=SOURCE,
                      accept_fuzzy=True)
    study.merge_codebook(plan, coder="alice")
    survivor = study.code("turnover of officials")
    assert study.code_by_id(study.code("new governors").parent_id or 0).id == survivor.id
    assert (survivor.definition or "").endswith(
        " / from merged code 'turnover of oficials': Staff rotation.")


def test_folded_guids_are_remembered_so_the_next_merge_needs_no_guess(scene: Scene) -> None:
    project = scene.project
    first = plan_merge(project.codebook(), scene.theirs, source=SOURCE, accept_fuzzy=True)
    project.merge_codebook(first, coder="alice")
    aliases = load_aliases(project)
    funding, regional = project.code("foreign funding"), project.code("regional variation")
    assert aliases == {FUNDNG: funding.guid, scene.typo_guid: regional.guid}

    # bob's own copy still has his typo'd code, and theirs still has 'foreign fundng'
    bobs = copy.deepcopy(scene.theirs)
    find(bobs, "relations with the power ministries").children.append(
        CodeSpec(name="regional variaton", guid=scene.typo_guid))
    again = plan_merge(project.codebook(), bobs, source=SOURCE, aliases=aliases)
    assert [p.kind for p in again.proposals] == []
    assert project.merge_codebook(again, coder="alice").event_id is None
    assert "foreign fundng" not in {c.name for c in project.codes()}

    project.undo(coder="alice")
    assert load_aliases(project) == {}


def test_folding_a_duplicate_keeps_the_exact_spans_of_both(scene: Scene) -> None:
    """Exact selections (from another tool) on both codes: the coding that remains
    holds both; a moved coding keeps its own; undo gives each back."""
    from qcode.core.spans import Span, dump, load
    from qcode.core.store.check import check

    project = scene.project
    doc = project.document("sieca-kozlowski-2009")
    p12, p13 = project.paragraph(doc, "§12"), project.paragraph(doc, "§13")
    bob = project.find_coder("bob").id
    wanted = {(p12.id, "regional variation"): [Span(p12.start, p12.start + 5, "S1")],
              (p12.id, "regional variaton"): [Span(p12.start + 10, p12.start + 20, "S2")],
              (p13.id, "regional variaton"): [Span(p13.start, p13.start + 7, "S3")]}
    changes = []
    for (paragraph, name), spans in wanted.items():
        coding = project.conn.execute(
            "SELECT id FROM codings WHERE paragraph_id = ? AND code_id = ? AND coder_id = ?",
            (paragraph, project.code(name).id, bob)).fetchone()[0]
        changes.append({"op": "update", "table": "codings", "key": {"id": coding},
                        "before": {"spans": None}, "after": {"spans": dump(spans)}})
    with project.writing():
        project.record("bob", "test", "exact spans", changes)
    before = snapshot(project)
    plan = plan_merge(project.codebook(), scene.theirs, source=SOURCE, accept_fuzzy=True)
    project.merge_codebook(plan, coder="alice")
    regional = project.code("regional variation").id
    spans = {p: load(s) for p, s in project.conn.execute(
        "SELECT paragraph_id, spans FROM codings WHERE code_id = ? AND coder_id = ?",
        (regional, bob))}
    assert [s.selection for s in spans[p12.id]] == ["S1", "S2"]
    assert [s.selection for s in spans[p13.id]] == ["S3"]
    assert check(project.conn).healthy
    project.undo(coder="alice")
    assert snapshot(project) == before
    assert check(project.conn).healthy
