"""`qcode tag DOC 12`: a bare number is the paragraph labelled 12 when there is one, a
position only when there is none; `#12` is always the position; the command says which,
and echoes the code's own name."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Cli
from tests.refusals import assert_refused

DOC = "sieca-kozlowski-2009"


def codes_on(cli: Cli, document: str) -> dict[str, list[str]]:
    shown = json.loads(cli("show", document, "--json").output)
    return {p["label"] or f"¶{p['ordinal']}": [c["code"] for c in p["codes"]]
            for p in shown["paragraphs"]}


def test_a_bare_number_is_the_label_when_there_is_one(study_cli: Cli) -> None:
    ordinals = {p["label"]: p["ordinal"]
                for p in json.loads(study_cli("show", DOC, "--json").output)["paragraphs"]}
    assert ordinals["§12"] != 12 and ordinals["§8.4"] == 12  # the case that bit a user
    result = study_cli("tag", DOC, "12", "Regional-Variation")
    assert result.output == "tagged sieca-kozlowski-2009 §12 with 'regional variation' (alice)\n"
    assert codes_on(study_cli, DOC)["§12"] == ["regional variation"]
    assert codes_on(study_cli, DOC)["§8.4"] == []


def test_a_hash_is_always_the_position(study_cli: Cli) -> None:
    result = study_cli("tag", DOC, "#12", "regional variation")
    assert result.output.startswith(
        "tagged sieca-kozlowski-2009 ¶12 (position, labelled §8.4) with 'regional variation'")
    assert codes_on(study_cli, DOC)["§8.4"] == ["regional variation"]
    again = study_cli("untag", DOC, "¶12", "REGIONAL VARIATION")
    assert again.output.startswith(
        "untagged 'regional variation' from sieca-kozlowski-2009 ¶12 (position")


def test_without_labels_a_number_is_the_position(study_cli: Cli, tmp_path: Path) -> None:
    interview = tmp_path / "interview-7.txt"
    interview.write_text("Q: When?\n\nA: In 2007.\n\nQ: Where?\n\nA: In Perm.\n",
                         encoding="utf-8")
    assert study_cli("import", str(interview)).exit_code == 0
    result = study_cli("tag", "interview-7", "4", "regional variation")
    assert result.output.startswith("tagged interview-7 ¶4 (position) with 'regional variation'")
    assert codes_on(study_cli, "interview-7")["¶4"] == ["regional variation"]
    assert_refused(study_cli("tag", "interview-7", "9", "regional variation"),
                   "no paragraph '9'", "'#3'")
    assert_refused(study_cli("tag", DOC, "#99", "regional variation"), "no paragraph '#99'")


def test_the_code_s_own_name_is_echoed(study_cli: Cli) -> None:
    result = study_cli("tag", DOC, "§12", "regional-variation", "Personal Relations With Officials")
    assert result.output == (
        "tagged sieca-kozlowski-2009 §12 with 'regional variation', "
        "'personal relations with officials' (alice)\n")
    same = study_cli("tag", DOC, "§12", "REGIONAL variation")
    assert same.output == ("sieca-kozlowski-2009 §12 already carries 'regional variation' "
                           "for alice\n")
