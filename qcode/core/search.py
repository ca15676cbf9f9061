"""Full-text search over every paragraph, forgiving typos: the one engine behind
``qcode search``, the terminal UI's ``/`` and anything else that finds passages.

The index is SQLite FTS5 (schema migration 2, kept in step by triggers). A query is
split into words and "quoted phrases". Each word stands for groups of indexed terms,
best first (:mod:`qcode.core.vocabulary`): the word itself, the words starting with it,
then each close spelling with the words starting with that. Words are ANDed, a phrase
must appear as written.

Ranking is by *level*, then by bm25 within a level. Level 0 is what matches every
word's best group; level 1 lets each word use its two best groups, and so on. Each level
is one FTS5 query (``ORDER BY rank LIMIT``) for the paragraphs not found at a better
level; the next level is asked only when this one has fewer hits than wanted, so a
paragraph is never outranked by one that matched a worse group. That is why exact and
prefix matches come before fuzzy ones, and "goverment" finds every paragraph with
government, governmental or non-governmental before any with only "movement".
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from qcode.core.codebook.tree import code_tree
from qcode.core.errors import ProjectError
from qcode.core.model import Paragraph
from qcode.core.reading import ProjectReader
from qcode.core.speakers import find_speaker
from qcode.core.vocabulary import (
    TermGroup,
    Vocabulary,
    expand,
    expand_groups,
    fold_term,
    index_signature,
    refresh_vocabulary,
    vocabulary,
)

# Markers highlight() puts around matched words; control characters no text carries.
_OPEN, _CLOSE = "\x02", "\x03"
# Token characters as FTS5's unicode61 tokenizer sees them: letters and digits.
_TOKEN = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r'"([^"]*)"')
SNIPPET_WIDTH = 180
# search(limit=ALL): every hit, not a page (what auto-coding takes).
ALL = 2**62


@dataclass(frozen=True)
class Hit:
    """One paragraph that matches a search.

    ``snippet`` is the stretch of the paragraph around its best match (on one line, with
    "…" where it was cut); ``highlights`` are (start, end) offsets of the matched words in
    ``snippet`` and ``matches`` the same words' offsets in ``paragraph.text``. ``score``
    orders hits (higher is better; 1.0 is the best exact match); ``terms`` are the
    indexed words that matched, as the index folds them; ``kind`` says how the least
    well matched word of the query was found: "exact", "prefix" or "close".
    """

    paragraph: Paragraph
    document: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    matches: tuple[tuple[int, int], ...]
    score: float
    terms: tuple[str, ...] = ()
    kind: str = "exact"
    level: int = 0
    # Which of ``matches`` the snippet is centred on (the first of the best-matched term).
    focus: int = 0


@dataclass(frozen=True)
class Scope:
    """Where to search: one document, one speaker, paragraphs carrying given codes,
    paragraphs carrying no code at all (``uncoded``: of any coder).

    ``code_ids`` is matched as given: pass a parent's whole subtree
    (:meth:`qcode.core.codebook.tree.CodeTree.subtree`) for a theme.
    """

    document_id: int | None = None
    speaker: str | None = None
    code_ids: tuple[int, ...] | None = None
    uncoded: bool = False

    def conditions(self) -> tuple[list[str], dict[str, object]]:
        """SQL conditions on paragraphs ``p`` (ANDed) and their parameters: the one
        definition of a scope, for search and for what reads paragraphs without it."""
        conditions: list[str] = []
        params: dict[str, object] = {}
        if self.document_id is not None:
            conditions.append("p.document_id = :document")
            params["document"] = self.document_id
        if self.speaker is not None:
            conditions.append("p.speaker = :speaker COLLATE NOCASE")
            params["speaker"] = self.speaker
        if self.code_ids is not None:
            conditions.append("p.id IN (SELECT paragraph_id FROM codings WHERE code_id IN "
                              "(SELECT value FROM json_each(:codes)))")
            params["codes"] = json.dumps(list(self.code_ids))
        if self.uncoded:
            conditions.append("NOT EXISTS (SELECT 1 FROM codings u WHERE u.paragraph_id = p.id)")
        return conditions, params


def scope_for(project: ProjectReader, *, document: str | None = None,
              speaker: str | None = None, code: str | None = None,
              uncoded: bool = False) -> Scope:
    """A :class:`Scope` from names as a researcher types them; each unknown name is
    refused with the closest known one. A parent code stands for its whole subtree (the
    roll-up reports count by)."""
    document_id = project.document(document).id if document is not None else None
    who = find_speaker(project, speaker) if speaker is not None else None
    codes = None
    if code is not None:
        codes = tuple(code_tree(project).subtree(project.code(code).id))
    return Scope(document_id, who, codes, uncoded)


@dataclass(frozen=True)
class _Word:
    """A query word and what it stands for."""

    folded: str
    groups: list[TermGroup]
    # term -> index of its group
    rank: dict[str, int] = field(default_factory=dict)


def parse_query(query: str) -> tuple[list[str], list[str]]:
    """(words, phrases) of a query; a phrase is text in double quotes."""
    phrases = [p.strip() for p in _PHRASE.findall(query) if _TOKEN.search(p)]
    rest = _PHRASE.sub(" ", query).replace('"', " ")
    words = list(dict.fromkeys(fold_term(w) for w in _TOKEN.findall(rest)))
    return words, phrases


def is_blank(query: str) -> bool:
    """True when a query has nothing to search for (no letter or digit)."""
    words, phrases = parse_query(query)
    return not words and not phrases


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _words(query: str, words: Vocabulary | None) -> tuple[list[_Word], list[str]] | None:
    """The query's words with their groups, and its phrases as MATCH strings; None when
    a word stands for nothing in the index (so nothing can match them all). Without a
    vocabulary (an exact search) each word stands for itself alone."""
    typed, phrases = parse_query(query)
    found: list[_Word] = []
    for word in typed:
        groups = (expand_groups(word, words) if words is not None
                  else [TermGroup((word,), "exact")])
        if not groups:
            return None
        rank = {t: i for i, g in enumerate(groups) for t in g.terms}
        found.append(_Word(word, groups, rank))
    quoted = [_quote(" ".join(fold_term(t) for t in _TOKEN.findall(p))) for p in phrases]
    return found, quoted


def _any(terms: Sequence[str]) -> str:
    return "(" + " OR ".join(_quote(t) for t in terms) + ")"


def _expression(words: list[_Word], phrases: list[str], level: int) -> str:
    """MATCH for level ``level``: each word by its ``level + 1`` best groups.

    A lone word needs only this level's group: the better levels' paragraphs are
    excluded from the query anyway.
    """
    if len(words) == 1 and not phrases:
        return _any(words[0].groups[level].terms)
    parts = [_any([t for g in w.groups[:level + 1] for t in g.terms]) for w in words]
    return " AND ".join([*parts, *phrases])


def match_expression(project: ProjectReader, query: str) -> tuple[str | None, list[str]]:
    """The FTS5 MATCH expression for every paragraph a query finds (all its levels) and
    the folded words it was built from. None when nothing can match."""
    parsed = _words(query, vocabulary(project))
    if parsed is None or not (parsed[0] or parsed[1]):
        return None, parse_query(query)[0]
    words, phrases = parsed
    parts = [_any([t for g in w.groups for t in g.terms]) for w in words]
    return " AND ".join([*parts, *phrases]), [w.folded for w in words]


def search(
    project: ProjectReader, query: str, limit: int = 50, document_id: int | None = None,
    *, scope: Scope | None = None, exact: bool = False,
) -> list[Hit]:
    """Paragraphs matching ``query`` (typo-tolerant), best first, at most ``limit``
    (:data:`ALL`: every one).

    ``document_id`` (or ``scope``) restricts where to look. A blank query, or one with a
    word that is nowhere near any indexed word, finds nothing. ``exact`` turns typo
    tolerance off: each word matches itself only (as the index folds it), not the
    words starting with it or close spellings.
    """
    if limit <= 0:
        return []
    where = scope or Scope()
    if document_id is not None:
        where = replace(where, document_id=document_id)
    try:
        parsed = _words(query, None if exact else vocabulary(project))
        if parsed is None or not (parsed[0] or parsed[1]):
            return []
        return _search(project.conn, parsed[0], parsed[1], limit, where)
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            raise ProjectError(
                f"{project.path}: has no search index (open it with this qcode to upgrade it)"
            ) from exc
        raise


def _search(conn: sqlite3.Connection, words: list[_Word], phrases: list[str], limit: int,
            where: Scope) -> list[Hit]:
    levels = max((len(w.groups) for w in words), default=1)
    hits: list[Hit] = []
    found: list[int] = []
    for level in range(levels):
        wanted = limit - len(hits)
        rows = _candidates(conn, _expression(words, phrases, level), wanted, where, found)
        if rows:
            best = min(r["rank"] for r in rows) or -1.0
            batch = [_hit(row, words, level, best) for row in rows]
            batch.sort(key=lambda h: (-h.score, h.document, h.paragraph.ordinal))
            hits.extend(batch)
            found.extend(h.paragraph.id for h in batch)
        if len(rows) >= wanted:
            break
    return hits[:limit]


def _candidates(conn: sqlite3.Connection, expression: str, limit: int, where: Scope,
                found: Sequence[int]) -> list[sqlite3.Row]:
    conditions, params = where.conditions()
    params.update(expression=expression, limit=limit)
    if found:
        conditions.append("p.id NOT IN (SELECT value FROM json_each(:found))")
        params["found"] = json.dumps(list(found))
    extra = "".join(f" AND {c}" for c in conditions)
    return conn.execute(
        f"""
        SELECT p.*, d.name AS document_name, bm25(paragraphs_fts) AS rank,
               highlight(paragraphs_fts, 0, char(2), char(3)) AS marked
          FROM paragraphs_fts
          JOIN paragraphs p ON p.id = paragraphs_fts.rowid
          JOIN documents d ON d.id = p.document_id
         WHERE paragraphs_fts MATCH :expression{extra}
         ORDER BY rank LIMIT :limit
        """,
        params,
    ).fetchall()


def _hit(row: sqlite3.Row, words: list[_Word], level: int, best: float) -> Hit:
    """A hit from its row: which terms matched, how well, and a snippet around the best.

    Within a level, a paragraph whose words matched better groups overall (the sum of
    their group ranks) comes first, then bm25. ``score`` falls in (1/(level+2),
    1/(level+1)], so sorting by it keeps the levels apart.
    """
    text, spans = _unmark(row["marked"])
    matched = [fold_term(text[s:e]) for s, e in spans]
    ranks = [min((w.rank[m] for m in matched if m in w.rank), default=level) for w in words]
    relevance = row["rank"] / best if best else 0.0
    within = relevance / (1 + max(0, sum(ranks) - level))
    score = 1.0 / (2 + level - within)
    kinds = [w.groups[min(r, len(w.groups) - 1)].kind for w, r in zip(words, ranks, strict=True)]
    kind = max(kinds, key=("exact", "prefix", "close").index, default="exact")
    focus = _focus(spans, matched, words)
    snippet, highlights = centred_snippet(text, spans, focus=focus)
    return Hit(
        paragraph=Paragraph.from_row(row), document=row["document_name"], snippet=snippet,
        highlights=highlights, matches=tuple(spans), score=score,
        terms=tuple(dict.fromkeys(matched)), kind=kind, level=level, focus=focus,
    )


def _focus(spans: list[tuple[int, int]], matched: list[str], words: list[_Word]) -> int:
    """Index of the span to centre the snippet on: the first of the best-matched term."""
    if not spans:
        return 0
    def quality(index: int) -> int:
        term = matched[index]
        return min((w.rank[term] for w in words if term in w.rank), default=0)
    best = min(quality(i) for i in range(len(spans)))
    return next(i for i in range(len(spans)) if quality(i) == best)


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


def centred_snippet(
    text: str, spans: Sequence[tuple[int, int]], *, width: int = SNIPPET_WIDTH, focus: int = 0,
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A one-line window of ``width`` characters of ``text`` centred on ``spans[focus]``,
    cut at spaces and never through that match, with the spans shifted into it.

    Line breaks become spaces (same length, so offsets hold); "…" marks a cut.
    """
    flat = re.sub(r"[\r\n\t\f\v]", " ", text)
    if len(flat) <= width or not spans:
        end = len(flat) if len(flat) <= width else _cut_before(flat, width, 0)
        shown = flat[:end] + ("…" if end < len(flat) else "")
        return shown, tuple((s, min(e, end)) for s, e in spans if s < end)
    first, last = spans[min(focus, len(spans) - 1)]
    centre = (first + last) // 2
    start = max(0, min(centre - width // 2, len(flat) - width))
    end = min(len(flat), max(start + width, last))
    if start > 0:
        space = flat.find(" ", start, first)
        start = space + 1 if space != -1 else min(start, first)
    if end < len(flat):
        end = _cut_before(flat, end, last)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    shift = len(prefix) - start
    inside = tuple((max(s, start) + shift, min(e, end) + shift)
                   for s, e in spans if s < end and e > start)
    return prefix + flat[start:end] + suffix, inside


def _cut_before(text: str, end: int, keep: int) -> int:
    """``end`` moved back to a space, but not before ``keep``."""
    space = text.rfind(" ", keep, end)
    return space if space > keep else end


__all__ = [
    "ALL", "Hit", "Scope", "TermGroup", "centred_snippet", "expand", "expand_groups", "fold_term",
    "index_signature", "is_blank", "match_expression", "parse_query", "refresh_vocabulary",
    "scope_for", "search", "vocabulary",
]
