"""qcode.core.similar on the bundled study: stems, the index's own paragraph count,
shared words, a theme's subtree, the index following imports."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.errors import QcodeError
from qcode.core.similar import code_scope, paragraph_total, similar_to, similar_to_code, stem
from qcode.ingest import read_document
from tests import paraphrase
from tests.conftest import CODER

DOC = "sieca-kozlowski-2009"


def plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word.lower())
                   if not unicodedata.combining(c))


@pytest.mark.parametrize("forms", [
    ("funding", "funded", "funds", "fund"),
    ("cooperation", "cooperating", "cooperate", "cooperated", "cooperates"),
    ("policies", "policy"),
    ("offices", "office"),
    ("patrols", "patrol"),
    ("churches", "church"),
])
def test_inflections_share_a_stem(forms: tuple[str, ...]) -> None:
    assert len({stem(f) for f in forms}) == 1, [stem(f) for f in forms]


@pytest.mark.parametrize(("one", "other"), [
    ("process", "proces"), ("state", "statement"), ("news", "new"), ("analysis", "analys"),
])
def test_different_words_keep_apart(one: str, other: str) -> None:
    assert stem(one) != stem(other)


def test_paragraph_total_is_the_number_of_paragraphs(study: Project, tmp_path: Path) -> None:
    count = study.conn.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0]
    assert paragraph_total(study.conn) == count > 40
    study.add_document(read_document(paraphrase.write(tmp_path)), coder=CODER)
    assert paragraph_total(study.conn) == count + 2


def test_results_share_words_with_the_source(study: Project) -> None:
    source = study.paragraph(study.document(DOC), "§29")
    found = similar_to(study, source.id, limit=10)
    assert len(found) == 10
    assert source.id not in {f.paragraph.id for f in found}
    source_words = {plain(w) for w in re.findall(r"\w+", source.text)}
    for item in found:
        assert 0 < item.score <= 1
        text = plain(item.paragraph.text)
        assert all(word in text for word in item.shared)
        # Every shared word is, up to its ending, a word of the source.
        assert all(any(w.startswith(word[:4]) for w in source_words) for word in item.shared)
        assert all(item.paragraph.text[s:e].isalnum() for s, e in item.matches)
    assert [f.score for f in found] == sorted((f.score for f in found), reverse=True)
    # The paragraphs on the Public Chamber come before the rest.
    assert {"§30", "note 10"} <= {f.paragraph.ref for f in found[:4]}


def test_a_theme_leaves_out_what_its_codes_below_hold(study: Project) -> None:
    article = study.document(DOC)
    parent = study.code("international dimension")
    child = study.code("foreign funding")
    scope = code_scope(study, "international dimension")
    assert parent.id in scope and child.id in scope
    with pytest.raises(QcodeError, match="holds no paragraph"):
        similar_to_code(study, scope)
    study.tag([study.paragraph(article, "§17").id], [child.id], coder=CODER)
    found = similar_to_code(study, scope, limit=50)
    assert "§17" not in {f.paragraph.ref for f in found}
    # The two other paragraphs on funding are among the first three (the third shares
    # the names of the interviewees §17 cites).
    assert {"§16", "§29"} <= {f.paragraph.ref for f in found[:3]}
    assert all(not f.coded for f in found)


def test_limit_and_uncoded(study: Project) -> None:
    article = study.document(DOC)
    source = study.paragraph(article, "§17")
    assert similar_to(study, source.id, limit=0) == []
    top = similar_to(study, source.id, limit=3)
    assert len(top) == 3
    study.tag([top[0].paragraph.id], [study.code("foreign funding").id], coder=CODER)
    again = similar_to(study, source.id, limit=3)
    assert again[0].paragraph.id == top[0].paragraph.id and again[0].coded
    only = similar_to(study, source.id, limit=3, uncoded="only")
    assert [f.paragraph.id for f in only] == [f.paragraph.id for f in
                                              similar_to(study, source.id, limit=4)[1:]]
    first = similar_to(study, source.id, limit=50, uncoded="first")
    assert first[-1].paragraph.id == top[0].paragraph.id
