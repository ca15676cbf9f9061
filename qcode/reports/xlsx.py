"""Reports as Excel workbooks (``--format xlsx``), through openpyxl.

One sheet per table of the report (the same tidy rows as its CSV), each with its header
row frozen and bold, then a sheet "about" saying what the numbers are: the report, the
project, its codebook and version, the filters, when it was made and by which qcode.

Two things openpyxl would otherwise do with text from people and files: a string
starting with ``=`` is written as a formula (so every text cell is written as text,
whatever it starts with: a code named ``=HYPERLINK(…)`` stays that name), and control
characters, which the file format cannot hold, raise an error (they are written as
the symbols the terminal shows for them, ``␛``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from qcode.core.controls import printable
from qcode.reports.filters import ReportContext

# What a sheet name may not contain, and how long it may be (Excel's rules).
_SHEET_NAME = re.compile(r"[\[\]:*?/\\]")
_SHEET_LENGTH = 31


def workbook(context: ReportContext, tables: Sequence[tuple[str, list[dict[str, Any]]]]
             ) -> bytes:
    """The workbook of a report made in ``context`` holding ``tables`` ((sheet name,
    rows) pairs).

    Written in openpyxl's write-only mode: cell by cell in memory took over a minute
    for a matrix of 30,000 paragraphs and 150 codes; streamed, a few seconds."""
    from openpyxl import Workbook  # loaded when used: only xlsx output needs it
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()

    def text(sheet: Any, value: str, *, strong: bool = False) -> Any:
        cell = WriteOnlyCell(sheet, value=_text(value))
        cell.data_type = "s"  # text, never a formula, whatever it starts with
        if strong:
            cell.font = bold
        return cell

    def value(sheet: Any, found: Any) -> Any:
        if isinstance(found, str):
            # Only text a spreadsheet would take for a formula needs a cell of its own.
            return text(sheet, found) if found.startswith("=") else _text(found)
        return _value(found)

    for title, rows in tables:
        sheet = book.create_sheet(_sheet_name(title, used))
        sheet.freeze_panes = "A2"
        header = list(rows[0]) if rows else ["(no rows)"]
        sheet.append([text(sheet, str(h), strong=True) for h in header])
        for row in rows:
            sheet.append([value(sheet, row.get(key)) for key in header])
    ctx = context
    about = book.create_sheet(_sheet_name("about", used))
    for key, found in (("report", ctx.title), ("project", ctx.project), ("file", ctx.path),
                       ("codebook", ctx.codebook), ("codebook version", ctx.codebook_version),
                       ("filters", ctx.filters), ("generated", ctx.generated_at),
                       ("qcode", ctx.qcode_version)):
        about.append([text(about, key, strong=True), text(about, found or "")])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, used: set[str]) -> str:
    base = _SHEET_NAME.sub(" ", title).strip()[:_SHEET_LENGTH] or "sheet"
    name, number = base, 2
    while name.casefold() in used:
        suffix = f" ({number})"
        name, number = base[:_SHEET_LENGTH - len(suffix)] + suffix, number + 1
    used.add(name.casefold())
    return name


def _text(value: str) -> str:
    """Text the file format can hold: control characters as their visible symbols."""
    return printable(value)


def _value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value
    return _text(str(value))


__all__ = ["workbook"]
