"""Coded segments: the paragraphs behind a theme, with where they come from.

These are the quotes a researcher pastes into a paper: each with its document, label
(§), section, speaker, the coder who applied the code and their memo. One row per
coding (tidy); renderers gather a paragraph's coders under one quote. A coding that
came from another tool with an exact selection (:mod:`qcode.core.spans`) also gives
that selection's text within the paragraph (``quote``), which renderers mark in the
paragraph they show around it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from qcode.core.codebook.tree import code_tree
from qcode.core.project import Project
from qcode.core.spans import marks
from qcode.core.store.db import translate
from qcode.reports.filters import ReportFilter, resolve
from qcode.reports.frequencies import HAND


@dataclass(frozen=True)
class Segment:
    """One coding of a paragraph with a code under a theme."""

    theme: str
    theme_path: str
    theme_colour: str | None
    code: str
    code_path: str
    colour: str | None
    document: str
    document_title: str | None
    ref: str
    ordinal: int
    section: str | None
    speaker: str | None
    coder: str
    memo: str | None
    text: str
    paragraph_id: int
    # Every coder's memos on the paragraph and on its document: (coder, text).
    paragraph_memos: tuple[tuple[str, str], ...] = ()
    document_memos: tuple[tuple[str, str], ...] = ()
    # The exact selection(s) within the paragraph, as offsets into ``text``; empty when
    # the whole paragraph was coded.
    highlights: tuple[tuple[int, int], ...] = ()
    # How the coding was made: "hand", or the `qcode autocode` command that made it.
    origin: str = "hand"

    @property
    def quote(self) -> str | None:
        """The exact selected text (several selections joined by " … "), or None."""
        if not self.highlights:
            return None
        return " … ".join(self.text[s:e].strip() for s, e in self.highlights)

    def record(self) -> dict[str, Any]:
        """A flat dict for CSV/JSON (every field, the exact quote after the text,
        ``colour`` and ids last; memos of the paragraph and the document as
        "coder: text" lines)."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "highlights"}
        data = {**{k: v for k, v in data.items() if k != "text"}, "text": self.text,
                "quote": self.quote}
        for key in ("paragraph_memos", "document_memos"):
            data[key] = "\n".join(f"{who}: {text}" for who, text in data[key]) or None
        for key in ("theme_colour", "colour", "paragraph_id"):
            data[key] = data.pop(key)
        return data


_SQL = """
WITH themes(position, theme_id, code_id, code_rank) AS (
    SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),
           json_extract(value, '$[2]'), json_extract(value, '$[3]')
      FROM json_each(:themes)
)
SELECT th.theme_id, k.code_id, d.name AS document, d.title, d.id AS document_id,
       p.id AS paragraph_id,
       p.ordinal, p.label, p.section, p.speaker, p.text, c.name AS coder, k.memo,
       k.spans, p.start, k.origin
  FROM themes th
  JOIN codings k ON k.code_id = th.code_id
  JOIN paragraphs p ON p.id = k.paragraph_id
  JOIN documents d ON d.id = p.document_id
  JOIN coders c ON c.id = k.coder_id
 WHERE 1 = 1{where}
 ORDER BY th.position, d.name COLLATE NOCASE, p.ordinal, th.code_rank, c.name COLLATE NOCASE
"""


def segments(
    project: Project,
    codes: Sequence[str] = (),
    flt: ReportFilter | None = None,
    *,
    with_children: bool = False,
) -> list[Segment]:
    """Every coding of the given codes (themes), in theme, document and paragraph order.

    ``codes`` are names, paths or GUIDs; when empty, ``flt.codes`` are used, and when
    those are empty too, every code of the codebook is a theme of its own. With
    ``with_children`` a theme also gathers the codings of the codes below it.
    """
    flt = flt or ReportFilter()
    try:
        return _segments(project, codes, flt, with_children)
    except sqlite3.Error as exc:
        raise translate(exc, project.path) from exc


def _segments(project: Project, codes: Sequence[str], flt: ReportFilter,
              with_children: bool) -> list[Segment]:
    scope = resolve(project, flt)
    tree = code_tree(project)
    if codes:
        themes = list(dict.fromkeys(project.code(name).id for name in codes))
    elif scope.code_ids is not None:
        themes = list(scope.code_ids)
    else:
        themes = [n.id for n in tree.nodes]
    rank = {n.id: i for i, n in enumerate(tree.nodes)}
    pairs = [
        [position, theme, code, rank[code]]
        for position, theme in enumerate(themes)
        for code in (tree.subtree(theme) if with_children else [theme])
    ]
    where = ""
    params: dict[str, Any] = {"themes": json.dumps(pairs)}
    if scope.coder_ids is not None:
        where += f" AND k.coder_id IN ({', '.join(str(int(i)) for i in scope.coder_ids)})"
    if scope.document_ids is not None:
        params["documents"] = json.dumps(list(scope.document_ids))
        where += " AND p.document_id IN (SELECT value FROM json_each(:documents))"
    rows = project.conn.execute(_SQL.format(where=where), params).fetchall()
    on_paragraphs = project.memos_on("paragraph", [r["paragraph_id"] for r in rows])
    on_documents = project.memos_on("document", [r["document_id"] for r in rows])
    result = []
    for row in rows:
        theme, code = tree.by_id[row["theme_id"]], tree.by_id[row["code_id"]]
        result.append(Segment(
            theme=theme.name, theme_path=theme.path, theme_colour=theme.colour,
            code=code.name, code_path=code.path,
            colour=code.colour, document=row["document"], document_title=row["title"],
            ref=row["label"] or f"¶{row['ordinal']}", ordinal=row["ordinal"],
            section=row["section"], speaker=row["speaker"], coder=row["coder"],
            memo=row["memo"], text=row["text"], paragraph_id=row["paragraph_id"],
            paragraph_memos=tuple(on_paragraphs.get(row["paragraph_id"], ())),
            document_memos=tuple(on_documents.get(row["document_id"], ())),
            highlights=highlights(row["spans"], row["start"], len(row["text"])),
            origin=row["origin"] or HAND,
        ))
    return result


def highlights(spans: str | None, start: int, length: int) -> tuple[tuple[int, int], ...]:
    """A coding's exact spans as offsets into its paragraph's text; empty for a coding
    of the whole paragraph."""
    return marks([spans], start, length)


@dataclass(frozen=True)
class Quote:
    """A paragraph under one theme, with every code and coder that put it there."""

    theme_path: str
    segment: Segment
    codes: tuple[str, ...]
    coders: tuple[str, ...]
    memos: tuple[tuple[str, str], ...]
    # Every exact selection on the paragraph under this theme (empty: the paragraph).
    highlights: tuple[tuple[int, int], ...] = ()


def quotes(rows: Sequence[Segment]) -> list[Quote]:
    """Gather consecutive rows of the same theme and paragraph into one :class:`Quote`.

    A quote's memos are its codings' memos, then the memos on the paragraph and on its
    document (named so: "alice, on §12"), so every renderer shows all three."""
    gathered: list[Quote] = []
    for row in rows:
        last = gathered[-1] if gathered else None
        if (last is not None and last.theme_path == row.theme_path
                and last.segment.paragraph_id == row.paragraph_id):
            # A coding of the whole paragraph among them: the whole paragraph is quoted.
            marks = (() if not last.highlights or not row.highlights
                     else tuple(sorted(set(last.highlights) | set(row.highlights))))
            gathered[-1] = Quote(
                last.theme_path, last.segment,
                tuple(dict.fromkeys((*last.codes, row.code))),
                tuple(dict.fromkeys((*last.coders, row.coder))),
                last.memos + (((row.coder, row.memo),) if row.memo else ()), marks,
            )
        else:
            gathered.append(Quote(row.theme_path, row, (row.code,), (row.coder,),
                                  ((row.coder, row.memo),) if row.memo else (),
                                  row.highlights))
    return [_with_notes(quote) for quote in gathered]


def _with_notes(quote: Quote) -> Quote:
    row = quote.segment
    notes = tuple((f"{who}, on {row.ref}", text) for who, text in row.paragraph_memos)
    notes += tuple((f"{who}, on {row.document}", text) for who, text in row.document_memos)
    if not notes:
        return quote
    return Quote(quote.theme_path, row, quote.codes, quote.coders, quote.memos + notes,
                 quote.highlights)
