"""The daily loop at 80×24: the codebook pane marks what the current paragraph
carries, ``i`` explains it, the status line stays true, Escape and cancels say what
happened, and the dialogs fit (and grow with a bigger terminal)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button, OptionList, Static
from textual.widgets._footer import FooterKey
from tui_helpers import (
    CODER,
    SIZE,
    code_labels,
    codings,
    main_screen,
    pilot_test,
    plain,
    press,
    reader,
    settle,
    status,
)

from qcode import Project
from qcode.exchange.formats import read_codebook
from qcode.ingest import read_document
from qcode.tui import QcodeApp
from qcode.tui.modals.code_editor import CodeEditor
from qcode.tui.modals.info import CodeInfo, ParagraphCodes
from qcode.tui.modals.picker import CodePicker
from qcode.tui.modals.search import DEBOUNCE_SECONDS, SearchModal
from qcode.tui.screens.main import MainScreen
from qcode.tui.widgets.codebook import CodebookPane
from qcode.tui.widgets.reader import Reader
from tests.conftest import ARTICLE, CODEBOOK

SMALL, LARGE = (80, 24), (160, 45)
MINE, BOBS = "regional variation", "foreign funding"


def label_of(app: QcodeApp, name: str) -> str:
    """The codebook pane's line for a code (key, mark, colour, name, count)."""
    pane = main_screen(app).query_one(CodebookPane)
    return str(pane._code_nodes[app.session.project.code(name).id].label)


def tag(project: Project, ref: str, name: str, coder: str = CODER) -> None:
    document = project.documents()[0].document
    project.tag([project.paragraph(document, ref).id], [project.code(name).id], coder=coder)


@pilot_test
async def test_the_codebook_marks_the_codes_on_the_current_paragraph(study: Project) -> None:
    tag(study, "§1", MINE)
    tag(study, "§1", BOBS, coder="bob")
    tag(study, "§3", MINE)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        assert label_of(app, MINE)[1] == "✓"  # alice's own, on §1
        assert label_of(app, BOBS)[1] == "○"  # bob's only
        assert sum(1 for label in code_labels(app) if label[1] in "✓○") == 2
        await press(pilot, "b")  # blind: bob's codings are not shown, nor marked
        assert label_of(app, BOBS)[1] == " " and label_of(app, MINE)[1] == "✓"
        await press(pilot, "b", "j")
        assert all(label[1] == " " for label in code_labels(app))
        await press(pilot, "j")  # §3 carries alice's code again
        assert label_of(app, MINE)[1] == "✓"
        await press(pilot, "5")  # key 5 is regional variation: taken off §3
        assert label_of(app, MINE)[1] == " "


@pilot_test
async def test_code_names_shorten_in_the_middle_and_counts_stay_at_80_columns(
    study: Project,
) -> None:
    name = "stigmatisation as a foreign element"
    document = study.documents()[0].document
    ids = [study.paragraph(document, ref).id for ref in ("§1", "§2", "§3", "§4", "§5",
                                                          "§6", "§7", "§8", "§9", "§10",
                                                          "§11", "§12")]
    study.tag(ids, [study.code(name).id], coder=CODER)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.pause()
        pane = main_screen(app).query_one(CodebookPane)
        room = pane.code_tree.scrollable_content_region.width
        label = next(label for label in code_labels(app) if label.rstrip().endswith(" 12"))
        assert "…" in label and label.rstrip().endswith("element 12")
        assert label.split("■ ")[1].startswith("stigmat")
        # Every label fits its line (guides: two cells per level, two for a parent's ▼).
        for code, depth in app.session.tree:
            node = pane._code_nodes[code.id]
            expandable = any(c.parent_id == code.id for c, _d in app.session.tree)
            assert len(str(node.label)) <= room - 2 * depth - (2 if expandable else 0)


@pilot_test
async def test_i_in_the_reader_shows_the_codes_on_the_current_paragraph(
    study: Project,
) -> None:
    tag(study, "§2", MINE)
    tag(study, "§2", BOBS, coder="bob")
    regional = study.code(MINE)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "t")
        main_screen(app).query_one(CodebookPane).select(study.code("denunciation").id)
        await press(pilot, "escape")  # back to the reader (the tree cursor stays put)
        assert isinstance(app.focused, Reader)
        await press(pilot, "j", "i")
        assert isinstance(app.screen, ParagraphCodes)
        text = " ".join(plain(app.screen.query_one("#info-text", Static).content, 200)
                        .split())
        assert text.startswith("§2: 2 codes")
        assert f"{MINE} by you" in text and f"{BOBS} by bob" in text
        assert regional.short and regional.short in text
        assert "denunciation" not in text
        await press(pilot, "escape", "k", "i")
        text = plain(app.screen.query_one("#info-text", Static).content, 200)
        assert "§1 carries no codes yet." in text
        # In the codebook pane, i is the code under its cursor: "1 paragraph" singular.
        await press(pilot, "escape", "t")
        main_screen(app).query_one(CodebookPane).select(regional.id)
        await press(pilot, "i")
        assert isinstance(app.screen, CodeInfo)
        text = plain(app.screen.query_one("#info-text", Static).content, 200)
        assert "1 paragraph coded by you" in text


@pilot_test
async def test_undo_names_the_memo_by_its_paragraph(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "g", *"17", "enter", "m", *"A turning point.", "ctrl+s")
        await press(pilot, "u")
        assert "undone: memo on §17 (sieca-kozlowski-2009)" in status(app)
    assert study.log(limit=2)[1].summary == "memo on §17 (sieca-kozlowski-2009)"


@pilot_test
async def test_the_status_message_follows_the_paragraph_it_is_about(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "j", "5")
        assert "tagged §2 with 'regional variation'" in status(app)
        await press(pilot, "g", *"12", "enter")
        assert "tagged §2" not in status(app) and "§12" in status(app)
        await press(pilot, "/")
        await press(pilot, "escape")
        await press(pilot, "c", "escape")
        assert "§12" in status(app)


@pilot_test
async def test_escape_leaves_the_panes_and_a_cancelled_delete_says_so(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "t")
        assert not isinstance(app.focused, Reader)
        await press(pilot, "escape")
        assert isinstance(app.focused, Reader)
        await press(pilot, "d", "escape")
        assert isinstance(app.focused, Reader)
        await press(pilot, "5", "t", "x")  # the cursor is on the first code
        await press(pilot, "n")
        assert isinstance(app.screen, MainScreen)
        first = study.codes()[0].name
        assert f"not deleted: {first!r} and its codings are as they were" in status(app)
        await press(pilot, "x", "escape")
        assert "not deleted" in status(app)
        assert ("§1", "regional variation") in codings(study)


async def search(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await press(pilot, "slash", *text)
    await pilot.pause(DEBOUNCE_SECONDS + 0.2)
    await settle(pilot)


def summary(app: QcodeApp) -> str:
    return str(app.screen.query_one("#search-summary").render())


@pilot_test
async def test_an_empty_search_says_so(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "slash", "enter")
        assert isinstance(app.screen, SearchModal)
        assert summary(app).startswith("Nothing to search for: type a word")
        await press(pilot, "?", "?")
        await pilot.pause(DEBOUNCE_SECONDS + 0.2)
        await settle(pilot)
        assert "Nothing to search for in '??'" in summary(app)


@pilot_test
async def test_search_results_use_the_height_they_have(study: Project) -> None:
    for size, at_least in ((SMALL, 7), (LARGE, 10)):
        app = QcodeApp(study, CODER, remember=False)
        async with app.run_test(size=size) as pilot:
            await search(pilot, "NGO")
            hits = app.screen.query_one("#search-hits", OptionList)
            assert hits.option_count >= 20
            per_hit = 2 if size == SMALL else 3
            # Every hit is its place and its context: 2 lines at 80×24, up to 3 when
            # tall (a short paragraph's context takes one line).
            assert all(2 <= len(plain(o.prompt, hits.size.width).splitlines()) <= per_hit
                       for o in hits.options)
            assert hits.size.height // per_hit >= at_least
            first = plain(hits.options[0].prompt, 200).splitlines()[1]
            assert "NGO" in first  # the context shows the match


@pilot_test
async def test_the_picker_and_search_grow_with_the_terminal(study: Project) -> None:
    widths = {}
    for size in (SMALL, LARGE):
        app = QcodeApp(study, CODER, remember=False)
        async with app.run_test(size=size) as pilot:
            await press(pilot, "c")
            picker = app.screen.query_one(".dialog").outer_size.width
            await press(pilot, "escape", "slash")
            searching = app.screen.query_one(".dialog").outer_size.width
            height = app.screen.query_one(".dialog").outer_size.height
            widths[size] = (picker, searching, height)
    assert widths[SMALL][:2] == (76, 76)
    assert widths[LARGE][0] > 100 and widths[LARGE][1] > 100
    assert widths[LARGE][2] > 2 * widths[SMALL][2] - 10


@pilot_test
async def test_the_new_code_dialog_chooses_its_parent_inside_its_border(
    study: Project,
) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "t", "a")
        assert isinstance(app.screen, CodeEditor)
        editor = app.screen
        dialog = editor.query_one(".dialog").region
        assert dialog.contains_region(editor.query_one("#code-parent").region)
        await press(pilot, *"state capture", "tab", "enter")
        # The parent is chosen in a list of its own, a dialog with its own border.
        assert isinstance(app.screen, CodePicker)
        listing = app.screen.query_one(".dialog").region
        assert listing.contains_region(app.screen.query_one("#picker-list").region)
        await press(pilot, *"state pressure", "enter")
        assert app.screen is editor
        assert str(editor.query_one("#code-parent", Button).label) == "state pressure on NGOs"
        await press(pilot, "ctrl+s")
        added = study.code("state capture")
        assert added.parent_id == study.code("state pressure on NGOs").id
        assert "added code 'state capture'" in status(app)
        assert reader(app).current is not None


@pilot_test
async def test_the_footer_fits_80_columns_in_every_pane(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SMALL) as pilot:
        for keys in ((), ("t",), ("d",)):
            await press(pilot, "escape", *keys)
            shown = [key for key in app.screen.query(FooterKey) if key.display]
            assert shown and all(key.region.right <= 80 for key in shown), keys
            labels = " ".join(str(key.description) for key in shown)
            assert "Quit" in labels
            if keys == ("t",):
                assert "Key" in labels and "Delete" in labels


@pilot_test
async def test_number_keys_are_kept_per_project(study: Project, tmp_path: Path) -> None:
    other = Project.create(tmp_path / "other.db")
    other.add_document(read_document(ARTICLE), coder=CODER)
    other.load_codebook(read_codebook(CODEBOOK), coder=CODER)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "t")
        main_screen(app).query_one(CodebookPane).select(study.code(BOBS).id)
        await press(pilot, "P", "1", "q")
    again = QcodeApp(other, CODER)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        first = next(code for code in other.codes() if code.codable)
        assert again.session.on_key(1).name == first.name  # type: ignore[union-attr]
    back = QcodeApp(study, CODER)
    async with back.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert back.session.on_key(1).name == BOBS  # type: ignore[union-attr]
    other.close()
