"""`qcode sync` where a team's folder is less tidy: a coder on two machines, old copies
of one's own file, files from an older or newer qcode, a damaged file."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from qcode.core.store import schema
from qcode.core.store.schema import Migration
from tests.cli.sync_helpers import DOC, Machine, Team, dump, events, project_guid
from tests.conftest import Cli
from tests.robustness.test_damaged_projects import overwrite_a_page


def test_the_same_coder_on_two_machines_loses_nothing(study_cli: Cli, tmp_path: Path) -> None:
    team = Team(tmp_path, study_cli.path, ["laptop", "desktop"])
    # Both machines code as alice, so both publish alice's file.
    laptop = Machine("alice", *_parts(team["laptop"]))
    desktop = Machine("alice", *_parts(team["desktop"]))
    assert laptop("tag", DOC, "§30", "regional variation").exit_code == 0
    assert desktop("tag", DOC, "§31", "foreign funding").exit_code == 0
    laptop.sync()
    team.relay()
    said = desktop.sync().output
    assert "published from another copy of the project" in said, said
    team.relay()
    laptop.sync()
    for machine in (laptop, desktop):
        labels = {(c[1], c[3]) for c in dump(machine.project)["codings"]}
        assert {("§30", "alice"), ("§31", "alice")} <= labels


def _parts(machine: Machine) -> tuple[Path, Path, Path]:
    return machine.project, machine.state, machine.folder


def test_an_old_copy_of_your_own_file_is_left_alone(study_cli: Cli, tmp_path: Path) -> None:
    team = Team(tmp_path, study_cli.path, ["alice"])
    alice = team["alice"]
    assert alice("tag", DOC, "§10", "generational shift").exit_code == 0
    alice.sync()
    guid = project_guid(alice.project)
    # Dropbox kept the first version as a conflict copy; alice then untagged §10.
    old = alice.folder / f"{guid}.alice (conflicted copy 2026-12-03).qcode"
    shutil.copy(alice.folder / f"{guid}.alice.qcode", old)
    assert alice("untag", DOC, "§10", "generational shift").exit_code == 0
    count = events(alice.project)
    said = alice.sync().output
    assert f"alice ({old.name}): nothing new (an older copy of your own file, which " \
           "Dropbox made; it can be deleted)" in said, said
    assert events(alice.project) == count
    assert not dump(alice.project)["codings"]  # §10 did not come back from the old copy


def test_files_from_a_newer_qcode_or_damaged_are_skipped(study_cli: Cli,
                                                         tmp_path: Path) -> None:
    team = Team(tmp_path, study_cli.path, ["alice", "bob", "carol"])
    for coder in ("bob", "carol"):
        assert team[coder]("tag", DOC, "§12", "regional variation").exit_code == 0
        team[coder].sync()
    alice = team["alice"]
    guid = project_guid(alice.project)
    newer, damaged = (alice.folder / f"{guid}.{c}.qcode" for c in ("bob", "carol"))
    shutil.copy(team["bob"].folder / newer.name, newer)
    shutil.copy(team["carol"].folder / damaged.name, damaged)
    conn = sqlite3.connect(newer)
    conn.execute("INSERT INTO schema_migrations VALUES (99, 'from the future', 'now')")
    conn.commit()
    conn.close()
    overwrite_a_page(damaged)
    before = {p.name: p.read_bytes() for p in alice.folder.iterdir()}
    said = alice.sync().output.splitlines()
    assert f"skipped {newer.name}: written by a newer qcode (schema 99, this qcode knows " \
           f"{schema.LATEST}); upgrade qcode to open it" in said
    assert any(line.startswith(f"skipped {damaged.name}: damaged (") for line in said), said
    assert not dump(alice.project)["codings"]
    # The shared files are read, never written: only alice's own file is new.
    after = {p.name: p.read_bytes() for p in alice.folder.iterdir()}
    assert {k: v for k, v in after.items() if k in before} == before
    assert set(after) - set(before) == {f"{guid}.alice.qcode"}


def test_a_file_from_an_older_qcode_is_upgraded_in_a_private_copy(
        study_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    team = Team(tmp_path, study_cli.path, ["alice", "bob"])
    bob = team["bob"]
    assert bob("tag", DOC, "§12", "regional variation").exit_code == 0
    bob.sync()
    team.relay()
    # This qcode is one schema ahead of the qcode bob published with.
    future = Migration(schema.LATEST + 1, "test extra table", "CREATE TABLE extra (x TEXT);")
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, future))
    monkeypatch.setattr(schema, "LATEST", future.version)
    alice = team["alice"]
    published = alice.folder / f"{project_guid(alice.project)}.bob.qcode"
    before = published.read_bytes()
    said = alice.sync().output
    assert "bob: 1 coding" in said, said
    assert ("§12", "bob") in {(c[1], c[3]) for c in dump(alice.project)["codings"]}
    assert published.read_bytes() == before
    assert not list(alice.folder.glob("*.bak"))  # the upgrade's backup stayed private


def test_an_unchanged_file_is_merged_again_only_into_a_restored_project(
        study_cli: Cli, tmp_path: Path) -> None:
    team = Team(tmp_path, study_cli.path, ["alice", "bob"])
    alice, bob = team["alice"], team["bob"]
    assert bob("tag", DOC, "§12", "regional variation").exit_code == 0
    bob.sync()
    team.relay()
    assert "bob: 1 coding" in alice.sync().output
    assert "bob: nothing new (unchanged since your last sync)" in alice.sync().output
    # alice puts back the backup taken before that sync: bob's file is merged again.
    backup = next(alice.project.parent.glob("study.db.before-sync.*.bak"))
    for sidecar in ("-wal", "-shm"):
        Path(f"{alice.project}{sidecar}").unlink(missing_ok=True)
    shutil.copy(backup, alice.project)
    assert not dump(alice.project)["codings"]
    assert "bob: 1 coding" in alice.sync().output
    assert ("§12", "bob") in {(c[1], c[3]) for c in dump(alice.project)["codings"]}


def test_a_file_with_a_name_qcode_refuses_is_skipped_and_the_rest_goes_on(
        study_cli: Cli, tmp_path: Path) -> None:
    team = Team(tmp_path, study_cli.path, ["alice", "bob", "carol"])
    for coder in ("bob", "carol"):
        assert team[coder]("tag", DOC, "§12", "regional variation").exit_code == 0
        team[coder].sync()
        team.relay()
    alice = team["alice"]
    hostile = alice.folder / f"{project_guid(alice.project)}.bob.qcode"
    conn = sqlite3.connect(hostile)
    conn.execute("UPDATE codes SET name = 'trust\x1b[2J' WHERE name = 'foreign funding'")
    conn.commit()
    conn.close()
    result = alice("sync", str(alice.folder))
    assert result.exit_code == 0, result.stderr
    skipped = [line for line in result.output.splitlines() if line.startswith("skipped")]
    assert skipped == [f"skipped {hostile.name}: could not be merged (code name "
                       "'trust\\x1b[2J' contains a control character (U+001B); names cannot "
                       "hold control characters); nothing from it was written"], result.output
    assert "\x1b" not in result.output
    assert {c[3] for c in dump(alice.project)["codings"]} == {"carol"}


def test_a_coder_can_start_from_a_published_copy(study_cli: Cli, tmp_path: Path) -> None:
    team = Team(tmp_path, study_cli.path, ["anna"])
    anna = team["anna"]
    anna.sync()
    # dave's step 2: a copy of the lead's published file is his project.
    dave = Machine("dave", tmp_path / "dave.db", tmp_path / "dave-state", anna.folder)
    shutil.copy(next(anna.folder.glob("*.anna.qcode")), dave.project)
    assert dave("tag", DOC, "§12", "regional variation").exit_code == 0
    assert dave("check").exit_code == 0
    assert "anna: nothing new" in dave.sync().output
    assert "dave: 1 coding" in anna.sync().output
