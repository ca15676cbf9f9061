"""Merging a shared codebook from the app: the plan as a list, each proposal accepted or
declined by a key, applied as one change that u takes back whole.

The diverged copy is the exchange tests' scene: theirs renames 'generational shift',
rewords a definition, recolours a parent, adds a code and a typo'd 'foreign fundng';
ours has bob's typo'd duplicate 'regional variaton' with codings on it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Static
from tui_helpers import (
    CODER,
    SIZE,
    answer,
    code_labels,
    notifications,
    pilot_test,
    plain,
    press,
    status,
)

from qcode import Project
from qcode.core.codebook.yaml_format import dump_yaml
from qcode.tui import QcodeApp
from qcode.tui.modals.confirm import Confirm
from qcode.tui.screens.main import MainScreen
from qcode.tui.screens.merge import MergeScreen
from tests.exchange.test_merge import FUNDNG, Scene, codings, scene, snapshot

__all__ = ["scene"]  # the exchange tests' fixture, used here by name


def theirs_file(scene: Scene, tmp_path: Path) -> Path:
    path = tmp_path / "theirs.yaml"
    path.write_text(dump_yaml(scene.theirs), encoding="utf-8")
    return path


def rows(app: QcodeApp) -> list[list[str]]:
    table: DataTable[Any] = app.screen.query_one("#merge-table", DataTable)
    return [[plain(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def row_of(app: QcodeApp, kind: str) -> int:
    return next(i for i, row in enumerate(rows(app)) if row[2] == kind)


async def open_merge(pilot: Any, app: QcodeApp, path: Path) -> None:
    await press(pilot, "ctrl+k")
    await answer(pilot, str(path))
    assert isinstance(app.screen, MergeScreen)


async def go_to_row(pilot: Any, app: QcodeApp, index: int) -> None:
    table: DataTable[Any] = app.screen.query_one("#merge-table", DataTable)
    while table.cursor_row < index:
        await press(pilot, "down")
    while table.cursor_row > index:
        await press(pilot, "up")


@pilot_test
async def test_review_accept_a_guess_decline_a_rename_apply_and_undo(
    scene: Scene, tmp_path: Path,
) -> None:
    project = scene.project
    before = snapshot(project)
    app = QcodeApp(project, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await open_merge(pilot, app, theirs_file(scene, tmp_path))
        listed = {(row[0], row[2], row[3]) for row in rows(app)}
        assert ("[?]", "duplicate", "our 'regional variaton' into 'regional variation'") in listed
        assert ("[?]", "merge", "their 'foreign fundng' = our 'foreign funding'") in listed
        assert ("[✓]", "rename", "'generational shift' → 'generational change'") in listed
        assert ("[✓]", "add", "'memory politics' under 'cooperation strategies'") in listed
        assert rows(app)[row_of(app, "duplicate")][4] == "97"

        await go_to_row(pilot, app, row_of(app, "rename"))
        await press(pilot, "space")
        assert rows(app)[row_of(app, "rename")][0] == "[ ]"
        await go_to_row(pilot, app, row_of(app, "duplicate"))
        await press(pilot, "space")
        assert rows(app)[row_of(app, "duplicate")][0] == "[✓]"
        detail = " ".join(plain(app.screen.query_one("#merge-detail", Static).content,
                                120).split())
        assert "codings, sub-codes, texts and memos move into 'regional variation'" in detail

        await press(pilot, "enter")
        assert isinstance(app.screen, Confirm)
        assert "1 duplicate folded, 3 codings reassigned" in str(app.screen.message)
        await press(pilot, "y")
        assert isinstance(app.screen, MainScreen)
        assert "merged theirs.yaml:" in status(app) and "(u undoes it)" in status(app)

        names = {c.name for c in project.codes()}
        assert "regional variaton" not in names and "memory politics" in names
        assert "generational shift" in names and "generational change" not in names
        assert project.code("foreign fundng").guid == FUNDNG  # the declined guess: added
        regional = project.code("regional variation").guid
        expected = sorted({(label, coder, regional if guid == scene.typo_guid else guid)
                           for label, coder, guid in scene.codings})
        assert codings(project) == expected
        labels = code_labels(app)
        assert any("memory politics" in label for label in labels)
        assert not any("regional variaton" in label for label in labels)

        await press(pilot, "u")
        assert snapshot(project) == before
        assert "undone: merge codebook from theirs.yaml" in status(app)
        assert any("regional variaton" in label for label in code_labels(app))


@pilot_test
async def test_rule_cycles_keeping_choices_and_escape_writes_nothing(
    scene: Scene, tmp_path: Path,
) -> None:
    project = scene.project
    before = snapshot(project)
    app = QcodeApp(project, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await open_merge(pilot, app, theirs_file(scene, tmp_path))
        await go_to_row(pilot, app, row_of(app, "merge"))
        await press(pilot, "space")
        assert "rule: both" in plain(app.screen.query_one("#merge-title").render())
        await press(pilot, "r")
        assert "rule: ours" in plain(app.screen.query_one("#merge-title").render())
        # Under "ours" a conflicting rename is declined; the accepted guess stays accepted.
        assert rows(app)[row_of(app, "rename")][0] == "[ ]"
        assert rows(app)[row_of(app, "merge")][0] == "[✓]"
        await press(pilot, "r")
        assert rows(app)[row_of(app, "rename")][0] == "[✓]"
        await press(pilot, "escape")
        assert isinstance(app.screen, MainScreen)
        assert "merge cancelled: nothing changed" in status(app)
    assert snapshot(project) == before


@pilot_test
async def test_a_bad_file_is_a_notification(study: Project, tmp_path: Path) -> None:
    bad = tmp_path / "broken.qdc"
    bad.write_text("<CodeBook", encoding="utf-8")
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        for path, error in ((bad, "broken.qdc: not well-formed XML"),
                            (tmp_path / "missing.yaml", "missing.yaml: no such file")):
            await press(pilot, "ctrl+k")
            await answer(pilot, str(path))
            assert isinstance(app.screen, MainScreen)
            assert error in notifications(app)[-1]


@pilot_test
async def test_a_codebook_changed_elsewhere_is_planned_again(
    scene: Scene, tmp_path: Path,
) -> None:
    project = scene.project
    app = QcodeApp(project, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await open_merge(pilot, app, theirs_file(scene, tmp_path))
        await go_to_row(pilot, app, row_of(app, "duplicate"))
        await press(pilot, "space")
        with Project.open(project.path) as other:
            other.update_code(other.code("generational shift"), coder="bob",
                              name="generational change")
        app.check_for_changes()
        await pilot.pause()
        assert "rename" not in [row[2] for row in rows(app)]
        assert rows(app)[row_of(app, "duplicate")][0] == "[✓]"  # the choice survived
        assert "the merge was planned again" in notifications(app)[-1]
        await press(pilot, "enter", "y")
        assert isinstance(app.screen, MainScreen)
        assert "regional variaton" not in {c.name for c in project.codes()}
