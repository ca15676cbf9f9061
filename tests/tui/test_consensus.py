"""The consensus review: walk the paragraphs where alice and bob disagree, record the
agreed codes as the coder "consensus", and find them in SQLite and in the reports."""

from __future__ import annotations

from textual.widgets import Static
from tui_helpers import (
    CODER,
    SIZE,
    codings,
    notifications,
    pilot_test,
    plain,
    press,
    settle,
    status,
)

from qcode import Project
from qcode.reports.filters import ReportFilter
from qcode.reports.frequencies import frequencies
from qcode.tui import QcodeApp
from qcode.tui.consensus import NO_CODE
from qcode.tui.modals.confirm import Confirm
from qcode.tui.modals.help import HelpModal
from qcode.tui.screens.consensus import ConsensusScreen
from qcode.tui.screens.main import MainScreen

DOC = "sieca-kozlowski-2009"
RV, GS, LAW, FF, DEN = ("regional variation", "generational shift", "2006 NGO law",
                        "foreign funding", "denunciation")
# Who applied what: §12 agreed; §13, §15 and §17 disputed (one agreed code on §13).
CODINGS = {
    "alice": {"§12": [RV], "§13": [RV, LAW], "§15": [LAW]},
    "bob": {"§12": [RV], "§13": [GS, LAW], "§15": [FF], "§17": [DEN]},
}


def code_both(project: Project) -> None:
    document = project.document(DOC)
    for coder, refs in CODINGS.items():
        for ref, names in refs.items():
            project.tag([project.paragraph(document, ref).id],
                        [project.code(n).id for n in names], coder=coder)


def shown(app: QcodeApp, selector: str) -> str:
    widget = app.screen.query_one(selector)
    content = widget.content if isinstance(widget, Static) else widget.render()
    return " ".join(plain(content, 120).split())


def table_rows(app: QcodeApp) -> list[str]:
    text = plain(app.screen.query_one("#consensus-table", Static).content, 120)
    return [" ".join(line.split()) for line in text.splitlines()[1:]]


def consensus_frequencies(project: Project) -> dict[str, int]:
    rows = frequencies(project, ReportFilter(coders=("consensus",)))
    return {r.code: r.own_paragraphs for r in rows if r.own_paragraphs}


async def open_review(pilot: object, app: QcodeApp) -> None:
    await press(pilot, "A")  # type: ignore[arg-type]
    assert isinstance(app.screen, ConsensusScreen)
    await settle(pilot)  # type: ignore[arg-type]


@pilot_test
async def test_walk_the_disagreements_and_record_the_consensus(study: Project) -> None:
    code_both(study)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot, app)
        assert shown(app, "#consensus-title") == (
            "Consensus review — alice, bob · paragraph 1 of 3 · 0 resolved")
        assert shown(app, "#consensus-place").startswith(f"open · {DOC} §13")
        assert table_rows(app) == [f"1 ■ {RV} ● · ·", f"2 ■ {GS} · ● ·",
                                   f"■ {LAW} agreed ● ● ·"]
        await press(pilot, "1")  # regional variation, and the agreed 2006 NGO law with it
        assert codings(study, "consensus") == {("§13", RV), ("§13", LAW)}
        assert table_rows(app)[0] == f"1 ■ {RV} ● · ✔"
        assert "1 resolved" in shown(app, "#consensus-title")

        await press(pilot, "n", "b")  # §15: take bob's codes
        assert shown(app, "#consensus-place").startswith(f"resolved · {DOC} §15")
        assert codings(study, "consensus") == {("§13", RV), ("§13", LAW), ("§15", FF)}

        await press(pilot, "enter", "x")  # §17: no code applies
        assert shown(app, "#consensus-title").endswith("paragraph 3 of 3 · 3 resolved")
        assert shown(app, "#consensus-place").startswith("resolved: agreed no code")
        paragraph = study.paragraph(study.document(DOC), "§17")
        assert study.memo("paragraph", paragraph.id, "consensus") == NO_CODE
        assert codings(study, "consensus") == {("§13", RV), ("§13", LAW), ("§15", FF)}
        assert consensus_frequencies(study) == {RV: 1, LAW: 1, FF: 1}

        # u takes back consensus's changes one by one, newest first; U puts one back.
        await press(pilot, "u")
        assert study.memo("paragraph", paragraph.id, "consensus") is None
        assert "2 resolved" in shown(app, "#consensus-title")
        await press(pilot, "u")
        assert codings(study, "consensus") == {("§13", RV), ("§13", LAW)}
        assert "1 resolved" in shown(app, "#consensus-title")
        await press(pilot, "U")
        assert ("§15", FF) in codings(study, "consensus")
        assert codings(study, CODER) == {(ref, code) for ref, names in
                                         CODINGS[CODER].items() for code in names}

        await press(pilot, "escape")
        assert isinstance(app.screen, MainScreen)
        assert "back from the consensus review" in status(app)


@pilot_test
async def test_accept_all_toggle_off_and_take_a_coder(study: Project) -> None:
    code_both(study)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot, app)
        await press(pilot, "e")
        assert codings(study, "consensus") == {("§13", RV), ("§13", GS), ("§13", LAW)}
        await press(pilot, "2")
        assert codings(study, "consensus") == {("§13", RV), ("§13", LAW)}
        await press(pilot, "b")  # exactly bob's: generational shift in, regional out
        assert codings(study, "consensus") == {("§13", GS), ("§13", LAW)}
        assert "takes bob's codes: + 'generational shift'; − 'regional variation'" in (
            shown(app, "#consensus-status"))
        await press(pilot, "x")  # none of the disputed codes: the agreed one stays
        assert codings(study, "consensus") == {("§13", LAW)}
        assert shown(app, "#consensus-place").startswith("resolved ·")
        # "no code" then a decision: the memo that said otherwise goes.
        await press(pilot, "p")
        assert "first disputed paragraph" in notifications(app)[-1]
        await press(pilot, "n", "n", "x", "1")
        paragraph = study.paragraph(study.document(DOC), "§17")
        assert study.memo("paragraph", paragraph.id, "consensus") is None
        assert ("§17", DEN) in codings(study, "consensus")
        await press(pilot, "o")  # next open paragraph: §15, the only one left
        assert shown(app, "#consensus-place").startswith(f"open · {DOC} §15")


@pilot_test
async def test_carry_over_the_agreed_codings_as_one_change(study: Project) -> None:
    code_both(study)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot, app)
        await press(pilot, "A")
        assert isinstance(app.screen, Confirm)
        assert "2 codings" in str(app.screen.message)
        await press(pilot, "y")
        assert codings(study, "consensus") == {("§12", RV), ("§13", LAW)}
        assert consensus_frequencies(study) == {RV: 1, LAW: 1}
        # Only agreed codings: §13 stays open, the disputed codes are not decided.
        assert "0 resolved" not in shown(app, "#consensus-title")
        await press(pilot, "u")
        assert codings(study, "consensus") == set()
        assert "0 resolved" in shown(app, "#consensus-title")


@pilot_test
async def test_with_one_coder_there_is_nothing_to_review(study: Project) -> None:
    document = study.document(DOC)
    study.tag([study.paragraph(document, "§3").id], [study.code(RV).id], coder=CODER)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot, app)
        assert "Nothing to review: agreement needs at least 2 coders" in (
            shown(app, "#consensus-body"))
        await press(pilot, "1", "n", "x")
        assert codings(study, "consensus") == set()
        assert "no disputed paragraph here" in notifications(app)[-1]


@pilot_test
async def test_help_lists_the_keys_and_the_rule(study: Project) -> None:
    code_both(study)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot, app)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpModal)
        text = " ".join(plain(app.screen.query_one("#help-table", Static).content, 120)
                        .split())
        for binding in ConsensusScreen.BINDINGS:
            action = binding.action  # type: ignore[union-attr]
            if action.startswith(("code(", "take(")):
                continue
            explained = binding.tooltip or binding.description  # type: ignore[union-attr]
            assert explained in text
        assert "1 … 9 Toggle that code in dispute" in text
        assert "a b c d … Take the codes of the coder" in text
        assert "resolved once consensus has a code on it" in text
        await press(pilot, "escape")
        assert isinstance(app.screen, ConsensusScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, MainScreen)


@pilot_test
async def test_codings_made_elsewhere_show_up_in_the_review(study: Project) -> None:
    code_both(study)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot, app)
        assert table_rows(app)[0] == f"1 ■ {RV} ● · ·"
        with Project.open(study.path) as other:
            document = other.document(DOC)
            other.tag([other.paragraph(document, "§15").id], [other.code(FF).id],
                      coder="consensus")
            other.tag([other.paragraph(document, "§13").id], [other.code(RV).id],
                      coder="bob")
        app.check_for_changes()
        await pilot.pause()
        assert "1 resolved" in shown(app, "#consensus-title")  # §15, decided elsewhere
        assert "updated: another coder's changes" in shown(app, "#consensus-status")
        # bob now agrees on §13: ctrl+l finds the disagreements again, §13 has one fewer.
        await press(pilot, "ctrl+l")
        await settle(pilot)
        assert table_rows(app) == [f"1 ■ {GS} · ● ·", f"■ {RV} agreed ● ● ·",
                                   f"■ {LAW} agreed ● ● ·"]
        assert shown(app, "#consensus-place").startswith(f"open · {DOC} §13")


@pilot_test
async def test_without_disagreements_agreed_codings_can_still_be_carried_over(
    study: Project,
) -> None:
    document = study.document(DOC)
    for coder in ("alice", "bob"):
        study.tag([study.paragraph(document, "§12").id], [study.code(RV).id], coder=coder)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await open_review(pilot, app)
        assert "No disagreements" in shown(app, "#consensus-body")
        await press(pilot, "A", "y")
        assert codings(study, "consensus") == {("§12", RV)}
        assert "carried over 1 agreed coding to consensus" in shown(app, "#consensus-status")
