"""``qcode codebook export|import|load|diff|merge`` as a researcher runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.codebook.model import CodeSpec
from qcode.core.codebook.yaml_format import dump_yaml
from qcode.exchange.formats import read_codebook
from qcode.exchange.refi_qdc import write_qdc
from tests.conftest import CODEBOOK, Cli
from tests.exchange.strategies import SAMPLES

DOC = "sieca-kozlowski-2009"


def fresh(tmp_path: Path, name: str) -> Cli:
    cli = Cli(tmp_path / f"{name}.db")
    assert cli("init").exit_code == 0
    return cli


@pytest.mark.parametrize("suffix", [".yaml", ".qdc", ".csv"])
def test_export_then_import_into_a_new_project_gives_the_same_codebook(
    study_cli: Cli, tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"shared{suffix}"
    result = study_cli("codebook", "export", str(path))
    assert result.exit_code == 0, result.output
    assert f"wrote 35 codes to {path}" in result.output
    other = fresh(tmp_path, "other")
    result = other("codebook", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "35 added" in result.output
    with Project.open(study_cli.path) as mine, Project.open(other.path) as theirs:
        assert theirs.codebook().codes == mine.codebook().codes


def test_export_markdown_and_to_standard_output(study_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "appendix.md"
    assert study_cli("codebook", "export", str(path)).exit_code == 0
    assert path.read_text(encoding="utf-8").startswith("# NGOs and the power ministries")
    result = study_cli("codebook", "export", "-", "--format", "qdc")
    assert result.output.startswith('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook')
    yaml_out = study_cli("codebook", "export", "-")
    assert yaml_out.output == dump_yaml(read_codebook(CODEBOOK))


def test_import_of_a_qdpx_takes_just_the_codebook(cli: Cli) -> None:
    assert cli("init").exit_code == 0
    result = cli("codebook", "import", str(SAMPLES / "nvivo-win-12.6__oltas0517.qdpx"))
    assert result.exit_code == 0, result.output
    assert "152 added" in result.output
    status = json.loads(cli("status", "--json").output)
    assert (status["codes"], status["documents"], status["codings"]) == (152, 0, 0)


def test_format_option_overrides_the_extension(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    path = tmp_path / "codebook.txt"
    path.write_text("tag,description\nsecurity,feeling safe\n", encoding="utf-8")
    assert cli("codebook", "import", str(path)).exit_code == 2
    result = cli("codebook", "import", str(path), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert "1 added" in result.output


def test_unknown_extension_and_unreadable_format_fail_in_one_line(study_cli: Cli,
                                                                   tmp_path: Path) -> None:
    result = study_cli("codebook", "import", str(tmp_path / "codes.docx"))
    assert result.exit_code == 2
    assert "cannot tell the format from '.docx'" in result.stderr
    result = study_cli("codebook", "export", str(tmp_path / "codes.qdpx"))
    assert result.exit_code == 2 and "say --format" in result.stderr


def test_load_still_reads_yaml_and_refuses_other_formats(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    assert "35 added" in cli("codebook", "load", str(CODEBOOK)).output
    result = cli("codebook", "load", str(SAMPLES / "taguette-1.4.1__codebook.qdc"))
    assert result.exit_code == 2
    assert "taguette-1.4.1__codebook.qdc" in result.stderr


def diverge(study_cli: Cli, tmp_path: Path) -> Path:
    """Ours gets a typo'd duplicate with codings; theirs renames a code and adds one."""
    assert study_cli("tag", DOC, "§12", "regional variation").exit_code == 0
    assert study_cli("tag", DOC, "§12", "regional variation", coder="bob").exit_code == 0
    with Project.open(study_cli.path) as project:
        project.add_code("regional variaton", coder="bob",
                         parent=project.code("relations with the power ministries"))
    assert study_cli("tag", DOC, "§13", "regional variaton", coder="bob").exit_code == 0
    assert study_cli("tag", DOC, "§12", "regional variaton", coder="bob").exit_code == 0
    theirs = read_codebook(CODEBOOK)
    strategies = theirs.codes[1]
    strategies.children[0].name = "generational change"
    strategies.children.append(CodeSpec(name="memory politics"))
    path = tmp_path / "bobs-codebook.yaml"
    path.write_text(dump_yaml(theirs), encoding="utf-8")
    return path


def test_diff_between_the_project_and_a_diverged_file(study_cli: Cli, tmp_path: Path) -> None:
    path = diverge(study_cli, tmp_path)
    result = study_cli("codebook", "diff", "project", str(path))
    assert result.exit_code == 0, result.output
    assert "~ renamed  'generational shift' → 'generational change' (same GUID)" in result.output
    assert "+ added    'memory politics' under 'cooperation strategies'" in result.output
    assert "- removed  'regional variaton'" in result.output
    data = json.loads(study_cli("codebook", "diff", str(path), "project", "--json").output)
    kinds = sorted(c["kind"] for c in data["changes"])
    assert kinds == ["added", "removed", "renamed"]
    assert data["a"]["codes"] == 36 and data["b"]["codes"] == 36


def test_merge_dry_run_then_merge_then_undo(study_cli: Cli, tmp_path: Path) -> None:
    path = diverge(study_cli, tmp_path)
    with Project.open(study_cli.path) as project:
        before = project.codebook(), project.status()["codings"]
    dry = study_cli("codebook", "merge", str(path), "--dry-run", "--definitions", "both")
    assert dry.exit_code == 0, dry.output
    assert "[?] duplicate our 'regional variaton' into 'regional variation'" in dry.output
    assert "--accept-fuzzy" in dry.output
    assert "would do: 1 code added, 1 renamed" in dry.output
    with Project.open(study_cli.path) as project:
        assert project.codebook() == before[0]

    merged = study_cli("codebook", "merge", str(path), "--accept-fuzzy", "--definitions", "both")
    assert merged.exit_code == 0, merged.output
    assert "[✓] duplicate our 'regional variaton'" in merged.output
    assert "2 codings reassigned" in merged.output
    with Project.open(study_cli.path) as project:
        names = {c.name for c in project.codes()}
        assert {"generational change", "memory politics"} <= names
        assert "regional variaton" not in names
        regional = project.code("regional variation")
        assert project.code_counts()[regional.id] == 2   # §12 (alice, bob) and §13 (bob)
        assert project.status()["codings"] == before[1] - 1  # bob's §12 was there twice

    undone = study_cli("undo")
    assert undone.exit_code == 0 and "merge codebook from bobs-codebook.yaml" in undone.output
    with Project.open(study_cli.path) as project:
        assert project.codebook() == before[0]
        assert project.status()["codings"] == before[1]


def test_merge_json_and_definitions_rule(study_cli: Cli, tmp_path: Path) -> None:
    theirs = read_codebook(CODEBOOK)
    theirs.codes[0].definition = "A shorter umbrella definition."
    path = tmp_path / "theirs.qdc"
    path.write_bytes(write_qdc(theirs))
    result = study_cli("codebook", "merge", str(path), "--definitions", "theirs", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    (text,) = [p for p in data["plan"]["proposals"] if p["kind"] == "text"]
    assert (text["field"], text["after"], text["accepted"]) == (
        "definition", "A shorter umbrella definition.", True)
    assert data["outcome"]["fields"] == 1 and data["outcome"]["event_id"] is not None
    assert read_codebook(path).codes[0].definition == "A shorter umbrella definition."
    with Project.open(study_cli.path) as project:
        assert project.codes()[0].definition == "A shorter umbrella definition."


def test_import_that_collides_by_name_points_to_merge(study_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "same-names.csv"
    path.write_text("tag,description\nNGO impact,another GUID for the same name\n",
                    encoding="utf-8")
    with Project.open(study_cli.path) as project:
        events = project.status()["events"]
    result = study_cli("codebook", "import", str(path))
    assert result.exit_code == 2
    assert "a code named 'NGO impact' already exists" in result.stderr
    assert f"use `qcode codebook merge {path}`" in result.stderr
    with Project.open(study_cli.path) as project:
        assert project.status()["events"] == events
