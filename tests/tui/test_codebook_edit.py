"""Editing the codebook from the codebook pane: add, edit, rename, move, merge, delete —
each one undoable event, with a confirmation that counts what is affected."""

from __future__ import annotations

from textual.widgets import Input, Static
from tui_helpers import (
    CODER,
    SIZE,
    codings,
    main_screen,
    pilot_test,
    plain,
    press,
    reader_lines,
    status,
)

from qcode import Project
from qcode.core.errors import NotFoundError
from qcode.tui import QcodeApp
from qcode.tui.modals.code_editor import CodeEditor
from qcode.tui.modals.confirm import Confirm
from qcode.tui.modals.info import CodeInfo
from qcode.tui.widgets.codebook import CodebookPane


async def focus_code(pilot, name: str) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await press(pilot, "t")
    pane = main_screen(app).query_one(CodebookPane)
    pane.select(app.session.project.code(name).id)
    await pilot.pause()
    assert pane.highlighted is not None and pane.highlighted.name == name


def tree_labels(app: QcodeApp) -> list[str]:
    pane = main_screen(app).query_one(CodebookPane)
    return [str(node.label) for node in pane._code_nodes.values()]


@pilot_test
async def test_add_a_code_beside_the_highlighted_one(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await focus_code(pilot, "regional variation")
        await press(pilot, "a")
        assert isinstance(app.screen, CodeEditor)
        await press(pilot, *"federal centre", "ctrl+s")
        code = study.code("federal centre")
        assert code.parent_id == study.code("relations with the power ministries").id
        assert any("federal centre" in label for label in tree_labels(app))
        assert "added code 'federal centre'" in status(app)


@pilot_test
async def test_edit_a_code_s_colour_and_definition(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await focus_code(pilot, "foreign funding")
        await press(pilot, "e")
        editor = app.screen
        assert isinstance(editor, CodeEditor)
        colour = editor.query_one("#code-colour", Input)
        colour.value = "not a colour"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, CodeEditor)
        assert "#RRGGBB" in str(editor.query_one("#editor-hint").render())
        colour.value = "#12ab56"
        editor.query_one("#code-when_to_use").text = "Money from abroad."  # type: ignore[attr-defined]
        await press(pilot, "ctrl+s")
        code = study.code("foreign funding")
        assert (code.colour, code.when_to_use) == ("#12AB56", "Money from abroad.")
        assert code.definition  # untouched fields keep their text
        assert "saved code 'foreign funding'" in status(app)


@pilot_test
async def test_rename_shows_everywhere(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "5")
        await focus_code(pilot, "regional variation")
        await press(pilot, "r", "ctrl+u", *"regional differences", "enter")
        assert study.code("regional differences").id
        assert ("§1", "regional differences") in codings(study)
        assert "regional differences" in "\n".join(reader_lines(app))
        assert "renamed 'regional variation' to 'regional differences'" in status(app)


@pilot_test
async def test_move_a_code_under_another(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await focus_code(pilot, "foreign funding")
        await press(pilot, "greater_than_sign", *"state pressure", "enter")
        assert study.code("foreign funding").parent_id == study.code(
            "state pressure on NGOs").id
        assert "moved 'foreign funding' to 'state pressure on NGOs'" in status(app)
        await press(pilot, "greater_than_sign", "enter")  # first entry: the top level
        assert study.code("foreign funding").parent_id is None


@pilot_test
async def test_merge_says_how_many_codings_move_and_moves_them(study: Project) -> None:
    document = study.documents()[0].document
    source, target = study.code("denunciation"), study.code("constructive criticism")
    ids = [study.paragraph(document, r).id for r in ("§10", "§11")]
    study.tag(ids, [source.id], coder=CODER)
    study.tag(ids[:1], [source.id], coder="bob")
    study.tag(ids[:1], [target.id], coder=CODER)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await focus_code(pilot, "denunciation")
        await press(pilot, "plus_sign", *"constructive", "enter")
        assert isinstance(app.screen, Confirm)
        assert "3 codings of “denunciation”" in app.screen.message
        await press(pilot, "n")
        assert study.code("denunciation")
        await press(pilot, "plus_sign", *"constructive", "enter", "y")
        try:
            study.code("denunciation")
            raise AssertionError("the merged code is still there")
        except NotFoundError:
            pass
        assert codings(study) == {("§10", "constructive criticism"),
                                  ("§11", "constructive criticism")}
        assert codings(study, "bob") == {("§10", "constructive criticism")}
        assert "(3 codings reassigned)" in status(app)
        await press(pilot, "u")
        assert ("§11", "denunciation") in codings(study)


@pilot_test
async def test_delete_asks_with_the_count_and_undo_brings_it_back(study: Project) -> None:
    document = study.documents()[0].document
    code = study.code("foreign funding")
    study.tag([study.paragraph(document, r).id for r in ("§2", "§3")], [code.id], coder=CODER)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await focus_code(pilot, "foreign funding")
        await press(pilot, "x")
        assert isinstance(app.screen, Confirm)
        assert app.screen.message.startswith("2 codings of it (all coders) will be removed")
        await press(pilot, "escape")
        assert len(codings(study)) == 2
        await press(pilot, "delete", "y")
        assert codings(study) == set()
        assert "deleted 'foreign funding' (2 codings removed)" in status(app)
        assert not any("foreign funding" in label for label in tree_labels(app))
        await press(pilot, "u")
        assert codings(study) == {("§2", "foreign funding"), ("§3", "foreign funding")}
        assert any("foreign funding" in label for label in tree_labels(app))


@pilot_test
async def test_i_shows_the_codebook_entry(study: Project) -> None:
    app = QcodeApp(study, CODER)
    code = study.code("regional variation")
    async with app.run_test(size=SIZE) as pilot:
        await focus_code(pilot, "regional variation")
        await press(pilot, "i")  # in the codebook pane: the code under its cursor
        assert isinstance(app.screen, CodeInfo)
        text = " ".join(plain(app.screen.query_one("#info-text", Static).content, 200).split())
        for field in (code.definition, code.when_to_use, code.when_not_to_use):
            assert field and " ".join(field.split())[:60] in text
        assert "relations with the power ministries/regional variation" in text
        await press(pilot, "escape")
        assert not isinstance(app.screen, CodeInfo)
