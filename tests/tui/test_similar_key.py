"""`s` in the reader: the paragraphs like the current one; `t` codes the highlighted one
with the current paragraph's codes as one change; Enter goes there."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import (
    CODER,
    SIZE,
    answer,
    codings,
    notifications,
    options,
    pilot_test,
    press,
    reader,
    settle,
)

from qcode import Project
from qcode.ingest import read_document
from qcode.tui import QcodeApp
from qcode.tui.modals.similar import SimilarModal
from tests import paraphrase

DOC = "sieca-kozlowski-2009"
CODES = ("foreign funding", "stigmatisation as a foreign element")


@pilot_test
async def test_s_lists_the_paraphrase_first_t_codes_it_enter_goes_there(
        study: Project, tmp_path: Path) -> None:
    study.add_document(read_document(paraphrase.write(tmp_path)), coder=CODER)
    article = study.document(DOC)
    source = study.paragraph(article, paraphrase.SOURCE)
    study.tag([source.id], [study.code(c).id for c in CODES], coder=CODER)
    events = len(study.log(limit=1000))
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        assert app.session.view.document.name == DOC  # type: ignore[union-attr]
        await press(pilot, "g")
        await answer(pilot, paraphrase.SOURCE)
        assert reader(app).current.ref == paraphrase.SOURCE  # type: ignore[union-attr]
        await press(pilot, "s")
        assert isinstance(app.screen, SimilarModal)
        await settle(pilot)
        gives = str(app.screen.query_one("#similar-gives").render())
        assert all(repr(c) in gives for c in CODES), gives
        shown = options(app, "#similar-hits")
        assert shown[0].startswith(f"{paraphrase.NAME} {paraphrase.ANSWER}")
        assert "uncoded" in shown[0] and "foreign" in shown[0]
        await press(pilot, "t")
        assert {(paraphrase.ANSWER, c) for c in CODES} <= codings(study)
        log = study.log(limit=1000)
        assert len(log) == events + 1  # both codes, one change
        assert "✓ coded like it" in options(app, "#similar-hits")[0]
        await press(pilot, "enter")
        assert not isinstance(app.screen, SimilarModal)
        assert app.session.view.document.name == paraphrase.NAME  # type: ignore[union-attr]
        assert reader(app).current.ref == paraphrase.ANSWER  # type: ignore[union-attr]
        assert reader(app)._matches
        # One undo takes both codes back.
        await press(pilot, "u")
        assert not {(paraphrase.ANSWER, c) for c in CODES} & codings(study)


@pilot_test
async def test_t_without_codes_on_the_source_says_so(study: Project, tmp_path: Path) -> None:
    study.add_document(read_document(paraphrase.write(tmp_path)), coder=CODER)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "g")
        await answer(pilot, paraphrase.SOURCE)
        await press(pilot, "s")
        await settle(pilot)
        before = codings(study)
        await press(pilot, "t")
        assert codings(study) == before
        assert any("no code on this paragraph" in n for n in notifications(app))
        assert "✓" not in " ".join(options(app, "#similar-hits"))
        await press(pilot, "u")  # uncoded first (nothing is coded: the same order)
        await settle(pilot)
        assert options(app, "#similar-hits")
        assert "(uncoded first)" in str(app.screen.query_one("#similar-summary").render())
        await press(pilot, "escape")
        assert not isinstance(app.screen, SimilarModal)
        assert reader(app).current.ref == paraphrase.SOURCE  # type: ignore[union-attr]


@pilot_test
async def test_a_paragraph_without_words_says_so(study: Project, tmp_path: Path) -> None:
    path = tmp_path / "numbers.txt"
    path.write_text("Q: How many?\n\nA: 42 — 17.\n", encoding="utf-8")
    study.add_document(read_document(path), coder=CODER)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        assert app.session.view.document.name == "numbers"  # type: ignore[union-attr]
        await press(pilot, "j", "s")
        await settle(pilot)
        assert options(app, "#similar-hits") == []
        assert "no words to compare" in str(app.screen.query_one("#similar-summary").render())
        await press(pilot, "escape")
        assert not isinstance(app.screen, SimilarModal)
