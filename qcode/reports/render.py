"""Reports to text: rich table, CSV, JSON, Markdown and HTML, and writing them to files.

One module for every front end: the CLI prints what :func:`render` returns (or, on a
terminal, :func:`qcode.reports.terminal.renderable`), the TUI shows the same
renderables, and exports go through :func:`write_report`.

CSV and JSON are tidy: one row per code × group (frequencies), per code pair
(co-occurrence), per coding (segments), so R's ``read.csv`` and pandas' ``read_csv``
or ``read_json`` take them as they are.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from qcode.core import outfile
from qcode.core.csvsafe import write_records
from qcode.core.errors import QcodeError
from qcode.reports.cooccurrence import MEASURES
from qcode.reports.report import Report

# Each format's writer is loaded when that format is asked for: a CSV from the shell
# should not pay for rich, the HTML page and the workbook writer.

FORMATS = ("table", "csv", "json", "markdown", "html", "xlsx")
__all__ = ["FORMATS", "Report", "format_for", "records", "render", "render_bytes", "to_csv",
           "to_json", "write_report"]
_SUFFIXES = {".csv": "csv", ".json": "json", ".md": "markdown", ".markdown": "markdown",
             ".html": "html", ".htm": "html", ".txt": "table", ".xlsx": "xlsx"}
# Formats that are files, not text: written with -o, never printed.
BINARY = ("xlsx",)


def format_for(path: Path | None, fmt: str | None) -> str:
    """The format asked for, else the one the file's suffix names, else ``table``."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise QcodeError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
        return fmt
    if path is None:
        return "table"
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise QcodeError(f"{path}: cannot tell the format from {path.suffix or 'no suffix'!r}; "
                         f"pass --format ({', '.join(FORMATS)})")
    return found


def render(report: Report, fmt: str, *, width: int = 100) -> str:
    """The report as text in ``fmt`` (one of :data:`FORMATS`)."""
    if report.measure not in MEASURES:
        raise QcodeError(f"unknown measure {report.measure!r}: choose {', '.join(MEASURES)}")
    if fmt == "csv":
        return to_csv(_single(report, "csv"))
    if fmt == "json":
        return to_json(report)
    if fmt in BINARY:
        raise QcodeError(f"{fmt} is a file, not text: write it with -o FILE.{fmt}")
    if report.matrix is not None and fmt in ("markdown", "html"):
        from qcode.reports.matrix import matrix_html, matrix_markdown

        # The matrix is a table of its own: its Markdown and its page are made there.
        if fmt == "markdown":
            return f"# {report.context.title}\n\n{matrix_markdown(report.matrix)}\n"
        return matrix_html(report.matrix, report.context.title, report.context.footer())
    if fmt == "markdown":
        from qcode.reports.markdown import markdown

        return markdown(report)
    if fmt == "html":
        from qcode.reports.htmlpage import page

        return page(report)
    if fmt == "table":
        from qcode.reports.terminal import plain

        return plain(report, width=width)
    raise QcodeError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")


def render_bytes(report: Report, fmt: str, *, width: int = 100) -> bytes:
    """The report as the bytes of a file in ``fmt``: an xlsx workbook (one sheet per
    section, and one saying what it is), or the UTF-8 of :func:`render`."""
    if fmt == "xlsx":
        from qcode.reports.xlsx import workbook

        return workbook(report.context, [(section, records(report, section))
                                 for section in report.sections()])
    return render(report, fmt, width=width).encode("utf-8")


def records(report: Report, section: str) -> list[dict[str, Any]]:
    """The tidy rows of one section."""
    if section == "frequencies" and report.frequencies is not None:
        return [r.record() for r in report.frequencies]
    if section == "cooccurrence" and report.cooccurrence is not None:
        return report.cooccurrence.records(report.measure)
    if section == "segments" and report.segments is not None:
        return [s.record() for s in report.segments]
    if section == "summary" and report.summary is not None:
        return [report.summary.record()]
    if section == "matrix" and report.matrix is not None:
        return report.matrix.records()
    return []


def _single(report: Report, fmt: str) -> list[dict[str, Any]]:
    sections = report.sections()
    if len(sections) != 1:
        raise QcodeError(f"{fmt} holds one table: export the reports one at a time "
                         "(or choose json, markdown or html for the full report)")
    return records(report, sections[0])


def to_csv(rows: list[dict[str, Any]]) -> str:
    """Rows as CSV with a header (empty cells for None); empty when there are no rows.
    Text that a spreadsheet would run as a formula is protected (:mod:`qcode.core.csvsafe`)."""
    return write_records(rows)


def to_json(report: Report) -> str:
    """One section: its tidy rows (a list; the summary an object). Several: an object."""
    sections = report.sections()
    data: Any
    if len(sections) == 1:
        rows = records(report, sections[0])
        data = rows[0] if sections[0] == "summary" else rows
    else:
        data = {"report": asdict(report.context)}
        for section in sections:
            rows = records(report, section)
            data[section] = rows[0] if section == "summary" else rows
        if report.summary is not None:
            data["summary"]["coders"] = [asdict(c) for c in report.summary.coders]
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def write_report(text: str | bytes, path: Path, *, force: bool = False) -> None:
    """Write ``text`` (or a file's bytes) to ``path``; an existing file is left alone
    unless ``force``.

    The text is complete before the file is touched, and a forced overwrite goes
    through a temporary file and a rename, so a failure never leaves half a report.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    if force:
        outfile.replace(path, data)
    else:
        outfile.write_new(path, data)
