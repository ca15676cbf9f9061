"""`qcode sync`: three coders on three machines, one synced folder, the same project in
the end — and what a sync client does to that folder does no harm."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from qcode import Project
from tests.cli.sync_helpers import DOC, Machine, Team, code_guid, dump, events, project_guid
from tests.conftest import Cli
from tests.refusals import assert_refused, digest

CODERS = ["alice", "bob", "carol"]


def start(study_cli: Cli, tmp_path: Path) -> Team:
    """Three coders with their own copy of the lead's study project, each coding
    different paragraphs; alice adds a code, bob renames one; memos and review marks."""
    team = Team(tmp_path, study_cli.path, CODERS)
    alice, bob, carol = team["alice"], team["bob"], team["carol"]
    for machine, label, code in ((alice, "§10", "generational shift"),
                                 (alice, "§12", "regional variation"),
                                 (bob, "§16", "foreign funding"),
                                 (carol, "§12", "regional variation"),
                                 (carol, "§13", "2006 NGO law")):
        assert machine("tag", DOC, label, code).exit_code == 0
    with Project.open(alice.project) as a:
        raids = a.add_code("police raids", coder="alice", definition="searches of NGO offices")
        a.tag([a.paragraph(a.document(DOC), "§20").id], [raids.id], coder="alice")
        a.set_memo("paragraph", a.paragraph(a.document(DOC), "§12").id, "the key passage",
                   coder="alice")
    with Project.open(bob.project) as b:
        b.update_code(b.code("foreign funding"), name="foreign money", coder="bob")
        b.tag([b.paragraph(b.document(DOC), "§17").id], [b.code("foreign money").id],
              coder="bob", memo="UK and US grants")
        b.set_memo("code", b.code("foreign money").id, "includes grants", coder="bob")
    for machine in (alice, bob, carol):
        assert machine("reviewed", DOC).exit_code == 0
    return team


def test_three_coders_sync_twice_and_hold_the_same_project(study_cli: Cli,
                                                            tmp_path: Path) -> None:
    team = start(study_cli, tmp_path)
    alice, bob = team["alice"], team["bob"]
    money = code_guid(bob.project, "foreign money")
    raids = code_guid(alice.project, "police raids")
    first = team.round()
    assert "no one else has published" in first["alice"]
    assert "alice: 3 codings, 1 code, 1 memo, 1 review mark" in first["bob"], first["bob"]
    team.round()
    dumps = {coder: dump(team[coder].project) for coder in CODERS}
    assert dumps["alice"] == dumps["bob"] == dumps["carol"]
    held = dumps["alice"]
    # What everyone holds, stated from the outside: every coder's codings, alice's code,
    # bob's rename, the memos and the three review marks.
    assert {(c[1], c[2], c[3]) for c in held["codings"]} >= {
        ("§10", _guid(held, "generational shift"), "alice"), ("§20", raids, "alice"),
        ("§16", money, "bob"), ("§17", money, "bob"),
        ("§13", _guid(held, "2006 NGO law"), "carol")}
    assert len(held["codings"]) == 7
    assert held["codes"][money][1] == "foreign money"
    assert held["codes"][raids][1] == "police raids"
    assert held["codes"][raids][6] == "searches of NGO offices"
    assert ("code", money, "bob", "includes grants") in held["memos"]
    assert ("paragraph", f"{DOC} §12", "alice", "the key passage") in held["memos"]
    assert (DOC, "§17", money, "bob", "UK and US grants") in held["codings"]
    assert held["reviews"] == {(DOC, "alice"), (DOC, "bob"), (DOC, "carol")}
    # A third round changes nothing: no project gains an event, no file is rewritten.
    before = {c: events(team[c].project) for c in CODERS}
    files = {p.name: p.stat().st_mtime_ns for p in alice.folder.iterdir()}
    third = team.round()
    assert {c: events(team[c].project) for c in CODERS} == before
    assert {p.name: p.stat().st_mtime_ns for p in alice.folder.iterdir()} == files
    assert "is up to date" in third["carol"] and "nothing new" in third["carol"]
    for coder in CODERS:
        checked = team[coder]("check", "--json")
        assert checked.exit_code == 0, checked.output
        assert json.loads(checked.output)["checked"]["reviews"] == 3


def _guid(held: dict[str, dict[str, tuple[object, ...]]], name: str) -> str:
    return next(guid for guid, row in held["codes"].items() if row[1] == name)


def test_bad_files_are_skipped_with_one_line_each(study_cli: Cli, tmp_path: Path) -> None:
    team = start(study_cli, tmp_path)
    alice, bob, carol = team["alice"], team["bob"], team["carol"]
    team.round()
    team.round()
    guid = project_guid(alice.project)
    folder = bob.folder
    # dave's file, still arriving: cut short mid-page.
    dave = tmp_path / "dave.db"
    shutil.copy(study_cli.path, dave)
    assert Cli(dave)("tag", DOC, "§30", "regional variation", coder="dave").exit_code == 0
    published = tmp_path / "dave-published"
    published.mkdir()
    daves_machine = Machine("dave", dave, tmp_path / "dave-state", published)
    daves_machine.sync()
    whole = (published / f"{guid}.dave.qcode").read_bytes()
    (folder / f"{guid}.dave.qcode").write_bytes(whole[: len(whole) // 2 + 100])
    # Another project's file, named for its project, and one named for ours.
    other = tmp_path / "other.db"
    assert Cli(other)("init", "--name", "Another study").exit_code == 0
    other_guid = project_guid(other)
    shutil.copy(other, folder / f"{other_guid}.erin.qcode")
    shutil.copy(other, folder / f"{guid}.frank.qcode")
    # A Dropbox conflict copy of carol's file: her second laptop's version, with a code
    # she added there and a consensus decision made there.
    laptop = tmp_path / "carol-laptop.db"
    shutil.copy(carol.project, laptop)
    with Project.open(laptop) as c:
        state = c.add_code("state funding", coder="carol")
        c.tag([c.paragraph(c.document(DOC), "§25").id], [state.id], coder="consensus")
    laptop_view = tmp_path / "carol-laptop-view"
    laptop_view.mkdir()
    Machine("carol", laptop, tmp_path / "carol-laptop-state",
                            laptop_view).sync()
    conflict = f"{guid}.carol (conflicted copy 2026-12-03).qcode"
    shutil.copy(laptop_view / f"{guid}.carol.qcode", folder / conflict)
    before = dump(bob.project)
    result = bob.sync()
    lines = result.output.splitlines()
    skipped = [line for line in lines if line.startswith("skipped")]
    assert sorted(skipped) == sorted([
        f"skipped {guid}.dave.qcode: incomplete: {len(whole) // 2 + 100:,} of "
        f"{len(whole):,} bytes arrived (still syncing?)",
        f"skipped {other_guid}.erin.qcode: from another project (its name says project "
        f"{other_guid})",
        f"skipped {guid}.frank.qcode: from another project ('Another study')",
    ]), result.output
    assert any(line.startswith("carol (Dropbox conflict copy: ") and "1 coding, 1 code"
               in line for line in lines), result.output
    after = dump(bob.project)
    added = after["codings"] - before["codings"]
    assert {(c[1], c[3]) for c in added} == {("§25", "consensus")}
    assert "state funding" in {row[1] for row in after["codes"].values()}
    assert not any(c[3] == "dave" for c in after["codings"])
    assert bob("check").exit_code == 0
    # Each file stays skipped (or merged) the same way next time: nothing new comes in.
    count = events(bob.project)
    again = bob.sync().output
    assert again.count("skipped") == 3 and events(bob.project) == count


def test_what_a_coder_removes_is_removed_everywhere(study_cli: Cli, tmp_path: Path) -> None:
    team = start(study_cli, tmp_path)
    alice, bob, carol = team["alice"], team["bob"], team["carol"]
    team.round()
    team.round()
    assert bob("untag", DOC, "§16", "foreign money").exit_code == 0
    assert alice("untag", DOC, "§10", "generational shift").exit_code == 0
    assert carol("reviewed", DOC, "--undo").exit_code == 0
    with Project.open(bob.project) as b:
        b.set_memo("code", b.code("foreign money").id, "grants and loans", coder="bob")
    team.round()
    team.round()
    dumps = [dump(team[c].project) for c in CODERS]
    assert dumps[0] == dumps[1] == dumps[2]
    labels = {(c[1], c[3]) for c in dumps[0]["codings"]}
    assert ("§16", "bob") not in labels and ("§10", "alice") not in labels
    assert ("§17", "bob") in labels and ("§20", "alice") in labels
    assert (DOC, "carol") not in dumps[0]["reviews"]
    money = code_guid(bob.project, "foreign money")
    assert ("code", money, "bob", "grants and loans") in dumps[0]["memos"]
    assert ("code", money, "bob", "includes grants") not in dumps[0]["memos"]
    for coder in CODERS:
        assert team[coder]("check").exit_code == 0


def test_each_merged_file_is_one_undoable_change(study_cli: Cli, tmp_path: Path) -> None:
    team = start(study_cli, tmp_path)
    alice, bob = team["alice"], team["bob"]
    alice.sync()
    team.relay()
    team["carol"].sync()
    team.relay()
    before = dump(bob.project)
    bob.sync()
    log = bob("log", "--json")
    syncs = [e for e in json.loads(log.output) if e["action"] == "sync"]
    assert [e["summary"].split(":")[0] for e in syncs] == ["sync carol's file",
                                                            "sync alice's file"]
    assert bob("undo").exit_code == 0
    assert bob("undo").exit_code == 0
    assert dump(bob.project) == before


def test_dry_run_changes_nothing_and_publishes_nothing(study_cli: Cli,
                                                       tmp_path: Path) -> None:
    team = start(study_cli, tmp_path)
    alice, bob = team["alice"], team["bob"]
    alice.sync()
    team.relay()
    before = dump(bob.project)
    listing = sorted(p.name for p in bob.folder.iterdir())
    result = bob.sync("--dry-run")
    assert "dry run: alice: 3 codings, 1 code" in result.output
    assert "would publish your copy" in result.output
    assert dump(bob.project) == before
    assert sorted(p.name for p in bob.folder.iterdir()) == listing


def test_a_bare_sync_uses_the_folder_this_machine_synced_through(study_cli: Cli,
                                                                 tmp_path: Path) -> None:
    team = start(study_cli, tmp_path)
    alice = team["alice"]
    before = digest(alice.project)
    assert_refused(alice("sync"), "no sync folder for this project on this machine")
    assert_refused(alice("sync", str(tmp_path / "nowhere")), "nowhere: no such folder")
    assert_refused(alice("sync", str(alice.project)), "is a file, not a folder")
    assert digest(alice.project) == before and not list(alice.folder.iterdir())
    alice.sync()
    again = alice("sync")
    assert again.exit_code == 0 and "is up to date" in again.output
    inside = team["bob"]
    moved = inside.folder / "study.db"
    shutil.copy(inside.project, moved)
    before = digest(moved)
    assert_refused(inside("-p", str(moved), "sync", str(inside.folder)),
                   "is inside the sync folder")
    assert digest(moved) == before


def test_conflicting_renames_are_reported_in_the_sync(study_cli: Cli, tmp_path: Path) -> None:
    team = start(study_cli, tmp_path)
    alice, carol = team["alice"], team["carol"]
    with Project.open(carol.project) as c:
        c.update_code(c.code("foreign funding"), name="funding from abroad", coder="carol")
    team.round()
    said = team.round()
    assert ("not settled 'funding from abroad' is 'foreign money' in bob's file: renamed "
            "on both sides") in " ".join(said["carol"].split()), said["carol"]
    names = {row[1] for row in dump(carol.project)["codes"].values()}
    assert "funding from abroad" in names and "foreign money" not in names
    assert "foreign money" in {row[1] for row in dump(alice.project)["codes"].values()}
    # Said again at every sync until someone settles it, then no more.
    again = " ".join(carol.sync().output.split())
    assert "not settled 'funding from abroad' is 'foreign money' in bob's file" in again
    with Project.open(carol.project) as c:
        c.update_code(c.code("funding from abroad"), name="foreign money", coder="carol")
    team.round()  # alice still meets carol's old file: said once more
    settled = team.round()
    assert not any("not settled" in said for said in settled.values()), settled
    names = {row[1] for row in dump(alice.project)["codes"].values()}
    assert "foreign money" in names and "funding from abroad" not in names
