"""`qcode tui` and a bare `qcode`: the app on a terminal, the summary when piped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import qcode.tui
from qcode.cli import tui as tui_command


class Recorder:
    """Stands in for the app: records how it would have been started."""

    def __init__(self) -> None:
        self.calls: list[tuple[Path, str, bool]] = []

    def __call__(self, path: Path, coder: str, *, blind: bool = False) -> None:
        self.calls.append((path, coder, blind))


@pytest.fixture
def on_terminal(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(tui_command, "_on_terminal", lambda: True)
    monkeypatch.setattr(qcode.tui, "run", recorder)
    return recorder


def test_piped_output_gets_the_summary_instead(study_cli: Any) -> None:
    for args in (("tui",), ("tui", str(study_cli.path)), ()):
        result = study_cli(*args)
        assert result.exit_code == 0, result.output
        assert "documents" in result.output and "56, coded 0" in result.output
        assert "NGOs and the power ministries" in result.output


def test_on_a_terminal_the_app_starts(study_cli: Any, on_terminal: Recorder) -> None:
    assert study_cli().exit_code == 0
    assert study_cli("tui", "--coder", "bob", "--blind").exit_code == 0
    other = study_cli.path.with_name("other.db")
    assert study_cli("tui", str(other)).exit_code == 0
    assert on_terminal.calls == [
        (study_cli.path, "alice", False),
        (study_cli.path, "bob", True),
        (other, "alice", False),
    ]


def test_a_missing_project_is_one_line_and_exit_2(cli: Any, tmp_path: Path) -> None:
    result = cli("tui", str(tmp_path / "nothing.db"))
    assert result.exit_code == 2
    assert "no project here" in result.output and "Traceback" not in result.output


def test_a_missing_project_on_a_terminal_does_not_start_a_screen(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tui_command, "_on_terminal", lambda: True)
    result = cli("tui", str(tmp_path / "nothing.db"))
    assert result.exit_code == 2
    assert "no project here" in result.output


def test_help_names_the_options(cli: Any) -> None:
    result = cli("tui", "--help")
    assert result.exit_code == 0
    for part in ("[PROJECT]", "--coder", "--blind", "press ? in the app"):
        assert part in result.output
