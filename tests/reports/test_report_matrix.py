"""`qcode report matrix`: read back as R and pandas users would, and as Excel holds it.

Expected values come from the codings table itself (one SQL query per check), never
from the matrix code: a row per paragraph, a column per code, 1 exactly where a coding
is, and types a tidy-data reader takes as they are.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
from report_helpers import CODINGS, build_small

from qcode import Project
from tests.conftest import Cli
from tests.refusals import assert_refused, digest

CODES = ["A", "B", "C", "D", "E", "F", "G"]


def built(cli: Cli) -> Cli:
    assert cli("init").exit_code == 0
    with Project.open(cli.path) as project:
        build_small(project)
    return cli


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_one_row_per_paragraph_one_column_per_code(cli: Cli) -> None:
    result = built(cli)("report", "matrix", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    with Project.open(cli.path, readonly=True) as project:
        paragraphs = project.conn.execute(
            "SELECT d.name, p.ordinal FROM paragraphs p JOIN documents d "
            "ON d.id = p.document_id ORDER BY d.name, p.ordinal").fetchall()
    assert [(r["document"], int(r["paragraph"])) for r in rows] == [tuple(p) for p in paragraphs]
    assert list(rows[0]) == ["document", "paragraph", "label", "section", "speaker",
                             "generation", "organisation", *CODES]
    coded = {(d, label, code) for d, label, code, _coder in CODINGS}
    for row in rows:
        for code in CODES:
            assert row[code] == ("1" if (row["document"], row["label"], code) in coded else "0")
    d1 = next(r for r in rows if r["document"] == "d1")
    assert (d1["section"], d1["generation"], d1["organisation"]) == ("Part one", "old", "X")
    d3 = next(r for r in rows if r["document"] == "d3")
    assert (d3["speaker"], d3["generation"]) == ("Q", "")  # d3 has no generation


def test_pandas_reads_it_with_the_right_types(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "matrix.csv"
    assert built(cli)("report", "matrix", "-o", str(out)).exit_code == 0
    frame = pd.read_csv(out)
    assert len(frame) == 9 and frame["paragraph"].dtype.kind == "i"
    assert all(frame[code].dtype.kind == "i" for code in CODES)
    with Project.open(cli.path, readonly=True) as project:
        codings = project.conn.execute(
            "SELECT k.name, COUNT(DISTINCT c.paragraph_id) FROM codings c "
            "JOIN codes k ON k.id = c.code_id GROUP BY k.name").fetchall()
    assert {name: int(frame[name].sum()) for name, _n in codings} == dict(codings)
    assert frame["G"].sum() == 0


def test_by_coder_one_row_per_paragraph_and_reviewing_coder(cli: Cli) -> None:
    result = built(cli)("report", "matrix", "--by", "coder", "--format", "csv")
    rows = csv_rows(result.stdout)
    # A coder reviewed a document when they coded in it: alice d1-d3, bob d1-d2, carol d3.
    sizes = {"d1": 4, "d2": 3, "d3": 2}
    reviewed = {"alice": ["d1", "d2", "d3"], "bob": ["d1", "d2"], "carol": ["d3"]}
    assert len(rows) == sum(sizes[d] for docs in reviewed.values() for d in docs)
    assert {(r["document"], r["coder"]) for r in rows} == {
        (d, c) for c, docs in reviewed.items() for d in docs}
    mine = {(d, label, code, coder) for d, label, code, coder in CODINGS}
    for row in rows:
        for code in CODES:
            expected = (row["document"], row["label"], code, row["coder"]) in mine
            assert row[code] == str(int(expected))


def test_by_document_counts_paragraphs(cli: Cli) -> None:
    result = built(cli)("report", "matrix", "--unit", "document", "--format", "json")
    import json

    rows = {r["document"]: r for r in json.loads(result.stdout)}
    assert [rows[d]["paragraphs"] for d in ("d1", "d2", "d3")] == [4, 3, 2]
    for document in ("d1", "d2", "d3"):
        for code in CODES:
            expected = len({label for d, label, c, _who in CODINGS if d == document and c == code})
            assert rows[document][code] == expected


def test_xlsx_reads_back_with_openpyxl(cli: Cli, tmp_path: Path) -> None:
    built(cli)
    out = tmp_path / "matrix.xlsx"
    assert cli("report", "matrix", "-o", str(out)).exit_code == 0
    expected = csv_rows(cli("report", "matrix", "--format", "csv").stdout)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["matrix", "about"]
    sheet = book["matrix"]
    assert sheet.freeze_panes == "A2"
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == list(expected[0])
    assert [[("" if v is None else str(v)) for v in row] for row in values[1:]] == [
        list(r.values()) for r in expected]
    assert all(isinstance(v, int) for row in values[1:] for v in row[-len(CODES):])
    about = {row[0]: row[1] for row in book["about"].iter_rows(values_only=True)}
    assert about["filters"] == "all codings" and about["report"] == "Code matrix by paragraph"
    assert about["generated"].endswith("UTC") and "codebook version" in about


def test_every_report_is_a_workbook(cli: Cli, tmp_path: Path) -> None:
    built(cli)
    out = tmp_path / "all.xlsx"
    assert cli("report", "all", "-o", str(out), "--coder", "alice").exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["summary", "frequencies", "cooccurrence", "segments", "about"]
    freq = list(book["frequencies"].iter_rows(values_only=True))
    assert freq[0][:2] == ("code", "path") and len(freq) == 1 + len(CODES)
    assert {row[0]: row[1] for row in book["about"].iter_rows(values_only=True)}[
        "filters"] == "coder alice"
    for name in ("frequencies", "cooccurrence", "segments", "summary"):
        single = tmp_path / f"{name}.xlsx"
        args = ("A",) if name == "segments" else ()
        assert cli("report", name, *args, "-o", str(single)).exit_code == 0
        assert openpyxl.load_workbook(single).sheetnames == [name, "about"]


def test_xlsx_text_is_never_a_formula(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    hostile = '=HYPERLINK("http://evil.example","x")'
    with Project.open(cli.path) as project:
        project.add_code(hostile, coder="alice")
        from report_helpers import add_document

        add_document(project, "d1", ["§1"], {"note": "a\x1bb"})
    out = tmp_path / "m.xlsx"
    assert cli("report", "matrix", "-o", str(out)).exit_code == 0
    sheet = openpyxl.load_workbook(out)["matrix"]
    header = {cell.value: cell for cell in sheet[1]}
    assert header[hostile].data_type == "s"
    # a control character, which the file format cannot hold, as the symbol the CLI shows
    assert [cell.value for cell in sheet[2]][list(header).index("note")] == "a␛b"


def test_xlsx_needs_a_file(cli: Cli) -> None:
    built(cli)
    before = digest(cli.path)
    assert_refused(cli("report", "matrix", "--format", "xlsx"), "writes a file", "-o FILE.xlsx")
    assert digest(cli.path) == before
