"""The issue's "done when", step by step: a new user opens the bundled study (built as
`make study` builds it), tags five paragraphs with the four themes by keyboard and
picker, writes a memo, undoes one tag, quits — and on reopening finds it all as left.
Each session is a fresh Project and a fresh App, as two runs of `qcode` would be."""

from __future__ import annotations

from typing import Any

import pytest
from tui_helpers import (
    CODER,
    SIZE,
    codings,
    main_screen,
    options,
    pilot_test,
    press,
    reader,
    reader_lines,
    status,
)

from qcode import Project
from qcode.tui import QcodeApp
from qcode.tui.modals.picker import CodePicker
from qcode.tui.widgets.codebook import CodebookPane

# Minutes, not seconds: `pytest -m "not slow"` is the quick loop.
pytestmark = pytest.mark.slow

THEMES = ("generational shift", "regional variation", "2006 NGO law", "foreign funding")
EXPECTED = {
    ("§10", "generational shift"),
    ("§11", "generational shift"),
    ("§12", "regional variation"),
    ("§13", "2006 NGO law"),
    ("§14", "foreign funding"),
}
MEMO = "Regional variation and personal relations go together here."


def chips_of(app: QcodeApp, ref: str) -> str:
    lines = reader_lines(app)
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith(
        (ref + " ", "✎ " + ref + " ")))
    block = []
    for line in lines[start:]:
        if not line.strip():
            break
        block.append(line)
    return "\n".join(block)


@pilot_test
async def test_a_new_user_codes_quits_and_finds_it_all_again(study_cli: Any) -> None:
    # Session 1: open the study, code by keyboard and picker.
    with Project.open(study_cli.path) as project:
        keys = {code.name: str(n) for n, code in enumerate(
            [c for c in project.codes() if c.codable][:9], start=1)}
        # Two of the themes sit on keys 1–9 (visible in the codebook pane); two do not.
        assert "generational shift" in keys and "regional variation" in keys
        assert "2006 NGO law" not in keys and "foreign funding" not in keys
        app = QcodeApp(project, CODER)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert "sieca-kozlowski-2009 §1 (1/56)" in status(app)
            labels = " ".join(str(n.label) for n in main_screen(app).query_one(
                CodebookPane)._code_nodes.values())
            assert f"{keys['generational shift']} ■ generational shift" in labels

            await press(pilot, "g", *"10", "enter", keys["generational shift"])
            await press(pilot, "j", keys["generational shift"])
            await press(pilot, "j", keys["regional variation"])
            await press(pilot, "j", "c", *"2006")
            assert isinstance(app.screen, CodePicker)
            assert "■ 2006 NGO law" in options(app, "#picker-list")[0]
            await press(pilot, "enter")
            # After §13 comes its block quotation ("§13 quote"); jump over it.
            await press(pilot, "g", *"14", "enter", "c", *"foreign fund", "enter")
            # One tag too many, then taken back with u.
            await press(pilot, keys["regional variation"])
            assert ("§14", "regional variation") in codings(project)
            await press(pilot, "u")
            assert "undone: tag sieca-kozlowski-2009 §14 with 'regional variation'" in \
                status(app)
            await press(pilot, "g", *"12", "enter", "m", *MEMO, "ctrl+s")

            assert codings(project) == EXPECTED
            assert {c for _r, c in codings(project)} == set(THEMES)
            assert "memo on §12 saved" in status(app)
            assert "regional variation" in chips_of(app, "§12")
            await press(pilot, "q")
        assert not app.is_running

    # Session 2: a new process would see exactly this on disk.
    with Project.open(study_cli.path) as project:
        assert codings(project) == EXPECTED
        document = project.document("sieca-kozlowski-2009")
        assert project.memo("paragraph", project.paragraph(document, "§12").id, CODER) == MEMO
        undone = [e for e in project.log(limit=5, coder=CODER) if e.kind == "undo"]
        assert len(undone) == 1
        app = QcodeApp(project, CODER)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert reader(app).current.ref == "§12"  # type: ignore[union-attr]
            assert "sieca-kozlowski-2009 §12" in status(app)
            assert "5/56" in options(app, "#document-list")[0]
            block = chips_of(app, "§12")
            assert block.lstrip().startswith("✎ §12") and "regional variation" in block
            for ref, code in sorted(EXPECTED):
                await press(pilot, "g", *ref.removeprefix("§"), "enter")  # "§" is pre-typed
                assert code in chips_of(app, ref)
            await press(pilot, "g", *"14", "enter")
            assert "regional variation" not in chips_of(app, "§14")
            # The undo history survives the restart: u takes back the memo (the latest
            # change), U puts it back. (The undone tag is not redoable: the memo, a new
            # change made after the undo, cleared the redo stack — as in any editor.)
            paragraph = project.paragraph(document, "§12").id
            await press(pilot, "u")
            assert project.memo("paragraph", paragraph, CODER) is None
            assert "undone: memo on §12 (sieca-kozlowski-2009)" in status(app)
            await press(pilot, "U")
            assert project.memo("paragraph", paragraph, CODER) == MEMO
            assert codings(project) == EXPECTED
