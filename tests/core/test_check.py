"""`qcode check` finds what is wrong, `--repair` fixes what is safe, `qcode backup` copies."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from qcode import Project
from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.model import Block, compose
from qcode.core.store.check import check, replay
from tests.conftest import Cli

DOC = "sieca-kozlowski-2009"


def busy_session(cli: Cli) -> None:
    """A realistic mix of changes: tags, untags, undo, redo, a code merge, memos, import."""
    cli("tag", DOC, "§10", "generational shift")
    cli("tag", DOC, "§12", "regional variation", "personal relations with officials")
    cli("untag", DOC, "§12", "personal relations with officials")
    cli("undo")
    cli("tag", DOC, "§17", "foreign funding", coder="bob")
    cli("undo", coder="bob")
    cli("redo", coder="bob")
    with Project.open(cli.path) as p:
        p.merge_codes(p.code("personal relations with officials"), p.code("regional variation"),
                      coder="alice")
        doc = p.document(DOC)
        p.set_memo("paragraph", p.paragraph(doc, "§12").id, "key passage", coder="alice")
        p.set_attributes(doc, {"region": "Moscow"}, coder="alice")
        p.set_attributes(doc, {"region": None, "year": "2010"}, coder="alice")


def test_a_busy_project_is_healthy_and_replays(study_cli: Cli) -> None:
    busy_session(study_cli)
    result = study_cli("check", "--json")
    report = json.loads(result.output)
    assert result.exit_code == 0, report["problems"]
    assert report["healthy"] is True
    assert report["checked"]["codings"] == 3
    with Project.open(study_cli.path) as p:
        state, documents = replay(p.conn)
        assert len(state["codings"]) == 3
        assert documents == {p.document(DOC).id}
        assert state["document_attributes"][(p.document(DOC).id, "year")]["value"] == "2010"


def test_check_finds_tampering(study_cli: Cli) -> None:
    busy_session(study_cli)
    conn = sqlite3.connect(study_cli.path)
    conn.execute("UPDATE paragraphs SET start = start + 1 WHERE label = '§3'")
    conn.execute(
        "INSERT INTO codings (guid, paragraph_id, code_id, coder_id, created_at) "
        "SELECT 'X', p.id, c.id, 1, 'now' FROM paragraphs p, codes c "
        "WHERE p.label = '§5' AND c.name = 'foreign funding'")
    conn.execute("UPDATE paragraphs SET text_hash = 'bad' WHERE label = '§4'")
    conn.commit()
    conn.close()
    result = study_cli("check", "--json")
    assert result.exit_code == 1
    problems = "\n".join(json.loads(result.output)["problems"])
    assert "¶3: offsets do not cut its text" in problems
    assert "codings: 1 rows not in the event log" in problems
    assert "text hash does not match" in problems


def test_repair_fixes_hashes_after_a_backup(study_cli: Cli, tmp_path: Path) -> None:
    conn = sqlite3.connect(study_cli.path)
    conn.execute("UPDATE paragraphs SET text_hash = 'bad' WHERE label = '§4'")
    conn.commit()
    conn.close()
    assert study_cli("check").exit_code == 1
    repaired = study_cli("check", "--repair", "--json")
    report = json.loads(repaired.output)
    assert repaired.exit_code == 0, report
    assert "recomputed 1 paragraph text hashes" in report["repaired"]
    assert Path(report["backup"]).exists()
    with Project.open(Path(report["backup"])) as old:
        assert not check(old.conn).healthy


def test_backup_command_writes_a_healthy_copy(study_cli: Cli, tmp_path: Path) -> None:
    busy_session(study_cli)
    target = tmp_path / "copy.db"
    assert study_cli("backup", str(target)).exit_code == 0
    with Project.open(target) as copy:
        assert check(copy.conn).healthy
        assert copy.status()["codings"] == 3
    again = study_cli("backup", str(target))
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_check_finds_two_codings_sharing_a_guid(tmp_path: Path) -> None:
    """Coding GUIDs are kept unique by the writer, not an index; check verifies it."""
    with Project.create(tmp_path / "p.db") as project:
        project.load_codebook(Codebook(name="c", codes=[CodeSpec(name="x"), CodeSpec(name="y")]),
                              coder="alice")
        doc = project.add_document(compose("d", [Block("paragraph", "one"),
                                                  Block("paragraph", "two")]), coder="alice")
        ids = [p.id for p in project.paragraphs(doc.id)]
        project.tag(ids, [project.code("x").id], coder="alice")
        assert check(project.conn).healthy
        project.conn.execute("UPDATE codings SET guid = (SELECT MIN(guid) FROM codings)")
        problems = check(project.conn).problems
        assert any("share the GUID" in p for p in problems), problems


def test_review_marks_are_replayed(study_cli: Cli) -> None:
    assert study_cli("reviewed", DOC).exit_code == 0
    assert json.loads(study_cli("check", "--json").output)["healthy"]
    conn = sqlite3.connect(study_cli.path)
    conn.execute("DELETE FROM reviews")
    conn.execute("INSERT INTO reviews (document_id, coder_id, reviewed_at) "
                 "SELECT d.id, k.id, 'now' FROM documents d, coders k")
    conn.commit()
    conn.close()
    report = json.loads(study_cli("check", "--json").output)
    assert any(p.startswith("reviews: 1 rows differ from the log") for p in report["problems"]), \
        report["problems"]
