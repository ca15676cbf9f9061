"""More like this: the paragraphs across the project closest in content to one paragraph,
or to everything a code already holds, with the words they share.

How: on the search index qcode already keeps (FTS5, and its terms with how many
paragraphs use each in ``search_terms``, :mod:`qcode.core.vocabulary`).

1. The source's words are folded as the index folds them and reduced to a crude stem
   (inflections only: "funding", "funded", "funds" -> "fund"); each stem is weighted by
   tf-idf, the idf from the index's own paragraph counts.
2. Its most telling stems (at most ``SALIENT``, while the paragraphs their forms are in
   add up to at most ``POSTINGS``, which bounds the cost at any size), each with the
   indexed words of the same stem, become one FTS5 OR query ranked by bm25: the
   candidates (``CANDIDATES``, more for a larger limit).
3. Candidates are re-ranked by the cosine of their tf-idf vector with the source's, over
   every word they hold; the score is that cosine (0–1), and the shared stems, ordered by
   what they add to it, are "the words they share".

A code's "more like this" does the same with the mean of the normalised vectors of the
paragraphs it holds (a sample spread over its codings, about ``MAX_EXAMPLES``), over the
paragraphs that do not carry it yet.

Chosen over scikit-learn's TfidfVectorizer with an exhaustive cosine, measured side by
side in ``benchmarks/similar_bench.py`` (2 shared cores, under load):

- quality: six fictional paraphrases of the bundled article's paragraphs, the rank of
  each for its original: this module MRR 0.55 (2 of 6 first, the others 2nd behind the
  original's own footnote or quote, or 6th–7th); the same model without the FTS
  pruning 0.55; bm25 alone 0.29; scikit-learn 0.24 with its defaults, 0.44 given this
  module's words and stems. At 200,000 paragraphs the pruned top 10 holds 77% of the
  exhaustive model's top 10 (which takes 20–30 s a query).
- speed at 200,000 paragraphs: 51 ms a query (p50; p95 98 ms), a new process's first
  130 ms, ``--code`` 0.17 s; plain sqlite3 running the same FTS query 24 ms. scikit-learn
  must first fit a matrix of every paragraph (8–23 s, 75 MB, again after every import or
  edit, or kept in step on disk beside the FTS index), then 80 ms a query — and it would
  add NumPy and SciPy to qcode's dependencies.

The FTS5 route needs nothing built, follows every edit because the index does, and ranks
paraphrases at least as well.
"""

from __future__ import annotations

import bisect
import json
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from qcode.core.codebook.tree import code_tree
from qcode.core.errors import ProjectError, QcodeError
from qcode.core.model import Paragraph
from qcode.core.reading import ProjectReader
from qcode.core.search import centred_snippet
from qcode.core.vocabulary import Vocabulary, fold_term, vocabulary

# Letters and digits, as FTS5's unicode61 tokenizer splits text.
_TOKEN = re.compile(r"[^\W_]+")
# How many of the source's stems go into the FTS5 query, and how many indexed forms each.
SALIENT = 20
FORMS = 6
# Candidates fetched by bm25 for re-ranking: at least this many, at most CANDIDATES_MAX.
CANDIDATES = 150
CANDIDATES_MAX = 600
# A code holding more paragraphs than this is described by an evenly spread sample.
MAX_EXAMPLES = 300
# The most paragraphs the query's words may be in together (bm25 scores each of them).
POSTINGS = 20_000
# Stems in more than this share of paragraphs say little and slow the query down.
COMMON = 0.2

Uncoded = Literal["first", "only"]

# English function words: at scale idf makes them worthless anyway, but in a project of a
# few dozen paragraphs "some" or "has" would count as much as a content word.
_STOPWORDS = """
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each
few for from further had has have having he her here hers herself him himself his how
i if in into is it its itself just me more most my myself no nor not now of off on once
only or other others our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too
under until up upon very was we were what when where which while who whom why will
with would you your yours yourself yourselves one two many much may might must shall
us let like well even still yet however thus therefore rather whether whose within
without though although since via per etc
"""
STOPWORDS = frozenset(_STOPWORDS.split())


@dataclass(frozen=True)
class Similar:
    """One paragraph like the source.

    ``score`` is the cosine of the two tf-idf vectors (1.0: the same words in the same
    proportions); ``shared`` the words they share as this paragraph writes them (folded),
    the most telling first; ``matches`` their offsets in ``paragraph.text``, ``snippet`` a
    line around the first of the most telling, with ``highlights`` in it; ``coded``
    whether anyone has coded the paragraph.
    """

    paragraph: Paragraph
    document: str
    score: float
    shared: tuple[str, ...]
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    matches: tuple[tuple[int, int], ...]
    coded: bool
    focus: int = 0


@lru_cache(maxsize=65536)
def stem(term: str) -> str:
    """A folded word without its inflection: "funding", "funded", "funds" -> "fund";
    "cooperation", "cooperating", "cooperate" -> "cooperat". Crude on purpose (English
    suffixes, words of five letters or more, stems of at least four): it only decides
    which words count as the same, never what is shown."""
    if len(term) <= 4 or not term.isalpha():
        return term
    base = term
    for suffix, replace in (("ations", "at"), ("ation", "at"), ("ings", ""), ("ing", ""),
                            ("edly", ""), ("ied", "y"), ("ies", "y"), ("ed", ""),
                            ("ly", ""), ("es", "es"), ("s", "")):
        if term.endswith(suffix) and len(term) - len(suffix) >= 4:
            if suffix == "es":
                head = term[:-2]
                base = head if head.endswith(("sh", "ch", "x", "ss", "z")) else term[:-1]
            elif suffix == "s" and term.endswith(("ss", "us", "is")):
                continue
            else:
                base = term[:-len(suffix)] + replace
            break
    if len(base) > 4 and base.endswith("e"):
        base = base[:-1]
    return base


@lru_cache(maxsize=262144)
def _fold(word: str) -> str:
    return fold_term(word)


def _terms(text: str) -> Counter[str]:
    """The text's words as the index holds them, with their counts, less what says
    nothing about content: English function words, single letters, numbers of one or
    two digits. (Counted first, then folded and filtered once per distinct word: most
    of a query's time is spent here, on its candidates.)"""
    found: Counter[str] = Counter()
    for word, count in Counter(_TOKEN.findall(text.lower())).items():
        term = word if word.isascii() else _fold(word)
        if len(term) > 1 and term not in STOPWORDS and not (term.isdigit() and len(term) < 3):
            found[term] += count
    return found


class _Weights:
    """tf-idf over stems, the idf from the index's paragraph counts (per query)."""

    def __init__(self, words: Vocabulary, total: int) -> None:
        self.words = words
        self.total = max(total, 1)
        self.idf: dict[str, float] = {}
        self.df: dict[str, int] = {}

    def vector(self, terms: Counter[str]) -> dict[str, float]:
        """stem -> tf-idf weight (tf summed over the stem's forms, idf from the most
        used of them)."""
        counts: dict[str, int] = {}
        seen: dict[str, int] = {}
        docs = self.words.docs
        for term, count in terms.items():
            key = stem(term)
            counts[key] = counts.get(key, 0) + count
            if key not in self.idf:
                seen[key] = max(seen.get(key, 0), docs.get(term, 0))
        for key, df in seen.items():
            self.df[key] = max(df, 1)
            self.idf[key] = max(0.0, math.log(self.total / max(df, 1)))
        vector: dict[str, float] = {}
        for key, count in counts.items():
            weight = (1.0 + math.log(count)) * self.idf[key]
            if weight > 0:
                vector[key] = weight
        return vector


def _normalised(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {k: w / norm for k, w in vector.items()} if norm else {}


def paragraph_total(conn: sqlite3.Connection) -> int:
    """How many paragraphs the index holds: the first number of FTS5's own totals
    record (one row read), or a count when that record is missing."""
    row = conn.execute("SELECT block FROM paragraphs_fts_data WHERE id = 1").fetchone()
    if row is not None and row[0]:
        value, _size = _varint(bytes(row[0]))
        return value
    return int(conn.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0])


def _varint(data: bytes) -> tuple[int, int]:
    """SQLite's variable-length integer at the start of ``data``: (value, bytes read)."""
    value = 0
    for i, byte in enumerate(data[:9]):
        if i == 8:
            return (value << 8) | byte, 9
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, i + 1
    return value, len(data)


def similar_to(
    project: ProjectReader, paragraph_id: int, *, limit: int = 20,
    uncoded: Uncoded | None = None,
) -> list[Similar]:
    """The paragraphs most like ``paragraph_id`` (itself left out), best first, at most
    ``limit``. ``uncoded="only"`` keeps only paragraphs nobody has coded, ``"first"``
    puts those first (among the candidates found). A paragraph without a word to compare
    (only punctuation or short numbers) is refused."""
    source = project.paragraph_by_id(paragraph_id)
    with _IndexErrors(project):
        words = vocabulary(project)
        weights = _Weights(words, paragraph_total(project.conn))
        vector = weights.vector(_terms(source.text))
        if not vector:
            raise QcodeError(f"{source.ref} has no words to compare with other paragraphs")
        return _rank(project, weights, _normalised(vector), limit,
                     exclude=[source.id], uncoded=uncoded, codes=None, single=True)


def similar_to_code(
    project: ProjectReader, code_ids: Sequence[int], *, limit: int = 20,
    uncoded: Uncoded | None = None, name: str = "the code",
) -> list[Similar]:
    """The paragraphs not carrying any of ``code_ids`` (pass a code's subtree: a theme)
    most like those that do, best first. Refused when the codes hold no paragraph yet."""
    with _IndexErrors(project):
        codes = json.dumps(list(code_ids))
        conn = project.conn
        # A sample spread over the codings (every step-th by id: the covering index
        # on code_id answers it without sorting them all, 0.3 s -> 0.05 s at 200,000).
        count = conn.execute("SELECT COUNT(*) FROM codings WHERE code_id IN "
                             "(SELECT value FROM json_each(?))", (codes,)).fetchone()[0]
        if not count:
            raise QcodeError(f"{name} holds no paragraph yet: nothing to compare with "
                             "(tag a few, then ask again)")
        held = [r[0] for r in conn.execute(
            "SELECT DISTINCT paragraph_id FROM codings WHERE code_id IN "
            "(SELECT value FROM json_each(?)) AND id % ? = 0",
            (codes, max(1, count // MAX_EXAMPLES)))]
        if not held:  # no coding id fell on the step: the first ones then
            held = [r[0] for r in conn.execute(
                "SELECT DISTINCT paragraph_id FROM codings WHERE code_id IN "
                "(SELECT value FROM json_each(?)) LIMIT ?", (codes, MAX_EXAMPLES))]
        texts = [r[0] for r in conn.execute(
            "SELECT text FROM paragraphs WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(held[:2 * MAX_EXAMPLES]),))]
        weights = _Weights(vocabulary(project), paragraph_total(project.conn))
        centroid: Counter[str] = Counter()
        for text in texts:
            centroid.update(_normalised(weights.vector(_terms(text))))
        if not centroid:
            raise QcodeError("the code's paragraphs have no words to compare with")
        return _rank(project, weights, _normalised(dict(centroid)), limit, exclude=[],
                     uncoded=uncoded, codes=codes, single=False)


class _IndexErrors:
    """A project without a search index: say so, as search does."""

    def __init__(self, project: ProjectReader) -> None:
        self.project = project

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, sqlite3.OperationalError) and "no such table" in str(exc):
            raise ProjectError(f"{self.project.path}: has no search index (open it with "
                               "this qcode to upgrade it)") from exc


def _query(weights: _Weights, source: dict[str, float], single: bool) -> str | None:
    """The FTS5 OR query of the source's most telling stems, each by its indexed forms.

    A stem only the source paragraph holds cannot find another; one most paragraphs
    hold finds everything and says little, so both are left out while others remain.
    bm25 scores every paragraph the query matches, so the stems are taken, most telling
    first, while the paragraphs their forms are in add up to at most ``POSTINGS``: that
    bounds the cost of a query whatever the size of the project.
    """
    ranked = sorted(source, key=lambda s: (-source[s], s))
    floor = 2 if single else 1
    useful = [s for s in ranked if weights.df[s] >= floor]
    common = weights.total * COMMON
    terms: list[str] = []
    postings = taken = 0
    for key in ([s for s in useful if weights.df[s] <= common] or useful)[:8 * SALIENT]:
        if terms and postings + weights.df[key] > POSTINGS:
            continue  # its forms hold at least as many
        forms = _indexed_forms(weights.words, key)
        cost = sum(weights.words.docs[f] for f in forms)
        if terms and postings + cost > POSTINGS:
            continue
        terms.extend(forms)
        postings += cost
        taken += 1
        if taken >= SALIENT:
            break
    if not terms:
        return None
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in dict.fromkeys(terms))


def _indexed_forms(words: Vocabulary, key: str) -> list[str]:
    """The indexed words whose stem is ``key`` (the most used first, at most FORMS)."""
    start = bisect.bisect_left(words.terms, key[:max(4, len(key) - 1)])
    found: list[str] = []
    for term in words.terms[start:start + 400]:
        if not term.startswith(key[:max(4, len(key) - 1)]):
            break
        if stem(term) == key:
            found.append(term)
    found.sort(key=lambda t: (-words.docs[t], t))
    return found[:FORMS]


def _rank(project: ProjectReader, weights: _Weights, source: dict[str, float], limit: int,
          *, exclude: list[int], uncoded: Uncoded | None, codes: str | None,
          single: bool) -> list[Similar]:
    if limit <= 0:
        return []
    expression = _query(weights, source, single)
    if expression is None:
        return []
    wanted = min(max(CANDIDATES, 4 * limit), max(CANDIDATES_MAX, limit))
    rows = _candidates(project.conn, expression, wanted, exclude=exclude,
                       only_uncoded=uncoded == "only", codes=codes)
    scored: list[tuple[float, sqlite3.Row, list[str]]] = []
    for row in rows:
        candidate = _normalised(weights.vector(_terms(row["text"])))
        parts = {k: w * source[k] for k, w in candidate.items() if k in source}
        score = sum(parts.values())
        if score > 0:
            shared = sorted(parts, key=lambda k: (-parts[k], k))
            scored.append((score, row, shared))
    coded = _coded(project.conn, [row["id"] for _s, row, _k in scored])
    scored.sort(key=lambda s: (-s[0], s[1]["document_name"], s[1]["ordinal"]))
    if uncoded == "first":
        scored.sort(key=lambda s: s[1]["id"] in coded)
    return [_similar(row, score, shared, row["id"] in coded)
            for score, row, shared in scored[:limit]]


def _candidates(conn: sqlite3.Connection, expression: str, limit: int, *,
                exclude: list[int], only_uncoded: bool, codes: str | None
                ) -> list[sqlite3.Row]:
    conditions = []
    params: dict[str, object] = {"expression": expression, "limit": limit}
    if exclude:
        conditions.append("paragraphs_fts.rowid NOT IN (SELECT value FROM json_each(:exclude))")
        params["exclude"] = json.dumps(exclude)
    if only_uncoded:
        conditions.append("NOT EXISTS (SELECT 1 FROM codings g "
                          "WHERE g.paragraph_id = paragraphs_fts.rowid)")
    if codes is not None:
        conditions.append("NOT EXISTS (SELECT 1 FROM codings g "
                          "WHERE g.paragraph_id = paragraphs_fts.rowid AND g.code_id IN "
                          "(SELECT value FROM json_each(:codes)))")
        params["codes"] = codes
    extra = "".join(f" AND {c}" for c in conditions)
    # bm25 ranks the matches on the index alone (the filters need only the rowid);
    # the paragraphs' rows are read for the chosen few.
    return conn.execute(
        f"""
        WITH best AS (
            SELECT rowid AS id, bm25(paragraphs_fts) AS rank FROM paragraphs_fts
             WHERE paragraphs_fts MATCH :expression{extra}
             ORDER BY bm25(paragraphs_fts) LIMIT :limit)
        SELECT p.*, d.name AS document_name
          FROM best JOIN paragraphs p ON p.id = best.id
          JOIN documents d ON d.id = p.document_id
         ORDER BY best.rank
        """,
        params,
    ).fetchall()


def _coded(conn: sqlite3.Connection, paragraph_ids: list[int]) -> set[int]:
    """Which of the paragraphs anyone has coded."""
    return {r[0] for r in conn.execute(
        "SELECT DISTINCT paragraph_id FROM codings WHERE paragraph_id IN "
        "(SELECT value FROM json_each(?))", (json.dumps(paragraph_ids),))}


def _similar(row: sqlite3.Row, score: float, shared: list[str], coded: bool) -> Similar:
    """A result with its shared words as the paragraph writes them, and a snippet
    centred on the first of the most telling."""
    text = row["text"]
    order = {k: i for i, k in enumerate(shared)}
    spans: list[tuple[int, int]] = []
    ranks: list[int] = []
    shown: dict[str, Counter[str]] = {}
    for match in _TOKEN.finditer(text):
        term = _fold(match.group())
        key = stem(term)
        if key in order:
            spans.append(match.span())
            ranks.append(order[key])
            shown.setdefault(key, Counter())[term] += 1
    words = tuple(shown[k].most_common(1)[0][0] for k in shared if k in shown)
    focus = ranks.index(min(ranks)) if ranks else 0
    snippet, highlights = centred_snippet(text, spans, focus=focus)
    return Similar(
        paragraph=Paragraph.from_row(row), document=row["document_name"],
        score=min(1.0, score), shared=words, snippet=snippet, highlights=highlights,
        matches=tuple(spans), coded=coded, focus=focus,
    )


def code_scope(project: ProjectReader, name: str) -> tuple[int, ...]:
    """A code (by name, path or GUID; an unknown one suggests the closest) and every
    code below it: what ``qcode similar --code`` compares with."""
    return tuple(code_tree(project).subtree(project.code(name).id))


__all__ = ["Similar", "code_scope", "paragraph_total", "similar_to", "similar_to_code", "stem"]
