"""`qcode autocode`: every hit of a search tagged as one change, previewed first, told
apart from hand-coding in reports (issue 16). Expected paragraphs are found in the
corpus file with plain regular expressions, not with qcode's search."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

from qcode import Project
from qcode.core import autocode
from qcode.reports import frequencies as frequencies_module
from tests.conftest import ARTICLE, Cli
from tests.refusals import assert_refused, digest

DOC = "sieca-kozlowski-2009"
CODE = "GONGOs and the Public Chamber"
PHRASE = re.compile(r"\bpublic\s+chamber\b", re.IGNORECASE)
INTERVIEW = """# Interview 3

Moderator: How did the Public Chamber answer?

resp-2: The Public Chamber never answered our letters.

Moderator: And the police?

resp-2: The police came in 2007.
"""


def corpus_labels(pattern: re.Pattern[str]) -> list[str]:
    """Labels of the article's paragraphs whose text ``pattern`` finds, read line by
    line from the corpus file: "§28 …" is §28, a numbered item "3. …" after §31 is
    §31.3, a footnote "[^10]: …" is note 10."""
    body = ARTICLE.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    found, last = [], None
    for line in body.splitlines():
        if match := re.match(r"(§[\d.]+)\s", line):
            label = last = match.group(1)
        elif match := re.match(r"\[\^(\d+)\]:\s", line):
            label = f"note {match.group(1)}"
        elif last is not None and (match := re.match(r"(\d+)\.\s", line)):
            label = f"{last}.{match.group(1)}"
        else:
            continue
        if pattern.search(line):
            found.append(label)
    return found


def run(cli: Cli, *args: str) -> dict[str, Any]:
    result = cli("autocode", *args, "--json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.output)
    return data


def count(cli: Cli, code: str = CODE, *args: str) -> Any:
    result = cli("report", "frequencies", "--code", code, *args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.output)


def log_ids(cli: Cli) -> list[int]:
    return [e["id"] for e in json.loads(cli("log", "-n", "1000", "--json").output)]


def test_must_show_preview_then_one_event_counted_and_undone(study_cli: Cli) -> None:
    expected = corpus_labels(PHRASE)
    assert expected == ["§28", "§29", "§30"]
    before, events = digest(study_cli.path), log_ids(study_cli)
    preview = study_cli("autocode", '"Public Chamber"', CODE, "--preview")
    assert preview.exit_code == 0, preview.stderr
    shown = re.findall(rf"^  {DOC} (§\d+)", preview.output, flags=re.MULTILINE)
    assert shown == expected
    assert preview.output.count("Public \nChamber") + preview.output.count("Public Chamber") >= 3
    assert preview.output.splitlines()[-1] == (
        f"3 paragraphs match, 0 already carry {CODE!r}; 3 would be tagged "
        "(preview: nothing changed)")
    assert digest(study_cli.path) == before
    assert count(study_cli)[0]["paragraphs"] == 0

    done = study_cli("autocode", '"Public Chamber"', CODE)
    assert done.exit_code == 0, done.stderr
    assert "tagged 3" in done.output and "qcode undo" in done.output
    after = json.loads(study_cli("log", "--json").output)
    assert log_ids(study_cli) == [after[0]["id"], *events]  # one event
    assert after[0]["summary"] == (
        f"autocode (search '\"Public Chamber\"'): 3 paragraphs with {CODE!r}")
    assert count(study_cli)[0]["paragraphs"] == len(expected)
    segments = json.loads(study_cli("report", "segments", CODE, "-f", "json").output)
    assert [s["ref"] for s in segments] == expected
    assert {s["origin"] for s in segments} == {
        f"qcode autocode '\"Public Chamber\"' '{CODE}' --coder alice"}

    assert study_cli("undo").exit_code == 0
    assert count(study_cli)[0]["paragraphs"] == 0
    assert study_cli("redo").exit_code == 0
    assert count(study_cli)[0]["paragraphs"] == 3
    checked = json.loads(study_cli("check", "--json").output)
    assert checked["healthy"], checked


def test_by_origin_tells_auto_coded_from_hand_coded(study_cli: Cli) -> None:
    assert study_cli("tag", DOC, "§31", CODE).exit_code == 0
    assert study_cli("tag", DOC, "§28", CODE, coder="bob").exit_code == 0
    run(study_cli, '"Public Chamber"', CODE)
    rows = {r["origin"]: r for r in count(study_cli, CODE, "--by", "origin")}
    auto = f"qcode autocode '\"Public Chamber\"' '{CODE}' --coder alice"
    assert list(rows) == [autocode.HAND, auto]
    # bob's §28 by hand, alice's §31 by hand; alice's §28-§30 by the search.
    assert (rows["hand"]["paragraphs"], rows["hand"]["codings"]) == (2, 2)
    assert (rows[auto]["paragraphs"], rows[auto]["codings"]) == (3, 3)
    assert rows["hand"]["total_paragraphs"] == rows[auto]["total_paragraphs"] == 56
    # The theme above counts the same, rolled up.
    theme = {r["origin"]: r["paragraphs"]
             for r in count(study_cli, "institutionalised cooperation", "--by", "origin")}
    assert theme == {"hand": 2, auto: 3}
    assert autocode.HAND == frequencies_module.HAND
    table = study_cli("report", "frequencies", "--by", "origin")
    assert table.exit_code == 0
    # at 80 columns the run's command is too wide for a column head: numbered, then listed
    assert ["code", "hand", "auto", "1"] in [line.split() for line in table.output.splitlines()]
    assert "auto 1: qcode autocode" in " ".join(table.output.split())


def test_regex_takes_python_syntax(study_cli: Cli) -> None:
    pattern = r"Public\s+Chambers?"
    expected = corpus_labels(re.compile(pattern))
    assert expected == ["§28", "§29", "§30", "note 10"]
    found = run(study_cli, pattern, CODE, "--regex", "--preview")
    assert [m["label"] for m in found["matches"]] == expected
    assert found["paragraphs"] == 4 and found["would_tag"] == 4
    assert all(re.fullmatch(pattern, w) for m in found["matches"] for w in m["matched"])
    # Case-sensitive, as Python's re is; (?i) for any case.
    assert run(study_cli, "public chamber", CODE, "--regex", "--preview")["paragraphs"] == 0
    anycase = run(study_cli, "(?i)public chamber", CODE, "--regex", "--preview")
    assert [m["label"] for m in anycase["matches"]] == corpus_labels(
        re.compile("public chamber", re.IGNORECASE))
    # A pattern that can match nothing at all does not match every paragraph.
    assert run(study_cli, "x*", CODE, "--regex", "--preview")["paragraphs"] == len(
        corpus_labels(re.compile("x")))


def test_exact_turns_typo_tolerance_off(study_cli: Cli) -> None:
    government = re.compile(r"\bgovernment\b", re.IGNORECASE)
    assert run(study_cli, "goverment", CODE, "--exact", "--preview")["paragraphs"] == 0
    exact = run(study_cli, "government", CODE, "--exact", "--preview")
    assert [m["label"] for m in exact["matches"]] == corpus_labels(government)
    forgiving = run(study_cli, "goverment", CODE, "--preview")
    assert forgiving["paragraphs"] > exact["paragraphs"]


def test_scopes(study_cli: Cli, tmp_path: Path) -> None:
    interview = tmp_path / "interview-3.txt"
    interview.write_text(INTERVIEW, encoding="utf-8")
    assert study_cli("import", str(interview)).exit_code == 0

    def labels(*args: str) -> list[tuple[str, str]]:
        found = run(study_cli, '"Public Chamber"', CODE, "--preview", *args)
        return [(m["document"], m["label"]) for m in found["matches"]]

    assert labels() == [("interview-3", "¶1"), ("interview-3", "¶2"),
                        (DOC, "§28"), (DOC, "§29"), (DOC, "§30")]
    assert labels("--document", "interview-3") == [("interview-3", "¶1"),
                                                   ("interview-3", "¶2")]
    assert labels("--speaker", "RESP-2") == [("interview-3", "¶2")]
    # --code: only paragraphs already carrying it; a theme stands for its sub-codes.
    assert study_cli("tag", DOC, "§29", "2006 NGO law").exit_code == 0
    assert study_cli("tag", "interview-3", "#2", "regional variation",
                     coder="bob").exit_code == 0
    assert labels("--code", "2006 NGO law") == [(DOC, "§29")]
    assert labels("--code", "state pressure on NGOs") == [(DOC, "§29")]
    # --uncoded: paragraphs no coder has coded.
    assert labels("--uncoded") == [("interview-3", "¶1"), (DOC, "§28"), (DOC, "§30")]
    # Tagging within a scope tags that scope only, and counts what already carries it.
    assert study_cli("tag", DOC, "§30", CODE).exit_code == 0
    done = run(study_cli, '"Public Chamber"', CODE, "--document", DOC)
    assert (done["paragraphs"], done["already"], done["tagged"]) == (3, 1, 2)
    assert [m["carries"] for m in done["matches"]] == [False, False, True]
    assert count(study_cli)[0]["paragraphs"] == 3


def test_every_hit_not_a_page(project_path: Path, tmp_path: Path, cli: Cli) -> None:
    # 300 paragraphs mention the river, more than any page of search results.
    text = "\n\n".join(f"Paragraph {i} says the river rose again." if i % 2 else
                       f"Paragraph {i} is about the harvest." for i in range(600))
    source = tmp_path / "floods.txt"
    source.write_text(text, encoding="utf-8")
    assert cli("init").exit_code == 0
    assert cli("import", str(source)).exit_code == 0
    codebook = tmp_path / "floods.yaml"
    codebook.write_text("format: qcode-codebook\nformat_version: 1\nname: floods\ncodes:\n  - name: floods\n", encoding="utf-8")
    assert cli("codebook", "load", str(codebook)).exit_code == 0
    events = log_ids(cli)
    done = run(cli, "river", "floods")
    assert (done["paragraphs"], done["tagged"]) == (300, 300)
    assert len(log_ids(cli)) == len(events) + 1
    assert count(cli, "floods")[0]["paragraphs"] == 300
    assert cli("undo").exit_code == 0
    assert count(cli, "floods")[0]["paragraphs"] == 0
    with Project.open(project_path) as project:
        assert project.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0] == 0


@pytest.mark.parametrize(("args", "message"), [
    (["", CODE], "nothing to search for"),
    (["  \"\" ", CODE], "nothing to search for"),
    (["", CODE, "--regex"], "nothing to search for"),
    (["(unclosed", CODE, "--regex"], "--regex '(unclosed' does not compile: missing ),"),
    (["Public", CODE, "--regex", "--exact"], "--exact is for search queries"),
    (["Public", "GONGOs and the Publik Chamber"],
     "no code 'GONGOs and the Publik Chamber' (did you mean 'GONGOs and the Public Chamber'?)"),
    (["Public", CODE, "--document", "sieca-kozlowski-2090"], "no document"),
    (["Public", CODE, "--code", "regnal variation"], "did you mean 'regional variation'?"),
])
def test_bad_input_is_one_line_and_changes_nothing(
        study_cli: Cli, args: list[str], message: str) -> None:
    before = digest(study_cli.path)
    assert_refused(study_cli("autocode", *args), message)
    assert digest(study_cli.path) == before


@pytest.mark.parametrize("args", [["zzqqxx"], ["Kafka", "--regex"], ['"Public Chamber"',
                                                                       "--uncoded",
                                                                       "--code",
                                                                       "2006 NGO law"]])
def test_matching_nothing_is_nothing_to_change(study_cli: Cli, args: list[str]) -> None:
    before = digest(study_cli.path)
    result = study_cli("autocode", args[0], CODE, *args[1:])
    assert result.exit_code == 0, result.stderr
    assert result.output.endswith(": nothing to change\n")
    assert digest(study_cli.path) == before


def test_a_second_run_has_nothing_to_change(study_cli: Cli) -> None:
    run(study_cli, '"Public Chamber"', CODE)
    before = digest(study_cli.path)
    again = study_cli("autocode", '"Public Chamber"', CODE)
    assert again.exit_code == 0
    assert again.output == f"3 paragraphs match, 3 already carry {CODE!r}: nothing to change\n"
    assert digest(study_cli.path) == before


def test_origin_is_the_command_that_repeats_the_run(study_cli: Cli) -> None:
    query = "Taylor's \"article\""
    done = run(study_cli, query, CODE, "--document", DOC, "--uncoded", "--coder", "o'brien")
    words = shlex.split(done["origin"])
    assert words == ["qcode", "autocode", query, CODE, "--document", DOC, "--uncoded",
                     "--coder", "o'brien"]
    with Project.open(study_cli.path, readonly=True) as project:
        assert {r[0] for r in project.conn.execute("SELECT origin FROM codings")} == {
            done["origin"]}
        assert {r[0] for r in project.conn.execute(
            "SELECT origin FROM coded_segments")} == {done["origin"]}
    assert done["tagged"] > 0


def test_origin_follows_undo_redo_export_and_merge(study_cli: Cli, tmp_path: Path) -> None:
    run(study_cli, '"Public Chamber"', CODE, "--coder", "bob")
    origin = f"qcode autocode '\"Public Chamber\"' '{CODE}' --coder bob"

    def origins(path: Path) -> list[str | None]:
        with Project.open(path, readonly=True) as project:
            return [r[0] for r in project.conn.execute(
                "SELECT origin FROM codings ORDER BY paragraph_id")]

    assert origins(study_cli.path) == [origin] * 3
    assert study_cli("undo", coder="bob").exit_code == 0
    assert origins(study_cli.path) == []
    assert study_cli("redo", coder="bob").exit_code == 0
    assert origins(study_cli.path) == [origin] * 3
    exported = tmp_path / "out.qdpx"
    assert study_cli("export", str(exported)).exit_code == 0, "export"
    # Another copy of the project merges bob's auto-codings in with their origin.
    other = Cli(tmp_path / "other.db")
    assert other("init").exit_code == 0
    assert other("import", str(ARTICLE)).exit_code == 0
    merged = other("merge", str(study_cli.path))
    assert merged.exit_code == 0, merged.stderr
    assert origins(other.path) == [origin] * 3
    assert json.loads(other("check", "--json").output)["healthy"]
