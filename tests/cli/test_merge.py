"""`qcode merge`: two coders' files become one, idempotently, undoably, losing nothing."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from qcode import Project
from tests.conftest import Cli

DOC = "sieca-kozlowski-2009"


def codings(path: Path) -> set[tuple[str, str, str]]:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT p.label, c.name, k.name FROM codings g JOIN paragraphs p ON p.id = g.paragraph_id "
        "JOIN codes c ON c.id = g.code_id JOIN coders k ON k.id = g.coder_id"
    ).fetchall()
    conn.close()
    return {(r[0], r[1], r[2]) for r in rows}


def split_study(study_cli: Cli, tmp_path: Path) -> tuple[Cli, Cli]:
    """The lead's study file copied to two coders, each coding independently."""
    alice = Cli(tmp_path / "alice.db")
    bob = Cli(tmp_path / "bob.db")
    shutil.copy(study_cli.path, alice.path)
    shutil.copy(study_cli.path, bob.path)
    assert alice("tag", DOC, "§10", "generational shift", coder="alice").exit_code == 0
    assert alice("tag", DOC, "§12", "regional variation", coder="alice").exit_code == 0
    assert bob("tag", DOC, "§12", "regional variation", coder="bob").exit_code == 0
    assert bob("tag", DOC, "§17", "foreign funding", "--memo", "UK/US money", coder="bob").exit_code == 0
    return alice, bob


def test_merge_brings_codings_with_their_coder(study_cli: Cli, tmp_path: Path) -> None:
    alice, bob = split_study(study_cli, tmp_path)
    result = alice("merge", str(bob.path), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["codings_added"] == 2
    assert report["coders_added"] == ["bob"]
    assert report["documents_added"] == []
    assert report["documents_matched"] == [DOC]
    assert report["unplaced"] == []
    assert codings(alice.path) == {
        ("§10", "generational shift", "alice"), ("§12", "regional variation", "alice"),
        ("§12", "regional variation", "bob"), ("§17", "foreign funding", "bob"),
    }
    with Project.open(alice.path) as merged:
        bob_id = merged.find_coder("bob").id
        memo = merged.conn.execute(
            "SELECT memo FROM codings WHERE coder_id = ? AND memo IS NOT NULL", (bob_id,)
        ).fetchone()[0]
        assert memo == "UK/US money"
        with Project.open(bob.path) as original:
            assert merged.find_coder("bob").guid == original.find_coder("bob").guid
    assert list(tmp_path.glob("alice.db.before-merge.*.bak"))


def test_merge_twice_adds_nothing(study_cli: Cli, tmp_path: Path) -> None:
    alice, bob = split_study(study_cli, tmp_path)
    alice("merge", str(bob.path))
    events_before = sqlite3.connect(alice.path).execute("SELECT COUNT(*) FROM events").fetchone()[0]
    again = json.loads(alice("merge", str(bob.path), "--json").output)
    assert again["codings_added"] == 0 and again["codings_present"] == 2
    assert again["event_id"] is None
    events_after = sqlite3.connect(alice.path).execute("SELECT COUNT(*) FROM events").fetchone()[0]
    assert events_after == events_before


def test_merge_is_one_undoable_event(study_cli: Cli, tmp_path: Path) -> None:
    alice, bob = split_study(study_cli, tmp_path)
    before = codings(alice.path)
    alice("merge", str(bob.path))
    undone = alice("undo", coder="alice")
    assert "merge bob.db" in undone.output
    assert codings(alice.path) == before


def test_dry_run_changes_nothing(study_cli: Cli, tmp_path: Path) -> None:
    alice, bob = split_study(study_cli, tmp_path)
    before = codings(alice.path)
    report = json.loads(alice("merge", str(bob.path), "--dry-run", "--json").output)
    assert report["codings_added"] == 2 and report["dry_run"] is True
    assert codings(alice.path) == before


def test_new_documents_codes_and_unplaceable_codings(study_cli: Cli, tmp_path: Path) -> None:
    alice, bob = split_study(study_cli, tmp_path)
    transcript = tmp_path / "chikov.txt"
    transcript.write_text("Q: Question?\n\nA: Агора работает.\n", encoding="utf-8")
    assert bob("import", str(transcript), coder="bob").exit_code == 0
    with Project.open(bob.path) as b:
        new = b.add_code("police violence", coder="bob")
        doc = b.document("chikov")
        b.tag([b.paragraph(doc, "2").id], [new.id], coder="bob")
        # An edited paragraph: bob's coding on it cannot be placed in alice's file.
        article = b.document(DOC)
        para = b.paragraph(article, "§13")
        b.tag([para.id], [b.code("2006 NGO law").id], coder="bob")
        b.conn.execute("UPDATE paragraphs SET text_hash = 'edited' WHERE id = ?", (para.id,))
    report = json.loads(alice("merge", str(bob.path), "--json").output)
    assert report["documents_added"] == ["chikov"]
    assert report["codes_added"] == ["police violence"]
    assert report["unplaced"] == [
        "sieca-kozlowski-2009 §13 '2006 NGO law': the paragraph's text differs here"]
    merged = codings(alice.path)
    assert (None, "police violence", "bob") in merged  # chikov.txt paragraphs have no label
    assert ("§13", "2006 NGO law", "bob") not in merged
    shown = json.loads(alice("show", "chikov", "--json").output)
    assert shown["paragraphs"][1]["codes"] == [{"code": "police violence", "coder": "bob",
                                                "memo": None}]
    assert shown["paragraphs"][1]["text"] == "Агора работает."


def test_merge_refuses_itself_and_missing_files(study_cli: Cli, tmp_path: Path) -> None:
    itself = study_cli("merge", str(study_cli.path))
    assert itself.exit_code == 2 and "into itself" in itself.stderr
    missing = study_cli("merge", str(tmp_path / "nope.db"))
    assert missing.exit_code == 2 and "nope.db" in missing.stderr


def reviews(path: Path) -> set[tuple[str, str]]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT d.name, k.name FROM reviews r JOIN documents d "
                        "ON d.id = r.document_id JOIN coders k ON k.id = r.coder_id").fetchall()
    conn.close()
    return {(r[0], r[1]) for r in rows}


def code_names(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT guid, name FROM codes").fetchall()
    conn.close()
    return {r[0]: r[1] for r in rows}


def test_merge_brings_review_marks_and_check_replays_them(study_cli: Cli,
                                                          tmp_path: Path) -> None:
    alice, bob = split_study(study_cli, tmp_path)
    assert bob("reviewed", DOC, coder="bob").exit_code == 0
    report = json.loads(alice("merge", str(bob.path), "--json").output)
    assert report["reviews_added"] == 1
    assert reviews(alice.path) == {(DOC, "bob")}
    again = json.loads(alice("merge", str(bob.path), "--json").output)
    assert again["reviews_added"] == 0 and again["event_id"] is None
    checked = json.loads(alice("check", "--json").output)
    assert checked["healthy"], checked["problems"]
    assert checked["checked"]["reviews"] == 1
    alice("undo", coder="alice")
    assert reviews(alice.path) == set()


def test_a_code_renamed_on_one_side_ends_as_one_code(study_cli: Cli, tmp_path: Path) -> None:
    alice, bob = split_study(study_cli, tmp_path)
    with Project.open(bob.path) as b:
        b.update_code(b.code("foreign funding"), name="foreign money", coder="bob")
        b.tag([b.paragraph(b.document(DOC), "§18").id], [b.code("foreign money").id],
              coder="bob")
    guid = next(g for g, n in code_names(bob.path).items() if n == "foreign money")
    report = json.loads(alice("merge", str(bob.path), "--json").output)
    assert report["codes_renamed"] == ["'foreign funding' to 'foreign money'"]
    assert report["codes_added"] == [] and report["code_conflicts"] == []
    assert code_names(alice.path)[guid] == "foreign money"
    assert {("§17", "foreign money", "bob"), ("§18", "foreign money", "bob")} <= codings(
        alice.path)
    # Merged back the other way, alice's file (which took the rename) changes nothing.
    back = json.loads(bob("merge", str(alice.path), "--json").output)
    assert back["codes_renamed"] == [] and back["code_conflicts"] == []
    assert code_names(bob.path)[guid] == "foreign money"
    assert json.loads(alice("check", "--json").output)["healthy"]


def test_conflicting_renames_are_reported_not_guessed(study_cli: Cli, tmp_path: Path) -> None:
    alice, bob = split_study(study_cli, tmp_path)
    with Project.open(alice.path) as a:
        a.update_code(a.code("foreign funding"), name="funding from abroad", coder="alice")
    with Project.open(bob.path) as b:
        b.update_code(b.code("foreign funding"), name="foreign money", coder="bob")
    report = json.loads(alice("merge", str(bob.path), "--json").output)
    assert report["codes_renamed"] == []
    assert report["code_conflicts"] == [
        "'funding from abroad' is 'foreign money' in bob.db: renamed on both sides "
        "(kept 'funding from abroad'; rename one of them to settle it)"]
    assert "funding from abroad" in code_names(alice.path).values()
    # Bob's coding on it is there, on the one code.
    assert ("§17", "funding from abroad", "bob") in codings(alice.path)


def test_merge_and_import_reports_give_a_field_one_type(study_cli: Cli, tmp_path: Path) -> None:
    """`qcode merge --json` and `qcode import PROJECT.qdpx --json` describe what came in;
    a field both name (documents_matched, codes_added, codings_added…) has one JSON type
    in both, so a script reads either the same way (issue 12)."""
    alice, bob = split_study(study_cli, tmp_path)
    merged = json.loads(alice("merge", str(bob.path), "--json").output)
    exported = tmp_path / "bob.qdpx"
    assert bob("export", str(exported)).exit_code == 0
    fresh = Cli(tmp_path / "fresh.db")
    assert fresh("init").exit_code == 0
    result = fresh("import", str(exported), "--json")
    assert result.exit_code == 0, result.output
    imported = json.loads(result.output)
    shared = set(merged) & set(imported)
    assert {"documents_added", "documents_matched", "codes_added", "codes_updated",
            "codings_added", "coders_added"} <= shared
    for key in sorted(shared):
        if merged[key] is None or imported[key] is None:
            continue
        assert type(merged[key]) is type(imported[key]), key
    assert imported["documents_added"] == [DOC] and merged["documents_matched"] == [DOC]
    assert "foreign funding" in {p.rsplit("/", 1)[-1] for p in imported["codes_added"]}
