"""Refusals that used to mislead (issue 14, items 16, 17, 19, 20): the message says what
happened, the exit status follows the one rule in the README, nothing is left behind."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from qcode import Project
from qcode.core import project_file
from qcode.core.store.backup import PARTIAL, partial_name
from qcode.core.store.check import check
from qcode.ingest import importer, read_document
from tests.conftest import Cli
from tests.refusals import assert_refused, digest

DOC = "sieca-kozlowski-2009"


# -- 17. one exit-status rule ---------------------------------------------------------------


def test_nothing_to_undo_is_a_refusal_like_any_other(study_cli: Cli) -> None:
    before = digest(study_cli.path)
    assert_refused(study_cli("undo", coder="carol"), "nothing to undo")
    assert_refused(study_cli("redo", coder="carol"), "nothing to redo")
    assert digest(study_cli.path) == before
    # Already as asked is not a refusal: exit 0.
    assert study_cli("tag", DOC, "§12", "regional variation").exit_code == 0
    again = study_cli("tag", DOC, "§12", "regional variation")
    assert again.exit_code == 0 and "already carries" in again.stdout


# -- 16. racing imports and inits -----------------------------------------------------------


def test_an_import_that_lost_a_race_says_already_imported(
        study_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    transcript = tmp_path / "interview.txt"
    transcript.write_text("Q: A question?\n\nA: An answer.\n", encoding="utf-8")
    real_prepare = importer.prepare

    def prepare_then_lose_the_race(*args: Any, **kwargs: Any) -> Any:
        prepared = real_prepare(*args, **kwargs)
        # Another coder's `qcode import` of the same file commits in between.
        with Project.open(study_cli.path) as other:
            other.add_document(read_document(transcript), coder="bob")
        return prepared

    monkeypatch.setattr(importer, "prepare", prepare_then_lose_the_race)
    before = digest(study_cli.path)
    said = assert_refused(study_cli("import", str(transcript)), "already imported")
    assert "UNIQUE" not in said
    monkeypatch.undo()
    # Exactly the other coder's import was added, once.
    after = json.loads(study_cli("documents", "--json").stdout)
    assert sorted(d["name"] for d in after) == sorted([DOC, "interview"])
    assert digest(study_cli.path) != before


def run_qcode(path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "qcode", "-p", str(path), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "QCODE_CODER": "alice"})


def test_racing_imports_of_one_file(study_cli: Cli, tmp_path: Path) -> None:
    transcript = tmp_path / "interview.txt"
    transcript.write_text("Q: A question?\n\nA: An answer.\n", encoding="utf-8")
    racers = [run_qcode(study_cli.path, "import", str(transcript)) for _ in range(4)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in racers]
    assert sorted(code for code, _out, _err in results) == [0, 2, 2, 2], results
    for code, _out, err in results:
        if code:
            assert err.count("\n") == 1 and "already imported" in err, err
    names = [d["name"] for d in json.loads(study_cli("documents", "--json").stdout)]
    assert names.count("interview") == 1


def test_an_init_that_lost_a_race_says_already_exists(
        cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("init").exit_code == 0
    before = digest(cli.path)
    # As if this init had looked before the other one wrote anything.
    monkeypatch.setattr(project_file, "_claim", lambda path: None)
    said = assert_refused(cli("init"), "already exists")
    assert "UNIQUE" not in said and "already exists" in said
    assert digest(cli.path) == before


def test_racing_inits_of_one_path(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    racers = [run_qcode(path, "init") for _ in range(4)]
    results = [(p.wait(timeout=120), *p.communicate()) for p in racers]
    assert sorted(code for code, _out, _err in results) == [0, 2, 2, 2], results
    for code, _out, err in results:
        if code:
            assert err.count("\n") == 1 and "already exists" in err, err
    with Project.open(path) as project:
        assert check(project.conn).healthy


# -- 19. what a killed backup left behind ---------------------------------------------------


def test_stale_backup_partials_are_cleaned_up(study_cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    # What `qcode backup b.db` leaves when killed with SIGKILL mid-copy: the copy and its
    # rollback journal, named after a process that no longer exists.
    stale = partial_name(folder / "b.db", pid=gone.pid)
    stale.write_bytes(study_cli.path.read_bytes()[:8192])
    Path(f"{stale}-journal").write_bytes(b"\0" * 512)
    # A copy this very process is writing, and one from another machine: left alone.
    live = partial_name(folder / "c.db")
    live.write_bytes(b"")
    elsewhere = folder / f"d.db.otherhost-{gone.pid}{PARTIAL}"
    elsewhere.write_bytes(b"")
    before = digest(study_cli.path)
    result = study_cli("backup", str(folder / "b.db"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(["b.db", live.name, elsewhere.name])
    assert digest(study_cli.path) == before
    assert digest(folder / "b.db") == before


# -- 20. output files honour the umask --------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_exported_files_get_the_permissions_of_any_new_file(study_cli: Cli, tmp_path: Path,
                                                            umask: int) -> None:
    expected = 0o666 & ~umask
    old = os.umask(umask)
    try:
        outputs = [tmp_path / f"codebook.{ext}" for ext in ("yaml", "csv", "qdc", "md")]
        for output in outputs:
            assert study_cli("codebook", "export", str(output)).exit_code == 0
        report = tmp_path / "report.csv"
        assert study_cli("report", "frequencies", "-o", str(report)).exit_code == 0
        assert study_cli("report", "frequencies", "-o", str(report), "--force").exit_code == 0
        outputs.append(report)
    finally:
        os.umask(old)
    for output in outputs:
        assert stat.S_IMODE(output.stat().st_mode) == expected, output


# -- what researchers type is printed as they typed it ----------------------------------


def test_emoji_codes_in_names_and_text_print_as_typed(cli: Cli, tmp_path: Path) -> None:
    """Rich turns ':smile:' into an emoji unless told not to: a code named with colons
    (or a transcript quoting chat) must come back as typed, in errors and in reports."""
    transcript = tmp_path / "chat.txt"
    transcript.write_text("Q: What did they send?\n\nA: Only :thumbs_up: and :smile:.\n",
                          encoding="utf-8")
    codebook = tmp_path / "codes.yaml"
    codebook.write_text("format: qcode-codebook\nformat_version: 1\nname: chat\ncodes:\n"
                        "  - name: \"reply :smile:\"\n", encoding="utf-8")
    assert cli("init").exit_code == 0
    assert cli("import", str(transcript)).exit_code == 0
    assert cli("codebook", "load", str(codebook)).exit_code == 0
    assert cli("tag", "chat", "2", "reply :smile:").exit_code == 0
    outputs = [
        cli("tag", "chat", "1", "reply :smil:").stderr,  # did you mean…
        cli("codebook", "show").stdout,
        cli("report", "frequencies").stdout,
        cli("report", "segments", "reply :smile:").stdout,
        cli("search", "thumbs").stdout,
    ]
    for said in outputs:
        assert "😄" not in said and "👍" not in said, said
    assert all("reply :smile:" in said for said in outputs[:4]), outputs
    assert ":thumbs_up:" in outputs[3] and ":thumbs_up:" in outputs[4]
