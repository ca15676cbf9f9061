"""What the screens look like, at the two sizes the issue names (80×24 and 160×45).

Regenerate after a deliberate change with ``pytest tests/tui --snapshot-update`` and
look at the SVGs in tests/tui/__snapshots__ before committing them.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from qcode import Project
from qcode.tui import QcodeApp

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
