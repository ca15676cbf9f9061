"""What the screens look like, at the two sizes the issue names (80×24 and 160×45), and
the consensus and codebook merge reviews at 100×30.

Regenerate after a deliberate change with ``pytest tests/tui --snapshot-update`` and
look at the SVGs in tests/tui/__snapshots__ before committing them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_consensus import code_both
from test_long_answers import interview
from test_themes_and_speakers import code_theme
from textual.pilot import Pilot
from textual.widgets import Input, OptionList
from tui_helpers import answer, reader, settle

from qcode import Project
from qcode.core.codebook.yaml_format import dump_yaml
from qcode.tui import QcodeApp
from qcode.tui.modals.search import DEBOUNCE_SECONDS
from tests.exchange.test_merge import Scene, scene

# Minutes, not seconds: `pytest -m "not slow"` is the quick loop.
pytestmark = pytest.mark.slow

__all__ = ["scene"]  # the exchange tests' fixture, used here by name

CODER = "alice"
SMALL, LARGE = (80, 24), (160, 45)


async def counted(pilot: Pilot[Any]) -> None:
    """Wait for the report's background count."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_coding_screen_small(study: Project, snap_compare: Any) -> None:
    assert snap_compare(QcodeApp(study, CODER), press=["j", "j", "5", "7"],
                        terminal_size=SMALL)


def test_coding_screen_large(study: Project, snap_compare: Any) -> None:
    bob = study.code("personal relations with officials")
    document = study.documents()[0].document
    study.tag([study.paragraph(document, "§12").id], [bob.id], coder="bob")
    assert snap_compare(QcodeApp(study, CODER),
                        press=["g", "1", "2", "enter", "5", "v", "j", "7", "d", "a"],
                        terminal_size=LARGE)


def test_picker_small(study: Project, snap_compare: Any) -> None:
    assert snap_compare(QcodeApp(study, CODER), press=["5", "c", *"regnal"],
                        terminal_size=SMALL)


def test_help_large(study: Project, snap_compare: Any) -> None:
    assert snap_compare(QcodeApp(study, CODER), press=["question_mark"], terminal_size=LARGE)


def test_report_small(study: Project, snap_compare: Any) -> None:
    assert snap_compare(QcodeApp(study, CODER), press=["5", "j", "5", "7", "R"],
                        terminal_size=SMALL, run_before=counted)


MIDDLE = (100, 30)


async def review_open(pilot: Pilot[Any]) -> None:
    """Open the consensus review and wait for the disagreements."""
    await pilot.press("A")
    await counted(pilot)


def test_consensus_review(study: Project, snap_compare: Any) -> None:
    code_both(study)
    assert snap_compare(QcodeApp(study, CODER), press=["1"], terminal_size=MIDDLE,
                        run_before=review_open)


def test_merge_review(scene: Scene, snap_compare: Any, tmp_path: Path) -> None:
    path = tmp_path / "theirs.yaml"
    path.write_text(dump_yaml(scene.theirs), encoding="utf-8")

    async def merge_open(pilot: Pilot[Any]) -> None:
        await pilot.press("ctrl+k")
        await answer(pilot, str(path))

    assert snap_compare(QcodeApp(scene.project, CODER), press=["down", "down", "space"],
                        terminal_size=MIDDLE, run_before=merge_open)


# -- the coding loop at both sizes (issue 13) ---------------------------------------

BOTH = pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "160x45"])


@BOTH
def test_long_answer_read_to_its_end(tmp_path: Path, snap_compare: Any,
                                     size: tuple[int, int]) -> None:
    """A 900-word answer after space… up to its last screen: the end and its chip."""
    project = interview(tmp_path / "long.db")

    async def to_the_end(pilot: Pilot[Any]) -> None:
        await pilot.press("j")
        await pilot.pause()
        while (part := reader(pilot.app).part) is not None and part[0] < part[1]:
            await pilot.press("space")
            await pilot.pause()

    assert snap_compare(QcodeApp(project, CODER), run_before=to_the_end, terminal_size=size)


@BOTH
def test_codebook_marks_the_current_paragraph(study: Project, snap_compare: Any,
                                              size: tuple[int, int]) -> None:
    """§12 carries two of alice's codes and one of bob's: marked ✓ and ○."""
    document = study.documents()[0].document
    paragraph = study.paragraph(document, "§12").id
    study.tag([paragraph], [study.code("regional variation").id,
                            study.code("personal relations with officials").id], coder=CODER)
    study.tag([paragraph], [study.code("access to the hierarchy").id], coder="bob")
    assert snap_compare(QcodeApp(study, CODER), press=["g", "1", "2", "enter", "t"],
                        terminal_size=size)


@BOTH
def test_search_results(study: Project, snap_compare: Any, size: tuple[int, int]) -> None:
    async def searched(pilot: Pilot[Any]) -> None:
        await pilot.press("slash", *"NGO law")
        await pilot.pause(DEBOUNCE_SECONDS + 0.2)
        # On a busy machine the search (a worker, after the typing pause) and the list's
        # second fill (after a refresh) can land later: wait for every hit to be listed.
        for _ in range(100):
            await settle(pilot)
            modal = pilot.app.screen
            hits = getattr(modal, "hits", [])
            if hits and modal.query_one("#search-hits", OptionList).option_count == len(hits):
                break
            await pilot.pause(0.1)
        # The query box's cursor blinks on a timer: a slow run could catch it off.
        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False
        await pilot.pause()

    assert snap_compare(QcodeApp(study, CODER), run_before=searched, terminal_size=size)


@BOTH
def test_theme_filter(study: Project, snap_compare: Any, size: tuple[int, int]) -> None:
    code_theme(study)
    assert snap_compare(QcodeApp(study, CODER),
                        press=["f", *"state pressure", "enter"], terminal_size=size)


@BOTH
def test_attributes_dialog(study: Project, snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(QcodeApp(study, CODER), press=["d", "a"], terminal_size=size)


@BOTH
def test_new_code_dialog(study: Project, snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(QcodeApp(study, CODER), press=["t", "a", *"state capture"],
                        terminal_size=size)
