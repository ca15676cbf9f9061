"""The Markdown codebook document, and codebook diffs."""

from __future__ import annotations

import copy
from dataclasses import replace

from hypothesis import given, settings

from qcode.core.codebook.model import TEXT_FIELDS, Codebook, CodeSpec
from qcode.core.ids import new_guid
from qcode.exchange.codebook_diff import diff_codebooks, word_diff
from qcode.exchange.codebook_markdown import escape, write_markdown
from qcode.exchange.formats import read_codebook
from tests.conftest import CODEBOOK
from tests.exchange.strategies import texts


def test_markdown_has_every_field_of_every_code() -> None:
    study = read_codebook(CODEBOOK)
    text = write_markdown(study).decode("utf-8")
    assert text.startswith(f"# {escape(study.name)} (version {study.version})\n")
    assert study.source and escape(study.source) in text
    for spec, parent, depth in study.walk():
        assert f"{'#' * (3 + depth)} " in text
        assert escape(spec.name) in text
        assert f"GUID `{spec.guid}`" in text
        assert f"colour `{spec.colour}`" in text
        if parent:
            assert f"under *{escape(parent.name)}*" in text
        for key in TEXT_FIELDS:
            value = getattr(spec, key)
            if value:
                assert escape(value) in text, (spec.name, key)


def test_markdown_numbers_the_outline_and_marks_folders() -> None:
    book = Codebook(name="t", codes=[
        CodeSpec(name="a *star*", codable=False, children=[CodeSpec(name="b"), CodeSpec(name="c")]),
        CodeSpec(name="d", example="line one\nline two", example_ref="§3")])
    text = write_markdown(book).decode("utf-8")
    assert "- 1 a \\*star\\*\n  - 1.1 b\n  - 1.2 c\n- 2 d\n" in text
    assert "### 1 a \\*star\\*\n\nGUID" in text and "folder (not codable)" in text
    assert "#### 1.2 c" in text
    assert "> line one  \n> line two — §3" in text


def shifted() -> tuple[Codebook, Codebook]:
    """The study codebook and a copy someone changed in every way a diff reports."""
    a = read_codebook(CODEBOOK)
    b = copy.deepcopy(a)
    relations, strategies, pressure = b.codes[0], b.codes[1], b.codes[2]
    strategies.children[0].name = "generational change"                # rename, same GUID
    law = pressure.children[0]
    law.definition = (law.definition or "").replace("law", "statute", 1)  # word change
    moved = b.codes[4].children.pop(1)                                  # foreign funding
    pressure.children.append(moved)                                    # ...now under pressure
    relations.colour = "#000000"
    relations.children[3] = replace(relations.children[3], name="regional variaton",
                                    guid=new_guid())                   # new GUID, typo'd
    strategies.children.pop()                                           # loyalty to power
    b.codes.append(CodeSpec(name="memory politics", short="new"))
    return a, b


def test_diff_reports_every_kind_of_change() -> None:
    a, b = shifted()
    diff = diff_codebooks(a, b, a_label="a.yaml", b_label="b.qdc")
    by_kind = {kind: [(e.name, e.method, e.before, e.after) for e in diff.of_kind(kind)]
               for kind in ("added", "removed", "renamed", "moved", "colour")}
    assert by_kind["added"] == [("memory politics", None, None, None)]
    assert by_kind["removed"] == [("loyalty to power", None, None, None)]
    renamed = {(e.before, e.after): (e.method, e.score) for e in diff.of_kind("renamed")}
    assert renamed[("generational shift", "generational change")] == ("guid", 100.0)
    method, score = renamed[("regional variation", "regional variaton")]
    assert method == "fuzzy" and score is not None and 90 < score < 100
    assert by_kind["moved"] == [("foreign funding", None, "international dimension",
                                 "state pressure on NGOs")]
    assert by_kind["colour"] == [("relations with the power ministries", None, "#4E9FE6",
                                  "#000000")]
    (text,) = diff.of_kind("text")
    assert (text.name, text.field) == ("2006 NGO law", "definition")
    assert ("-", "law") in (text.words or []) and ("+", "statute") in (text.words or [])
    assert diff.unchanged == len(a) - 1 - 5  # one removed, five codes changed
    data = diff.to_json()
    assert data["a"] == {"label": "a.yaml", "codes": 35}
    assert {c["kind"] for c in data["changes"]} == {"added", "removed", "renamed", "moved",
                                                    "colour", "text"}


def test_identical_codebooks_have_no_differences() -> None:
    a = read_codebook(CODEBOOK)
    diff = diff_codebooks(a, copy.deepcopy(a))
    assert diff.entries == [] and diff.unchanged == 35


def test_a_removed_parent_moves_its_surviving_child() -> None:
    a = Codebook(codes=[CodeSpec(name="p", guid="00000000-0000-0000-0000-000000000001",
                                 children=[CodeSpec(name="c")])])
    b = Codebook(codes=[copy.deepcopy(a.codes[0].children[0])])
    kinds = [(e.kind, e.name) for e in diff_codebooks(a, b).entries]
    assert kinds == [("removed", "p"), ("moved", "c")]


@settings(max_examples=200, deadline=None)
@given(texts, texts)
def test_word_diff_runs_rebuild_both_texts(before: str, after: str) -> None:
    runs = word_diff(before, after)
    assert "".join(t for op, t in runs if op in "=-") == before
    assert "".join(t for op, t in runs if op in "=+") == after
