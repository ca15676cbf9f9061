"""A colleague's codebook without definitions: `codebook diff` shows the structure first
and sums the text changes up; `codebook merge` keeps our names and places by default
and says what it did not take."""

from __future__ import annotations

import json
from pathlib import Path

from qcode import Project
from qcode.core.codebook.model import TEXT_FIELDS, CodeSpec
from qcode.core.codebook.yaml_format import dump_yaml
from qcode.exchange.formats import read_codebook
from tests.conftest import CODEBOOK, Cli


def colleague(tmp_path: Path) -> Path:
    """The study codebook as a colleague keeps it: no definitions, two codes added, one
    renamed, one moved."""
    book = read_codebook(CODEBOOK)
    for spec, _parent, _depth in book.walk():
        for key in TEXT_FIELDS:
            setattr(spec, key, None)
    strategies = book.codes[1]
    strategies.children[0].name = "generational change"
    strategies.children.append(CodeSpec(name="memory politics"))
    book.codes[2].children.append(CodeSpec(name="foreign agents law"))
    strategies.children.append(book.codes[0].children.pop(2))  # turnover of officials
    path = tmp_path / "colleague.yaml"
    path.write_text(dump_yaml(book), encoding="utf-8")
    return path


def test_diff_shows_structure_first_and_sums_up_texts(study_cli: Cli, tmp_path: Path) -> None:
    path = colleague(tmp_path)
    lines = study_cli("codebook", "diff", "project", str(path)).output.splitlines()
    assert lines[1:5] == [
        "+ added    'memory politics' under 'cooperation strategies'",
        "+ added    'foreign agents law' under 'state pressure on NGOs'",
        "~ renamed  'generational shift' → 'generational change' (same GUID)",
        "↳ moved    'turnover of officials': 'relations with the power ministries' → "
        "'cooperation strategies'",
    ]
    summary = " ".join(" ".join(lines[5:]).split())
    assert len(lines) <= 8
    assert summary.startswith("✎ texts differ in 35 codes (only in A: ")
    assert "definition 35" in summary and "--text shows them word by word" in summary
    full = study_cli("codebook", "diff", "project", str(path), "--text").output.splitlines()
    assert full[1:5] == lines[1:5]
    assert sum(line.startswith("✎ text     definition of") for line in full) == 35
    data = json.loads(study_cli("codebook", "diff", "project", str(path), "--json").output)
    assert sum(c["kind"] == "text" for c in data["changes"]) > 35  # JSON: everything


def test_merge_keeps_our_names_and_places_and_reports_theirs(
        study_cli: Cli, tmp_path: Path) -> None:
    path = colleague(tmp_path)
    with Project.open(study_cli.path, readonly=True) as project:
        before = project.codebook()
    result = study_cli("codebook", "merge", str(path))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "(rule: ours;" in out
    assert "[ ] rename    'generational shift' → 'generational change'" in out
    assert "[ ] move      'turnover of officials'" in out
    assert "[✓] add       'memory politics' under 'cooperation strategies'" in out
    assert "kept ours where theirs differ (1 name, 1 place" in " ".join(out.split())
    assert "done: 2 codes added" in out
    with Project.open(study_cli.path, readonly=True) as project:
        names = {c.name: c for c in project.codes()}
        assert "generational shift" in names and "generational change" not in names
        turnover = names["turnover of officials"]
        assert project.code_by_id(turnover.parent_id).name == (  # type: ignore[arg-type]
            "relations with the power ministries")
        assert {"memory politics", "foreign agents law"} <= set(names)
        # Our definitions are all still there.
        assert all(spec.definition for spec, _p, _d in before.walk())
        after = {spec.guid: spec.definition for spec, _p, _d in project.codebook().walk()}
        assert all(after[spec.guid] == spec.definition for spec, _p, _d in before.walk())


def test_both_is_still_there_for_those_who_want_theirs(study_cli: Cli, tmp_path: Path) -> None:
    path = colleague(tmp_path)
    result = study_cli("codebook", "merge", str(path), "--definitions", "both")
    assert "[✓] rename    'generational shift' → 'generational change'" in result.output
    with Project.open(study_cli.path, readonly=True) as project:
        assert "generational change" in {c.name for c in project.codes()}
