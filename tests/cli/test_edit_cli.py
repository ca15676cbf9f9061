"""`qcode edit`: correcting a transcript keeps its coding (issue 16).

The must-show: on the bundled study, one corrected file fixes a word in §12, splits §13
in two, joins §14 and §15, deletes an uncoded paragraph and inserts a new one; every
coding ends where its text went, the log holds one event, undo restores the exact
previous rows, and `qcode check` is healthy after each step."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from qcode import Project
from qcode.core.spans import load
from tests.conftest import Cli
from tests.refusals import assert_refused, digest

DOC = "sieca-kozlowski-2009"
RV, AH, TO, PR = ("regional variation", "access to the hierarchy", "turnover of officials",
                  "personal relations with officials")
NEW = "A paragraph the transcriber had left out, added for the test."
TABLES = ("documents", "paragraphs", "codings", "memos", "reviews", "codes",
          "document_attributes")


def rows_digest(path: Path) -> str:
    """Every row of the research data (text, paragraphs, codings, memos, marks)."""
    conn = sqlite3.connect(path)
    h = hashlib.sha256()
    for table in TABLES:
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
            h.update(repr(row).encode())
    conn.close()
    return h.hexdigest()


def texts(path: Path) -> dict[str, str]:
    with Project.open(path, readonly=True) as project:
        doc = project.document(DOC)
        return {p.label or "": p.text for p in project.paragraphs(doc.id)}


def codings(path: Path) -> list[dict[str, Any]]:
    """(label, text, code, coder, spans as the text they cover)."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    with Project.open(path, readonly=True) as project:
        full = project.document_text(project.document(DOC).id)
    found = []
    for r in conn.execute(
            "SELECT p.label, p.text, c.name AS code, k.name AS coder, g.spans, g.memo "
            "FROM codings g JOIN paragraphs p ON p.id = g.paragraph_id "
            "JOIN codes c ON c.id = g.code_id JOIN coders k ON k.id = g.coder_id "
            "ORDER BY p.ordinal, c.name"):
        spans = [full[s.start:s.end] for s in load(r["spans"])] if r["spans"] else None
        found.append({"label": r["label"], "text": r["text"], "code": r["code"],
                      "coder": r["coder"], "spans": spans, "memo": r["memo"]})
    conn.close()
    return found


def healthy(cli: Cli) -> None:
    result = cli("check")
    assert result.exit_code == 0, result.output


@pytest.fixture
def coded(study_cli: Cli) -> Cli:
    cli = study_cli
    for args, coder in ((("§12", RV), "alice"), (("§13", AH), "alice"), (("§13", TO), "bob"),
                        (("§14", PR), "alice"), (("§15", RV), "bob")):
        assert cli("tag", DOC, *args, coder=coder).exit_code == 0
    assert cli("memo", DOC, "§15", "the paragraph after the list", coder="alice").exit_code == 0
    assert cli("reviewed", DOC, coder="alice").exit_code == 0
    return cli


def corrected_file(cli: Cli, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The study's editable text with the five corrections; and the texts they make."""
    old = texts(cli.path)
    text = cli("edit", DOC, "--print").output
    assert f"[[§12]]\n{old['§12']}\n" in text
    p12 = old["§12"].replace("associations", "organisations", 1)
    assert p12 != old["§12"]
    cut = old["§13"].index(". ") + 2
    first, second = old["§13"][:cut].strip(), old["§13"][cut:].strip()
    text = text.replace(f"[[§12]]\n{old['§12']}\n", f"[[§12]]\n{p12}\n")
    text = text.replace(f"[[§13]]\n{old['§13']}\n", f"[[§13]]\n{first}\n\n{second}\n")
    # Join: the marker line of §15 deleted, its text moved up into §14's block.
    text = text.replace(f"{old['§14']}\n\n[[§15]]\n{old['§15']}\n",
                        f"{old['§14']} {old['§15']}\n")
    # §3 is uncoded: deleted with its marker; a new paragraph after §5.
    text = text.replace(f"[[§3]]\n{old['§3']}\n", "")
    text = text.replace("[[§6]]\n", f"[[new]]\n{NEW}\n\n[[§6]]\n")
    path = tmp_path / "corrected.txt"
    path.write_text(text, encoding="utf-8")
    return path, {"§12": p12, "§13": first, "§13 (2)": second,
                  "§14": f"{old['§14']} {old['§15']}", "old §14": old["§14"],
                  "old §15": old["§15"], "old §3": old["§3"]}


def test_a_corrected_file_keeps_every_coding_where_its_text_went(
        coded: Cli, tmp_path: Path) -> None:
    cli = coded
    path, want = corrected_file(cli, tmp_path)
    before = rows_digest(cli.path)
    events_before = len(json.loads(cli("log", "--json").output))
    healthy(cli)

    # Without --yes: the plan, and nothing changed (codings are split and joined).
    refused = cli("edit", DOC, "--from", str(path))
    assert refused.exit_code == 2
    assert "1 changed, 1 split, 1 joined, 1 removed, 1 added" in refused.output
    assert "copied: coding 'access to the hierarchy' (alice) §13 -> §13 (2)" in refused.output
    assert "moved: coding 'regional variation' (bob) §15 -> §14" in refused.output
    assert rows_digest(cli.path) == before

    done = cli("edit", DOC, "--from", str(path), "--yes")
    assert done.exit_code == 0, done.output
    healthy(cli)
    after = rows_digest(cli.path)
    now = texts(cli.path)
    assert now["§12"] == want["§12"]
    assert now["§13"] == want["§13"] and now["§13 (2)"] == want["§13 (2)"]
    assert now["§14"] == want["§14"] and "§15" not in now
    assert want["old §3"] not in now.values() and NEW in now.values()
    found = {(c["label"], c["code"], c["coder"]): c for c in codings(cli.path)}
    assert set(found) == {("§12", RV, "alice"), ("§13", AH, "alice"), ("§13", TO, "bob"),
                          ("§13 (2)", AH, "alice"), ("§13 (2)", TO, "bob"),
                          ("§14", PR, "alice"), ("§14", RV, "bob")}
    # The corrected paragraph and both halves of the split: whole-paragraph codings.
    for key in [("§12", RV, "alice"), ("§13", AH, "alice"), ("§13", TO, "bob"),
                ("§13 (2)", AH, "alice"), ("§13 (2)", TO, "bob")]:
        assert found[key]["spans"] is None, key
    # The joined paragraph: each coding holds exactly the text it was made on.
    assert found[("§14", PR, "alice")]["spans"] == [want["old §14"]]
    assert found[("§14", RV, "bob")]["spans"] == [want["old §15"]]
    # The paragraph memo went with its text; the review mark stays on the document.
    memo = json.loads(cli("memo", DOC, "§14", "--json").output)["memos"]
    assert memo == [{"coder": "alice", "text": "the paragraph after the list"}]
    # The search index follows: the corrected word finds §12, the old one no longer.
    conn = sqlite3.connect(cli.path)
    hits = {r[0] for r in conn.execute(
        "SELECT label FROM paragraphs WHERE id IN (SELECT rowid FROM paragraphs_fts "
        "WHERE paragraphs_fts MATCH 'organisations')")}
    conn.close()
    assert "§12" in hits
    log = json.loads(cli("log", "--json").output)
    assert len(log) == events_before + 1 and log[0]["action"] == "edit"

    assert cli("undo").exit_code == 0
    healthy(cli)
    assert rows_digest(cli.path) == before
    assert cli("redo").exit_code == 0
    healthy(cli)
    assert rows_digest(cli.path) == after


def test_editor_unchanged_or_failing_changes_nothing(coded: Cli, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    cli = coded
    before = digest(cli.path)
    script = tmp_path / "editor.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("VISUAL", str(script))
    result = cli("edit", DOC)
    assert result.exit_code == 0 and "nothing to change" in result.output
    script.write_text("#!/bin/sh\nexit 3\n")
    assert_refused(cli("edit", DOC), "editor failed")
    assert digest(cli.path) == before


def test_editor_correction_is_applied(coded: Cli, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """$EDITOR changes a word of §12 (no coding moves, so no confirmation)."""
    cli = coded
    script = tmp_path / "editor.py"
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\n"
                      "p.write_text(p.read_text().replace('Relations between associations',"
                      " 'Relations between organisations', 1))\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    result = cli("edit", DOC)
    assert result.exit_code == 0, result.output
    assert "1 changed" in result.output
    assert texts(cli.path)["§12"].startswith("Relations between organisations")
    assert [c["label"] for c in codings(cli.path) if c["code"] == RV] == ["§12", "§15"]
    healthy(cli)


@pytest.mark.parametrize("content, fragment", [
    ("[[§12]]\ntext\n[[§99]]\nmore\n", "[[§99]] names no paragraph"),
    ("[[§13]]\ntext\n[[§12]]\nmore\n", "cannot be moved"),
    ("[[§12]]\ntext\n[[§12]]\nmore\n", "appears twice"),
])
def test_bad_markers_are_refused(coded: Cli, tmp_path: Path, content: str,
                                 fragment: str) -> None:
    cli = coded
    before = digest(cli.path)
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    assert_refused(cli("edit", DOC, "--from", str(path), "--yes"), fragment)
    assert digest(cli.path) == before


def test_a_file_in_another_encoding(coded: Cli, tmp_path: Path) -> None:
    cli = coded
    before = digest(cli.path)
    text = cli("edit", DOC, "--print").output.replace("École", "Ecole")
    path = tmp_path / "latin.txt"
    path.write_bytes(text.replace("“", '"').replace("”", '"').replace("’", "'")
                     .replace("–", "-").replace("—", "-").replace("…", "...")
                     .replace("§", "§").encode("latin-1", errors="replace"))
    assert_refused(cli("edit", DOC, "--from", str(path), "--yes"), "not UTF-8")
    assert digest(cli.path) == before
    # Told its encoding, it is read.
    result = cli("edit", DOC, "--from", str(path), "--encoding", "latin-1", "--dry-run")
    assert result.exit_code == 0, result.output
    assert digest(cli.path) == before


def test_unchanged_file_is_nothing_to_change(coded: Cli, tmp_path: Path) -> None:
    cli = coded
    before = digest(cli.path)
    path = tmp_path / "same.txt"
    path.write_text(cli("edit", DOC, "--print").output, encoding="utf-8")
    result = cli("edit", DOC, "--from", str(path))
    assert result.exit_code == 0 and "nothing to change" in result.output
    assert digest(cli.path) == before
    assert os.path.exists(path)


def test_an_editor_correction_that_needs_a_yes_is_kept_for_later(
        coded: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not at a terminal, a correction that splits a coded paragraph is not applied; the
    edited text is kept and the line says how to apply it."""
    cli = coded
    before = digest(cli.path)
    script = tmp_path / "editor.py"
    script.write_text("import sys, pathlib\np = pathlib.Path(sys.argv[1])\nt = p.read_text()\n"
                      "j = t.index('. ', t.index('[[§13]]'))\n"
                      "p.write_text(t[:j + 1] + '\\n\\n' + t[j + 2:])\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    result = cli("edit", DOC)
    assert result.exit_code == 2
    line = result.stderr.strip().splitlines()[-1]
    assert "nothing changed" in line and "--yes" in line
    assert digest(cli.path) == before
    kept = Path(line.split("--from ", 1)[1].split(" --yes", 1)[0])
    assert kept.exists()
    assert cli("edit", DOC, "--from", str(kept), "--yes").exit_code == 0
    assert "§13 (2)" in texts(cli.path)
    kept.unlink()
