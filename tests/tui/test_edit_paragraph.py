"""`e` in the reader corrects the current paragraph in place: one change, the codings
follow their text, `u` takes it back (issue 16)."""

from __future__ import annotations

from textual.widgets import TextArea
from tui_helpers import CODER, SIZE, pilot_test, press, status

from qcode import Project
from qcode.core.store.check import check
from qcode.tui import QcodeApp
from qcode.tui.modals.confirm import Confirm
from qcode.tui.modals.paragraph_editor import ParagraphEditor

RV = "regional variation"


def _text(project: Project, ref: str) -> str:
    document = project.documents()[0].document
    return project.paragraph(document, ref).text


@pilot_test
async def test_e_corrects_the_current_paragraph(study: Project) -> None:
    document = study.documents()[0].document
    before = _text(study, "§2")
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "j", "e")
        assert isinstance(app.screen, ParagraphEditor)
        area = app.screen.query_one("#memo-text", TextArea)
        assert area.text == before
        area.text = before.replace("post-Soviet", "post-soviet", 1)
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, ParagraphEditor)
        assert _text(study, "§2") == before.replace("post-Soviet", "post-soviet", 1)
        assert "edit " in status(app) and "1 changed" in status(app)
        assert study.log(limit=1)[0].action == "edit"
        assert check(study.conn).healthy
        await press(pilot, "u")
        assert _text(study, "§2") == before
        assert check(study.conn).healthy
    assert study.paragraph_count(document.id) > 2


@pilot_test
async def test_e_splitting_a_coded_paragraph_asks_first(study: Project) -> None:
    document = study.documents()[0].document
    second = study.paragraph(document, "§2")
    study.tag([second.id], [study.code(RV).id], coder=CODER)
    count = study.paragraph_count(document.id)
    text = second.text
    cut = text.index(". ") + 2
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "j", "e")
        area = app.screen.query_one("#memo-text", TextArea)
        area.text = text[:cut].strip() + "\n\n" + text[cut:].strip()
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, Confirm)
        await press(pilot, "n")
        assert study.paragraph_count(document.id) == count
        assert "nothing changed" in status(app)
        await press(pilot, "e")
        area = app.screen.query_one("#memo-text", TextArea)
        area.text = text[:cut].strip() + "\n\n" + text[cut:].strip()
        await press(pilot, "ctrl+s", "y")
        assert study.paragraph_count(document.id) == count + 1
        assert "1 split" in status(app)
        coded = study.conn.execute(
            "SELECT p.label FROM codings c JOIN paragraphs p ON p.id = c.paragraph_id "
            "ORDER BY p.ordinal").fetchall()
        assert [r[0] for r in coded] == ["§2", "§2 (2)"]
        assert check(study.conn).healthy
