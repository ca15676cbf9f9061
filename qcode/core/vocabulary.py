"""The words search knows, and what a typed word stands for among them.

The indexed terms (FTS5's vocabulary) are kept in memory per open project and in the
project's ``search_terms`` table, so a new process need not walk the whole index before
its first search. A typed word is expanded to *groups* of indexed terms, best first:

1. the word itself, when the index has it;
2. the words that start with it ("generation" -> "generational", "generations");
3. each close spelling (within one edit for words of 4–6 letters, two for longer ones),
   then the words that start with it: "goverment" -> government, then governmental,
   governments. Close spellings are ordered by distance, then by how many paragraphs use
   them: of two words one slip away from a typo, the common one is the likelier meant
   (a noisy channel with a uniform slip model, as spelling correctors rank). The word
   meant comes before its derivations: in bm25 a rare derivation would outrank it.

Search ranks a paragraph by the best group it matches, so the word meant and its
derivations come before unrelated near-strings ("movement" is two edits from
"goverment", "government" one).
"""

from __future__ import annotations

import bisect
import sqlite3
import unicodedata
import weakref
from dataclasses import dataclass
from typing import Any, Literal

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from qcode.core.reading import ProjectReader
from qcode.core.settings import busy_timeout_ms

# A word expands to at most this many indexed terms and groups: enough for the
# inflections of a word and its likely corrections, few enough that MATCH stays fast.
MAX_TERMS = 32
MAX_GROUPS = 16
# Derivations kept per group (the most used first): "state" has dozens in a big study.
MAX_DERIVED = 10
# A close spelling brings its derivations only when it is this long: "the" would bring
# "them", "then", "there"… which nobody meant by "teh".
MIN_STEM = 4
# Storing the terms waits at most this long for another process's write lock.
KEEP_WAIT_MS = 200

Kind = Literal["exact", "prefix", "close"]


@dataclass(frozen=True)
class Vocabulary:
    """The indexed terms, sorted, and how many paragraphs hold each."""

    signature: tuple[Any, ...]
    terms: list[str]
    docs: dict[str, int]


@dataclass(frozen=True)
class TermGroup:
    """Indexed terms that stand for a typed word equally well.

    ``kind`` is how they relate to it: the word itself, words starting with it, or a
    close spelling (``distance`` edits away) with the words starting with that.
    """

    terms: tuple[str, ...]
    kind: Kind
    distance: int = 0


# One vocabulary per open project, dropped with the project object.
_VOCABULARIES: weakref.WeakKeyDictionary[ProjectReader, Vocabulary] = (
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
    """What the index holds, in three O(1) reads: FTS5's own totals (rows and tokens,
    its "averages" record), its structure record (which counts every write, so a
    corrected word, which changes neither total, changes it too) and the highest
    indexed row. Any import, removal or edit of a paragraph changes it."""
    totals = conn.execute("SELECT block FROM paragraphs_fts_data WHERE id = 1").fetchone()
    structure = conn.execute("SELECT block FROM paragraphs_fts_data WHERE id = 10").fetchone()
    highest = conn.execute("SELECT MAX(id) FROM paragraphs_fts_docsize").fetchone()
    return (f"{bytes(totals[0]).hex() if totals else ''}:"
            f"{bytes(structure[0]).hex() if structure else ''}:"
            f"{highest[0] if highest else ''}")


def vocabulary(project: ProjectReader) -> Vocabulary:
    """The indexed terms: kept in memory per open project, and in the project's
    ``search_terms`` table so that a new process need not walk the whole index (fts5vocab
    does, ~0.4 s at 200,000 paragraphs) before its first search."""
    conn = project.conn
    signature = (index_signature(conn),)
    cached = _VOCABULARIES.get(project)
    if cached is not None and cached.signature == signature:
        return cached
    stored = conn.execute("SELECT signature FROM search_terms_source").fetchone()
    # Plain tuples: sqlite3.Row objects for 60,000 terms cost a new process ~30 ms.
    cursor = conn.cursor()
    cursor.row_factory = None
    if stored is not None and stored[0] == signature[0]:
        rows = cursor.execute(
            "SELECT term, paragraphs FROM search_terms ORDER BY term").fetchall()
    else:
        rows = cursor.execute("SELECT term, doc FROM paragraphs_vocab ORDER BY term").fetchall()
        _keep_terms(project, signature[0], rows)
    docs = dict(rows)
    found = Vocabulary(signature, list(docs), docs)
    _VOCABULARIES[project] = found
    return found


def refresh_vocabulary(project: ProjectReader) -> None:
    """Bring the kept terms up to date now (after an import), so that the next search,
    in this process or another, starts at once."""
    vocabulary(project)


def _keep_terms(project: ProjectReader, signature: str, rows: list[tuple[str, int]]) -> None:
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
            conn.executemany("INSERT INTO search_terms (term, paragraphs) VALUES (?, ?)", rows)
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


def tolerance(word: str) -> int:
    """How many edits a word may be off by: none for short words, two for long ones, and
    none for numbers (a search for 2006 is not one for 2007)."""
    if len(word) <= 3 or any(c.isdigit() for c in word):
        return 0
    return 1 if len(word) <= 6 else 2


def derivations(stem: str, words: Vocabulary, taken: set[str]) -> list[str]:
    """Indexed terms longer than ``stem`` that start with it, the most used first (a
    range of the sorted vocabulary), leaving out those already ``taken``."""
    start = bisect.bisect_left(words.terms, stem)
    found: list[str] = []
    for term in words.terms[start:]:
        if not term.startswith(stem):
            break
        if term != stem and term not in taken:
            found.append(term)
    found.sort(key=lambda t: (-words.docs[t], t))
    return found[:MAX_DERIVED]


def expand_groups(word: str, words: Vocabulary) -> list[TermGroup]:
    """What a typed word stands for, as groups of indexed terms, best first (maybe none).

    See the module's docstring for the order; a term appears in one group only (the
    best it qualifies for), and groups stop at MAX_GROUPS or MAX_TERMS terms.
    """
    folded = fold_term(word)
    groups: list[TermGroup] = []
    taken: set[str] = set()

    def add(terms: list[str], kind: Kind, distance: int = 0) -> None:
        room = MAX_TERMS - len(taken)
        kept = [t for t in dict.fromkeys(terms) if t not in taken][:max(room, 0)]
        if kept:
            groups.append(TermGroup(tuple(kept), kind, distance))
            taken.update(kept)

    if folded in words.docs:
        add([folded], "exact")
    if len(folded) >= 3:
        add(derivations(folded, words, taken), "prefix")
    limit = tolerance(folded)
    if limit:
        close = process.extract(folded, words.terms, scorer=Levenshtein.distance,
                                score_cutoff=limit, limit=None)
        for term, distance, _index in sorted(
                close, key=lambda c: (c[1], -words.docs[c[0]], c[0])):
            if len(groups) >= MAX_GROUPS or len(taken) >= MAX_TERMS:
                break
            if term in taken:
                continue
            add([term], "close", int(distance))
            if len(term) >= MIN_STEM:
                add(derivations(term, words, taken), "close", int(distance))
    return groups


def expand(word: str, words: Vocabulary) -> list[str]:
    """The indexed terms a typed word stands for, best first (maybe none)."""
    return [term for group in expand_groups(word, words) for term in group.terms]


__all__ = [
    "TermGroup", "Vocabulary", "expand", "expand_groups", "fold_term", "index_signature",
    "refresh_vocabulary", "tolerance", "vocabulary",
]
