"""Auto-coding: every paragraph a search finds, tagged with codes as ONE event.

A query is written as for ``qcode search`` (:mod:`qcode.core.search`: words, "phrases",
typo tolerance unless ``exact``) or is a Python regular expression (``regex``). It is
scoped like a search (one document, one speaker, the paragraphs already carrying a code
-- a parent standing for its whole subtree, the roll-up reports count by -- or the
paragraphs no coder has coded). Every hit counts, not a page of them.

:func:`plan` finds the paragraphs and says what would change (nothing is written: the
preview); :func:`apply` writes the plan through :meth:`Project.tag_many`, so the whole
run is one event and one ``qcode undo`` takes it back. Each new coding records how it
was made in ``codings.origin``: the command that repeats it, coder included, which
``qcode report frequencies --by origin`` groups by (codings without one were made by
hand).
"""

from __future__ import annotations

import re
import shlex
import sqlite3
from dataclasses import dataclass

from qcode.core.errors import QcodeError
from qcode.core.model import Code, Paragraph
from qcode.core.project import Project, TagResult
from qcode.core.search import ALL, Hit, Scope, centred_snippet, is_blank, scope_for, search
from qcode.core.store.db import translate

# How codings without an origin are shown (by hand, or brought from another tool).
HAND = "hand"
ACTION = "autocode"


@dataclass(frozen=True)
class Request:
    """An auto-coding as a researcher asks for it: names as typed."""

    query: str
    codes: tuple[str, ...]
    regex: bool = False
    exact: bool = False
    document: str | None = None
    speaker: str | None = None
    code: str | None = None
    uncoded: bool = False

    def command(self, coder: str) -> str:
        """The command line that repeats this run (what ``codings.origin`` records)."""
        words = ["qcode", "autocode", self.query, *self.codes]
        if self.regex:
            words.append("--regex")
        if self.exact:
            words.append("--exact")
        for option, value in (("--document", self.document), ("--speaker", self.speaker),
                              ("--code", self.code)):
            if value is not None:
                words += [option, value]
        if self.uncoded:
            words.append("--uncoded")
        return shlex.join([*words, "--coder", coder])


@dataclass(frozen=True)
class Found:
    """One paragraph the query matches: where, the matched words in context, and
    whether the coder's codings already hold every one of the codes there."""

    paragraph: Paragraph
    document: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]
    matches: tuple[tuple[int, int], ...]
    focus: int
    carries: bool


@dataclass(frozen=True)
class Plan:
    """What an auto-coding finds and would write (:func:`apply` writes it)."""

    request: Request
    coder: str
    codes: tuple[Code, ...]
    found: tuple[Found, ...]
    pairs: tuple[tuple[int, int], ...]
    origin: str

    @property
    def paragraphs(self) -> int:
        """How many paragraphs match."""
        return len(self.found)

    @property
    def already(self) -> int:
        """How many of them already carry every code (for this coder)."""
        return sum(1 for f in self.found if f.carries)

    @property
    def to_tag(self) -> int:
        """How many paragraphs would gain a code."""
        return len({p for p, _c in self.pairs})

    def summary(self) -> str:
        """The event's line in ``qcode log``."""
        names = ", ".join(repr(c.name) for c in self.codes)
        how = "regex" if self.request.regex else "search"
        noun = "paragraph" if self.to_tag == 1 else "paragraphs"
        return f"autocode ({how} {self.request.query!r}): {self.to_tag} {noun} with {names}"


def plan(project: Project, request: Request, *, coder: str) -> Plan:
    """Find the paragraphs ``request`` matches and the codings it would add.

    Refused (:class:`QcodeError`, nothing written) for a blank query, a regular
    expression that does not compile (or asked to be --exact), an unknown code,
    document or speaker (with the closest known name) and a folder code.
    """
    if not request.codes:
        raise QcodeError("autocode needs at least one code to apply")
    if request.regex and request.exact:
        raise QcodeError("--exact is for search queries: a --regex matches as written")
    pattern = _compile(request.query) if request.regex else None
    if pattern is None and is_blank(request.query):
        raise QcodeError("nothing to search for: give a word or a \"phrase\" "
                         "(qcode autocode QUERY CODE…)")
    codes = tuple({c.id: c for c in (project.code(name) for name in request.codes)}.values())
    project.check_codable([c.id for c in codes])
    where = scope_for(project, document=request.document, speaker=request.speaker,
                      code=request.code, uncoded=request.uncoded)
    try:
        hits = (_regex_hits(project.conn, pattern, where) if pattern is not None
                else [_found(h) for h in search(project, request.query, limit=ALL,
                                                scope=where, exact=request.exact)])
    except sqlite3.Error as exc:
        raise translate(exc, project.path) from exc
    hits.sort(key=lambda f: (f.document.casefold(), f.document, f.paragraph.ordinal))
    coder_id = project.coder_id(coder)
    have = (project.codings_of([f.paragraph.id for f in hits], coder_id, [c.id for c in codes])
            if coder_id is not None and hits else {})
    found = tuple(
        Found(f.paragraph, f.document, f.snippet, f.highlights, f.matches, f.focus,
              carries=all((f.paragraph.id, c.id) in have for c in codes))
        for f in hits)
    pairs = tuple((f.paragraph.id, c.id) for f in found for c in codes
                  if (f.paragraph.id, c.id) not in have)
    return Plan(request, coder, codes, found, pairs, request.command(coder))


def apply(project: Project, planned: Plan) -> TagResult:
    """Write a plan as one event (nothing when it has nothing to add)."""
    if not planned.pairs:
        return TagResult(0, len(planned.found) * len(planned.codes), None)
    return project.tag_many(planned.pairs, coder=planned.coder, summary=planned.summary(),
                            origin=planned.origin, action=ACTION)


def _compile(query: str) -> re.Pattern[str]:
    if not query:
        raise QcodeError("nothing to search for: give a regular expression "
                         "(qcode autocode --regex PATTERN CODE…)")
    try:
        return re.compile(query)
    except (re.error, RecursionError, OverflowError) as exc:
        raise QcodeError(f"--regex {query!r} does not compile: {exc}") from None


def _found(hit: Hit) -> Found:
    return Found(hit.paragraph, hit.document, hit.snippet, hit.highlights, hit.matches,
                 hit.focus, carries=False)


def _regex_hits(conn: sqlite3.Connection, pattern: re.Pattern[str],
                where: Scope) -> list[Found]:
    """Paragraphs in scope where ``pattern`` matches something (an empty match, which
    any text has, does not count)."""
    conditions, params = where.conditions()
    extra = " WHERE " + " AND ".join(conditions) if conditions else ""
    found = []
    for row in conn.execute(
            "SELECT p.*, d.name AS document_name FROM paragraphs p "
            f"JOIN documents d ON d.id = p.document_id{extra}", params):
        text = row["text"]
        spans = tuple(m.span() for m in pattern.finditer(text) if m.end() > m.start())
        if spans:
            snippet, highlights = centred_snippet(text, spans)
            found.append(Found(Paragraph.from_row(row), row["document_name"], snippet,
                               highlights, spans, 0, carries=False))
    return found


__all__ = ["ACTION", "HAND", "Found", "Plan", "Request", "apply", "plan"]
