"""Agreement reports as a rich table, CSV, JSON and Markdown.

Undefined coefficients read "N/A (reason)" in tables (a short reason in the cell, the
full one in a note below), null with the reason in JSON, and an empty cell with the
reason in the ``notes`` column of CSV, so numeric columns stay numeric.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from qcode.core.agreement.coefficients import AgreementResult
from qcode.core.agreement.disagreements import Disagreements
from qcode.reports.agreement import AgreementReport, CodeAgreement, DisagreementReport
from qcode.reports.render import to_csv
from qcode.reports.xlsx import workbook

FORMATS = ("table", "csv", "json", "markdown", "xlsx")
HEADERS = {"percent_agreement": "agreement", "cohen_kappa": "Cohen κ",
           "fleiss_kappa": "Fleiss κ", "krippendorff_alpha": "Krippendorff α"}
SHORT_HEADERS = {**HEADERS, "krippendorff_alpha": "Kripp. α"}



def short_reason(reason: str) -> str:
    """The part of a reason before its first colon ("no variation")."""
    return reason.split(":", 1)[0]


def cell(result: AgreementResult | None, *, percent: bool = False) -> str:
    """A coefficient as a table cell: "0.743", "93.2%" or "N/A (short reason)"."""
    if result is None:
        return "–"
    if result.value is None:
        return f"N/A ({short_reason(result.reason or '')})"
    return f"{result.value * 100:.1f}%" if percent else result.format()


def interval_cell(row: CodeAgreement, *, digits: int = 3) -> str:
    """"[0.61, 0.78]" or "N/A (…)" for the bootstrap interval of alpha."""
    if row.interval is None:
        return "–"
    if row.interval.interval is None:
        if digits < 3:
            return "N/A"
        return "N/A (alpha undefined)" if not row.alpha.defined else "N/A (no resample defined)"
    low, high = row.interval.interval
    return f"[{low:.{digits}f}, {high:.{digits}f}]"


def _columns(report: AgreementReport) -> list[str]:
    names = ["percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha"]
    return [n for n in names if n != "cohen_kappa" or len(report.coders) == 2]


def _rows(report: AgreementReport) -> list[CodeAgreement]:
    return [*report.codes, report.overall]


def notes(report: AgreementReport) -> list[str]:
    """Why figures are N/A: each (short reason, detail) once, with the codes it hits."""
    found: dict[tuple[str, str], list[str]] = {}
    for row in _rows(report):
        for result in row.figures().values():
            if result is None or result.reason is None:
                continue
            short = short_reason(result.reason)
            # "no variation: every value is 0, so chance agreement is 1 and Cohen's kappa
            # is undefined" -> detail "every value is 0", shared by every coefficient.
            detail = result.reason[len(short):].lstrip(": ").split(", so ")[0]
            codes = found.setdefault((short, detail), [])
            if row.code not in codes:
                codes.append(row.code)
    return [f"N/A ({short}){': ' + detail if detail else ''} — {', '.join(codes)}"
            for (short, detail), codes in found.items()]


def describe(report: AgreementReport) -> str:
    """One line: the coders, how many documents each reviewed, and the units."""
    reviewed = ", ".join(f"{c} {n}" for c, n in zip(report.coders, report.reviewed, strict=True))
    interval = (f"; alpha 95% interval from {report.bootstrap} bootstrap resamples "
                f"(seed {report.seed})" if report.bootstrap else "")
    return (f"coders: {', '.join(report.coders)} · documents reviewed: {reviewed} · "
            f"units: {_count(report.paragraphs, 'paragraph')} in "
            f"{_count(report.documents, 'document')} reviewed by at least 2 of them; "
            f"overall pools (paragraph, code) units{interval}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _undefined(row: CodeAgreement) -> bool:
    """A code none of whose chance-corrected figures is defined (no one used it, most
    often): its row says nothing a list of names would not."""
    figures = row.figures()
    return row.guid is not None and all(
        r is None or r.value is None for name, r in figures.items()
        if name != "percent_agreement")


def _hidden_note(rows: list[CodeAgreement]) -> str:
    reasons = dict.fromkeys(
        short_reason(r.reason) for row in rows for r in row.figures().values()
        if r is not None and r.reason)
    why = "; ".join(reasons) or "undefined"
    noun = "code" if len(rows) == 1 else "codes"
    return (f"{len(rows)} {noun} without figures (N/A: {why}; in CSV and JSON): "
            + ", ".join(r.code for r in rows))


def table(report: AgreementReport) -> RenderableType:
    """The report as a rich renderable: the codes with figures, the overall row, the
    codes without figures summarised in one note, then the reasons and the footer.

    Built for 80 columns: figures never wrap (N/A cells say only "N/A", their reasons
    follow the table), the code column takes what is left and wraps between words.
    """
    grid = Table(title=report.context.title, title_justify="left", box=box.SIMPLE_HEAD,
                 show_edge=False, padding=(0, 0), header_style="bold")
    shown = [r for r in report.codes if not _undefined(r)]
    hidden = [r for r in report.codes if _undefined(r)]
    longest = max((len(w) for r in [*shown, report.overall] for w in r.code.split()),
                  default=8)
    grid.add_column("code", overflow="fold", min_width=max(12, longest), ratio=1)
    grid.add_column("units", justify="right", no_wrap=True)
    for coder in report.coders:
        grid.add_column(coder, justify="right", no_wrap=True)
    columns = _columns(report)
    for name in columns:
        header = "agreed" if name == "percent_agreement" else SHORT_HEADERS[name]
        grid.add_column(header, justify="right", no_wrap=True)
    if report.bootstrap:
        grid.add_column("α 95% CI", justify="right", no_wrap=True)
    for row in [*shown, report.overall]:
        label = Text(row.code, style="bold" if row.guid is None else "")
        figures = row.figures()
        cells = ["N/A" if r is not None and r.value is None else cell(r, percent=n == (
            "percent_agreement")) for n, r in ((n, figures[n]) for n in columns)]
        if report.bootstrap:
            cells.append(interval_cell(row, digits=2))
        if row.guid is None:
            grid.add_section()
        grid.add_row(label, str(row.units), *map(str, row.applied), *cells)
    parts: list[RenderableType] = [Text(describe(report), style="dim"), grid]
    if hidden:
        parts.append(Text(_hidden_note(hidden), style="dim"))
    visible = replace(report, codes=tuple(shown))
    parts += [Text(n, style="dim") for n in notes(visible)]
    parts.append(Text(report.context.footer(), style="dim"))
    return Group(*parts)


def plain(renderable: RenderableType, width: int = 120) -> str:
    """A renderable as plain text (for -o FILE.txt and tests)."""
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False,
            highlight=False, emoji=False).print(renderable)
    return buffer.getvalue()


def records(report: AgreementReport) -> list[dict[str, Any]]:
    """One flat row per code and one for the overall figures (CSV)."""
    result = []
    for row in _rows(report):
        data: dict[str, Any] = {"code": row.code, "path": row.path, "units": row.units}
        data.update({f"applied_{c}": n for c, n in zip(report.coders, row.applied, strict=True)})
        figures = row.figures()
        for name in _columns(report):
            result_ = figures[name]
            data[name] = None if result_ is None else result_.value
        if report.bootstrap:
            low_high = row.interval.interval if row.interval else None
            data["alpha_ci_low"] = low_high[0] if low_high else None
            data["alpha_ci_high"] = low_high[1] if low_high else None
        data["notes"] = "; ".join(f"{name}: {r.reason}" for name, r in figures.items()
                                  if r is not None and r.reason) or None
        data["guid"] = row.guid
        result.append(data)
    return result


def _figure(result: AgreementResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {"value": result.value, "reason": result.reason, "units": result.n_units}


def _json_row(report: AgreementReport, row: CodeAgreement) -> dict[str, Any]:
    data: dict[str, Any] = {"code": row.code, "path": row.path, "guid": row.guid,
                            "units": row.units,
                            "applied": dict(zip(report.coders, row.applied, strict=True))}
    figures = row.figures()
    for name in _columns(report):
        data[name] = _figure(figures[name])
    if row.interval is not None:
        data["alpha_interval"] = {
            "low": row.interval.interval[0] if row.interval.interval else None,
            "high": row.interval.interval[1] if row.interval.interval else None,
            "ci": row.interval.ci, "resamples": row.interval.n_resamples,
            "undefined_resamples": row.interval.n_undefined,
        }
    return data


def to_json(report: AgreementReport) -> str:
    """The whole report as one JSON object (figures as {value, reason, units})."""
    data = {
        "report": asdict(report.context),
        "coders": [{"name": c, "documents_reviewed": n}
                   for c, n in zip(report.coders, report.reviewed, strict=True)],
        "documents": report.documents,
        "paragraphs": report.paragraphs,
        "unit": "paragraph (code present = 1, absent = 0, missing if not reviewed)",
        "overall_unit": "(paragraph, code), pooled over the codes listed",
        "bootstrap": {"resamples": report.bootstrap, "seed": report.seed}
        if report.bootstrap else None,
        "codes": [_json_row(report, r) for r in report.codes],
        "overall": _json_row(report, report.overall),
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _md(text: str) -> str:
    return " ".join(text.replace("\\", "\\\\").replace("|", "\\|").split())


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """A pipe table; ``rows`` hold cells already escaped with :func:`_md`."""
    lines = ["| " + " | ".join(map(_md, header)) + " |",
             "|" + "|".join(":--" if i < left else "--:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def markdown(report: AgreementReport) -> str:
    """A title, the definitions line, a pipe table, the notes and the footer."""
    columns = _columns(report)
    header = ["code", "units", *report.coders, *(HEADERS[n] for n in columns)]
    if report.bootstrap:
        header.append("α 95% CI")
    rows = []
    for row in _rows(report):
        figures = row.figures()
        # An em space survives in Markdown tables, so sub-codes stay indented.
        name = f"**{_md(row.code)}**" if row.guid is None else "\u2003" * row.depth + _md(row.code)
        cells = [str(row.units), *map(str, row.applied),
                 *(cell(figures[n], percent=n == "percent_agreement") for n in columns)]
        if report.bootstrap:
            cells.append(interval_cell(row))
        rows.append([name, *map(_md, cells)])
    parts = [f"# {_md(report.context.title)}", _md(describe(report)), _md_table(header, rows)]
    parts += [f"- {_md(n)}" for n in notes(report)]
    parts.append(f"---\n\n<small>{_md(report.context.footer())}</small>")
    return "\n\n".join(parts) + "\n"


def render_bytes(report: AgreementReport | DisagreementReport, fmt: str) -> bytes:
    """The report as a file's bytes: an xlsx workbook (the rows of its CSV, and a sheet
    saying what it is), or the UTF-8 of the text in ``fmt``."""
    if isinstance(report, DisagreementReport):
        if fmt == "xlsx":
            return workbook(report.context, [("disagreements",
                                              [d.record() for d in report.found.rows])])
        return render_disagreements(report.found, fmt).encode("utf-8")
    if fmt == "xlsx":
        return workbook(report.context, [("agreement", records(report))])
    return render(report, fmt).encode("utf-8")


def render(report: AgreementReport, fmt: str, *, width: int = 120) -> str:
    """The agreement report as text in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "csv":
        return to_csv(records(report))
    if fmt == "json":
        return to_json(report)
    if fmt == "markdown":
        return markdown(report)
    return plain(table(report), width)


# -- disagreements --------------------------------------------------------------------


def disagreements_table(found: Disagreements) -> RenderableType:
    """Where the coders differ: a table per document, one row per (paragraph, code).

    Built for 80 columns: the code by its own name (its path is in CSV and JSON), no
    section, the paragraph's first words in what is left, wrapped between words.
    """
    rows, coders = found.rows, found.coders
    title = Text(f"Disagreements between {', '.join(coders)}: {len(rows)}", style="bold")
    parts: list[RenderableType] = [title]
    documents = list(dict.fromkeys(d.document for d in rows))
    for document in documents:
        mine = [d for d in rows if d.document == document]
        longest = max(len(w) for d in mine for w in d.code.split())
        grid = Table(title=f"{document} ({len(mine)})", title_justify="left",
                     show_edge=False, padding=(0, 0), header_style="bold",
                     box=box.SIMPLE_HEAD)
        grid.add_column("§", no_wrap=True)
        grid.add_column("code", min_width=min(longest, 24), max_width=24)
        grid.add_column("with", no_wrap=True)
        grid.add_column("without", no_wrap=True)
        grid.add_column("text", ratio=1, min_width=20)
        for d in mine:
            grid.add_row(d.ref, d.code, "\n".join(d.with_code), "\n".join(d.without_code),
                         d.excerpt)
        parts.append(grid)
    return Group(*parts)


def render_disagreements(found: Disagreements, fmt: str, *, width: int = 120) -> str:
    """The disagreements as text in ``fmt``."""
    rows, coders = found.rows, found.coders
    if fmt == "csv":
        return to_csv([d.record() for d in rows])
    if fmt == "json":
        data = [{**d.record(), "with_code": list(d.with_code),
                 "without_code": list(d.without_code)} for d in rows]
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "markdown":
        body = _md_table(["document", "§", "section", "code", "with", "without", "text"],
                         [[_md(c) for c in (d.document, d.ref, d.section or "", d.code_path,
                                            ", ".join(d.with_code), ", ".join(d.without_code),
                                            d.excerpt)]
                          for d in rows], left=7)
        return f"# Disagreements between {_md(', '.join(coders))}: {len(rows)}\n\n{body}\n"
    return plain(disagreements_table(found), width)
