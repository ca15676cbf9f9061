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
from textual.pilot import Pilot
from tui_helpers import answer

from qcode import Project
from qcode.core.codebook.yaml_format import dump_yaml
from qcode.tui import QcodeApp
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
