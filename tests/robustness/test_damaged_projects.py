"""Damaged, foreign, read-only and crowded project files (issue 14, items 3, 9-13, 15,
21): one clear line (or, from `qcode check`, one readable list), the right exit status,
and the file exactly as it was."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from qcode.core.store import health
from tests.conftest import Cli
from tests.refusals import assert_refused, digest, file_bytes, unwritable

DOC = "sieca-kozlowski-2009"
TAG = ("tag", DOC, "§12", "regional variation")


def settle(path: Path) -> None:
    """Checkpoint and close, as after the last qcode exits: no -wal, no -shm."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def backups(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.bak"))


# -- 3. another program's SQLite file -----------------------------------------------------


@pytest.mark.parametrize("args", [
    TAG, ("untag", DOC, "§12", "x"), ("undo",), ("status",), ("check",),
    ("codebook", "export", "-"), ("reviewed", DOC),
])
def test_another_programs_database_is_refused_unwritten(cli: Cli, args: tuple[str, ...]) -> None:
    conn = sqlite3.connect(cli.path)  # rollback journal, as most programs leave it
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES ('theirs')")
    conn.commit()
    conn.close()
    before = cli.path.read_bytes()
    assert before[18:20] == b"\x01\x01"  # not WAL
    assert_refused(cli(*args), "not a qcode project")
    assert cli.path.read_bytes() == before
    assert sorted(p.name for p in cli.path.parent.iterdir()) == [cli.path.name]


# -- 9. damage: check lists it, writes refuse -----------------------------------------------


def overwrite_a_page(path: Path) -> None:
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'paragraphs'").fetchone()[0]
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xde\xad\xbe\xef" * (page_size // 4))


def truncate(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def drop_a_table(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE memos")
    conn.commit()
    conn.close()


DAMAGE: dict[str, Callable[[Path], None]] = {
    "overwritten page": overwrite_a_page, "truncated file": truncate,
    "dropped table": drop_a_table,
}


@pytest.fixture(params=sorted(DAMAGE))
def damaged(request: pytest.FixtureRequest, study_cli: Cli) -> Iterator[Cli]:
    assert study_cli(*TAG).exit_code == 0
    settle(study_cli.path)
    DAMAGE[request.param](study_cli.path)
    yield study_cli


def test_check_lists_the_damage_and_what_to_do(damaged: Cli) -> None:
    before = file_bytes(damaged.path)
    for args in (("check",), ("check", "--repair")):
        result = damaged(*args)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and result.stderr == ""
        assert "problem(s) in" in result.stdout
        assert "what to do:" in result.stdout and "--repair" in result.stdout
    report = json.loads(damaged("check", "--json").stdout)
    assert report["healthy"] is False and report["problems"] and report["advice"]
    assert file_bytes(damaged.path) == before
    assert backups(damaged.path.parent) == []


def test_writes_refuse_a_damaged_project(damaged: Cli) -> None:
    before = file_bytes(damaged.path)
    assert_refused(damaged("tag", DOC, "§13", "foreign funding"), "damaged", "qcode check")
    assert_refused(damaged("undo"), "damaged")
    for read in (("status",), ("show", DOC), ("report", "frequencies")):
        result = damaged(*read)
        assert result.exit_code in (0, 2) and "Traceback" not in result.output
        if result.exit_code == 2:
            assert_refused(result, "damaged")
    assert file_bytes(damaged.path) == before


def test_a_write_that_meets_damage_fails_whole_on_a_big_project(
        study_cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    # Above the size where opening runs the quick check, the write itself meets it.
    monkeypatch.setattr(health, "QUICK_CHECK_BYTES", 0)
    settle(study_cli.path)
    conn = sqlite3.connect(study_cli.path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'codings'").fetchone()[0]
    conn.close()
    with study_cli.path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)
    before = file_bytes(study_cli.path)
    assert_refused(study_cli(*TAG), "damaged")
    assert file_bytes(study_cli.path) == before


# -- 10. a read-only folder: reads work ------------------------------------------------------


def test_a_project_in_a_read_only_folder_can_be_read(study_cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    project = folder / "study.db"
    settle(study_cli.path)
    study_cli.path.rename(project)
    cli = Cli(project)
    elsewhere = tmp_path / "out"
    elsewhere.mkdir()
    before = digest(project)
    with unwritable(folder):
        for args in (("status",), ("show", DOC), ("documents",), ("report", "frequencies"),
                     ("report", "segments", "regional variation"), ("check",), ("log",), ("backup", str(elsewhere / "copy.db")),
                     ("export", str(elsewhere / "study.qdpx")),
                     ("codebook", "export", str(elsewhere / "codebook.yaml"))):
            result = cli(*args)
            assert result.exit_code == 0, (args, result.output)
        assert_refused(cli(*TAG), f"the folder {folder} is read-only")
        assert sorted(p.name for p in folder.iterdir()) == ["study.db"]
    assert digest(project) == before
    assert (elsewhere / "copy.db").exists() and (elsewhere / "study.qdpx").exists()


# -- 11. a read-only -shm left beside a writable project -------------------------------------


def test_a_read_only_shm_is_named(study_cli: Cli) -> None:
    settle(study_cli.path)
    shm = Path(f"{study_cli.path}-shm")
    shm.write_bytes(b"\x00" * 32768)
    before = digest(study_cli.path)
    with unwritable(shm):
        assert os.access(study_cli.path, os.W_OK)
        assert_refused(study_cli(*TAG), f"{shm} is read-only")
        assert study_cli("status").exit_code == 0
    assert digest(study_cli.path) == before


# -- 12 and 21. backups only before a change that will happen --------------------------------


def test_a_read_only_project_is_refused_before_any_backup(study_cli: Cli, tmp_path: Path) -> None:
    other = tmp_path / "bob.db"
    bob = Cli(other)
    assert bob("init").exit_code == 0
    conn = sqlite3.connect(study_cli.path)  # something --repair would fix
    conn.execute("UPDATE paragraphs SET text_hash = 'bad' WHERE label = '§4'")
    conn.commit()
    conn.close()
    settle(study_cli.path)
    before = digest(study_cli.path)
    with unwritable(study_cli.path):
        assert_refused(study_cli("merge", str(other)), "read-only")
        assert_refused(study_cli("check", "--repair"), "read-only")
        assert backups(tmp_path) == []
    assert digest(study_cli.path) == before


def test_nothing_to_do_writes_no_backup(study_cli: Cli, tmp_path: Path) -> None:
    healthy = study_cli("check", "--repair")
    assert healthy.exit_code == 0 and "nothing to repair" in healthy.stdout
    assert backups(tmp_path) == []
    bob = Cli(tmp_path / "bob.db")
    assert bob("init").exit_code == 0
    assert bob("import", str(Path(__file__).parents[2] / "corpus" / "sieca-kozlowski-2009.md"),
               ).exit_code == 0
    assert bob("codebook", "load", str(Path(__file__).parents[2] / "codebooks" /
                                       "ngos-power-ministries.yaml")).exit_code == 0
    assert bob("tag", DOC, "§3", "foreign funding", coder="bob").exit_code == 0
    first = study_cli("merge", str(bob.path))
    assert first.exit_code == 0 and len(backups(tmp_path)) == 1
    again = study_cli("merge", str(bob.path))
    assert again.exit_code == 0 and "nothing new" in again.stdout
    assert len(backups(tmp_path)) == 1


# -- 13. a full disk before the -shm exists --------------------------------------------------


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_is_named_when_the_shm_cannot_be_made(study_cli: Cli, full_disk: Path) -> None:
    settle(study_cli.path)
    project = full_disk / "study.db"
    project.write_bytes(study_cli.path.read_bytes())
    try:
        with (full_disk / "filler").open("wb") as filler:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
    except OSError:
        pass  # full
    before = project.read_bytes()
    assert_refused(Cli(project)(*TAG), "the disk is full")
    assert project.read_bytes() == before


# -- 15. a bad file to merge is named ---------------------------------------------------------


@pytest.mark.parametrize("damage", ["truncated file", "overwritten page", "not sqlite"])
def test_merge_names_the_bad_file(study_cli: Cli, tmp_path: Path, damage: str) -> None:
    bad = tmp_path / "bad.db"
    if damage == "not sqlite":
        bad.write_bytes(b"hello, not a database")
    else:
        Cli(bad)("init")
        settle(bad)
        DAMAGE[damage](bad)
    before = digest(study_cli.path)
    message = assert_refused(study_cli("merge", str(bad)), str(bad))
    assert str(study_cli.path) not in message
    assert digest(study_cli.path) == before
    assert backups(tmp_path) == []


def test_check_reports_an_event_log_it_cannot_parse(study_cli: Cli) -> None:
    # A change record cut short, as a torn page leaves it (the log refuses UPDATE, so
    # the trigger goes first, as damage would not ask).
    conn = sqlite3.connect(study_cli.path)
    trigger = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                           "AND tbl_name = 'events' AND sql LIKE '%UPDATE%'").fetchone()[0]
    conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("UPDATE events SET changes = substr(changes, 1, 20) WHERE id = 1")
    conn.commit()
    conn.close()
    before = digest(study_cli.path)
    result = study_cli("check")
    assert result.exit_code == 1 and result.stderr == ""
    assert "event log: a recorded row cannot be read" in result.stdout
    assert "Traceback" not in result.output
    repaired = study_cli("check", "--repair")
    assert repaired.exit_code == 1 and "cannot fix" in repaired.stdout
    assert digest(study_cli.path) == before
    assert backups(study_cli.path.parent) == []
