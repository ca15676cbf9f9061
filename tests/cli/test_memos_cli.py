"""Memos everywhere: written with `qcode memo` (as `m` does in the terminal UI), shown by
`qcode show`, carried by `report segments` and every `report all` format (issue 12)."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from pathlib import Path

import pytest

from tests.conftest import Cli

DOC = "sieca-kozlowski-2009"
RV = "regional variation"


def test_write_read_and_delete_memos_on_a_paragraph_and_a_document(study_cli: Cli) -> None:
    cli = study_cli
    assert cli("memo", DOC, "§12", "Regions differ here", coder="alice").exit_code == 0
    assert cli("memo", DOC, "--text", "Read twice", coder="bob").exit_code == 0
    shown = json.loads(cli("memo", DOC, "§12", "--json").output)
    assert shown["memos"] == [{"coder": "alice", "text": "Regions differ here"}]
    shown = json.loads(cli("memo", DOC, "--json").output)
    assert shown == {"target": "document", "where": DOC,
                     "memos": [{"coder": "bob", "text": "Read twice"}]}
    # One change each, undone like any other.
    assert cli("undo", coder="bob").exit_code == 0
    assert json.loads(cli("memo", DOC, "--json").output)["memos"] == []
    assert cli("memo", DOC, "§12", "--delete", coder="alice").exit_code == 0
    assert "no memo on" in cli("memo", DOC, "§12").output


def test_show_lists_every_kind_of_memo(study_cli: Cli) -> None:
    cli = study_cli
    cli("tag", DOC, "§12", RV, "--memo", "on the coding", coder="alice")
    cli("memo", DOC, "§12", "on the paragraph", coder="alice")
    cli("memo", DOC, "--text", "on the document", coder="bob")
    data = json.loads(cli("show", DOC, "--json").output)
    assert data["memos"] == [{"coder": "bob", "text": "on the document"}]
    (p12,) = [p for p in data["paragraphs"] if p["label"] == "§12"]
    assert p12["memos"] == [{"coder": "alice", "text": "on the paragraph"}]
    assert p12["codes"] == [{"code": RV, "coder": "alice", "memo": "on the coding"}]
    text = cli("show", DOC).output
    for line in ("memo (bob): on the document", "memo (alice): on the paragraph",
                 f"memo on {RV} (alice): on the coding"):
        assert line in text


def test_report_segments_and_all_carry_paragraph_and_document_memos(
        study_cli: Cli, tmp_path: Path) -> None:
    cli = study_cli
    cli("tag", DOC, "§12", RV, coder="alice")
    cli("memo", DOC, "§12", "a striking answer", coder="alice")
    cli("memo", DOC, "--text", "an article, not an interview", coder="bob")
    rows = list(csv.DictReader(io.StringIO(
        cli("report", "segments", RV, "--format", "csv").output)))
    assert [(r["ref"], r["paragraph_memos"], r["document_memos"]) for r in rows] == [
        ("§12", "alice: a striking answer", "bob: an article, not an interview")]
    for suffix in ("md", "html", "json"):
        out = tmp_path / f"all.{suffix}"
        assert cli("report", "all", "-o", str(out), "--segments").exit_code == 0
        written = out.read_text(encoding="utf-8")
        assert "a striking answer" in written, suffix
        assert "an article, not an interview" in written, suffix


def test_an_editor_writes_the_memo_and_a_failing_one_changes_nothing(
        study_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli = study_cli
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf "written in an editor\\n" > "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(editor))
    assert cli("memo", DOC, "§13", "--edit", coder="alice").exit_code == 0
    assert "written in an editor" in cli("memo", DOC, "§13").output
    failing = tmp_path / "fail.sh"
    failing.write_text("#!/bin/sh\nexit 3\n")
    failing.chmod(failing.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(failing))
    result = cli("memo", DOC, "§13", "--edit", coder="alice")
    assert result.exit_code == 2 and "the editor failed" in result.output
    assert "written in an editor" in cli("memo", DOC, "§13").output
    assert os.environ["EDITOR"] == str(failing)
