"""Full-text search: typo tolerance, accents and Cyrillic, ranking, snippets, and an
index that follows imports, removals, undo and redo."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from qcode import Project
from qcode.core.errors import NotFoundError
from qcode.core.search import expand, fold_term, parse_query, scope_for, search, vocabulary
from qcode.core.store import schema
from qcode.ingest import read_document

CODER = "alice"
ARTICLE = Path(__file__).resolve().parents[2] / "corpus" / "sieca-kozlowski-2009.md"
# A short interview: Cyrillic, "ё", and a word (зарплата) no other text has.
RUSSIAN = """# Интервью

Вопрос: Как меняются отношения с министерствами?

Ответ: Региональные различия очень важны: в одном регионе можно то, что невозможно в другом.

Ответ: Зарплата сотрудников маленькая, поэтому они часто меняются. Под Новый год мы ставим ёлку, а ёлка стоит в зале.
"""


def words(text: str) -> list[str]:
    """The words of a text folded as the index folds them."""
    return [fold_term(w) for w in re.findall(r"[^\W_]+", text)]


@pytest.fixture
def russian(tmp_path: Path) -> Path:
    path = tmp_path / "интервью-1.txt"
    path.write_text(RUSSIAN, encoding="utf-8")
    return path


def test_a_typo_finds_every_paragraph_with_the_word(study: Project) -> None:
    hits = search(study, "regonal")
    with_word = {p.id for doc in study.documents() for p in study.paragraphs(doc.document.id)
                 if "regional" in words(p.text)}
    assert with_word, "the article uses the word 'regional'"
    assert with_word <= {h.paragraph.id for h in hits}
    for hit in hits:
        matched = [fold_term(hit.paragraph.text[s:e]) for s, e in hit.matches]
        assert matched and all(
            Levenshtein.distance("regonal", m) <= 2 or m.startswith("regonal") for m in matched
        )


def test_highlights_in_the_snippet_are_the_matched_words(study: Project) -> None:
    for hit in search(study, "ministries"):
        assert hit.highlights
        for (s, e), (ms, me) in zip(hit.highlights, hit.matches, strict=False):
            assert hit.snippet[s:e] == hit.paragraph.text[ms:me]
            assert fold_term(hit.snippet[s:e]) in expand("ministries", vocabulary(study))


def test_a_long_paragraph_is_cut_around_the_match(study: Project) -> None:
    long_hits = [h for h in search(study, "mobility") if len(h.paragraph.text) > 400]
    assert long_hits
    hit = long_hits[0]
    assert len(hit.snippet) < len(hit.paragraph.text)
    assert "…" in hit.snippet
    s, e = hit.highlights[0]
    assert hit.snippet[s:e].lower() == "mobility"


def test_an_exact_word_outranks_its_neighbours(study: Project) -> None:
    hits = search(study, "region")
    assert hits
    assert "region" in words(hits[0].paragraph.text)
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_accents_are_folded_both_ways(study: Project) -> None:
    for query in ("Désert", "desert", "DESERT"):
        hits = search(study, query)
        assert [h.paragraph.ref for h in hits] == ["§1"]
        s, e = hits[0].matches[0]
        assert hits[0].paragraph.text[s:e] == "Désert"
    assert any("École" in h.paragraph.text for h in search(study, "ecole"))


def test_cyrillic_queries_with_case_and_typos(project: Project, russian: Path) -> None:
    project.add_document(read_document(russian), coder=CODER)
    exact = search(project, "региональные")
    assert exact and all("региональные" in words(h.paragraph.text) for h in exact)
    assert {h.paragraph.id for h in search(project, "РЕГИОНАЛЬНЫЕ")} == {
        h.paragraph.id for h in exact}
    typo = search(project, "регинальные")
    assert {h.paragraph.id for h in exact} <= {h.paragraph.id for h in typo}
    # "ё" is a letter of its own to the index; a one-letter slip still finds it.
    assert any("ёлка" in words(h.paragraph.text) for h in search(project, "елка"))


def test_words_are_anded_and_phrases_are_exact(study: Project) -> None:
    both = search(study, "personal hierarchy")
    assert both
    for hit in both:
        text = words(hit.paragraph.text)
        assert any(w.startswith("personal") for w in text)
        assert any(w.startswith("hierarch") for w in text)
    phrase = search(study, '"power ministries"')
    assert phrase
    assert all("power ministries" in " ".join(words(h.paragraph.text)) for h in phrase)
    assert parse_query('Régional "power ministries" x') == (["regional", "x"],
                                                            ["power ministries"])


def test_nothing_found(study: Project) -> None:
    assert search(study, "") == []
    assert search(study, "  §  ") == []
    assert search(study, "qqqqzzzz") == []
    assert search(study, "regional qqqqzzzz") == []
    assert search(study, "regional", limit=0) == []


def test_limit_and_document_filter(study: Project, russian: Path) -> None:
    other = study.add_document(read_document(russian), coder=CODER)
    assert len(search(study, "the", limit=3)) == 3
    inside = search(study, "регион", document_id=other.id)
    assert inside and all(h.document == other.name for h in inside)
    assert search(study, "regional", document_id=other.id) == []


def test_hits_follow_import_undo_redo_and_removal(project: Project, russian: Path) -> None:
    assert search(project, "зарплата") == []
    document = project.add_document(read_document(russian), coder=CODER)
    assert [h.document for h in search(project, "зарплата")] == [document.name]
    project.undo(coder=CODER)
    assert search(project, "зарплата") == []
    project.redo(coder=CODER)
    assert [h.document for h in search(project, "зарплата")] == [document.name]
    project.remove_document(project.document(document.name), coder=CODER)
    assert search(project, "зарплата") == []


def test_another_connection_sees_new_paragraphs(study: Project, russian: Path) -> None:
    with Project.open(study.path, readonly=True) as reader:
        assert search(reader, "зарплата") == []
        study.add_document(read_document(russian), coder=CODER)
        assert len(search(reader, "зарплата")) == 1


def _schema_1_project(path: Path, article: Path) -> None:
    """A project file as a qcode before search wrote it: only the initial migration."""
    initial = schema.MIGRATIONS[0]
    assert initial.version == 1
    conn = sqlite3.connect(path)
    conn.execute(schema.VERSION_TABLE)
    for statement in schema._statements(initial.sql):
        conn.execute(statement)
    conn.execute("INSERT INTO schema_migrations VALUES (1, 'initial', '2025-01-01')")
    conn.executemany("INSERT INTO meta VALUES (?, ?)", [
        ("guid", "0A0A0A0A-0000-4000-8000-000000000001"), ("name", "old"),
        ("created_at", "2025-01-01")])
    parsed = read_document(article)
    cursor = conn.execute(
        "INSERT INTO documents (guid, name, sha256, text, imported_at) VALUES (?, ?, ?, ?, ?)",
        ("0A0A0A0A-0000-4000-8000-000000000002", parsed.name, "x", parsed.text, "2025"))
    conn.executemany(
        'INSERT INTO paragraphs (document_id, ordinal, label, section, speaker, text, start, '
        '"end", text_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [(cursor.lastrowid, p.ordinal, p.label, p.section, p.speaker, p.text, p.start, p.end,
          "h") for p in parsed.paragraphs])
    conn.commit()
    conn.close()


def test_an_older_project_is_backed_up_and_indexed_on_open(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _schema_1_project(path, ARTICLE)
    expected = {p.ordinal for p in read_document(ARTICLE).paragraphs
                if "regional" in words(p.text)}
    # Even a reading command upgrades it (the file may be written): backup, then index.
    with Project.open(path, readonly=True) as opened:
        assert schema.current_version(opened.conn) == schema.LATEST
        names = {r[0] for r in opened.conn.execute("SELECT name FROM schema_migrations")}
        assert "search" in names
        assert expected <= {h.paragraph.ordinal for h in search(opened, "regional")}
    backups = list(tmp_path.glob(f"old.db.before-schema-{schema.LATEST}.*.bak"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    tables = {r[0] for r in old.execute("SELECT name FROM sqlite_master")}
    old.close()
    assert "paragraphs_fts" not in tables


# -- ranking: what was meant first ------------------------------------------------------

GOVERNMENT = re.compile(r"\b(?:non-)?government(?:al)?\b", re.IGNORECASE)


def corpus_lines_with(pattern: re.Pattern[str]) -> list[str]:
    """Lines of the corpus file holding the pattern (each paragraph of the article is
    one line of it), read without the engine."""
    return [line for line in ARTICLE.read_text(encoding="utf-8").splitlines()
            if pattern.search(line)]


def test_a_misspelt_word_finds_the_word_meant_and_its_derivations_first(
        study: Project) -> None:
    expected = corpus_lines_with(GOVERNMENT)
    assert len(expected) == 8  # §1, §2, §8.2, §28, §30, §31.3, §31.4, note 11
    hits = search(study, "goverment", limit=1000)
    meant = [bool(GOVERNMENT.search(h.paragraph.text)) for h in hits]
    assert sum(meant) == len(expected)
    for hit, found in zip(hits, meant, strict=True):
        if found:  # the words as the corpus file has them, around the match
            match = GOVERNMENT.search(hit.paragraph.text)
            assert match is not None
            around = hit.paragraph.text[max(0, match.start() - 20):match.end() + 1]
            assert sum(around in line for line in expected) == 1
    # Every paragraph with one of the words before every paragraph with none of them.
    assert meant == sorted(meant, reverse=True)
    assert not all(meant), "near spellings (movement) are still found, after"
    assert {"governmental", "government"} <= {t for h in hits for t in h.terms}
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_exact_then_prefix_then_close(study: Project) -> None:
    hits = search(study, "region", limit=1000)
    kinds = [h.kind for h in hits]
    order = ("exact", "prefix", "close")
    assert kinds == sorted(kinds, key=order.index)
    assert kinds[0] == "exact" and "prefix" in kinds
    for hit in hits:
        text = words(hit.paragraph.text)
        if hit.kind == "exact":
            assert "region" in text
        elif hit.kind == "prefix":
            assert "region" not in text and any(w.startswith("region") for w in text)


def write_project(project: Project, tmp_path: Path, texts: dict[str, str]) -> None:
    for name, text in texts.items():
        path = tmp_path / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        project.add_document(read_document(path), coder=CODER)


def test_the_common_word_one_slip_away_outranks_rare_ones_further_off(
        project: Project, tmp_path: Path) -> None:
    # What benchmarks/run.py checks at scale: "vaxengvel" meant "varengvel" (used in
    # many paragraphs, one edit away), not the rare "kaengvel" (two edits), nor the
    # rare words that merely start with "varengvel".
    texts = {f"common-{i}": f"Q: And then?\n\nA: The varengvel came back {i} times."
             for i in range(12)}
    texts["rare-1"] = "A: Only the kaengvel was left."
    texts["rare-2"] = "A: Only the varengveldor was left."
    write_project(project, tmp_path, texts)
    hits = search(project, "vaxengvel", limit=20)
    assert all(h.document.startswith("common-") for h in hits[:12])
    assert [h.terms for h in hits[12:]] == [("varengveldor",), ("kaengvel",)]


def test_among_close_spellings_the_more_used_comes_first(
        project: Project, tmp_path: Path) -> None:
    texts = {f"p-{i}": f"A: We met the police {i} times." for i in range(5)}
    texts["q"] = "A: The polite answer came late."
    write_project(project, tmp_path, texts)
    hits = search(project, "polize", limit=10)
    assert [h.terms for h in hits] == [("police",)] * 5 + [("polite",)]


# -- snippets -------------------------------------------------------------------------


def test_the_snippet_is_centred_on_the_match(study: Project) -> None:
    for hit in search(study, "goverment", limit=1000):
        text = hit.paragraph.text
        s, e = hit.matches[hit.focus]
        assert hit.snippet[slice(*hit.highlights[0])] == text[s:e] or any(
            hit.snippet[a:b] == text[s:e] for a, b in hit.highlights)
        if len(text) > 180:
            assert len(hit.snippet) <= 182
            at = hit.snippet.find(text[s:e])
            middle = at + (e - s) / 2
            # Centred, unless the paragraph ends (or starts) before the window would.
            assert (abs(middle - len(hit.snippet) / 2) < 40 or not hit.snippet.endswith("…")
                    or not hit.snippet.startswith("…"))


def test_the_snippet_of_a_match_far_into_a_paragraph_shows_it(project: Project,
                                                      tmp_path: Path) -> None:
    long = " ".join(["filler"] * 80) + " the inspections began\nin spring. " + " ".join(
        ["more"] * 50)
    write_project(project, tmp_path, {"long": long})
    (hit,) = search(project, "inspectons")
    s, e = hit.highlights[0]
    assert hit.snippet[s:e] == "inspections"
    assert hit.snippet.startswith("…") and "\n" not in hit.snippet
    assert abs((s + e) / 2 - len(hit.snippet) / 2) < 40


# -- scope ----------------------------------------------------------------------------


def test_scope_by_speaker_and_by_theme(study: Project, tmp_path: Path) -> None:
    write_project(study, tmp_path, {"interview": (
        "Moderator: Tell me about the police.\n\n"
        "Resp-2: The police came twice.\n\n"
        "Moderator: And the police chief?\n\n"
        "Resp-2: Never met him.\n")})
    said = search(study, "police", scope=scope_for(study, speaker="resp-2"))
    assert [h.paragraph.speaker for h in said] == ["Resp-2"]
    with pytest.raises(NotFoundError, match="did you mean 'Moderator'"):
        scope_for(study, speaker="moderater")
    document = study.document("sieca-kozlowski-2009")
    theme = study.code("state pressure on NGOs")
    child = next(c for c in study.codes() if c.parent_id == theme.id)
    study.tag([study.paragraph(document, "§2").id], [child.id], coder=CODER)
    themed = search(study, "government", scope=scope_for(study, code="state pressure on NGOs"))
    assert [h.paragraph.ref for h in themed] == ["§2"]
    assert search(study, "government", scope=scope_for(study, code=child.name)) == themed


def test_numbers_are_not_fuzzy(project: Project, tmp_path: Path) -> None:
    write_project(project, tmp_path, {"years": "A: The 2006 law.\n\nA: In 2007 nothing.\n"})
    assert [h.paragraph.text for h in search(project, "2006")] == ["The 2006 law."]
