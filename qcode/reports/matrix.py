"""``qcode report matrix``: the codings as a table for R, pandas or Excel.

One row per paragraph: its document, ordinal, label, section, speaker (and page, when a
document has pages), the document's attributes, then one column per code holding 1 if
the paragraph carries the code and 0 if not. ``--by coder`` gives one row per
paragraph and coder instead, for each coder who reviewed the paragraph's document
(marked it, or coded in it: the paragraphs of a document they never opened are
missing, not 0), so agreement can be computed from it. ``--unit document`` gives one
row per document (and coder), each code column counting the distinct paragraphs
carrying the code. Numbers are numbers and an absent value is an empty cell, so
``read.csv`` and ``read_csv`` take every column with its type.
"""

from __future__ import annotations

import html
import sqlite3
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qcode.core.codebook.tree import code_tree
from qcode.core.errors import QcodeError
from qcode.core.project import Project
from qcode.core.store.db import translate
from qcode.reports.filters import ReportFilter, resolve

if TYPE_CHECKING:
    from rich.table import Table

UNITS = ("paragraph", "document")
_PARAGRAPH = ("document", "paragraph", "label", "section", "speaker")


@dataclass(frozen=True)
class CodeMatrix:
    """The table: its column names (codes last) and one tuple of values per row."""

    unit: str
    by_coder: bool
    columns: tuple[str, ...]
    codes: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def records(self) -> list[dict[str, Any]]:
        """Rows as dicts (CSV, JSON, spreadsheets)."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def code_matrix(project: Project, flt: ReportFilter | None = None, *, unit: str = "paragraph",
                by: str | None = None) -> CodeMatrix:
    """The matrix of ``project`` within the filter (see the module doc)."""
    if unit not in UNITS:
        raise QcodeError(f"--unit {unit!r}: choose paragraph or document")
    if by not in (None, "coder"):
        raise QcodeError(f"--by {by!r}: the matrix is broken down by coder only")
    try:
        return _matrix(project, flt or ReportFilter(), unit, by == "coder")
    except sqlite3.Error as exc:
        raise translate(exc, project.path) from exc


def _matrix(project: Project, flt: ReportFilter, unit: str, by_coder: bool) -> CodeMatrix:
    scope = resolve(project, flt)
    conn = project.conn
    tree = code_tree(project)
    wanted = set(scope.code_ids) if scope.code_ids is not None else None
    used = {r[0] for r in conn.execute("SELECT DISTINCT code_id FROM codings")}
    codable = {r[0] for r in conn.execute("SELECT id FROM codes WHERE codable = 1")}
    # Folders that hold no codings would be columns of zeros.
    nodes = [n for n in tree.nodes if (n.id in wanted if wanted is not None
                                       else n.id in codable or n.id in used)]
    names = Counter(n.name for n in nodes)
    code_names = [n.path if names[n.name] > 1 else n.name for n in nodes]
    documents = {r[0]: r[1] for r in conn.execute(
        "SELECT id, name FROM documents ORDER BY name COLLATE NOCASE")}
    if scope.document_ids is not None:
        documents = {k: v for k, v in documents.items() if k in set(scope.document_ids)}
    attributes: dict[int, dict[str, str]] = {}
    for doc_id, key, value in conn.execute(
            "SELECT document_id, key, value FROM document_attributes"):
        if doc_id in documents:
            attributes.setdefault(doc_id, {})[key] = value
    keys = sorted({k for a in attributes.values() for k in a}, key=str.casefold)
    coders = {r[0]: r[1] for r in conn.execute("SELECT id, name FROM coders")}
    if scope.coder_ids is not None:
        coders = {k: v for k, v in coders.items() if k in set(scope.coder_ids)}
    index = {n.id: i for i, n in enumerate(nodes)}
    # (paragraph id, coder id or None) -> the codes on it
    marks: dict[tuple[int, int | None], set[int]] = {}
    reviewed: set[tuple[int, int]] = {(d, c) for d, c in conn.execute(
        "SELECT document_id, coder_id FROM reviews")}
    for paragraph_id, code_id, coder_id, doc_id in conn.execute(
            "SELECT c.paragraph_id, c.code_id, c.coder_id, p.document_id FROM codings c "
            "JOIN paragraphs p ON p.id = c.paragraph_id"):
        if doc_id not in documents or coder_id not in coders:
            continue
        reviewed.add((doc_id, coder_id))
        if code_id in index:
            marks.setdefault((paragraph_id, coder_id if by_coder else None), set()).add(
                index[code_id])
    has_pages = unit == "paragraph" and conn.execute(
        "SELECT 1 FROM paragraphs WHERE page IS NOT NULL LIMIT 1").fetchone() is not None
    fixed = (["document", "paragraphs"] if unit == "document"
             else [*_PARAGRAPH, *(["page"] if has_pages else [])])
    if by_coder:
        fixed.insert(1, "coder")
    columns = _unique([*fixed, *keys, *code_names])
    rows: list[tuple[Any, ...]] = []
    for doc_id, doc_name in documents.items():
        who: list[int | None] = ([c for c in sorted(coders, key=lambda c: coders[c].casefold())
                                  if (doc_id, c) in reviewed] if by_coder else [None])
        values = [attributes.get(doc_id, {}).get(k) for k in keys]
        paragraphs = conn.execute(
            "SELECT id, ordinal, label, section, speaker, page FROM paragraphs "
            "WHERE document_id = ? ORDER BY ordinal", (doc_id,)).fetchall()
        for coder in who:
            named = [coders[coder]] if coder is not None else []
            if unit == "document":
                counts = [0] * len(nodes)
                for p in paragraphs:
                    for i in marks.get((p[0], coder), ()):
                        counts[i] += 1
                rows.append((doc_name, *named, len(paragraphs), *values, *counts))
                continue
            for pid, ordinal, label, section, speaker, page in paragraphs:
                on = marks.get((pid, coder), set())
                rows.append((doc_name, *named, ordinal, label, section, speaker,
                             *([page] if has_pages else []), *values,
                             *(1 if i in on else 0 for i in range(len(nodes)))))
    return CodeMatrix(unit, by_coder, tuple(columns), tuple(columns[-len(nodes):])
                      if nodes else (), tuple(rows))


def _unique(names: list[str]) -> list[str]:
    """Column names made unique: an attribute or code named like a column before it
    gets a suffix (``speaker (2)``), so no reader loses a column."""
    seen: set[str] = set()
    out = []
    for name in names:
        candidate, number = name, 2
        while candidate.casefold() in seen:
            candidate, number = f"{name} ({number})", number + 1
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def _shown(value: Any) -> str:
    return "" if value is None else str(value)


def matrix_table(matrix: CodeMatrix) -> Table:
    """The matrix for the terminal."""
    from rich.table import Table  # only the terminal needs rich

    table = Table(title=f"Code matrix: one row per {matrix.unit}"
                  + (" and coder" if matrix.by_coder else ""), show_lines=False)
    for name in matrix.columns:
        if name in matrix.codes:
            table.add_column(name, justify="right", overflow="fold")
        else:  # long attribute values would make every row tall
            table.add_column(name, max_width=24, no_wrap=True, overflow="ellipsis")
    for row in matrix.rows:
        table.add_row(*(_shown(v) for v in row))
    return table


def matrix_markdown(matrix: CodeMatrix) -> str:
    """The matrix as a Markdown table."""
    def cell(value: Any) -> str:
        return " ".join(_shown(value).replace("\\", "\\\\").replace("|", "\\|").split())

    lines = ["| " + " | ".join(cell(c) for c in matrix.columns) + " |",
             "|" + "|".join("--:" if c in matrix.codes else ":--" for c in matrix.columns) + "|"]
    lines.extend("| " + " | ".join(cell(v) for v in row) + " |" for row in matrix.rows)
    return "## Code matrix\n\n" + "\n".join(lines)


def matrix_html(matrix: CodeMatrix, title: str, footer: str) -> str:
    """The matrix as one self-contained HTML page."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in matrix.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_shown(v))}</td>" for v in row)
                   + "</tr>" for row in matrix.rows)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>"
            "body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}"
            "th,td{border:1px solid #ccc;padding:.2rem .5rem;font-size:.9rem}"
            "th{position:sticky;top:0;background:#f4f4f4}</style></head><body>"
            f"<h1>{html.escape(title)}</h1><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table><p><small>{html.escape(footer)}</small></p>"
            "</body></html>\n")


__all__ = ["UNITS", "CodeMatrix", "code_matrix", "matrix_html", "matrix_markdown",
           "matrix_table"]
