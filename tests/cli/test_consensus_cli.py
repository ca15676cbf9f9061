"""One consensus decision, one event: `qcode consensus set` (and the review screen's
decisions) change the consensus coder's codes, memo and review mark in one transaction,
and one undo restores the previous set exactly (issue 12)."""

from __future__ import annotations

import json

from qcode import Project
from tests.conftest import Cli
from tests.tui.tui_helpers import CODER, SIZE, codings, pilot_test, press, settle

DOC = "sieca-kozlowski-2009"
RV, GS, LAW, FF = ("regional variation", "generational shift", "2006 NGO law",
                   "foreign funding")


def consensus_set(project_path: object, ref: str) -> set[str]:
    with Project.open(project_path, readonly=True) as project:  # type: ignore[arg-type]
        return {code for r, code in codings(project, "consensus") if r == ref}


def events(cli: Cli) -> list[dict[str, object]]:
    result = cli("log", "-n", "100", "--json")
    assert result.exit_code == 0, result.output
    return list(json.loads(result.output))


def test_one_decision_with_three_codes_is_one_event_undone_whole(study_cli: Cli) -> None:
    cli = study_cli
    assert cli("tag", DOC, "§13", RV, LAW, coder="alice").exit_code == 0
    assert cli("tag", DOC, "§13", GS, coder="bob").exit_code == 0
    listed = json.loads(cli("consensus", "--json").output)
    assert listed["coders"] == ["alice", "bob"]
    assert {(r["paragraph"], r["code"].split("/")[-1]) for r in listed["disagreements"]} == {
        ("§13", RV), ("§13", LAW), ("§13", GS)}
    assert cli("consensus", "set", DOC, "§13", RV).exit_code == 0
    assert consensus_set(cli.path, "§13") == {RV}
    before = len(events(cli))

    result = cli("consensus", "set", DOC, "§13", LAW, GS, FF)
    assert result.exit_code == 0, result.output
    assert consensus_set(cli.path, "§13") == {LAW, GS, FF}
    log = events(cli)
    assert len(log) == before + 1
    assert log[0]["coder"] == "consensus" and log[0]["action"] == "consensus"

    assert cli("undo", "--coder", "consensus").exit_code == 0
    assert consensus_set(cli.path, "§13") == {RV}
    assert cli("redo", "--coder", "consensus").exit_code == 0
    assert consensus_set(cli.path, "§13") == {LAW, GS, FF}


def test_take_a_coder_union_and_intersection(study_cli: Cli) -> None:
    cli = study_cli
    cli("tag", DOC, "§13", RV, LAW, coder="alice")
    cli("tag", DOC, "§13", GS, LAW, coder="bob")
    cli("tag", DOC, "§15", FF, coder="bob")
    cli("tag", DOC, "§15", GS, coder="alice")
    assert cli("consensus", "set", DOC, "§13", "--take", "bob").exit_code == 0
    assert consensus_set(cli.path, "§13") == {GS, LAW}
    assert cli("consensus", "set", DOC, "§13", "--take", "union").exit_code == 0
    assert consensus_set(cli.path, "§13") == {RV, GS, LAW}
    assert cli("consensus", "set", DOC, "§13", "--take", "intersection").exit_code == 0
    assert consensus_set(cli.path, "§13") == {LAW}
    # No code both applied on §15: the decision is "agreed: no code", with a review mark.
    result = cli("consensus", "set", DOC, "§15", "--take", "intersection")
    assert result.exit_code == 0, result.output
    assert consensus_set(cli.path, "§15") == set()
    with Project.open(cli.path, readonly=True) as project:
        paragraph = project.paragraph(project.document(DOC), "§15")
        assert project.memo("paragraph", paragraph.id, "consensus") == "agreed: no code"
        assert project.reviewers(paragraph.document_id, ["consensus"]) == ["consensus"]
    # …and undoing it takes memo and mark back together.
    assert cli("undo", "--coder", "consensus").exit_code == 0
    with Project.open(cli.path, readonly=True) as project:
        assert project.memo("paragraph", paragraph.id, "consensus") is None
        assert project.reviewers(paragraph.document_id, ["consensus"]) == ["consensus"]  # coded §13


def test_bad_decisions_are_refused_in_one_line(study_cli: Cli) -> None:
    cli = study_cli
    cli("tag", DOC, "§13", RV, coder="alice")
    cli("tag", DOC, "§13", GS, coder="bob")
    for args, message in (
            (["consensus", "set", DOC, "§13", RV, "--take", "bob"], "not both"),
            (["consensus", "set", DOC, "§13", "--take", "carol"], "did not review"),
            (["consensus", "set", DOC, "§13", "regnal variation"], "did you mean"),
            (["consensus", "set", DOC, "§99", RV], "no paragraph")):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output
    assert consensus_set(cli.path, "§13") == set()


@pilot_test
async def test_the_review_screen_decides_in_one_event(study: Project) -> None:
    from qcode.tui import QcodeApp

    document = study.document(DOC)
    study.tag([study.paragraph(document, "§13").id],
              [study.code(RV).id, study.code(LAW).id], coder="alice")
    study.tag([study.paragraph(document, "§13").id], [study.code(GS).id], coder="bob")
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "A")
        await settle(pilot)
        await press(pilot, "2")  # generational shift (nothing agreed to bring along)
        assert {c for r, c in codings(study, "consensus") if r == "§13"} == {GS}
        before = study.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
        await press(pilot, "e")  # every code any coder applied: two more in one decision
        assert {c for r, c in codings(study, "consensus") if r == "§13"} == {RV, GS, LAW}
        assert study.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == before + 1
        await press(pilot, "u")
        assert {c for r, c in codings(study, "consensus") if r == "§13"} == {GS}
