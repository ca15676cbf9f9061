"""Full-text search over every paragraph, forgiving typos.

The index is SQLite FTS5 (schema migration 2, kept in step by triggers). A query is
split into words; each word is expanded to the indexed terms close to it — within a
small edit distance, or starting with it — found with rapidfuzz in the ``fts5vocab``
term list, so "regonal" finds "regional" and "generation" finds "generational". The
words are ANDed, a word's expansions ORed; text in double quotes is an exact phrase.
Hits are ranked by FTS5's bm25 blended with how closely the matched words resemble
what was typed, so an exact match outranks a typo's neighbour.
"""

from __future__ import annotations

import bisect
import re
import sqlite3
import unicodedata
import weakref
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from qcode.core.errors import ProjectError
from qcode.core.model import Paragraph
from qcode.core.reading import ProjectReader
from qcode.core.settings import busy_timeout_ms

# Markers highlight() puts around matched words; control characters no text carries.
_OPEN, _CLOSE = "\x02", "\x03"
# Token characters as FTS5's unicode61 tokenizer sees them: letters and digits.
_TOKEN = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r'"([^"]*)"')
# A word expands to at most this many indexed terms (best first): enough for the
# inflections of a word, few enough that MATCH stays fast.
MAX_EXPANSIONS = 24
# Share of the final score that comes from bm25 (the rest: closeness of the words).
BM25_WEIGHT = 0.6
# Storing the terms waits at most this long for another process's write lock.
KEEP_WAIT_MS = 200
SNIPPET_BEFORE = 60
SNIPPET_WIDTH = 180


@dataclass(frozen=True)
class Hit:
    """One paragraph that matches a search.

    ``snippet`` is the matched stretch of the paragraph with "…" where it was cut;
    ``highlights`` are (start, end) offsets of the matched words in ``snippet`` and
    ``matches`` the same words' offsets in ``paragraph.text``.
    """

    paragraph: Paragraph
    document: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    matches: tuple[tuple[int, int], ...]
    score: float


@dataclass(frozen=True)
class _Vocabulary:
    signature: tuple[Any, ...]
    terms: list[str]
    docs: dict[str, int]


# One vocabulary per open project, dropped with the project object.
_VOCABULARIES: weakref.WeakKeyDictionary[ProjectReader, _Vocabulary] = (
    weakref.WeakKeyDictionary()
)


def fold_term(word: str) -> str:
    """A word as the index stores it: lower case, Latin accents removed.

    Mirrors unicode61 with ``remove_diacritics 2``, which strips diacritics from Latin
    letters only (Cyrillic "ё" stays "ё"; typo tolerance bridges "ёлка" and "елка").
    """
    kept: list[str] = []
    for char in unicodedata.normalize("NFD", word.lower()):
        if unicodedata.combining(char) and kept and _is_latin(kept[-1]):
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _is_latin(char: str) -> bool:
    return char < "\u0250"


def index_signature(conn: sqlite3.Connection) -> str:
    """What the index holds, in two O(1) reads: FTS5's own totals (rows and tokens, its
    "averages" record) and the highest indexed row. Any import, removal or edit of a
    paragraph changes it."""
    totals = conn.execute("SELECT block FROM paragraphs_fts_data WHERE id = 1").fetchone()
    highest = conn.execute("SELECT MAX(id) FROM paragraphs_fts_docsize").fetchone()
    return f"{bytes(totals[0]).hex() if totals else ''}:{highest[0] if highest else ''}"


def _vocabulary(project: ProjectReader) -> _Vocabulary:
    """The indexed terms: kept in memory per open project, and in the project's
    ``search_terms`` table so that a new process need not walk the whole index (fts5vocab
    does, ~0.4 s at 200,000 paragraphs) before its first search."""
    conn = project.conn
    signature = (index_signature(conn),)
    cached = _VOCABULARIES.get(project)
    if cached is not None and cached.signature == signature:
        return cached
    stored = conn.execute("SELECT signature FROM search_terms_source").fetchone()
    if stored is not None and stored[0] == signature[0]:
        rows = conn.execute("SELECT term, paragraphs FROM search_terms ORDER BY term").fetchall()
    else:
        rows = conn.execute("SELECT term, doc FROM paragraphs_vocab ORDER BY term").fetchall()
        _keep_terms(project, signature[0], rows)
    vocabulary = _Vocabulary(signature, [r[0] for r in rows], {r[0]: r[1] for r in rows})
    _VOCABULARIES[project] = vocabulary
    return vocabulary


def refresh_vocabulary(project: ProjectReader) -> None:
    """Bring the kept terms up to date now (after an import), so that the next search,
    in this process or another, starts at once."""
    _vocabulary(project)


def _keep_terms(project: ProjectReader, signature: str, rows: list[sqlite3.Row]) -> None:
    """Store the terms for the next process. A derived copy of the index, like the index
    itself not an event; skipped on a read-only project or when another process holds
    the write lock (the next search tries again)."""
    if project.readonly:
        return
    conn = project.conn
    try:
        conn.execute(f"PRAGMA busy_timeout = {KEEP_WAIT_MS}")
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("DELETE FROM search_terms")
            conn.executemany("INSERT INTO search_terms (term, paragraphs) VALUES (?, ?)",
                             ((r[0], r[1]) for r in rows))
            conn.execute("DELETE FROM search_terms_source")
            conn.execute("INSERT INTO search_terms_source (id, signature) VALUES (1, ?)",
                         (signature,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    except sqlite3.Error:
        pass
    finally:
        conn.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")


def _tolerance(word: str) -> int:
    """How many edits a word may be off by: none for short words, two for long ones."""
    if len(word) <= 3:
        return 0
    return 1 if len(word) <= 6 else 2


def expand(word: str, vocabulary: _Vocabulary) -> list[str]:
    """The indexed terms a typed word stands for, best first (maybe none)."""
    folded = fold_term(word)
    found: dict[str, tuple[int, int, int]] = {}
    limit = _tolerance(folded)
    for term, distance, _index in process.extract(
        folded, vocabulary.terms, scorer=Levenshtein.distance, score_cutoff=limit, limit=None
    ):
        found[term] = (int(distance), 0, -vocabulary.docs[term])
    if len(folded) >= 3:
        # Terms that start with the word ("generation" -> "generational") rank after
        # the close spellings; the sorted vocabulary makes this a range scan.
        start = bisect.bisect_left(vocabulary.terms, folded)
        for term in vocabulary.terms[start:]:
            if not term.startswith(folded):
                break
            found.setdefault(term, (limit + 1, len(term), -vocabulary.docs[term]))
    ranked = sorted(found, key=lambda t: found[t])
    return ranked[:MAX_EXPANSIONS]


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def parse_query(query: str) -> tuple[list[str], list[str]]:
    """(words, phrases) of a query; a phrase is text in double quotes."""
    phrases = [p.strip() for p in _PHRASE.findall(query) if _TOKEN.search(p)]
    rest = _PHRASE.sub(" ", query).replace('"', " ")
    words = list(dict.fromkeys(fold_term(w) for w in _TOKEN.findall(rest)))
    return words, phrases


def match_expression(project: ProjectReader, query: str) -> tuple[str | None, list[str]]:
    """The FTS5 MATCH expression for a query and the folded words it was built from.

    None when some word matches nothing in the index (so nothing can match them all).
    """
    words, phrases = parse_query(query)
    vocabulary = _vocabulary(project)
    parts: list[str] = []
    for word in words:
        terms = expand(word, vocabulary)
        if not terms:
            return None, words
        parts.append("(" + " OR ".join(_quote(t) for t in terms) + ")")
    for phrase in phrases:
        parts.append(_quote(" ".join(fold_term(t) for t in _TOKEN.findall(phrase))))
        words.extend(fold_term(t) for t in _TOKEN.findall(phrase))
    return (" AND ".join(parts) if parts else None), words


def search(
    project: ProjectReader, query: str, limit: int = 50, document_id: int | None = None
) -> list[Hit]:
    """Paragraphs matching ``query`` (typo-tolerant), best first, at most ``limit``.

    ``document_id`` restricts the search to one document. A blank query, or one with
    a word that is nowhere near any indexed word, finds nothing.
    """
    if limit <= 0:
        return []
    try:
        expression, words = match_expression(project, query)
        if expression is None:
            return []
        rows = _candidates(project.conn, expression, max(limit * 4, 200), document_id)
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            raise ProjectError(
                f"{project.path}: has no search index (open it with this qcode to upgrade it)"
            ) from exc
        raise
    if not rows:
        return []
    best_bm25 = min(r["rank"] for r in rows) or -1.0
    hits = []
    for row in rows:
        text, spans = _unmark(row["marked"])
        closeness = _closeness(words, [fold_term(text[s:e]) for s, e in spans])
        relevance = row["rank"] / best_bm25 if best_bm25 else 0.0
        score = BM25_WEIGHT * relevance + (1 - BM25_WEIGHT) * closeness
        snippet, highlights = _snippet(text, spans)
        hits.append(Hit(
            paragraph=Paragraph.from_row(row), document=row["document_name"],
            snippet=snippet, highlights=highlights, matches=tuple(spans), score=score,
        ))
    hits.sort(key=lambda h: (-h.score, h.document, h.paragraph.ordinal))
    return hits[:limit]


def _candidates(
    conn: sqlite3.Connection, expression: str, limit: int, document_id: int | None
) -> list[sqlite3.Row]:
    where = "" if document_id is None else "AND p.document_id = :document"
    return conn.execute(
        f"""
        SELECT p.*, d.name AS document_name, bm25(paragraphs_fts) AS rank,
               highlight(paragraphs_fts, 0, char(2), char(3)) AS marked
          FROM paragraphs_fts
          JOIN paragraphs p ON p.id = paragraphs_fts.rowid
          JOIN documents d ON d.id = p.document_id
         WHERE paragraphs_fts MATCH :expression {where}
         ORDER BY rank LIMIT :limit
        """,
        {"expression": expression, "document": document_id, "limit": limit},
    ).fetchall()


def _unmark(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """Strip highlight() markers; return the text and the marked spans."""
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start = None
    for part in re.split(f"([{_OPEN}{_CLOSE}])", marked):
        if part == _OPEN:
            start = length
        elif part == _CLOSE:
            if start is not None and length > start:
                spans.append((start, length))
            start = None
        else:
            text.append(part)
            length += len(part)
    return "".join(text), spans


def _closeness(words: list[str], matched: list[str]) -> float:
    """0..1: how well the matched words resemble the typed ones (1 = all exact)."""
    if not words or not matched:
        return 0.0
    total = 0.0
    for word in words:
        total += max((fuzz.ratio(word, m) for m in matched), default=0.0)
    return total / (100.0 * len(words))


def _snippet(
    text: str, spans: list[tuple[int, int]]
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A window of the text around the first match, cut at spaces, with shifted spans."""
    if len(text) <= SNIPPET_WIDTH:
        return text, tuple(spans)
    first = spans[0][0] if spans else 0
    start = max(0, first - SNIPPET_BEFORE)
    if start > 0:
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + SNIPPET_WIDTH)
    if end < len(text):
        space = text.rfind(" ", max(start, spans[0][1] if spans else start), end)
        end = space if space > start else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    inside = tuple(
        (max(s, start) + shift, min(e, end) + shift) for s, e in spans if s < end and e > start
    )
    return prefix + text[start:end] + suffix, inside


__all__ = ["Hit", "expand", "fold_term", "match_expression", "parse_query", "search"]
