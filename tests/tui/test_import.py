"""Importing from the app: files, folders and patterns; a progress bar; a cancel that
stops between two whole documents and says how many were imported."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Label, ProgressBar
from tui_helpers import CODER, SIZE, answer, notifications, options, pilot_test, press, status

from qcode import Project
from qcode.core.errors import QcodeError
from qcode.tui import QcodeApp
from qcode.tui.importing import expand, run_import
from qcode.tui.modals import progress
from qcode.tui.modals.progress import ImportProgress
from qcode.tui.screens.main import MainScreen

FILES = 20
PARAGRAPHS = 3
# Enough turns of the event loop for 20 small imports; a test stuck here fails.
PATIENCE = 2000


def interviews(folder: Path, count: int = FILES) -> Path:
    folder.mkdir()
    for number in range(1, count + 1):
        (folder / f"interview-{number:02}.txt").write_text(
            f"Q: How do you work with the ministry, {number}?\n\n"
            f"A: Through the regional office, {number}.\n\nA: And by letter, {number}.\n",
            encoding="utf-8")
    return folder


def stored(project: Project) -> dict[str, int]:
    """Document name -> paragraphs, from SQLite."""
    rows = project.conn.execute(
        "SELECT d.name, COUNT(p.id) FROM documents d LEFT JOIN paragraphs p "
        "ON p.document_id = d.id GROUP BY d.id")
    return {r[0]: r[1] for r in rows}


async def until_closed(pilot: Any, app: QcodeApp) -> None:
    for _ in range(PATIENCE):
        if not isinstance(app.screen, ImportProgress):
            return
        await pilot.pause()
    raise AssertionError("the import never finished")


def test_expand_reads_paths_patterns_and_folders(tmp_path: Path) -> None:
    folder = interviews(tmp_path / "interviews", 3)
    (folder / "notes.xls").write_text("not importable", encoding="utf-8")
    (folder / "with space.md").write_text("A: one\n", encoding="utf-8")
    names = [p.name for p in expand("interviews/*.txt", tmp_path)]
    assert names == ["interview-01.txt", "interview-02.txt", "interview-03.txt"]
    assert [p.name for p in expand("interviews", tmp_path)] == [
        "interview-01.txt", "interview-02.txt", "interview-03.txt", "with space.md"]
    both = expand(f"'interviews/with space.md' {folder / 'interview-02.txt'}", tmp_path)
    assert both == [folder / "with space.md", folder / "interview-02.txt"]
    assert expand("interviews/*.txt interviews/interview-01.txt", tmp_path)[0].name == (
        "interview-01.txt")  # named twice, imported once
    assert len(expand("interviews/*.txt interviews/interview-01.txt", tmp_path)) == 3
    with pytest.raises(QcodeError, match=r"interviews/\*\.docx: no file matches"):
        expand("interviews/*.docx", tmp_path)
    with pytest.raises(QcodeError, match="close the quote"):
        expand("'interviews", tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(QcodeError, match="empty: no files qcode can import"):
        expand("empty", tmp_path)


@pilot_test
async def test_import_twenty_files_with_a_progress_bar(study: Project, tmp_path: Path) -> None:
    folder = interviews(tmp_path / "interviews")
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "I")
        await answer(pilot, str(folder / "*.txt"))
        await until_closed(pilot, app)
        assert isinstance(app.screen, MainScreen)
        assert f"imported {FILES} documents ({FILES * PARAGRAPHS} paragraphs)" in status(app)
        listed = options(app, "#document-list")
        assert len(listed) == FILES + 1
        assert listed[0].split()[0] == "interview-01"
        documents = stored(study)
        assert {n: c for n, c in documents.items() if n.startswith("interview")} == {
            f"interview-{n:02}": PARAGRAPHS for n in range(1, FILES + 1)}
        # Our own import is not announced as someone else's change.
        assert app.check_for_changes() is None
        # The same files again: every one is already here, nothing is added.
        await press(pilot, "I")
        await answer(pilot, str(folder))
        await until_closed(pilot, app)
        assert f"imported 0 documents (0 paragraphs); {FILES} already in the project" in (
            status(app))
        assert stored(study) == documents


def cancel_at(monkeypatch: pytest.MonkeyPatch, phase: str, count: int,
              seen: list[tuple[float | None, float]]) -> None:
    """Press Cancel (as a person would) once ``count`` files of ``phase`` are shown,
    noting what the bar showed then. Cancelling from the screen's own update is what
    makes the stopping point exact: the worker waits for that update to be drawn."""
    advance = ImportProgress.advance

    def advance_then_cancel(self: ImportProgress, now: str, file: Path, total: int) -> None:
        advance(self, now, file, total)
        if now == phase and self.done == count:
            bar = self.query_one(ProgressBar)
            seen.append((bar.total, bar.progress))
            self.action_cancel()

    monkeypatch.setattr(ImportProgress, "advance", advance_then_cancel)


@pilot_test
async def test_cancel_stops_between_whole_documents(
    study: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = interviews(tmp_path / "interviews")
    seen: list[tuple[float | None, float]] = []
    cancel_at(monkeypatch, "importing", 3, seen)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "I")
        await answer(pilot, str(folder / "*.txt"))
        await until_closed(pilot, app)
        assert seen == [(FILES, 3)]
        documents = {n: c for n, c in stored(study).items() if n.startswith("interview")}
        assert documents == {f"interview-{n:02}": PARAGRAPHS for n in (1, 2, 3)}
        message = f"cancelled: 3 of {FILES} imported (each whole)"
        assert message in status(app)
        assert message in notifications(app)[-1]
        assert len(options(app, "#document-list")) == 3 + 1


@pilot_test
async def test_cancel_while_reading_writes_nothing(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = interviews(tmp_path / "interviews")
    seen: list[tuple[float | None, float]] = []
    cancel_at(monkeypatch, "reading", 5, seen)
    app = QcodeApp(project, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "I")
        await answer(pilot, str(folder))
        await until_closed(pilot, app)
        assert seen == [(FILES, 5)]
        assert stored(project) == {}
        assert f"cancelled: 0 of {FILES} imported (nothing written)" in status(app)


def hold_after(monkeypatch: pytest.MonkeyPatch, count: int) -> threading.Event:
    """Make the import wait after its ``count``-th document until the returned event is
    set, so a key can be pressed at a known point."""
    gate = threading.Event()

    def held(path: Path, files: list[Path], *, coder: str, step: Any, stop: Any) -> Any:
        written = [0]

        def counting_step(phase: str, file: Path, total: int) -> None:
            step(phase, file, total)
            if phase == "importing":
                written[0] += 1

        def waiting_stop() -> bool:
            if written[0] == count:
                gate.wait(timeout=60)
            return bool(stop())

        return run_import(path, files, coder=coder, step=counting_step, stop=waiting_stop)

    monkeypatch.setattr(progress, "run_import", held)
    return gate


@pytest.mark.parametrize("how", ["escape", "button"])
@pilot_test
async def test_escape_and_the_cancel_button_stop_the_import(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str,
) -> None:
    folder = interviews(tmp_path / "interviews")
    gate = hold_after(monkeypatch, 4)
    app = QcodeApp(project, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "I")
        app.screen.query_one(Input).value = str(folder)
        await pilot.press("enter")
        for _ in range(PATIENCE):
            modal = app.screen
            if isinstance(modal, ImportProgress) and modal.done == 4:
                break
            await pilot.pause()
        assert isinstance(modal, ImportProgress)
        if how == "escape":
            await press(pilot, "escape")
        else:
            await pilot.click("#progress-cancel")
            await pilot.pause()
        assert "cancelling after the current document (4 done)" in str(
            modal.query_one("#progress-counts", Label).render())
        gate.set()
        await until_closed(pilot, app)
        assert list(stored(project).values()) == [PARAGRAPHS] * 4
        assert f"cancelled: 4 of {FILES} imported (each whole)" in status(app)


@pilot_test
async def test_a_bad_file_stops_the_import_before_anything_is_written(
    study: Project, tmp_path: Path,
) -> None:
    folder = interviews(tmp_path / "interviews", 3)
    (folder / "interview-04.txt").write_text("\n\n  \n", encoding="utf-8")
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "I")
        await answer(pilot, str(folder / "*.txt"))
        await until_closed(pilot, app)
        assert "import stopped:" in status(app) and "interview-04.txt" in status(app)
        assert list(stored(study)) == ["sieca-kozlowski-2009"]
        await press(pilot, "I")
        await answer(pilot, "nowhere/*.txt")
        assert isinstance(app.screen, MainScreen)
        assert "nowhere/*.txt: no file matches" in notifications(app)[-1]
