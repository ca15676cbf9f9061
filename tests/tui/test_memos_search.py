"""Memos on paragraphs and codings; searching every document; filtering by a code."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import TextArea
from tui_helpers import (
    CODER,
    SIZE,
    codings,
    options,
    pilot_test,
    press,
    reader,
    reader_lines,
    settle,
    status,
)

from qcode import Project
from qcode.ingest import read_document
from qcode.tui import QcodeApp
from qcode.tui.modals.confirm import Confirm
from qcode.tui.modals.memo import MemoEditor
from qcode.tui.modals.picker import CodePicker
from qcode.tui.modals.search import DEBOUNCE_SECONDS, SearchModal


def paragraph_memo(project: Project, ref: str, coder: str = CODER) -> str | None:
    document = project.documents()[0].document
    return project.memo("paragraph", project.paragraph(document, ref).id, coder)


def coding_memo(project: Project, ref: str, code: str) -> str | None:
    document = project.documents()[0].document
    return project.coding_memo(project.paragraph(document, ref).id, project.code(code).id,
                               CODER)


@pilot_test
async def test_a_memo_on_a_paragraph(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "j", "m")
        assert isinstance(app.screen, MemoEditor)
        await press(pilot, *"Taylor frames it as cooperation.", "ctrl+s")
        assert paragraph_memo(study, "§2") == "Taylor frames it as cooperation."
        assert "memo on §2 saved" in status(app)
        assert any(line.lstrip().startswith("✎ §2") for line in reader_lines(app))
        await press(pilot, "m")
        area = app.screen.query_one("#memo-text", TextArea)
        assert area.text == "Taylor frames it as cooperation."
        area.text = ""
        await press(pilot, "ctrl+s")
        assert paragraph_memo(study, "§2") is None
        assert "memo on §2 removed" in status(app)


@pilot_test
async def test_cancelling_a_changed_memo_asks_first(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "m", *"draft", "escape")
        assert isinstance(app.screen, Confirm)
        await press(pilot, "n")
        assert isinstance(app.screen, MemoEditor)
        assert app.screen.query_one("#memo-text", TextArea).text == "draft"
        await press(pilot, "escape", "y")
        assert not isinstance(app.screen, MemoEditor | Confirm)
        assert paragraph_memo(study, "§1") is None
        await press(pilot, "m", "escape")
        assert not isinstance(app.screen, MemoEditor | Confirm)


@pilot_test
async def test_a_memo_on_a_coding(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "M")
        assert any("carries none of your codes" in n.message for n in app._notifications)
        await press(pilot, "5", "M")
        assert isinstance(app.screen, MemoEditor)
        assert "regional variation" in str(app.screen.query_one(".dialog-title").render())
        await press(pilot, *"centre vs regions", "ctrl+s")
        assert coding_memo(study, "§1", "regional variation") == "centre vs regions"
        assert "regional variation ✎" in "\n".join(reader_lines(app))
        await press(pilot, "7", "M")
        assert isinstance(app.screen, CodePicker)
        assert len(options(app, "#picker-list")) == 2
        await press(pilot, *"gen", "enter")
        assert isinstance(app.screen, MemoEditor)
        await press(pilot, *"new generation", "ctrl+s")
        assert coding_memo(study, "§1", "generational shift") == "new generation"
        # Removing the code removes its memo with it (and the ✎ from the screen).
        await press(pilot, "5")
        assert ("§1", "regional variation") not in codings(study)
        assert "regional variation ✎" not in "\n".join(reader_lines(app))


async def search_for(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await press(pilot, "slash")
    assert isinstance(pilot.app.screen, SearchModal)
    await press(pilot, *text)
    await pilot.pause(DEBOUNCE_SECONDS + 0.2)
    await settle(pilot)


@pilot_test
async def test_search_shows_hits_with_context_and_jumps(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await search_for(pilot, "mobilty")
        hits = options(app, "#search-hits")
        assert len(hits) == 1
        assert hits[0].startswith("sieca-kozlowski-2009 §12")
        assert "The mobility of local actors" in " ".join(hits[0].split())
        assert "1 hit." in str(app.screen.query_one("#search-summary").render())
        await press(pilot, "enter")
        assert reader(app).current.ref == "§12"  # type: ignore[union-attr]
        assert "found in sieca-kozlowski-2009 §12" in status(app)
        assert reader(app)._matches
        # §12 is longer than the screen; the view scrolls to the match.
        assert any("mobility" in line for line in reader_lines(app))
        await press(pilot, "escape")
        assert not reader(app)._matches


@pilot_test
async def test_search_opens_the_hit_s_document(study: Project, tmp_path: Path) -> None:
    path = tmp_path / "chikov.txt"
    path.write_text("Q: Where do you work?\n\nA: In Kazan, with Agora lawyers.\n",
                    encoding="utf-8")
    study.add_document(read_document(path), coder=CODER)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        assert app.session.view.document.name == "chikov"  # type: ignore[union-attr]
        await press(pilot, "d", "down", "enter")
        assert app.session.view.document.name == "sieca-kozlowski-2009"  # type: ignore[union-attr]
        await search_for(pilot, "lawyrs")
        assert [h.document for h in app.screen.hits][:1] == ["chikov"]  # type: ignore[attr-defined]
        await press(pilot, "enter")
        assert app.session.view.document.name == "chikov"  # type: ignore[union-attr]
        assert reader(app).current.ref == "¶2"  # type: ignore[union-attr]
        assert "chikov ¶2" in status(app)


@pilot_test
async def test_a_search_that_finds_nothing_says_so(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await search_for(pilot, "qqzzxx")
        assert options(app, "#search-hits") == []
        assert "Nothing found for 'qqzzxx'" in str(
            app.screen.query_one("#search-summary").render())
        await press(pilot, "escape")
        assert reader(app).current.ref == "§1"  # type: ignore[union-attr]


@pilot_test
async def test_filter_the_reader_to_one_code(study: Project) -> None:
    document = study.documents()[0].document
    code = study.code("regional variation")
    study.tag([study.paragraph(document, r).id for r in ("§12", "§13")], [code.id],
              coder=CODER)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f", *"regional", "enter")
        assert "2 paragraphs carry 'regional variation'" in status(app)
        assert "only 'regional variation'" in status(app)
        shown = "\n".join(reader_lines(app))
        assert "§12" in shown and "§13" in shown and "§1 " not in shown
        assert reader(app).current.ref == "§12"  # type: ignore[union-attr]
        await press(pilot, "j")
        assert reader(app).current.ref == "§13"  # type: ignore[union-attr]
        assert "(2/2)" in status(app)
        await press(pilot, "g", *"2", "enter")
        assert reader(app).current.ref == "§2"  # type: ignore[union-attr]
        assert reader(app).filter is None
        await press(pilot, "f", *"regional", "enter", "F")
        assert reader(app).filter is None
        assert "(2/56)" in status(app) or "/56)" in status(app)
