"""`qcode search`: the terminal UI's `/` as a command, on the bundled study."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import ARTICLE, Cli
from tests.refusals import assert_refused, digest

DOC = "sieca-kozlowski-2009"
# The words meant by "goverment", as the corpus writes them.
GOVERNMENT = re.compile(r"\b(?:non-)?government(?:al)?\b", re.IGNORECASE)
INTERVIEW = """# Interview 3

Moderator: How did the inspections start?

resp-2: The police came in 2007, then the tax inspectors.

Moderator: And the governor?

resp-2: He never answered our letters.
"""


def hits(cli: Cli, *args: str) -> list[dict[str, object]]:
    result = cli("search", *args, "--json")
    assert result.exit_code == 0, result.stderr
    found: list[dict[str, object]] = json.loads(result.output)
    return found


def test_goverment_ranks_every_paragraph_with_the_words_meant_first(study_cli: Cli) -> None:
    # Found without the engine: the lines of the corpus file with the words.
    lines = [line for line in ARTICLE.read_text(encoding="utf-8").splitlines()
             if GOVERNMENT.search(line)]
    found = hits(study_cli, "goverment", "--limit", "1000")
    meant = [bool(GOVERNMENT.search(str(h["text"]))) for h in found]
    assert sum(meant) == len(lines) == 8
    assert meant == sorted(meant, reverse=True), [h["label"] for h in found]
    assert not all(meant)  # "movement" is still found, after them
    assert {"§8.2", "note 11", "§1"} <= {h["label"] for h in found[:8]}
    first = found[0]
    assert set(first) >= {"document", "label", "speaker", "score", "terms"}
    assert first["document"] == DOC
    assert isinstance(first["score"], float)
    assert all(t in ("government", "governmental") for h in found[:8] for t in h["terms"])  # type: ignore[attr-defined]


def test_plain_output_shows_the_match_in_the_snippet(study_cli: Cli) -> None:
    result = study_cli("search", "goverment", "--limit", "3")
    assert result.exit_code == 0
    blocks = re.split(rf"^(?={DOC} )", result.output, flags=re.MULTILINE)[1:]
    assert len(blocks) == 3
    for block in blocks:
        head, _newline, snippet = block.partition("\n")
        assert head.startswith(f"{DOC} §")
        assert GOVERNMENT.search(snippet.replace("\n  ", " ").replace("\n", " "))
    assert result.output.endswith("\n3 hits (more with --limit)\n")


def test_phrases_limit_and_document(study_cli: Cli, tmp_path: Path) -> None:
    found = hits(study_cli, '"power ministries"', "--limit", "4")
    assert len(found) == 4
    assert all("power ministries" in str(h["text"]).lower() for h in found)
    interview = tmp_path / "interview-3.txt"
    interview.write_text(INTERVIEW, encoding="utf-8")
    assert study_cli("import", str(interview)).exit_code == 0
    inside = hits(study_cli, "police", "--document", "interview-3")
    assert [h["document"] for h in inside] == ["interview-3"]


def test_speaker_and_theme_filters(study_cli: Cli, tmp_path: Path) -> None:
    interview = tmp_path / "interview-3.txt"
    interview.write_text(INTERVIEW, encoding="utf-8")
    assert study_cli("import", str(interview)).exit_code == 0
    said = hits(study_cli, "inspections", "--speaker", "RESP-2")
    assert [(h["label"], h["speaker"]) for h in said] == [("¶2", "resp-2")]
    assert hits(study_cli, "letters", "--speaker", "moderator") == []
    # A theme (a parent code) finds the paragraphs of its sub-codes, as reports count.
    assert study_cli("tag", DOC, "§2", "2006 NGO law").exit_code == 0
    themed = hits(study_cli, "government", "--code", "state pressure on NGOs")
    assert [h["label"] for h in themed] == ["§2"]


@pytest.mark.parametrize(("args", "message"), [
    (["--speaker", "moderater"], "no speaker 'moderater' (did you mean 'Moderator'?)"),
    (["--code", "regnal variation"], "did you mean 'regional variation'?"),
    (["--document", "interview-33"], "no document 'interview-33'"),
])
def test_unknown_filters_are_one_line_with_a_suggestion(
        study_cli: Cli, tmp_path: Path, args: list[str], message: str) -> None:
    interview = tmp_path / "interview-3.txt"
    interview.write_text(INTERVIEW, encoding="utf-8")
    assert study_cli("import", str(interview)).exit_code == 0
    before = digest(study_cli.path)
    assert_refused(study_cli("search", "police", *args), message)
    assert digest(study_cli.path) == before


@pytest.mark.parametrize("query", [[], [""], ["  "], ['""'], ["§ …"]])
def test_an_empty_query_says_so(study_cli: Cli, query: list[str]) -> None:
    assert_refused(study_cli("search", *query), "nothing to search for")


def test_nothing_found_says_so(study_cli: Cli) -> None:
    result = study_cli("search", "qqqzzzxx")
    assert result.exit_code == 0
    assert result.output == "no paragraph matches 'qqqzzzxx'\n"
    assert hits(study_cli, "qqqzzzxx") == []
