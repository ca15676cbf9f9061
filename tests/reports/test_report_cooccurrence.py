"""Co-occurrence: every cell of the small project, with and without roll-up, and random
projects against pairs counted with Python sets."""

from __future__ import annotations

from itertools import combinations

import pytest
from report_helpers import CODINGS, TREE, Small, build_random, codings_rows

from qcode import Project
from qcode.reports.cooccurrence import Cooccurrence, cooccurrence
from qcode.reports.filters import ReportFilter

# Paragraphs per code as applied (conftest.CODINGS; d1 §2 carries D from two coders).
OWN_N = {"A": 1, "B": 1, "C": 2, "D": 3, "E": 2, "F": 2, "G": 0}
OWN_BOTH = {("B", "C"): 1, ("B", "D"): 1, ("C", "D"): 1, ("A", "E"): 1, ("C", "F"): 1}
ROLLED_N = {"A": 6, "B": 4, "C": 4, "D": 3, "E": 2, "F": 2, "G": 0}
ROLLED_BOTH = {("A", "B"): 4, ("A", "C"): 4, ("A", "D"): 3, ("A", "E"): 2, ("A", "F"): 1,
               ("B", "C"): 4, ("B", "D"): 3, ("B", "F"): 1, ("C", "D"): 3, ("C", "F"): 1}


def matrix_by_name(m: Cooccurrence) -> dict[tuple[str, str], int]:
    return {(a.name, b.name): m.both(a.id, b.id) for a in m.codes for b in m.codes}


def expected(n: dict[str, int], both: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    cells = {}
    for a in n:
        for b in n:
            cells[(a, b)] = n[a] if a == b else both.get((a, b), both.get((b, a), 0))
    return cells


def test_every_cell_as_applied(small: Small) -> None:
    m = cooccurrence(small.project)
    assert [c.name for c in m.codes] == list(TREE)
    assert matrix_by_name(m) == expected(OWN_N, OWN_BOTH)
    assert m.total_paragraphs == 9


def test_every_cell_rolled_up(small: Small) -> None:
    m = cooccurrence(small.project, rollup=True)
    assert matrix_by_name(m) == expected(ROLLED_N, ROLLED_BOTH)


def test_coefficients(small: Small) -> None:
    m = cooccurrence(small.project)
    ids = {c.name: c.id for c in m.codes}
    assert m.coefficient(ids["C"], ids["D"]) == pytest.approx(1 / (2 + 3 - 1))
    assert m.coefficient(ids["A"], ids["E"]) == pytest.approx(1 / (1 + 2 - 1))
    assert m.coefficient(ids["C"], ids["F"]) == pytest.approx(1 / 3)
    assert m.coefficient(ids["G"], ids["A"]) == 0.0
    assert m.value(ids["C"], ids["D"], "jaccard") == m.value(ids["C"], ids["D"], "c")
    assert m.value(ids["C"], ids["D"], "count") == 1.0


def test_tidy_records_one_row_per_pair(small: Small) -> None:
    m = cooccurrence(small.project)
    rows = m.records("c")
    assert len(rows) == 7 * 7
    cd = next(r for r in rows if (r["code_a"], r["code_b"]) == ("C", "D"))
    assert cd == {"code_a": "C", "code_b": "D", "path_a": "A/B/C", "path_b": "A/B/C/D",
                  "paragraphs": 1, "paragraphs_a": 2, "paragraphs_b": 3,
                  "c_coefficient": 0.25}
    assert "jaccard" in m.records("jaccard")[0]
    assert set(m.records("count")[0]) == {"code_a", "code_b", "path_a", "path_b",
                                          "paragraphs", "paragraphs_a", "paragraphs_b"}


def test_filters(small: Small) -> None:
    bob = cooccurrence(small.project, ReportFilter(coders=("bob",)))
    assert matrix_by_name(bob) == expected(
        {"A": 0, "B": 0, "C": 0, "D": 2, "E": 1, "F": 1, "G": 0}, {})
    alice = cooccurrence(small.project, ReportFilter(coders=("alice",)))
    assert matrix_by_name(alice) == expected(
        {"A": 1, "B": 1, "C": 2, "D": 1, "E": 1, "F": 1, "G": 0}, {("B", "C"): 1})
    d1 = cooccurrence(small.project, ReportFilter(documents=("d1",), codes=("C", "D", "F")))
    assert [c.name for c in d1.codes] == ["C", "D", "F"]
    assert matrix_by_name(d1) == expected({"C": 1, "D": 2, "F": 1}, {("C", "D"): 1})
    assert d1.total_paragraphs == 4
    assert [c.name for c in d1.used()] == ["C", "D", "F"]


def test_empty_project(project: Project) -> None:
    m = cooccurrence(project)
    assert m.codes == () and m.records() == [] and m.used() == ()


@pytest.mark.parametrize("seed", range(4))
def test_random_projects_match_sets(project: Project, seed: int) -> None:
    build_random(project, seed)
    paragraphs: dict[int, set[int]] = {}
    for paragraph, _document, code, _coder in codings_rows(project):
        paragraphs.setdefault(code, set()).add(paragraph)
    m = cooccurrence(project)
    for a, b in combinations([c.id for c in m.codes], 2):
        assert m.both(a, b) == len(paragraphs.get(a, set()) & paragraphs.get(b, set()))
    for code in m.codes:
        assert m.both(code.id, code.id) == len(paragraphs.get(code.id, set()))


def test_small_project_fixture_matches_its_declared_codings(small: Small) -> None:
    """Guards the hand-worked tables above against edits to CODINGS."""
    per_code: dict[str, set[tuple[str, str]]] = {}
    for document, label, code, _coder in CODINGS:
        per_code.setdefault(code, set()).add((document, label))
    assert {c: len(per_code.get(c, set())) for c in TREE} == OWN_N
