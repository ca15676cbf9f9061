"""CSV that people open in a spreadsheet: the one writer every CSV qcode makes goes through.

A cell starting with ``=``, ``+``, ``-`` or ``@`` is a formula to Excel, LibreOffice and
Google Sheets (``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``), and a leading tab or carriage
return can hide one. Code names, coder names, document attributes and paragraph text all
come from people and files we do not control, so every text cell that starts with one of
those characters, or with an apostrophe, gets one apostrophe in front (OWASP's rule; the
apostrophe case makes it reversible). Spreadsheets show the cell as text without the
apostrophe. Numbers are written as numbers: a negative kappa stays ``-0.2``.

Getting the text back in a tidy-data tool: remove the first character of any text cell
that starts with an apostrophe -- in R, ``sub("^'", "", x)``; in pandas,
``s.str.replace("^'", "", regex=True)``. :func:`unprotect` does it for one cell.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# What makes a spreadsheet read a cell as a formula, and the apostrophe that escapes it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def protect(cell: str) -> str:
    """The text as a spreadsheet must see it: prefixed with ``'`` if it could start a
    formula (or already starts with an apostrophe)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def unprotect(cell: str) -> str:
    """Undo :func:`protect`: drop the apostrophe it added. A lone apostrophe, or one
    not followed by a protected character, was in the text (another program's CSV)."""
    return cell[1:] if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_START else cell


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str):
        return protect(value)
    return value  # numbers (and booleans) as the csv module writes them


def write_rows(header: Sequence[str], rows: Iterable[Sequence[Any]], *,
               lineterminator: str = "\n") -> str:
    """CSV text: ``header``, then ``rows``; text cells protected, None as empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=lineterminator)
    writer.writerow([_cell(name) for name in header])
    writer.writerows([_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def write_records(records: Sequence[Mapping[str, Any]], *, lineterminator: str = "\n") -> str:
    """Dicts as CSV, the first one's keys as the header; empty when there are none."""
    if not records:
        return ""
    header = list(records[0])
    return write_rows(header, ([record.get(key) for key in header] for record in records),
                      lineterminator=lineterminator)
