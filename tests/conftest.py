"""Shared fixtures: fresh projects, the bundled study, and a CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qcode import Project
from qcode.cli import main
from qcode.exchange.formats import read_codebook
from qcode.ingest import read_document

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "corpus" / "sieca-kozlowski-2009.md"
CATALOG = ROOT / "corpus" / "interviews.yaml"
CODEBOOK = ROOT / "codebooks" / "ngos-power-ministries.yaml"
SHARED = ROOT.parent / "shared"
CODER = "alice"


@pytest.fixture(autouse=True)
def _isolate_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
                 ) -> None:
    """No test reads the developer's $QCODE_PROJECT, $QCODE_CODER or $QCODE_SYNC, or
    reads or writes their state folder (where sync and the app keep bookkeeping)."""
    monkeypatch.delenv("QCODE_PROJECT", raising=False)
    monkeypatch.delenv("QCODE_SYNC", raising=False)
    monkeypatch.setenv("QCODE_CODER", CODER)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    """Where a test's project file lives (not yet created)."""
    return tmp_path / "test.db"


@pytest.fixture
def project(project_path: Path) -> Iterator[Project]:
    """A new, empty project."""
    with Project.create(project_path) as created:
        yield created


@pytest.fixture
def study(project: Project) -> Project:
    """A project holding the bundled article and the study codebook."""
    project.add_document(read_document(ARTICLE), coder=CODER)
    project.load_codebook(read_codebook(CODEBOOK), coder=CODER)
    return project


@dataclass
class Cli:
    """Runs ``qcode`` in-process against one project file."""

    path: Path

    def __call__(self, *args: str, coder: str = CODER) -> Result:
        runner = CliRunner()
        return runner.invoke(
            main, ["-p", str(self.path), *args], env={"QCODE_CODER": coder},
            catch_exceptions=False,
        )


@pytest.fixture
def cli(project_path: Path) -> Cli:
    """A CLI runner bound to the test's project path (create it with ``cli("init")``)."""
    return Cli(project_path)


@pytest.fixture
def study_cli(cli: Cli) -> Cli:
    """The CLI on a project built from the bundled study, as `make study` builds it."""
    assert cli("init").exit_code == 0
    assert cli("import", str(ARTICLE), "--metadata", str(CATALOG)).exit_code == 0
    assert cli("codebook", "load", str(CODEBOOK)).exit_code == 0
    return cli
