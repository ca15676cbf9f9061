"""The documents pane, coders and blind mode, the report and help screens, quitting."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static
from tui_helpers import (
    CODER,
    SIZE,
    codings,
    main_screen,
    options,
    pilot_test,
    plain,
    press,
    reader,
    reader_lines,
    settle,
    status,
)

from qcode import Project
from qcode.ingest import read_document
from qcode.tui import QcodeApp
from qcode.tui.modals.attributes import AttributesDialog
from qcode.tui.modals.help import HelpModal
from qcode.tui.modals.prompt import Prompt
from qcode.tui.screens.main import MainScreen
from qcode.tui.screens.report import ReportScreen
from qcode.tui.widgets.codebook import CodebookPane
from qcode.tui.widgets.documents import DocumentsPane
from qcode.tui.widgets.reader import Reader


def second_document(project: Project, tmp_path: Path) -> str:
    path = tmp_path / "melnikova.txt"
    path.write_text("Q: How do you work with the ministry?\n\nA: The system accepts us.\n\n"
                    "A: We call the military authorities.\n", encoding="utf-8")
    document = project.add_document(read_document(path), coder=CODER)
    project.set_attributes(document, {"organisation": "Committee of Soldiers' Mothers",
                                      "generation": "Soviet-era"}, coder=CODER)
    return document.name


@pilot_test
async def test_documents_show_progress_and_switch(study: Project, tmp_path: Path) -> None:
    second_document(study, tmp_path)
    document = study.document("sieca-kozlowski-2009")
    study.tag([study.paragraph(document, "§3").id], [study.code("denunciation").id],
              coder=CODER)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        entries = options(app, "#document-list")
        assert entries[0].startswith("▸ melnikova") and entries[0].rstrip().endswith("0/3")
        assert entries[1].rstrip().endswith("1/56")
        await press(pilot, "d")
        assert main_screen(app).query_one(DocumentsPane).has_class("-active")
        await press(pilot, "down", "enter")
        assert isinstance(app.focused, Reader)
        assert "sieca-kozlowski-2009 §1 (1/56)" in status(app)
        assert options(app, "#document-list")[1].startswith("▸ sieca")
        await press(pilot, "j", "1")
        assert options(app, "#document-list")[1].rstrip().endswith("2/56")
        # Back to the first document and again: each opens where the coder left it.
        await press(pilot, "d", "up", "enter")
        assert "melnikova" in status(app)
        await press(pilot, "d", "down", "enter")
        assert reader(app).current.ref == "§2"  # type: ignore[union-attr]


@pilot_test
async def test_attributes_in_a_dialog_with_room_for_long_values(
    study: Project, tmp_path: Path
) -> None:
    second_document(study, tmp_path)
    title = study.document("sieca-kozlowski-2009").title
    assert title and len(title.split()) > 5
    app = QcodeApp(study, CODER)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "d", "a")
        assert isinstance(app.screen, AttributesDialog)
        shown = plain(app.screen.query_one("#attributes-table", Static).content, 70)
        assert "organisation" in shown and "Committee of Soldiers' Mothers" in shown
        await press(pilot, "escape", "down", "a")
        table = app.screen.query_one("#attributes-table", Static)
        lines = plain(table.content, table.content_region.width).splitlines()
        # The title wraps at words over a line or two, not one word per line.
        title_lines = [line for line in lines if line.split() and line.split()[0] == "title"]
        assert title_lines and len(title_lines[0].split()) >= 5
        assert " ".join(" ".join(lines).split()).count(title.split()[0]) >= 1
        await press(pilot, "escape")
        assert isinstance(app.screen, MainScreen)


@pilot_test
async def test_switch_coder_and_blind_mode(study: Project) -> None:
    document = study.documents()[0].document
    study.tag([study.paragraph(document, "§1").id], [study.code("foreign funding").id],
              coder="bob")
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        assert "foreign funding · bob" in "\n".join(reader_lines(app))
        await press(pilot, "b")
        assert "foreign funding" not in "\n".join(reader_lines(app))
        assert "(blind)" in status(app)
        await press(pilot, "b", "C")
        assert isinstance(app.screen, Prompt)
        assert "bob" in str(app.screen.hint)
        await press(pilot, "ctrl+u", *"bob", "enter")
        assert " bob" in status(app) and "coding as bob" in status(app)
        lines = "\n".join(reader_lines(app))
        assert "foreign funding" in lines and "foreign funding · bob" not in lines
        await press(pilot, "5")
        assert codings(study, "bob") == {("§1", "foreign funding"), ("§1", "regional variation")}
        assert codings(study, CODER) == set()
        assert options(app, "#document-list")[0].rstrip().endswith("1/56")


@pilot_test
async def test_the_report_counts_and_follows_new_tags(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "5", "j", "5", "7")
        await press(pilot, "R")
        assert isinstance(app.screen, ReportScreen)
        await settle(pilot)
        text = plain(app.screen.query_one("#report-table", Static).content, 120)
        row = next(line for line in text.splitlines() if "regional variation" in line)
        assert " 2 " in row and "█" in row
        other = next(line for line in text.splitlines() if "generational shift" in line)
        assert " 1 " in other
        assert other.count("█") < row.count("█")
        # A parent counts the paragraphs of its sub-codes (rolled up); its own is 0.
        parent = next(line for line in text.splitlines()
                      if "relations with the power ministries" in line).split()
        assert parent[parent.index("ministries") + 1:][:2] == ["2", "0"]
        await press(pilot, "escape", "j", "5")
        await press(pilot, "R")
        await settle(pilot)
        text = plain(app.screen.query_one("#report-table", Static).content, 120)
        row = next(line for line in text.splitlines() if "regional variation" in line)
        assert " 3 " in row
        await press(pilot, "a")
        await settle(pilot)
        assert "all coders" in str(app.screen.query_one("#report-title").render())
        await press(pilot, "escape")
        assert isinstance(app.screen, MainScreen)


@pilot_test
async def test_the_report_for_a_coder_who_has_not_coded(study: Project) -> None:
    app = QcodeApp(study, "newcomer")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "R")
        await settle(pilot)
        shown = plain(app.screen.query_one("#report-table", Static).content)
        assert shown == "Nothing coded by newcomer yet."


@pilot_test
async def test_help_lists_every_binding(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpModal)
        text = " ".join(plain(app.screen.query_one("#help-table", Static).content, 120).split())
        for bindings in (MainScreen.BINDINGS, Reader.BINDINGS, CodebookPane.BINDINGS,
                         DocumentsPane.BINDINGS):
            for binding in bindings:
                if binding.action.startswith("slot("):  # type: ignore[union-attr]
                    continue
                explained = binding.tooltip or binding.description  # type: ignore[union-attr]
                assert " ".join(explained.split()) in text
        assert "1 … 9 Toggle the code on that key" in text
        assert "j ↓" in text and "Ctrl+S" in text and "g §" in text
        await press(pilot, "escape")
        assert isinstance(app.screen, MainScreen)


@pilot_test
async def test_quit_remembers_the_place_and_the_keys_per_coder(study: Project) -> None:
    first = [code.name for code in study.codes() if code.codable][:9]
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "t")
        main_screen(app).query_one(CodebookPane).select(study.code("foreign funding").id)
        await press(pilot, "P", "2", "escape", "g", *"13", "enter", "q")
    assert app.return_code == 0 or app.return_code is None
    again = QcodeApp(study, CODER)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert reader(again).current.ref == "§13"  # type: ignore[union-attr]
        shown = {n: code.name for n in range(1, 10) if (code := again.session.on_key(n))}
        assert shown == {**dict(enumerate(first, start=1)), 2: "foreign funding"}
        # Switching coder inside the app brings that coder's own keys.
        await press(pilot, "C", "ctrl+u", *"bob", "enter")
        assert again.session.on_key(2).name == first[1]  # type: ignore[union-attr]
        await press(pilot, "C", "ctrl+u", *CODER, "enter")
        assert again.session.on_key(2).name == "foreign funding"  # type: ignore[union-attr]
    other = QcodeApp(study, "carol")
    async with other.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert reader(other).current.ref == "§1"  # type: ignore[union-attr]
        assert other.session.on_key(2).name == first[1]  # type: ignore[union-attr]


@pilot_test
async def test_an_empty_project_explains_what_to_do(project: Project) -> None:
    app = QcodeApp(project, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "j", "5", "c", "m")
        assert "No document open" in "\n".join(reader_lines(app))
        assert "qcode import" in "\n".join(reader_lines(app))
        assert any("open a document first" in n.message for n in app._notifications)
        labels = [str(n.label) for n in
                  main_screen(app).query_one(CodebookPane).code_tree.root.children]
        assert labels == ["no codes yet: press a to add one"]


@pilot_test
async def test_a_damaged_preferences_file_is_ignored(study: Project, _state_home: Path) -> None:
    state = _state_home / "qcode" / "tui.json"
    state.parent.mkdir(parents=True)
    state.write_text("{not json", encoding="utf-8")
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "j", "q")
    assert '"paragraph": 2' in state.read_text(encoding="utf-8")
