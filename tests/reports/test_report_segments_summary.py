"""Segments (the quotes behind a theme) and the project summary."""

from __future__ import annotations

import pytest
from report_helpers import CODINGS, Small, tag

from qcode import Project
from qcode.core.errors import NotFoundError
from qcode.reports.filters import ReportFilter
from qcode.reports.segments import Segment, quotes, segments
from qcode.reports.summary import summary


def where(rows: list[Segment]) -> list[tuple[str, str, str, str]]:
    return [(s.document, s.ref, s.code, s.coder) for s in rows]


def test_segments_of_one_code(small: Small) -> None:
    rows = segments(small.project, ["C"])
    assert where(rows) == [("d1", "§1", "C", "alice"), ("d2", "§2", "C", "alice")]
    first = rows[0]
    assert (first.theme, first.theme_path, first.section, first.speaker) == (
        "C", "A/B/C", "Part one", None)
    assert first.text == "d1: the paragraph labelled §1."
    assert first.ordinal == 1


def test_with_children_gathers_sub_codes_in_order(small: Small) -> None:
    rows = segments(small.project, ["C"], with_children=True)
    assert where(rows) == [
        ("d1", "§1", "C", "alice"), ("d1", "§1", "D", "bob"),
        ("d1", "§2", "D", "alice"), ("d1", "§2", "D", "bob"),
        ("d2", "§2", "C", "alice"),
        ("d3", "§2", "D", "carol"),
    ]
    assert {s.theme for s in rows} == {"C"}
    assert rows[-1].speaker == "Q"
    gathered = quotes(rows)
    assert [(q.segment.document, q.segment.ref, q.codes, q.coders) for q in gathered] == [
        ("d1", "§1", ("C", "D"), ("alice", "bob")),
        ("d1", "§2", ("D",), ("alice", "bob")),
        ("d2", "§2", ("C",), ("alice",)),
        ("d3", "§2", ("D",), ("carol",)),
    ]


def test_several_themes_keep_their_order_and_memos(small: Small) -> None:
    tag(small.project, "d2", "§3", "F", coder="bob", memo="a second look")
    rows = segments(small.project, ["F", "E"])
    assert where(rows) == [("d1", "§3", "F", "alice"), ("d2", "§2", "F", "bob"),
                           ("d2", "§3", "F", "bob"),
                           ("d2", "§1", "E", "bob"), ("d3", "§1", "E", "alice")]
    assert [s.memo for s in rows] == [None, None, "a second look", None, None]
    assert quotes(rows)[2].memos == (("bob", "a second look"),)


def test_segment_filters_compose(small: Small) -> None:
    rows = segments(small.project, ["D"], ReportFilter(coders=("bob", "carol")))
    assert where(rows) == [("d1", "§1", "D", "bob"), ("d1", "§2", "D", "bob"),
                           ("d3", "§2", "D", "carol")]
    rows = segments(small.project, ["D"], ReportFilter(coders=("bob",),
                                                       attributes=(("organisation", "X"),)))
    assert where(rows) == [("d1", "§1", "D", "bob"), ("d1", "§2", "D", "bob")]
    assert segments(small.project, ["G"]) == []


def test_without_codes_every_code_is_a_theme(small: Small) -> None:
    rows = segments(small.project)
    assert len(rows) == len(CODINGS)
    assert [s.theme for s in rows] == sorted((s.theme for s in rows), key="ABCDEFG".index)
    assert all(s.theme == s.code for s in rows)


def test_unknown_code(small: Small) -> None:
    with pytest.raises(NotFoundError, match="no code 'Z'"):
        segments(small.project, ["Z"])


def test_record_is_flat_and_complete(small: Small) -> None:
    record = segments(small.project, ["A"])[0].record()
    assert record["document"] == "d2" and record["ref"] == "§1" and record["coder"] == "alice"
    assert list(record)[-3:] == ["theme_colour", "colour", "paragraph_id"]


def test_summary(small: Small) -> None:
    s = summary(small.project)
    assert (s.documents, s.paragraphs, s.coded_paragraphs, s.codings, s.codes, s.codes_used) == (
        3, 9, 7, 12, 7, 6)
    assert s.share_coded == pytest.approx(7 / 9)
    assert [(c.name, c.codings, c.paragraphs, c.documents) for c in s.coders] == [
        ("alice", 7, 6, 3), ("bob", 4, 4, 2), ("carol", 1, 1, 1)]
    assert s.last_activity_coder == "carol"
    assert s.last_activity is not None and "d3 §2" in s.last_activity
    assert s.record()["coder_names"] == "alice; bob; carol"


def test_summary_filtered(small: Small) -> None:
    s = summary(small.project, ReportFilter(documents=("d1",), coders=("bob",)))
    assert (s.documents, s.paragraphs, s.coded_paragraphs, s.codings) == (1, 4, 2, 2)
    assert [(c.name, c.codings) for c in s.coders] == [("bob", 2)]
    s = summary(small.project, ReportFilter(codes=("C",)))
    # C and D: d1 §1, d1 §2, d2 §2, d3 §2; six codings.
    assert (s.codes, s.coded_paragraphs, s.codings, s.codes_used) == (2, 4, 6, 2)


def test_summary_of_an_empty_project(project: Project) -> None:
    s = summary(project)
    assert (s.documents, s.paragraphs, s.coded_paragraphs, s.share_coded, s.coders) == (
        0, 0, 0, 0.0, ())
