"""Correcting a transcript (qcode.core.transcript_edit): exact spans move with their text
(an insertion before a span shifts it, an edit inside stretches it, a span whose text is
gone is reported), and every correction is one event that undo takes back whole."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from qcode import Project
from qcode.core import transcript_edit as te
from qcode.core.errors import QcodeError
from qcode.core.spans import Span, dump, load
from qcode.core.store.check import check
from qcode.ingest import read_document

P1 = "The quick brown fox jumps over the lazy dog."
P2 = "Alpha beta gamma delta epsilon zeta eta theta."
P3 = "Nothing to see here at all today."
SELECTED = "gamma delta"


@pytest.fixture
def small(project: Project, tmp_path: Path) -> Project:
    source = tmp_path / "talk.txt"
    source.write_text(f"{P1}\n\n{P2}\n\n{P3}\n", encoding="utf-8")
    project.add_document(read_document(source), coder="alice")
    project.add_code("theme", coder="alice")
    doc = project.document("talk")
    second = project.paragraphs(doc.id)[1]
    project.tag([second.id], [project.code("theme").id], coder="alice")
    start = project.document_text(doc.id).index(SELECTED)
    with project.writing():
        project.record("alice", "select", "a selection", [{
            "op": "update", "table": "codings", "key": {"id": _coding(project)[0]},
            "before": {"spans": None},
            "after": {"spans": dump([Span(start, start + len(SELECTED), "SEL-1")])}}])
    return project


def _coding(project: Project) -> tuple[int, int, str | None]:
    row = project.conn.execute("SELECT id, paragraph_id, spans FROM codings").fetchone()
    return row[0], row[1], row[2]


def _selected(project: Project) -> list[str]:
    text = project.document_text(project.document("talk").id)
    return [text[s.start:s.end] for s in load(_coding(project)[2])]


def _rows(project: Project) -> str:
    h = hashlib.sha256()
    for table in ("documents", "paragraphs", "codings", "memos"):
        for row in project.conn.execute(f"SELECT * FROM {table} ORDER BY id"):
            h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def _correct(project: Project, old: str, new: str) -> te.EditPlan:
    doc = project.document("talk")
    rendered = te.render(project, doc)
    assert old in rendered
    return te.plan(project, doc, rendered.replace(old, new, 1))


def _apply_and_undo(project: Project, plan: te.EditPlan) -> None:
    before = _rows(project)
    te.apply(project, plan, coder="alice")
    assert check(project.conn).healthy, check(project.conn).problems
    project.undo(coder="alice")
    assert _rows(project) == before
    assert check(project.conn).healthy


def test_markers_are_positions_when_paragraphs_have_no_labels(small: Project) -> None:
    rendered = te.render(small, small.document("talk"))
    assert f"[[¶1]]\n{P1}\n\n[[¶2]]\n{P2}\n\n[[¶3]]\n{P3}\n" in rendered


def test_an_insertion_before_a_span_shifts_it(small: Project) -> None:
    start = load(_coding(small)[2])[0].start
    plan = _correct(small, "Alpha beta", "Alpha and beta")
    assert not plan.needs_confirmation
    te.apply(small, plan, coder="alice")
    assert _selected(small) == [SELECTED]
    (span,) = load(_coding(small)[2])
    assert (span.start, span.selection) == (start + 4, "SEL-1")
    assert check(small.conn).healthy
    # An insertion in an earlier paragraph shifts it too.
    te.apply(small, _correct(small, "quick brown", "quick and brown"), coder="alice")
    assert _selected(small) == [SELECTED]
    assert check(small.conn).healthy


def test_an_edit_inside_a_span_stretches_it(small: Project) -> None:
    plan = _correct(small, "gamma delta", "gamma, big delta")
    assert not plan.needs_confirmation
    _apply_and_undo(small, plan)
    te.apply(small, _correct(small, "gamma delta", "gamma, big delta"), coder="alice")
    assert _selected(small) == ["gamma, big delta"]


def test_an_insertion_right_after_a_span_does_not_stretch_it(small: Project) -> None:
    te.apply(small, _correct(small, "gamma delta epsilon", "gamma delta and epsilon"),
             coder="alice")
    assert _selected(small) == [SELECTED]


def test_a_span_whose_text_is_gone_is_reported(small: Project) -> None:
    plan = _correct(small, "beta gamma delta epsilon", "beta epsilon")
    assert plan.needs_confirmation
    gone = [a for a in plan.affected if a.fate == "span gone"]
    assert len(gone) == 1 and gone[0].code == "theme" and gone[0].where == "¶2"
    assert any("span gone" in line for line in te.describe(plan))
    _apply_and_undo(small, plan)
    assert _selected(small) == [SELECTED]
    # Applied, the coding goes with its only selection's text (never made whole).
    te.apply(small, _correct(small, "beta gamma delta epsilon", "beta epsilon"),
             coder="alice")
    assert small.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0] == 0
    assert check(small.conn).healthy


def test_a_span_that_keeps_some_text_keeps_its_coding(small: Project) -> None:
    plan = _correct(small, "gamma delta epsilon", "delta epsilon")
    assert not plan.needs_confirmation
    te.apply(small, plan, coder="alice")
    assert _selected(small) == ["delta"]


def test_whole_codings_on_a_removed_paragraph_are_listed(small: Project) -> None:
    plan = _correct(small, f"[[¶2]]\n{P2}\n\n", "")
    assert plan.counts["removed"] == 1
    assert [(a.what, a.fate) for a in plan.affected] == [("coding", "removed")]
    _apply_and_undo(small, plan)


def test_split_carries_the_span_to_the_part_holding_its_text(small: Project) -> None:
    plan = _correct(small, "Alpha beta gamma", "Alpha beta\n\ngamma")
    assert plan.counts == {"unchanged": 2, "split": 1}
    te.apply(small, plan, coder="alice")
    _id, paragraph_id, _spans = _coding(small)
    assert small.paragraph_by_id(paragraph_id).text.startswith("gamma delta")
    assert _selected(small) == [SELECTED]
    assert check(small.conn).healthy


def test_one_paragraph_corrected_in_place(small: Project) -> None:
    doc = small.document("talk")
    third = small.paragraphs(doc.id)[2]
    plan = te.plan_paragraph(small, doc, third.id, "Nothing to see here today.")
    assert plan.counts == {"unchanged": 2, "changed": 1}
    _apply_and_undo(small, plan)
    empty = te.plan_paragraph(small, doc, third.id, "   ")
    assert empty.counts.get("removed") == 1


def test_unchanged_text_is_no_change(small: Project) -> None:
    doc = small.document("talk")
    plan = te.plan(small, doc, te.render(small, doc))
    assert not plan.changed
    with pytest.raises(QcodeError, match="nothing to change"):
        te.apply(small, plan, coder="alice")


def test_a_stale_plan_is_refused(small: Project) -> None:
    """A plan made before another change to the document would undo that change: it
    is made again under the write lock, differs, and is refused."""
    plan = _correct(small, "lazy dog", "lazy cat")
    te.apply(small, _correct(small, "Alpha beta", "Alpha, beta"), coder="alice")
    before = _rows(small)
    with pytest.raises(QcodeError, match="changed while"):
        te.apply(small, plan, coder="alice")
    assert _rows(small) == before


def test_a_deleted_marker_line_alone_changes_nothing(small: Project) -> None:
    """The first marker line deleted, its text left: the text is still that paragraph."""
    plan = _correct(small, "[[¶1]]\n", "")
    assert not plan.changed
    # A marker line deleted in the middle, the blank line kept: still two paragraphs.
    assert not _correct(small, "[[¶2]]\n", "").changed
    # Without the blank line the two texts are one paragraph: joined.
    plan = _correct(small, f"{P1}\n\n[[¶2]]\n", f"{P1}\n")
    assert plan.counts == {"joined": 1, "unchanged": 1}
    assert plan.needs_confirmation  # the coding on ¶2 moves into the joined paragraph
    _apply_and_undo(small, plan)


def test_text_under_new_is_added_and_an_emptied_block_removed(small: Project) -> None:
    plan = _correct(small, f"[[¶3]]\n{P3}\n", "[[new]]\nOne more.\n\nAnd another.\n")
    assert plan.counts == {"unchanged": 2, "removed": 1, "added": 2}
    assert not plan.needs_confirmation  # ¶3 was uncoded
    _apply_and_undo(small, plan)


def test_typo_tolerant_search_follows_a_corrected_word(small: Project) -> None:
    """A word swapped for one as long changes neither of the index's totals; the terms
    search expands against follow all the same, after the edit and after undo."""
    from qcode.core.search import search

    assert search(small, "lazzy")
    terms = lambda: {r[0] for r in small.conn.execute(  # noqa: E731
        "SELECT term FROM search_terms")}
    assert "lazy" in terms() and "hazy" not in terms()
    te.apply(small, _correct(small, "lazy dog", "hazy dog"), coder="alice")
    assert search(small, "hazzy")
    assert "hazy" in terms() and "lazy" not in terms()
    small.undo(coder="alice")
    assert not search(small, "hazzy")
    assert "lazy" in terms() and "hazy" not in terms()


def test_markers_are_labels_where_labels_are_unique(project: Project, tmp_path: Path) -> None:
    source = tmp_path / "numbered.md"
    source.write_text("# Part one\n\n§1 First.\n\n§2 Second.\n\n§2 Again second.\n",
                      encoding="utf-8")
    project.add_document(read_document(source), coder="alice")
    document = project.document("numbered")
    rendered = te.render(project, document)
    assert "[[§1]]\nFirst.\n" in rendered
    assert "[[¶2]]\nSecond.\n" in rendered and "[[¶3]]\nAgain second.\n" in rendered
    plan = te.plan(project, document, rendered.replace("[[¶2]]", "[[new]]\nAdded.\n\n[[¶2]]"))
    te.apply(project, plan, coder="alice")
    added = project.paragraphs(document.id)[1]
    assert (added.text, added.label, added.section) == ("Added.", None, "Part one")
    assert check(project.conn).healthy


def test_a_text_from_another_tool_keeps_fitting_line_breaks(project: Project) -> None:
    """A REFI-QDA source keeps the line breaks it had (one letter per break); a
    correction that adds or removes breaks leaves ones that fit, and check agrees."""
    from qcode.core.model import ParsedDocument
    from qcode.ingest.spans import split_spans

    text = "First line of one.\nSecond line of one.\n\nAnother paragraph.\n"
    parsed = ParsedDocument("tool", text, split_spans(text), positions="utf16",
                            line_breaks="wnww")
    project.add_document(parsed, coder="alice")
    document = project.document("tool")
    rendered = te.render(project, document)
    plan = te.plan(project, document, rendered.replace("Another paragraph.",
                                                       "Another\n\nparagraph.", 1))
    te.apply(project, plan, coder="alice")
    assert check(project.conn).healthy, check(project.conn).problems
    assert project.conn.execute("SELECT line_breaks FROM documents").fetchone()[0] == "crlf"
    project.undo(coder="alice")
    assert project.conn.execute("SELECT line_breaks FROM documents").fetchone()[0] == "wnww"
    assert check(project.conn).healthy


def test_many_paragraphs_joined_keep_each_coding_on_its_own_text(
        project: Project, tmp_path: Path) -> None:
    texts = [f"Speaker {n} said that the ministry answered letter number {n} late."
             for n in range(1, 61)]
    source = tmp_path / "long.txt"
    source.write_text("\n\n".join(texts) + "\n", encoding="utf-8")
    project.add_document(read_document(source), coder="alice")
    code = project.add_code("late", coder="alice")
    document = project.document("long")
    rows = project.paragraphs(document.id)
    project.tag([p.id for p in rows[::2]], [code.id], coder="alice")
    rendered = te.render(project, document)
    block = "\n\n".join(f"[[¶{n}]]\n{texts[n - 1]}" for n in range(10, 41))
    assert block in rendered
    joined = " ".join(texts[9:40]).replace("letter number 20 late", "letter 20 late")
    plan = te.plan(project, document, rendered.replace(block, f"[[¶10]]\n{joined}"))
    assert plan.counts["joined"] == 1
    te.apply(project, plan, coder="alice")
    assert check(project.conn).healthy
    full = project.document_text(document.id)
    spans = {tuple(full[s.start:s.end] for s in load(r[0]))
             for r in project.conn.execute("SELECT spans FROM codings WHERE spans IS NOT NULL")}
    # One coding of the code on the joined paragraph (the paragraph is the unit), its
    # selections exactly the texts of the fifteen coded paragraphs that went into it.
    assert spans == {tuple(texts[n - 1] for n in range(11, 41, 2))}
    assert project.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0] == 30 - 15 + 1
