"""The bundled study, tagged through the CLI: every number of the reports, checked
against the taggings themselves; exports that refuse to overwrite."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from itertools import product
from pathlib import Path

import pytest
from click.testing import Result

from qcode import Project
from qcode.exchange.formats import read_codebook

Tagger = Callable[..., Result]
ROOT = Path(__file__).resolve().parents[2]
CODEBOOK = ROOT / "codebooks" / "ngos-power-ministries.yaml"
DOC = "sieca-kozlowski-2009"
PARAGRAPHS = 56

# (label, codes, coder, memo)
TAGS = [
    ("§5", ["relations with the power ministries"], "alice", None),
    ("§10", ["generational shift", "loyalty to power"], "alice", None),
    ("§10", ["generational shift"], "bob", "older associations against the new generation"),
    ("§11", ["generational shift", "constructive criticism"], "alice", None),
    ("§12", ["personal relations with officials", "access to the hierarchy",
             "turnover of officials", "regional variation"], "alice", None),
    ("§12", ["regional variation"], "bob", "Moscow against the regions"),
    ("§13", ["2006 NGO law", "harassment and inspections"], "alice", None),
    ("§13 quote", ["2006 NGO law"], "bob", None),
    ("§16", ["international recognition and exchange", "foreign funding"], "alice", None),
    ("§31.1", ["personal relations with officials"], "bob", None),
    ("note 3", ["2006 NGO law"], "alice", None),
]


def codebook_tree() -> tuple[list[str], dict[str, list[str]]]:
    """Code names in codebook order, and each code's subtree (itself included)."""
    parent = {spec.name: up.name if up else None for spec, up, _ in read_codebook(CODEBOOK).walk()}
    subtree: dict[str, list[str]] = {name: [] for name in parent}
    for name in parent:
        ancestor: str | None = name
        while ancestor is not None:
            subtree[ancestor].append(name)
            ancestor = parent[ancestor]
    return list(parent), subtree


ORDER, SUBTREE = codebook_tree()


def codings(coder: str | None = None) -> list[tuple[str, str, str]]:
    """(label, code, coder) for every coding made by TAGS."""
    return [(label, code, who) for label, codes, who, _ in TAGS for code in codes
            if coder is None or who == coder]


def expected_frequencies(coder: str | None = None) -> dict[str, dict[str, int]]:
    rows = codings(coder)
    result = {}
    for code in ORDER:
        rolled = [r for r in rows if r[1] in SUBTREE[code]]
        own = [r for r in rows if r[1] == code]
        result[code] = {
            "paragraphs": len({r[0] for r in rolled}), "codings": len(rolled),
            "documents": 1 if rolled else 0, "own_paragraphs": len({r[0] for r in own}),
            "own_codings": len(own), "own_documents": 1 if own else 0,
        }
    return result


@pytest.fixture
def tagged(study_cli: Tagger) -> Tagger:
    for label, codes, coder, memo in TAGS:
        args = ["tag", DOC, label, *codes] + (["--memo", memo] if memo else [])
        result = study_cli(*args, coder=coder)
        assert result.exit_code == 0, result.output
    return study_cli


def test_frequencies_csv_every_number(tagged: Tagger, tmp_path: Path) -> None:
    out = tmp_path / "frequencies.csv"
    result = tagged("report", "frequencies", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["code"] for r in rows] == ORDER
    expected = expected_frequencies()
    for row in rows:
        want = expected[row["code"]]
        assert {k: int(row[k]) for k in want} == want, row["code"]
        assert int(row["total_paragraphs"]) == PARAGRAPHS
        assert float(row["share"]) == pytest.approx(want["paragraphs"] / PARAGRAPHS, abs=1e-6)
    # A few by hand, so the expectation code cannot be wrong in the same way.
    by_name = {r["code"]: r for r in rows}
    assert by_name["relations with the power ministries"]["paragraphs"] == "3"  # §5 §12 §31.1
    assert by_name["relations with the power ministries"]["codings"] == "7"
    assert by_name["state pressure on NGOs"]["paragraphs"] == "3"  # §13, §13 quote, note 3
    assert by_name["2006 NGO law"]["codings"] == "3"


def test_frequencies_by_coder_one_row_per_code_and_coder(tagged: Tagger) -> None:
    result = tagged("report", "frequencies", "--by", "coder", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == len(ORDER) * 2
    for coder in ("alice", "bob"):
        expected = expected_frequencies(coder)
        mine = [r for r in rows if r["coder"] == coder]
        assert [r["code"] for r in mine] == ORDER
        for row in mine:
            want = expected[row["code"]]
            assert {k: int(row[k]) for k in want} == want, (coder, row["code"])


def test_frequency_filters_and_attribute_breakdown(tagged: Tagger) -> None:
    result = tagged("report", "frequencies", "--coder", "bob", "--code", "2006 NGO law",
                    "--code", "cooperation strategies", "-f", "json")
    rows = json.loads(result.stdout)
    assert [(r["code"], r["paragraphs"], r["codings"]) for r in rows] == [
        ("cooperation strategies", 1, 1), ("2006 NGO law", 1, 1)]
    by_year = json.loads(tagged("report", "frequencies", "--by", "year", "-f", "json").stdout)
    assert {r["year"] for r in by_year} == {"2009"}
    assert len(by_year) == len(ORDER)
    none = json.loads(tagged("report", "frequencies", "--attribute", "year=2009",
                             "--document", DOC, "-f", "json").stdout)
    assert sum(r["paragraphs"] for r in none) == sum(
        v["paragraphs"] for v in expected_frequencies().values())


def test_cooccurrence_every_cell(tagged: Tagger) -> None:
    labels: dict[str, set[str]] = {code: set() for code in ORDER}
    rolled: dict[str, set[str]] = {code: set() for code in ORDER}
    for label, code, _ in codings():
        labels[code].add(label)
    for code in ORDER:
        for below in SUBTREE[code]:
            rolled[code] |= labels[below]
    cells = json.loads(tagged("report", "cooccurrence", "-f", "json").stdout)
    assert len(cells) == len(ORDER) ** 2
    for cell, (a, b) in zip(cells, product(ORDER, ORDER), strict=True):
        assert (cell["code_a"], cell["code_b"]) == (a, b)
        assert cell["paragraphs"] == len(labels[a] & labels[b]), (a, b)
    cells = json.loads(tagged("report", "cooccurrence", "--rollup", "--measure", "c",
                              "-f", "json").stdout)
    for cell in cells:
        a, b = rolled[cell["code_a"]], rolled[cell["code_b"]]
        union = len(a) + len(b) - len(a & b)
        assert cell["paragraphs"] == len(a & b)
        assert cell["c_coefficient"] == pytest.approx(len(a & b) / union if union else 0.0,
                                                      abs=1e-6)
    pair = next(c for c in cells if (c["code_a"], c["code_b"]) == (
        "generational shift", "cooperation strategies"))
    assert (pair["paragraphs"], pair["c_coefficient"]) == (2, 1.0)  # §10 and §11 both ways


def test_segments_every_row(tagged: Tagger, project_path: Path) -> None:
    themes = ["relations with the power ministries", "generational shift"]
    result = tagged("report", "segments", *themes, "--with-children", "-f", "json")
    rows = json.loads(result.stdout)
    with Project.open(project_path, readonly=True) as project:
        document = project.document(DOC)
        paragraph = {label: project.paragraph(document, label) for label, *_ in TAGS}
    memos = {(label, coder): memo for label, _, coder, memo in TAGS}
    expected = []
    for theme in themes:
        found = [(label, code, coder) for label, code, coder in codings()
                 if code in SUBTREE[theme]]
        found.sort(key=lambda r: (paragraph[r[0]].ordinal, ORDER.index(r[1]), r[2]))
        expected += [(theme, code, label, coder, memos[(label, coder)])
                     for label, code, coder in found]
    assert [(r["theme"], r["code"], r["ref"], r["coder"], r["memo"]) for r in rows] == expected
    for r in rows:
        p = paragraph[r["ref"]]
        assert (r["document"], r["section"], r["text"], r["ordinal"]) == (
            DOC, p.section, p.text, p.ordinal)
    markdown = tagged("report", "segments", "regional variation", "-f", "markdown").stdout
    assert "### relations with the power ministries/regional variation (1 paragraph)" in markdown
    assert "coded by alice, bob" in markdown
    assert "*Memo (bob):* Moscow against the regions" in markdown


def test_summary(tagged: Tagger) -> None:
    data = json.loads(tagged("report", "summary", "-f", "json").stdout)
    labels = {label for label, *_ in TAGS}
    assert (data["documents"], data["paragraphs"], data["coded_paragraphs"], data["codings"]) == (
        1, PARAGRAPHS, len(labels), len(codings()))
    assert data["codes"] == len(ORDER) == 35
    assert data["codes_used"] == len({code for _, code, _ in codings()})
    assert data["coder_names"] == "alice; bob"
    assert data["codebook_version"] == "1.0"


def test_html_report_file(tagged: Tagger, tmp_path: Path) -> None:
    out = tmp_path / "study.html"
    result = tagged("report", "all", "-o", str(out))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.count("<svg ") == 2
    assert "NGOs and the power ministries in Russia v1.0" in text[text.index("<footer>"):]
    assert "http" not in text.replace(DOC, "")  # no link, font or script to fetch
    assert text.count("<blockquote") == len({(label, code) for label, code, _ in codings()})


def test_output_is_never_overwritten_without_force(tagged: Tagger, tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    out.write_text("my notes\n", encoding="utf-8")
    result = tagged("report", "summary", "-o", str(out))
    assert result.exit_code == 2
    assert "already exists; pass --force" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert out.read_text(encoding="utf-8") == "my notes\n"
    result = tagged("report", "summary", "-o", str(out), "--force")
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("# Project summary")
    missing = tmp_path / "nowhere" / "report.md"
    result = tagged("report", "summary", "-o", str(missing))
    assert result.exit_code == 2 and "does not exist" in result.stderr
    assert not missing.parent.exists()


@pytest.mark.parametrize(("args", "message"), [
    (("frequencies", "--code", "regional variaton"), "did you mean 'regional variation'"),
    (("frequencies", "--by", "generaton"), "no document has an attribute 'generaton'"),
    (("frequencies", "--coder", "carol"), "no coder named 'carol'"),
    (("frequencies", "--attribute", "year"), "KEY=VALUE"),
    (("frequencies", "-o", "out.ods"), "pass --format"),
    (("cooccurrence", "--document", "nope"), "no document 'nope'"),
    (("segments", "no such code"), "no code 'no such code'"),
    (("all", "-f", "csv"), "csv holds one table"),
])
def test_bad_input_is_one_line_and_exit_2(tagged: Tagger, args: tuple[str, ...], message: str) -> None:
    result = tagged("report", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_table_is_the_default(tagged: Tagger) -> None:
    result = tagged("report", "frequencies")
    assert result.exit_code == 0
    assert result.stdout.startswith("code frequencies")
    # paragraphs, share, own, documents, codings (alice and bob both on §12)
    assert re.search(r"regional variation\s+1\s+1\.8%\s+1\s+1\s+2\b", result.stdout)
    assert tagged("report", "segments").exit_code == 2  # a CODE is required
