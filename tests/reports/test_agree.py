"""`qcode agree` as a library: hand-computed figures, missing data, disagreements."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from agree_helpers import ALICE, BOB, CAROL, add_document, tag

from qcode import Project
from qcode.core.agreement.coefficients import Column
from qcode.core.errors import NotFoundError, QcodeError
from qcode.reports.agreement import (
    NO_UNITS,
    AgreementReport,
    CodeAgreement,
    agreement,
    disagreements,
)


def row(report: AgreementReport, code: str) -> CodeAgreement:
    return next(r for r in report.codes if r.code == code)


def r3(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


@pytest.fixture
def two_coders(project: Project) -> Project:
    """One document p1..p10, codes A, B, C; alice and bob code A and B (C unused)."""
    add_document(project, "d1", [f"p{i}" for i in range(1, 11)])
    for name in ("A", "B", "C"):
        project.add_code(name, coder=ALICE)
    tag(project, "d1", ["p1", "p2", "p3", "p4"], "A", ALICE)
    tag(project, "d1", ["p1", "p2", "p3", "p5"], "A", BOB)
    tag(project, "d1", ["p6"], "B", ALICE)
    tag(project, "d1", ["p7", "p8"], "B", BOB)
    return project


def test_two_coders_per_code_match_hand_computation(two_coders: Project) -> None:
    report = agreement(two_coders)
    assert report.coders == (ALICE, BOB)
    assert (report.documents, report.paragraphs) == (1, 10)
    a = row(report, "A")
    # A: both 1 on p1-p3, alice only p4, bob only p5, both 0 on 5 -> p_o = 8/10.
    # Cohen: each coder 4/10 ones: p_e = .4*.4 + .6*.6 = .52; kappa = .28/.48 = 0.583.
    # Fleiss: pooled 8/20 ones, same p_e = .52 -> 0.583.
    # alpha: n = 20 values, n_1 = 8, n_0 = 12, o_01 + o_10 = 4:
    #        1 - 19 * 4 / (2 * 8 * 12) = 1 - 76/192 = 0.604.
    assert (a.units, a.applied) == (10, (4, 4))
    assert [r3(a.percent.value), r3(a.cohen.value if a.cohen else None), r3(a.fleiss.value),
            r3(a.alpha.value)] == [0.8, 0.583, 0.583, 0.604]
    b = row(report, "B")
    # B: alice only p6, bob only p7, p8; both 0 on 7 -> p_o = 0.7.
    # Cohen: p_e = .1*.2 + .9*.8 = .74 -> (.7 - .74)/.26 = -0.154.
    # Fleiss: pooled 3/20: p_e = .0225 + .7225 = .745 -> -.045/.255 = -0.176.
    # alpha: n_1 = 3, n_0 = 17, disagreements 6: 1 - 19*6/(2*3*17) = 1 - 114/102 = -0.118.
    assert b.applied == (1, 2)
    assert [r3(b.percent.value), r3(b.cohen.value if b.cohen else None), r3(b.fleiss.value),
            r3(b.alpha.value)] == [0.7, -0.154, -0.176, -0.118]
    c = row(report, "C")
    # C: nobody used it; with categories {0, 1} agreement is 100% but chance agreement is
    # 1, so kappa and alpha are undefined (not 1.0).
    assert c.percent.value == 1.0
    for result in (c.cohen, c.fleiss, c.alpha):
        assert result is not None and result.value is None
        assert result.reason is not None and result.reason.startswith("no variation")
    overall = report.overall
    # Pooled over 30 (paragraph, code) units: (1,1) 3, (1,0) 2, (0,1) 3, (0,0) 22.
    # percent 25/30 = 0.833; Cohen: alice 5/30, bob 6/30 ones:
    #   p_e = (5*6 + 25*24)/900 = 0.7 -> (0.8333 - 0.7)/0.3 = 0.444.
    # Fleiss: pooled 11/60: p_e = (121 + 2401)/3600 = 0.70056 -> 0.443.
    # alpha: n_1 = 11, n_0 = 49, disagreements 10: 1 - 59*10/(2*11*49) = 1 - 590/1078 = 0.453.
    assert overall.units == 30
    assert overall.columns == {(1, 1): 3, (1, 0): 2, (0, 1): 3, (0, 0): 22}
    assert [r3(overall.percent.value), r3(overall.cohen.value if overall.cohen else None),
            r3(overall.fleiss.value), r3(overall.alpha.value)] == [0.833, 0.444, 0.443, 0.453]


@pytest.fixture
def missing(project: Project) -> Project:
    """alice and bob code d1 and d2; carol codes only d1 (so has not reviewed d2)."""
    add_document(project, "d1", ["p1", "p2", "p3", "p4"])
    add_document(project, "d2", ["q1", "q2", "q3", "q4"])
    project.add_code("X", coder=ALICE)
    tag(project, "d1", ["p1", "p2"], "X", ALICE)
    tag(project, "d1", ["p1"], "X", BOB)
    tag(project, "d1", ["p1", "p2"], "X", CAROL)
    tag(project, "d2", ["q1"], "X", ALICE)
    tag(project, "d2", ["q1", "q2"], "X", BOB)
    return project


def test_a_coder_who_did_not_review_is_missing_not_absent(missing: Project) -> None:
    # Units (alice, bob, carol): d1 p1 (1,1,1), p2 (1,0,1), p3-p4 (0,0,0);
    #                            d2 q1 (1,1,-), q2 (0,1,-), q3-q4 (0,0,-).
    # alpha: o_11 = 3 + 1 + 2 = 6, o_00 = 6 + 4 = 10, o_01 = o_10 = 2; n_1 = 8, n_0 = 12:
    #        1 - 19 * 4 / (2 * 8 * 12) = 0.604.
    # Fleiss (Gwet's generalisation): P_i = 1, 1/3, 1, 1, 1, 0, 1, 1 -> P = 19/24;
    #        pi_1 = (1 + 2/3 + 0 + 0 + 1 + 1/2 + 0 + 0) / 8 = 19/48, pi_0 = 29/48,
    #        p_e = (361 + 841) / 2304 = 601/1152: (19/24 - 601/1152) / (551/1152)
    #        = 311/551 = 0.564 (the pooled 8/20 ones, p_e = .52, gave 0.566).
    before = agreement(missing)
    x = row(before, "X")
    assert before.reviewed == (2, 2, 1)
    assert x.columns == {(1, 1, 1): 1, (1, 0, 1): 1, (0, 0, 0): 2, (1, 1, None): 1,
                         (0, 1, None): 1, (0, 0, None): 2}
    assert [r3(x.percent.value), r3(x.fleiss.value), r3(x.alpha.value)] == [0.792, 0.564, 0.604]
    assert x.fleiss.value == pytest.approx(311 / 551)
    assert x.cohen is None  # three coders
    # carol marks d2 reviewed: her blanks there become "absent" (0).
    #   d2: q1 (1,1,0), q2 (0,1,0), q3-q4 (0,0,0). o_11 = 5, o_01 = o_10 = 3, o_00 = 13;
    #   n = 24, n_1 = 8, n_0 = 16: alpha = 1 - 23 * 6 / (2 * 8 * 16) = 1 - 138/256 = 0.461.
    #   Fleiss: P_i sum = 10/3 + 8/3 = 6 -> P = .75; p_e = (1/3)^2 + (2/3)^2 = 5/9:
    #   (0.75 - 0.5556) / 0.4444 = 0.438.
    assert missing.mark_reviewed(missing.document("d2"), coder=CAROL)
    after = row(agreement(missing), "X")
    assert after.columns[(0, 1, 0)] == 1 and (0, 1, None) not in after.columns
    assert [r3(after.percent.value), r3(after.fleiss.value), r3(after.alpha.value)] == [
        0.75, 0.438, 0.461]
    # The mark is one event: undo brings back the missing-data figures.
    missing.undo(coder=CAROL)
    assert row(agreement(missing), "X").alpha == x.alpha


def test_documents_reviewed_by_one_coder_are_not_units(missing: Project) -> None:
    add_document(missing, "d3", ["r1", "r2", "r3"])
    tag(missing, "d3", ["r1"], "X", ALICE)
    report = agreement(missing, coders=[ALICE, BOB])
    # d3 was reviewed by alice alone: its paragraphs are not units.
    assert (report.documents, report.paragraphs) == (2, 8)
    assert row(report, "X").columns == {(1, 1): 2, (1, 0): 1, (0, 1): 1, (0, 0): 4}
    # bob marking d3 reviewed brings its 3 paragraphs in: r1 (1,0), r2-r3 (0,0).
    missing.mark_reviewed(missing.document("d3"), coder=BOB)
    report = agreement(missing, coders=[ALICE, BOB])
    assert report.paragraphs == 11
    assert row(report, "X").columns == {(1, 1): 2, (1, 0): 2, (0, 1): 1, (0, 0): 6}


def test_chosen_coders_restrict_and_reorder(missing: Project) -> None:
    report = agreement(missing, coders=[CAROL, "ALICE"])
    assert report.coders == (CAROL, ALICE)
    # Only d1 was reviewed by both: p1 (1,1), p2 (1,1), p3-p4 (0,0): perfect agreement.
    assert report.paragraphs == 4
    x = row(report, "X")
    assert x.columns == {(1, 1): 2, (0, 0): 2}
    assert (x.alpha.value, x.cohen.value if x.cohen else None) == (1.0, 1.0)


def test_consensus_is_left_out_unless_named(two_coders: Project) -> None:
    tag(two_coders, "d1", ["p1", "p2", "p3"], "A", "consensus")
    assert agreement(two_coders).coders == (ALICE, BOB)
    named = agreement(two_coders, coders=[ALICE, "consensus"])
    assert named.coders == (ALICE, "consensus")
    assert row(named, "A").columns == {(1, 1): 3, (1, 0): 1, (0, 0): 6}


def test_unknown_coder_suggests_and_too_few_coders_fail(two_coders: Project) -> None:
    with pytest.raises(NotFoundError, match="no coder named 'alcie' \\(did you mean 'alice'\\?\\)"):
        agreement(two_coders, coders=["alcie", BOB])
    with pytest.raises(QcodeError, match="at least 2 coders; only 'alice'"):
        agreement(two_coders, coders=[ALICE, "Alice"])


def test_a_project_with_one_coder_cannot_agree(project: Project) -> None:
    add_document(project, "d1", ["p1"])
    project.add_code("A", coder=ALICE)
    with pytest.raises(QcodeError, match="no coder has"):
        agreement(project)
    tag(project, "d1", ["p1"], "A", ALICE)
    with pytest.raises(QcodeError, match="only 'alice' has"):
        agreement(project)


def test_no_shared_document_gives_reasons_not_numbers(project: Project) -> None:
    add_document(project, "d1", ["p1", "p2"])
    add_document(project, "d2", ["q1", "q2"])
    project.add_code("A", coder=ALICE)
    tag(project, "d1", ["p1"], "A", ALICE)
    tag(project, "d2", ["q1"], "A", BOB)
    report = agreement(project)
    assert report.paragraphs == 0
    for result in row(report, "A").figures().values():
        assert result is not None and result.value is None and result.reason == NO_UNITS


def test_code_and_document_filters(two_coders: Project) -> None:
    report = agreement(two_coders, codes=["b"])
    assert [r.code for r in report.codes] == ["B"]
    assert report.overall.columns == row(report, "B").columns
    with pytest.raises(NotFoundError, match="no document 'd9'"):
        agreement(two_coders, documents=["d9"])


def test_folder_codes_are_refused_and_left_out(project: Project) -> None:
    add_document(project, "d1", ["p1"])
    folder = project.add_code("theme", coder=ALICE, codable=False)
    project.add_code("leaf", coder=ALICE, parent=folder)
    tag(project, "d1", ["p1"], "leaf", ALICE)
    tag(project, "d1", ["p1"], "leaf", BOB)
    assert [r.code for r in agreement(project).codes] == ["leaf"]
    assert agreement(project).codes[0].depth == 1
    with pytest.raises(QcodeError, match="'theme' is a folder"):
        agreement(project, codes=["theme"])


def test_bootstrap_interval_is_seeded(two_coders: Project) -> None:
    first = agreement(two_coders, bootstrap=300, seed=4)
    again = agreement(two_coders, bootstrap=300, seed=4)
    other = agreement(two_coders, bootstrap=300, seed=5)
    a = row(first, "A")
    assert a.interval is not None and a.interval.interval is not None
    assert a.interval == row(again, "A").interval
    assert a.interval.interval != row(other, "A").interval.interval  # type: ignore[union-attr]
    low, high = a.interval.interval
    assert low < float(a.alpha) <= high
    assert row(first, "C").interval is not None
    assert row(first, "C").interval.interval is None  # type: ignore[union-attr]
    assert row(agreement(two_coders), "A").interval is None


# -- disagreements --------------------------------------------------------------------


def listing(project: Project, **kwargs: object) -> list[tuple[str, str, str, tuple[str, ...],
                                                              tuple[str, ...]]]:
    found = disagreements(project, **kwargs).found  # type: ignore[arg-type]
    return [(d.document, d.ref, d.code, d.with_code, d.without_code) for d in found.rows]


def test_disagreements_list_who_applied_what(two_coders: Project) -> None:
    assert listing(two_coders) == [
        ("d1", "p4", "A", (ALICE,), (BOB,)),
        ("d1", "p5", "A", (BOB,), (ALICE,)),
        ("d1", "p6", "B", (ALICE,), (BOB,)),
        ("d1", "p7", "B", (BOB,), (ALICE,)),
        ("d1", "p8", "B", (BOB,), (ALICE,)),
    ]
    first = disagreements(two_coders).found.rows[0]
    assert first.section == "d1 section"
    assert first.excerpt == "d1: paragraph p4, with enough words to quote."
    assert listing(two_coders, codes=["B"])[0][1] == "p6"


def test_disagreements_leave_out_coders_who_did_not_review(missing: Project) -> None:
    # d2 q2: bob applied X, alice did not, carol never reviewed d2 (not "without").
    assert listing(missing) == [
        ("d1", "p2", "X", (ALICE, CAROL), (BOB,)),
        ("d2", "q2", "X", (BOB,), (ALICE,)),
    ]
    missing.mark_reviewed(missing.document("d2"), coder=CAROL)
    assert listing(missing)[1:] == [
        ("d2", "q1", "X", (ALICE, BOB), (CAROL,)),
        ("d2", "q2", "X", (BOB,), (ALICE, CAROL)),
    ]


# -- the SQL tally against a slow, obvious reference ----------------------------------


def reference(project: Project, coders: list[str]) -> dict[str, Counter[Column]]:
    """Per code, the column tally built paragraph by paragraph in Python."""
    ids = [project.find_coder(c).id for c in coders]
    conn = project.conn
    marked = {(r[0], r[1]) for r in conn.execute("SELECT document_id, coder_id FROM reviews")}
    coded = {(r[0], r[1]) for r in conn.execute(
        "SELECT p.document_id, c.coder_id FROM codings c JOIN paragraphs p ON p.id = c.paragraph_id")}
    applied = {(r[0], r[1], r[2]) for r in conn.execute(
        "SELECT paragraph_id, code_id, coder_id FROM codings")}
    result: dict[str, Counter[Column]] = {}
    for code in project.codes():
        tally: Counter[Column] = Counter()
        for p in conn.execute("SELECT id, document_id FROM paragraphs"):
            reviewed = [(p[1], c) in marked or (p[1], c) in coded for c in ids]
            if sum(reviewed) < 2:
                continue
            tally[tuple((1 if (p[0], code.id, c) in applied else 0) if r else None
                        for c, r in zip(ids, reviewed, strict=True))] += 1
        result[code.name] = tally
    return result


@pytest.mark.parametrize("seed", range(6))
def test_sql_tallies_match_the_reference(project: Project, seed: int) -> None:
    rng = random.Random(seed)
    for d in range(4):
        add_document(project, f"d{d}", [f"p{i}" for i in range(rng.randint(3, 12))])
    if seed % 2:
        # Interleave paragraph ids across documents (as a merge could leave them):
        # move d1's even paragraphs above every other id.
        d1 = project.document("d1").id
        project.conn.execute("UPDATE paragraphs SET id = id + 10000 "
                             "WHERE document_id = ? AND ordinal % 2 = 0", (d1,))
        low, high, count = project.conn.execute(
            "SELECT MIN(id), MAX(id), COUNT(*) FROM paragraphs WHERE document_id = ?",
            (d1,)).fetchone()
        assert high - low + 1 > count  # d1's ids now have holes other documents fill
    for name in ("A", "B", "C"):
        project.add_code(name, coder=ALICE)
    coders = [ALICE, BOB, CAROL, "dan"]
    paragraphs = [(r[0], r[1]) for r in project.conn.execute(
        "SELECT id, document_id FROM paragraphs")]
    codes = [c.id for c in project.codes()]
    for coder in coders:
        skipped = {d for d in range(1, 5) if rng.random() < 0.3}
        chosen = [p for p, doc in paragraphs if doc not in skipped and rng.random() < 0.4]
        for p in chosen:
            project.tag([p], [rng.choice(codes)], coder=coder)
        for doc in range(1, 5):
            if rng.random() < 0.2:
                project.mark_reviewed(project.document(doc), coder=coder)
    picked = rng.sample(coders, 3)
    try:
        report = agreement(project, coders=picked)
    except QcodeError:
        pytest.skip("the draw left fewer than 2 reviewing coders")
    expected = reference(project, picked)
    for result in report.codes:
        assert dict(result.columns) == {k: v for k, v in expected[result.code].items()}
    listed = {(d.paragraph_id, d.code) for d in disagreements(project, coders=picked).found.rows}
    tallies_disagree = sum(
        count for tally in expected.values() for pattern, count in tally.items()
        if len({v for v in pattern if v is not None}) == 2)
    assert len(listed) == tallies_disagree
