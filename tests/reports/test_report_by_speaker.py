"""`report frequencies --by speaker`: what each speaker said that was coded, counted
with the same roll-up as every report."""

from __future__ import annotations

import json
from pathlib import Path

from qcode import Project
from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.ingest import read_document
from qcode.reports.filters import ReportFilter
from qcode.reports.frequencies import frequencies
from tests.conftest import Cli

CODER = "alice"
FIRST = """Moderator: How did it start?

resp-2: With a letter from the ministry.

They wanted our accounts.

Moderator: And then?

resp-2: An inspection, then another.
"""
SECOND = """[00:00:05] Moderator: Who pays?

[00:00:09] Dr. Ortiz: Foreign foundations, mostly.

Untitled remark without a speaker label.
"""


def build(project: Project, tmp_path: Path) -> None:
    for name, text in (("one", FIRST), ("two", SECOND)):
        path = tmp_path / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        project.add_document(read_document(path), coder=CODER)
    project.load_codebook(Codebook(name="t", codes=[CodeSpec(name="pressure", children=[
        CodeSpec(name="inspections"), CodeSpec(name="letters")]), CodeSpec(name="money")]),
        coder=CODER)
    one, two = project.document("one"), project.document("two")

    def tag(document: str, ordinal: int, code: str, coder: str = CODER) -> None:
        paragraph = project.paragraph(project.document(document), f"#{ordinal}")
        project.tag([paragraph.id], [project.code(code).id], coder=coder)

    assert [p.speaker for p in project.paragraphs(one.id)] == [
        "Moderator", "resp-2", "resp-2", "Moderator", "resp-2"]
    # Dr. Ortiz carries on into the last paragraph of "two" (the same turn).
    assert [p.speaker for p in project.paragraphs(two.id)] == [
        "Moderator", "Dr. Ortiz", "Dr. Ortiz"]
    tag("one", 2, "letters")
    tag("one", 3, "letters")
    tag("one", 3, "inspections", coder="bob")
    tag("one", 5, "inspections")
    tag("one", 4, "inspections")
    tag("two", 2, "money")
    tag("two", 3, "money", coder="bob")


def table(rows: list) -> dict[tuple[str, str | None], tuple[int, ...]]:  # type: ignore[type-arg]
    return {(r.code, r.group): (r.paragraphs, r.documents, r.codings, r.own_paragraphs,
                                r.own_codings, r.total_paragraphs) for r in rows}


def test_counts_per_speaker_with_the_roll_up(project: Project, tmp_path: Path) -> None:
    build(project, tmp_path)
    rows = frequencies(project, by="speaker")
    assert list(dict.fromkeys(r.group for r in rows)) == ["Dr. Ortiz", "Moderator", "resp-2"]
    found = table(rows)
    # resp-2 said ¶2, ¶3 (one), ¶5: letters on ¶2 ¶3, inspections on ¶3 (bob) and ¶5.
    assert found[("pressure", "resp-2")] == (3, 1, 4, 0, 0, 3)
    assert found[("letters", "resp-2")] == (2, 1, 2, 2, 2, 3)
    assert found[("inspections", "resp-2")] == (2, 1, 2, 2, 2, 3)
    assert found[("pressure", "Moderator")] == (1, 1, 1, 0, 0, 3)
    assert found[("money", "Dr. Ortiz")] == (2, 1, 2, 2, 2, 2)
    assert found[("money", "Moderator")] == (0, 0, 0, 0, 0, 3)
    alice = table(frequencies(project, ReportFilter(coders=(CODER,)), by="speaker"))
    assert alice[("pressure", "resp-2")] == (3, 1, 3, 0, 0, 3)
    assert alice[("money", "Dr. Ortiz")] == (1, 1, 1, 1, 1, 2)


def test_paragraphs_without_a_speaker_are_their_own_group(project: Project,
                                                         tmp_path: Path) -> None:
    build(project, tmp_path)
    path = tmp_path / "notes.txt"
    path.write_text("Field notes: the office was closed.\n\nNothing else.\n", encoding="utf-8")
    project.add_document(read_document(path), coder=CODER)
    rows = frequencies(project, by="speaker")
    assert list(dict.fromkeys(r.group for r in rows))[-1] is None
    assert table(rows)[("money", None)] == (0, 0, 0, 0, 0, 2)


def test_the_command(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    with Project.open(cli.path) as project:
        build(project, tmp_path)
    result = cli("report", "frequencies", "--by", "speaker", "--format", "json")
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.output)
    mine = {(r["code"], r["speaker"]): r["paragraphs"] for r in records}
    assert mine[("pressure", "resp-2")] == 3 and mine[("money", "Dr. Ortiz")] == 2
    shown = cli("report", "frequencies", "--by", "speaker")
    assert "resp-2" in shown.output and "Dr. Ortiz" in shown.output
