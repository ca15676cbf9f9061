"""`a` in the search results: every hit coded at once, after a confirmation that shows
the count; one change, which `u` takes back (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import Input, Static
from tui_helpers import CODER, SIZE, answer, codings, pilot_test, press, settle, status

from qcode import Project
from qcode.tui import QcodeApp
from qcode.tui.modals.confirm import Confirm
from qcode.tui.modals.picker import CodePicker
from qcode.tui.modals.search import DEBOUNCE_SECONDS, LIMIT, SearchModal

CODE = "GONGOs and the Public Chamber"
ARTICLE = Path(__file__).resolve().parents[2] / "corpus" / "sieca-kozlowski-2009.md"


async def search_for(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await press(pilot, "slash")
    assert isinstance(pilot.app.screen, SearchModal)
    pilot.app.screen.query_one("#search-input", Input).value = text
    await pilot.pause(DEBOUNCE_SECONDS + 0.2)
    await settle(pilot)


def events(project: Project) -> int:
    return int(project.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])


@pilot_test
async def test_a_codes_every_hit_after_confirming_the_count(study: Project) -> None:
    # The paragraphs with the phrase, found in the corpus file without qcode.
    expected = {m.group(1) for m in re.finditer(r"^(§\d+) .*\bPublic Chamber\b",
                                                 ARTICLE.read_text(encoding="utf-8"),
                                                 flags=re.MULTILINE)}
    assert expected == {"§28", "§29", "§30"}
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await search_for(pilot, '"Public Chamber"')
        assert len(app.screen.hits) == 3  # type: ignore[attr-defined]
        # In the query box "a" is a letter; on the hit list it codes every hit.
        box = app.screen.query_one("#search-input", Input)
        await press(pilot, "a")
        assert isinstance(app.screen, SearchModal) and box.value == '"Public Chamber"a'
        box.value = '"Public Chamber"'
        await pilot.pause(DEBOUNCE_SECONDS + 0.2)
        await settle(pilot)
        await press(pilot, "tab", "a")
        assert isinstance(app.screen, CodePicker)
        before = events(study)
        await answer(pilot, CODE)
        assert isinstance(app.screen, Confirm)
        message = str(app.screen.query_one("#confirm-message", Static).render())
        assert f"Tag 3 paragraphs matching '\"Public Chamber\"' with '{CODE}'?" in message
        assert codings(study) == set()
        await press(pilot, "y")
        assert codings(study) == {(ref, CODE) for ref in expected}
        assert events(study) == before + 1
        assert "auto-coded 3 paragraphs" in status(app) and "u undoes it" in status(app)
        origins = {r[0] for r in study.conn.execute("SELECT origin FROM codings")}
        assert origins == {f"qcode autocode '\"Public Chamber\"' "
                           f"'institutionalised cooperation/{CODE}' --coder {CODER}"}
        await press(pilot, "u")
        assert codings(study) == set()


@pilot_test
async def test_declining_changes_nothing_and_every_hit_counts(study: Project,
                                                              tmp_path: Path) -> None:
    # More hits than the search shows: the confirmation counts them all.
    many = LIMIT + 20
    source = tmp_path / "floods.txt"
    source.write_text("\n\n".join(f"Paragraph {i}: the river rose." for i in range(many)),
                      encoding="utf-8")
    from qcode.ingest import read_document

    study.add_document(read_document(source), coder=CODER)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await search_for(pilot, "river")
        assert len(app.screen.hits) == LIMIT  # type: ignore[attr-defined]
        await press(pilot, "tab", "a")
        await answer(pilot, CODE)
        message = str(app.screen.query_one("#confirm-message", Static).render())
        assert f"Tag {many} paragraphs matching 'river'" in message
        before = events(study)
        await press(pilot, "n")
        assert codings(study) == set() and events(study) == before
        await press(pilot, "slash")
        pilot.app.screen.query_one("#search-input", Input).value = "river"
        await pilot.pause(DEBOUNCE_SECONDS + 0.2)
        await settle(pilot)
        await press(pilot, "tab", "a")
        await answer(pilot, CODE)
        await press(pilot, "y")
        assert len(codings(study)) == many and events(study) == before + 1


@pilot_test
async def test_a_without_hits_says_so(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await search_for(pilot, "qqzzxx")
        await press(pilot, "tab", "a")
        assert isinstance(app.screen, SearchModal)
        assert any("nothing to code" in n.message for n in app._notifications)
