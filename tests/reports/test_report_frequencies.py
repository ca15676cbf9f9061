"""Frequencies: every cell of small projects with known answers, and random projects
checked against a reference that counts with Python sets."""

from __future__ import annotations

import pytest
from report_helpers import CODER, Small, add_document, build_random, reference, tag

from qcode import Project
from qcode.core.errors import NotFoundError, QcodeError
from qcode.core.store.runs import document_runs, paragraph_counts
from qcode.reports.filters import ReportFilter, parse_attribute
from qcode.reports.frequencies import FrequencyRow, frequencies


def counts(rows: list[FrequencyRow]) -> dict[tuple[str, str | None], tuple[int, ...]]:
    return {(r.code, r.group): (r.paragraphs, r.documents, r.codings, r.own_paragraphs,
                                r.own_documents, r.own_codings) for r in rows}


# (paragraphs, documents, codings, own paragraphs, own documents, own codings), worked out
# by hand from conftest.CODINGS.
ALL_CODERS = {
    "A": (6, 3, 10, 1, 1, 1),
    "B": (4, 3, 7, 1, 1, 1),
    "C": (4, 3, 6, 2, 2, 2),
    "D": (3, 2, 4, 3, 2, 4),
    "E": (2, 2, 2, 2, 2, 2),
    "F": (2, 2, 2, 2, 2, 2),
    "G": (0, 0, 0, 0, 0, 0),
}


def test_every_cell_with_rollup_and_own_counts(small: Small) -> None:
    rows = frequencies(small.project)
    assert [r.code for r in rows] == ["A", "B", "C", "D", "E", "F", "G"]
    assert counts(rows) == {(code, None): n for code, n in ALL_CODERS.items()}
    assert {r.total_paragraphs for r in rows} == {9}
    by_code = {r.code: r for r in rows}
    assert by_code["A"].share == pytest.approx(6 / 9)
    assert by_code["D"].own_share == pytest.approx(3 / 9)
    assert [(r.depth, r.parent) for r in rows] == [
        (0, None), (1, "A"), (2, "A/B"), (3, "A/B/C"), (1, "A"), (0, None), (0, None)]
    assert by_code["D"].path == "A/B/C/D"


def test_a_paragraph_under_several_children_and_coders_counts_once(small: Small) -> None:
    """d1 §1 carries B, C (alice) and D (bob): A, B and C each count it once."""
    flt = ReportFilter(documents=("d1",), codes=("A", "B", "C", "D"))
    rows = counts(frequencies(small.project, flt))
    # d1: §1 {B, C, D}, §2 {D by two coders}: two paragraphs, five codings under B.
    assert rows[("A", None)] == (2, 1, 5, 0, 0, 0)
    assert rows[("B", None)] == (2, 1, 5, 1, 1, 1)
    assert rows[("C", None)] == (2, 1, 4, 1, 1, 1)
    assert rows[("D", None)] == (2, 1, 3, 2, 1, 3)


def test_by_coder(small: Small) -> None:
    rows = frequencies(small.project, by="coder")
    assert [r.group for r in rows[:3]] == ["alice", "bob", "carol"]
    got = counts(rows)
    assert got[("A", "alice")] == (5, 3, 6, 1, 1, 1)
    assert got[("A", "bob")] == (3, 2, 3, 0, 0, 0)
    assert got[("A", "carol")] == (1, 1, 1, 0, 0, 0)
    assert got[("D", "bob")] == (2, 1, 2, 2, 1, 2)
    assert got[("F", "carol")] == (0, 0, 0, 0, 0, 0)
    assert len(rows) == 7 * 3
    assert {r.total_paragraphs for r in rows} == {9}


def test_by_attribute_has_a_group_for_documents_without_it(small: Small) -> None:
    rows = frequencies(small.project, by="generation")
    assert list(dict.fromkeys(r.group for r in rows)) == ["new", "old", None]
    totals = {r.group: r.total_paragraphs for r in rows}
    assert totals == {"new": 3, "old": 4, None: 2}
    got = counts(rows)
    assert got[("A", "new")] == (2, 1, 3, 1, 1, 1)
    assert got[("A", "old")] == (2, 1, 5, 0, 0, 0)
    assert got[("A", None)] == (2, 1, 2, 0, 0, 0)
    assert got[("F", "old")] == (1, 1, 1, 1, 1, 1)
    assert got[("G", None)] == (0, 0, 0, 0, 0, 0)


def test_by_document_lists_every_document_even_uncoded(small: Small) -> None:
    add_document(small.project, "d4", ["§1"])
    rows = frequencies(small.project, by="document")
    assert list(dict.fromkeys(r.group for r in rows)) == ["d1", "d2", "d3", "d4"]
    got = counts(rows)
    assert got[("A", "d4")] == (0, 0, 0, 0, 0, 0)
    assert got[("C", "d2")] == (1, 1, 1, 1, 1, 1)
    assert {r.group: r.total_paragraphs for r in rows} == {"d1": 4, "d2": 3, "d3": 2, "d4": 1}


def test_filters_compose(small: Small) -> None:
    flt = ReportFilter(coders=("alice",), attributes=(("generation", "old"),))
    got = counts(frequencies(small.project, flt))
    # alice in d1: §1 {B, C}, §2 {D}, §3 {F}
    assert got[("A", None)] == (2, 1, 3, 0, 0, 0)
    assert got[("C", None)] == (2, 1, 2, 1, 1, 1)
    assert got[("F", None)] == (1, 1, 1, 1, 1, 1)
    assert {r.total_paragraphs for r in frequencies(small.project, flt)} == {4}
    # Two values of one key are alternatives; two keys must both hold.
    either = ReportFilter(attributes=(("generation", "old"), ("generation", "new")))
    assert frequencies(small.project, either)[0].total_paragraphs == 7
    both = ReportFilter(attributes=(("generation", "old"), ("organisation", "Y")))
    rows = frequencies(small.project, both)
    assert {r.total_paragraphs for r in rows} == {0}
    assert {r.paragraphs for r in rows} == {0}


def test_two_coders_together_count_shared_paragraphs_once(small: Small) -> None:
    got = counts(frequencies(small.project, ReportFilter(coders=("alice", "bob"))))
    # D: alice and bob both on d1 §2; bob on d1 §1; carol's d3 §2 left out.
    assert got[("D", None)] == (2, 1, 3, 2, 1, 3)


def test_code_filter_keeps_rollup(small: Small) -> None:
    rows = frequencies(small.project, ReportFilter(codes=("B", "F")))
    assert counts(rows) == {("B", None): ALL_CODERS["B"], ("F", None): ALL_CODERS["F"]}


def test_empty_project_and_codes_never_used(project: Project) -> None:
    assert frequencies(project) == []
    project.add_code("lonely", coder=CODER)
    (row,) = frequencies(project)
    assert (row.paragraphs, row.total_paragraphs, row.share) == (0, 0, 0.0)
    add_document(project, "d", ["§1", "§2"])
    (row,) = frequencies(project, by="document")
    assert (row.group, row.paragraphs, row.total_paragraphs, row.share) == ("d", 0, 2, 0.0)


def test_undo_is_reflected(small: Small) -> None:
    tag(small.project, "d2", "§3", "G", coder="dora")
    assert counts(frequencies(small.project))[("G", None)] == (1, 1, 1, 1, 1, 1)
    small.project.undo(coder="dora")
    assert counts(frequencies(small.project))[("G", None)] == (0, 0, 0, 0, 0, 0)


def test_unknown_names_are_errors_with_suggestions(small: Small) -> None:
    with pytest.raises(NotFoundError, match="did you mean 'alice'"):
        frequencies(small.project, ReportFilter(coders=("alcie",)))
    with pytest.raises(NotFoundError, match="generation"):
        frequencies(small.project, by="generaton")
    with pytest.raises(NotFoundError, match="new, old"):
        frequencies(small.project, ReportFilter(attributes=(("generation", "middle"),)))
    with pytest.raises(NotFoundError, match="no document 'd9'"):
        frequencies(small.project, ReportFilter(documents=("d9",)))
    with pytest.raises(QcodeError, match="KEY=VALUE"):
        parse_attribute("generation")


@pytest.mark.parametrize("seed", range(6))
def test_random_projects_match_the_reference(project: Project, seed: int) -> None:
    build_random(project, seed)
    ids = {r[1]: r[0] for r in project.conn.execute("SELECT id, name FROM codes")}
    expected = reference(project)
    got = {ids[r.code]: (r.paragraphs, r.documents, r.codings, r.own_paragraphs,
                         r.own_documents, r.own_codings) for r in frequencies(project)}
    assert got == expected
    bob = project.find_coder("bob").id
    by_coder = {(ids[r.code], r.group): (r.paragraphs, r.documents, r.codings, r.own_paragraphs,
                                         r.own_documents, r.own_codings)
                for r in frequencies(project, by="coder")}
    assert {c: v for (c, g), v in by_coder.items() if g == "bob"} == reference(
        project, coders={bob})


def test_interleaved_paragraph_ids_are_still_counted_per_document(small: Small) -> None:
    """Paragraphs added to d1 after d2 and d3 exist: d1's ids no longer form one range."""
    conn = small.project.conn
    d1 = small.project.document("d1").id
    conn.execute(
        "INSERT INTO paragraphs (document_id, ordinal, label, text, start, \"end\", text_hash) "
        "VALUES (?, 5, '§5', 'late paragraph', 0, 14, 'x')", (d1,))
    late = conn.execute("SELECT MAX(id) FROM paragraphs").fetchone()[0]
    d3 = small.project.document("d3").id
    conn.execute(
        "INSERT INTO paragraphs (document_id, ordinal, label, text, start, \"end\", text_hash) "
        "VALUES (?, 3, '§3', 'later paragraph', 0, 15, 'y')", (d3,))
    small.project.tag([late], [small.project.code("G").id], coder="bob")
    runs = document_runs(conn)
    assert paragraph_counts(runs)[d1] == 5
    assert sum(1 for r in runs if r.document_id == d1) == 2
    # The documents listing counts the late paragraph's coding for d1 as well.
    listed = {d.document.name: (d.paragraphs, d.coded) for d in small.project.documents("bob")}
    assert listed["d1"][0] == 5 and listed["d1"][1] >= 1
    rows = frequencies(small.project, by="document")
    got = counts(rows)
    assert got[("G", "d1")] == (1, 1, 1, 1, 1, 1)
    assert got[("G", "d3")] == (0, 0, 0, 0, 0, 0)
    assert {r.group: r.total_paragraphs for r in rows} == {"d1": 5, "d2": 3, "d3": 3}
    ids = {r[1]: r[0] for r in conn.execute("SELECT id, name FROM codes")}
    assert {ids[r.code]: (r.paragraphs, r.documents, r.codings, r.own_paragraphs,
                          r.own_documents, r.own_codings)
            for r in frequencies(small.project)} == reference(small.project)


@pytest.mark.parametrize("coders", [("bob",), ("alice", "bob")])
def test_a_coder_filter_counts_through_the_code_index(small: Small,
                                                     coders: tuple[str, ...]) -> None:
    """Per code and document, a coder's codings are one range of the (code, paragraph,
    coder) index. The coder index instead reads all of the coder's codings in the
    document once per code: at a million codings `--coder` took 10 s, not 0.9."""
    conn = small.project.conn
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        frequencies(small.project, ReportFilter(coders=coders))
        frequencies(small.project, by="coder")
    finally:
        conn.set_trace_callback(None)
    counted = [s for s in statements if "cells AS MATERIALIZED" in s]
    assert counted
    for sql in counted:
        plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql,
                                                     _bindings(sql, small)))
        assert "codings_coder" not in plan, plan


def _bindings(sql: str, small: Small) -> dict[str, str]:
    """Empty JSON lists for the named parameters (the plan does not depend on them)."""
    import re

    return {name: "[]" for name in re.findall(r":(\w+)", sql)}
