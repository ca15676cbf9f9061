"""`qcode similar`: the paragraphs like one paragraph, or like a code's, on the bundled
study with a fictional paraphrase of one of its paragraphs (tests/paraphrase.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests import paraphrase
from tests.conftest import ARTICLE, Cli
from tests.refusals import assert_refused, digest

DOC = "sieca-kozlowski-2009"
CODE = "foreign funding"
# Every field of a result and its one JSON type.
FIELDS = {"document": str, "label": str, "ordinal": int, "speaker": str, "section": str,
          "time": str, "score": float, "shared": list, "coded": bool, "snippet": str,
          "highlights": list, "text": str, "matches": list}


def similar(cli: Cli, *args: str) -> list[dict[str, object]]:
    result = cli("similar", *args, "--json")
    assert result.exit_code == 0, result.stderr
    found: list[dict[str, object]] = json.loads(result.output)
    return found


def words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"\w+", text)}


@pytest.fixture
def with_paraphrase(study_cli: Cli, tmp_path: Path) -> Cli:
    assert study_cli("import", str(paraphrase.write(tmp_path))).exit_code == 0
    return study_cli


def test_the_paraphrase_ranks_first(with_paraphrase: Cli) -> None:
    before = digest(with_paraphrase.path)
    found = similar(with_paraphrase, DOC, paraphrase.SOURCE)
    assert digest(with_paraphrase.path) == before  # a read: the project is untouched
    first = found[0]
    assert (first["document"], first["label"]) == (paraphrase.NAME, paraphrase.ANSWER)
    assert first["text"] in paraphrase.TEXT.replace("\\\n", "")
    # The words it shares are the paraphrase's own, and include the ones both texts
    # write alike; "funded" counts as the article's "funding".
    shared = set(first["shared"])  # type: ignore[arg-type]
    assert shared <= words(str(first["text"]))
    assert {"foreign", "abroad", "presidential", "funded"} <= shared
    assert all(isinstance(f["score"], float) and 0 < f["score"] <= 1 for f in found)
    scores = [f["score"] for f in found]
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]
    # The source itself is never among the results.
    assert (DOC, paraphrase.SOURCE) not in {(f["document"], f["label"]) for f in found}
    # By position (#N, as `qcode tag` takes it) the same paragraph, the same answer:
    # its position found by search, on a word only §17 has.
    hit = json.loads(with_paraphrase("search", "demonizing", "--json").output)
    assert [h["label"] for h in hit] == [paraphrase.SOURCE]
    assert similar(with_paraphrase, DOC, f"#{hit[0]['ordinal']}") == found


def test_plain_output(with_paraphrase: Cli) -> None:
    result = with_paraphrase("similar", DOC, paraphrase.SOURCE, "--limit", "2")
    assert result.exit_code == 0, result.stderr
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{paraphrase.NAME} {paraphrase.ANSWER}")
    assert "uncoded" in lines[0]
    assert lines[1].startswith("  shares: funded, foreign") or "foreign" in lines[1]
    assert result.output.endswith(
        f"2 paragraphs like {DOC} {paraphrase.SOURCE} (more with --limit)\n")


def test_uncoded_only_and_first(with_paraphrase: Cli) -> None:
    cli = with_paraphrase
    tagged = cli("tag", paraphrase.NAME, paraphrase.ANSWER, CODE)
    assert tagged.exit_code == 0, tagged.stderr
    plain = similar(cli, DOC, paraphrase.SOURCE, "--limit", "50")
    assert (plain[0]["label"], plain[0]["coded"]) == (paraphrase.ANSWER, True)
    only = similar(cli, DOC, paraphrase.SOURCE, "--uncoded", "--limit", "50")
    assert only and not any(f["coded"] for f in only)
    assert paraphrase.NAME not in {f["document"] for f in only}
    # Nothing else is coded: the uncoded list is the plain one without the paraphrase.
    assert [(f["document"], f["label"]) for f in only] == [
        (f["document"], f["label"]) for f in plain[1:]][:len(only)]
    first = similar(cli, DOC, paraphrase.SOURCE, "--uncoded-first", "--limit", "50")
    assert [f["coded"] for f in first] == sorted(f["coded"] for f in first)  # type: ignore[type-var]
    assert first[-1]["document"] == paraphrase.NAME


def test_code_ranks_uncoded_paragraphs_like_what_it_holds(study_cli: Cli) -> None:
    cli = study_cli
    # The article's paragraphs on the Public Chamber, found without the engine.
    article = ARTICLE.read_text(encoding="utf-8")
    chamber = sorted(re.findall(r"^(§\d+) [^\n]*Public Chamber", article, re.MULTILINE))
    assert chamber == ["§28", "§29", "§30"]
    code = "GONGOs and the Public Chamber"
    for ref in ("§29", "§30"):
        assert cli("tag", DOC, ref, code).exit_code == 0
    found = similar(cli, "--code", code, "--limit", "5")
    labels = [f["label"] for f in found]
    assert "§29" not in labels and "§30" not in labels
    # §28 (Public Chamber and GONGOs) and the note on GONGOs lead.
    assert set(labels[:2]) == {"§28", "note 10"}, labels
    assert {"public", "chamber"} & set(found[0]["shared"])  # type: ignore[arg-type]
    # --uncoded: also none that carries another code.
    assert cli("tag", DOC, "note 10", "regional variation").exit_code == 0
    uncoded = similar(cli, "--code", code, "--uncoded", "--limit", "5")
    assert "note 10" not in [f["label"] for f in uncoded]
    assert uncoded[0]["label"] == "§28" and not any(f["coded"] for f in uncoded)
    # Once §28 carries the code too it is no longer offered.
    assert cli("tag", DOC, "§28", code).exit_code == 0
    assert "§28" not in [f["label"] for f in similar(cli, "--code", code)]


def test_json_fields_have_one_type_each(with_paraphrase: Cli) -> None:
    found = similar(with_paraphrase, DOC, paraphrase.SOURCE, "--limit", "100")
    assert len(found) > 10
    for record in found:
        assert set(record) == set(FIELDS)
        for key, kind in FIELDS.items():
            assert type(record[key]) is kind, (key, record[key])
        text = str(record["text"])
        spans = record["matches"]
        assert len(spans) >= len(record["shared"]) > 0  # type: ignore[arg-type]
        assert all(text[s:e].isalnum() for s, e in spans)  # type: ignore[attr-defined]
        snippet = str(record["snippet"])
        assert all(snippet[s:e].isalnum() for s, e in record["highlights"])  # type: ignore[attr-defined]
    speakers = {f["speaker"] for f in found}
    assert "A" in speakers and "" in speakers


@pytest.mark.parametrize(("args", "fragment"), [
    ((), "give a paragraph"),
    ((DOC,), "give a paragraph"),
    ((DOC, "§17", "--code", CODE), "not both"),
    (("--code", "foreign fundng"), "did you mean 'foreign funding'"),
    (("--code", CODE), "holds no paragraph yet"),
    (("nosuchdoc", "§1"), "no document 'nosuchdoc'"),
    ((DOC, "§99"), "no paragraph '§99'"),
    ((DOC, "#999"), "no paragraph '#999'"),
    ((DOC, "§17", "--uncoded", "--uncoded-first"), "give one of"),
])
def test_bad_input_is_one_line_and_changes_nothing(study_cli: Cli, args: tuple[str, ...],
                                                   fragment: str) -> None:
    before = digest(study_cli.path)
    assert_refused(study_cli("similar", *args), fragment)
    assert digest(study_cli.path) == before


def test_a_paragraph_without_words_is_refused(study_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "numbers.txt"
    path.write_text("Q: How many?\n\nA: 42 — 17.\n", encoding="utf-8")
    assert study_cli("import", str(path)).exit_code == 0
    before = digest(study_cli.path)
    assert_refused(study_cli("similar", "numbers", "¶2"), "no words to compare")
    assert digest(study_cli.path) == before
