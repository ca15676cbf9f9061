"""Rendering: tidy CSV/JSON, Markdown tables, the terminal table, a self-contained HTML
page whose charts follow the numbers, and exports that never overwrite by accident."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from report_helpers import CODER, Small

from qcode import Project
from qcode.core.errors import QcodeError
from qcode.reports.cooccurrence import cooccurrence
from qcode.reports.filters import ReportFilter, report_context
from qcode.reports.frequencies import frequencies
from qcode.reports.render import Report, format_for, render, write_report
from qcode.reports.segments import segments
from qcode.reports.summary import summary


def full(project: Project, **kwargs: object) -> Report:
    flt = ReportFilter()
    return Report(report_context(project, flt, "Report"), summary=summary(project),
                  frequencies=frequencies(project), cooccurrence=cooccurrence(project),
                  segments=segments(project), **kwargs)  # type: ignore[arg-type]


def test_csv_is_tidy_one_row_per_code_and_group(small: Small) -> None:
    rows = frequencies(small.project, by="generation")
    ctx = report_context(small.project, None, "t")
    text = render(Report(ctx, frequencies=rows), "csv")
    read = list(csv.DictReader(io.StringIO(text)))
    assert len(read) == 7 * 3
    assert [(r["code"], r["generation"]) for r in read[:3]] == [
        ("A", "new"), ("A", "old"), ("A", "")]
    for got, row in zip(read, rows, strict=True):
        assert int(got["paragraphs"]) == row.paragraphs
        assert int(got["own_codings"]) == row.own_codings
        assert int(got["total_paragraphs"]) == row.total_paragraphs
        assert float(got["share"]) == pytest.approx(row.share, abs=1e-6)


def test_group_column_that_clashes_with_a_count_is_renamed(project: Project) -> None:
    project.add_code("x", coder=CODER)
    from report_helpers import add_document

    add_document(project, "d", ["§1"], {"paragraphs": "many"})
    rows = frequencies(project, by="paragraphs")
    record = rows[0].record()
    assert record["attribute:paragraphs"] == "many" and record["paragraphs"] == 0


def test_json_single_section_is_a_list_of_records(small: Small) -> None:
    ctx = report_context(small.project, None, "t")
    matrix = cooccurrence(small.project)
    data = json.loads(render(Report(ctx, cooccurrence=matrix, measure="jaccard"), "json"))
    assert len(data) == 49
    assert next(r for r in data if (r["code_a"], r["code_b"]) == ("A", "E"))["jaccard"] == 0.5
    data = json.loads(render(Report(ctx, summary=summary(small.project)), "json"))
    assert data["documents"] == 3 and data["coded_paragraphs"] == 7


def test_json_of_the_full_report(small: Small) -> None:
    data = json.loads(render(full(small.project), "json"))
    assert set(data) == {"report", "summary", "frequencies", "cooccurrence", "segments"}
    assert data["report"]["project"] == small.project.name
    assert [c["name"] for c in data["summary"]["coders"]] == ["alice", "bob", "carol"]
    assert len(data["frequencies"]) == 7 and len(data["segments"]) == 12


def test_csv_refuses_several_sections(small: Small) -> None:
    with pytest.raises(QcodeError, match="one table"):
        render(full(small.project), "csv")


def test_markdown_tables(small: Small) -> None:
    text = render(full(small.project), "markdown")
    assert "| A | 6 | 66.7% | 1 | 3 | 10 |" in text
    assert "| \u2003\u2003\u2003D | 3 | 33.3% | 3 | 2 | 4 |" in text
    # co-occurrence over the six codes that occur: A B C D E F
    assert "| 3 | C | 0 | 1 | 2 | 1 | 0 | 1 |" in text
    assert "1 codes that never occur are left out" in text
    assert "> d1: the paragraph labelled §1." in text
    assert "### A/B/C/D (3 paragraphs)" in text
    assert "— d1 §2 · Part one · coded by alice, bob" in text
    grouped = render(Report(report_context(small.project, None, "t"),
                            frequencies=frequencies(small.project, by="coder")), "markdown")
    assert "| Code | alice | bob | carol |" in grouped
    assert "| A | 5 (55.6%) | 3 (33.3%) | 1 (11.1%) |" in grouped


def test_terminal_table_keeps_numbers_when_narrow(small: Small) -> None:
    report = Report(report_context(small.project, None, "t"),
                    frequencies=frequencies(small.project))
    for width in (60, 100):
        text = render(report, "table", width=width)
        line = next(line for line in text.splitlines() if line.lstrip().startswith("□ A "))
        assert re.search(r"\b6\s+66\.7%\s+1\s+3\s+10\b", line), line
        assert max(len(line) for line in text.splitlines()) <= width
    wide = render(report, "table", width=120)
    a_line = next(line for line in wide.splitlines() if line.lstrip().startswith("□ A "))
    e_line = next(line for line in wide.splitlines() if line.lstrip().startswith("□ E "))
    # A carries 6 paragraphs, E 2: A's bar is three times as long.
    assert a_line.count("█") == 3 * e_line.count("█") > 0


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_html_is_self_contained_and_charts_follow_the_numbers(small: Small) -> None:
    small.project.add_code("<b>bold & risky</b>", coder=CODER)
    text = render(full(small.project), "html")
    parser = _Collect()
    parser.feed(text)
    tags = [t for t, _ in parser.tags]
    assert tags.count("svg") == 2
    assert "script" not in tags and "link" not in tags and "img" not in tags
    for _tag, attrs in parser.tags:
        for name in ("src", "href", "xlink:href", "action"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), (name, value)
    assert "url(" not in text and "@import" not in text and "http" not in text
    assert "<b>bold" not in text and "&lt;b&gt;bold &amp; risky&lt;/b&gt;" in text
    footer = text[text.index("<footer>"):]
    assert small.project.name in footer and "filters: all codings" in footer
    assert re.search(r"generated \d{4}-\d\d-\d\d \d\d:\d\d UTC", footer)
    bars = {m.group(2): float(m.group(1)) for m in re.finditer(
        r'<rect x="\d+" y="\d+" width="([\d.]+)" height="\d+" rx="2" fill="#[0-9A-F]+" '
        r'stroke="#[0-9A-F]+" stroke-width="1">'
        r"<title>([^:<]+):", text)}
    assert bars["A"] == pytest.approx(3 * bars["E"], abs=0.2)
    assert bars["G"] == 0
    assert '<h3 id="theme-0">' in text and "d1: the paragraph labelled §1." in text


def test_html_footer_names_the_codebook_version(project: Project) -> None:
    project.set_meta({"codebook_name": "study book", "codebook_version": "2.1"}, coder=CODER,
                     summary="codebook")
    text = render(Report(report_context(project, None, "t"), summary=summary(project)), "html")
    assert "codebook: study book v2.1" in text[text.index("<footer>"):]


def test_format_from_suffix() -> None:
    assert format_for(Path("r.CSV"), None) == "csv"
    assert format_for(Path("r.md"), None) == "markdown"
    assert format_for(None, None) == "table"
    assert format_for(Path("r.csv"), "json") == "json"
    assert format_for(Path("r.XLSX"), None) == "xlsx"
    with pytest.raises(QcodeError, match="pass --format"):
        format_for(Path("r.ods"), None)


def test_write_report_never_overwrites_without_force(tmp_path: Path) -> None:
    target = tmp_path / "r.csv"
    write_report("first\n", target)
    assert target.read_text() == "first\n"
    with pytest.raises(QcodeError, match="already exists; pass --force"):
        write_report("second\n", target)
    assert target.read_text() == "first\n"
    write_report("third\n", target, force=True)
    assert target.read_text() == "third\n"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]
    with pytest.raises(QcodeError, match=r"folder .*missing does not exist"):
        write_report("x", tmp_path / "missing" / "r.csv")
    with pytest.raises(QcodeError, match="is a directory"):
        write_report("x", tmp_path)


def test_reports_import_neither_click_nor_textual() -> None:
    code = ("import sys, qcode.reports.render, qcode.reports.terminal; "
            "bad = [m for m in ('click', 'textual') if m in sys.modules]; "
            "sys.exit(', '.join(bad) or None)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
