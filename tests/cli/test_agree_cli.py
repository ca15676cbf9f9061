"""`qcode agree` and `qcode reviewed` on the bundled article, as a researcher runs them."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from qcode import Project
from tests.conftest import Cli

DOC = "sieca-kozlowski-2009"
GEN, REG, LAW = "generational shift", "regional variation", "2006 NGO law"


@pytest.fixture
def coded(study_cli: Cli) -> Cli:
    """alice and bob tag the article.

    generational shift: alice §10 §11, bob §10       -> (1,1) 1, (1,0) 1, (0,0) 54
    regional variation: alice §12,     bob §12 §13   -> (1,1) 1, (0,1) 1, (0,0) 54
    2006 NGO law:       both §13                     -> (1,1) 1,          (0,0) 55
    """
    for label, code in (("§10", GEN), ("§11", GEN), ("§12", REG), ("§13", LAW)):
        assert study_cli("tag", DOC, label, code).exit_code == 0
    for label, code in (("§10", GEN), ("§12", REG), ("§13", REG), ("§13", LAW)):
        assert study_cli("tag", DOC, label, code, coder="bob").exit_code == 0
    return study_cli


def figures(data: dict[str, object], code: str) -> dict[str, float | None]:
    rows = {r["code"]: r for r in data["codes"]}  # type: ignore[attr-defined]
    row = data["overall"] if code == "(overall)" else rows[code]
    names = ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha")
    return {name: None if row[name]["value"] is None else round(row[name]["value"], 3)  # type: ignore[index]
            for name in names if name in row}  # type: ignore[operator]


def test_per_theme_figures_on_the_article_match_hand_computation(coded: Cli) -> None:
    result = coded("agree", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [c["name"] for c in data["coders"]] == ["alice", "bob"]
    assert (data["documents"], data["paragraphs"]) == (1, 56)
    # generational shift, 56 units: p_o = 55/56 = 0.982.
    # Cohen: alice 2 ones, bob 1: p_e = (2*1 + 54*55)/56^2 = 2972/3136;
    #        kappa = (3080 - 2972)/(3136 - 2972) = 108/164 = 0.659.
    # Fleiss: 3 ones of 112: p_e = (9 + 109^2)/112^2 = 11890/12544;
    #        kappa = (12320 - 11890)/(12544 - 11890) = 430/654 = 0.657.
    # alpha: n = 112, n_1 = 3, n_0 = 109, 2 disagreeing pairs: 1 - 111*2/(2*3*109) = 0.661.
    expected = {"percent_agreement": 0.982, "cohen_kappa": 0.659, "fleiss_kappa": 0.657,
                "krippendorff_alpha": 0.661}
    assert figures(data, GEN) == expected
    # regional variation is the mirror image (bob has the extra paragraph): the same.
    assert figures(data, REG) == expected
    assert figures(data, LAW) == {"percent_agreement": 1.0, "cohen_kappa": 1.0,
                                  "fleiss_kappa": 1.0, "krippendorff_alpha": 1.0}
    unused = next(r for r in data["codes"] if r["code"] == "foreign funding")
    assert unused["krippendorff_alpha"]["value"] is None
    assert unused["krippendorff_alpha"]["reason"].startswith("no variation: every value is 0")
    assert unused["percent_agreement"]["value"] == 1.0
    # Overall: every codable code x 56 paragraphs, pooled: (1,1) 3, (1,0) 1, (0,1) 1, rest
    # (0,0). Cohen with N units: p_o = (N-2)/N, each coder 4 ones: p_e = (16 + (N-4)^2)/N^2.
    with Project.open(coded.path, readonly=True) as project:
        codable = sum(c.codable for c in project.codes())
    n = 56 * codable
    assert data["overall"]["units"] == n
    p_o, p_e = Fraction(n - 2, n), Fraction(16 + (n - 4) ** 2, n * n)
    assert figures(data, "(overall)")["cohen_kappa"] == round(float((p_o - p_e) / (1 - p_e)), 3)
    # alpha: n_1 = 8, n_0 = 2N - 8, 4 disagreeing pairs: 1 - (2N - 1) * 4 / (2 * 8 * (2N - 8)).
    alpha = 1 - Fraction((2 * n - 1) * 4, 2 * 8 * (2 * n - 8))
    assert figures(data, "(overall)")["krippendorff_alpha"] == round(float(alpha), 3)


def test_table_shows_figures_and_reasons(coded: Cli) -> None:
    result = coded("agree", "--code", GEN, "--code", "foreign funding")
    assert result.exit_code == 0, result.output
    out = result.output
    flat = " ".join(out.split())
    assert "Cohen κ" in out and "Fleiss κ" in out and "Kripp. α" in out
    generational = next(line for line in out.splitlines() if GEN in line).split()
    assert generational[-7:] == ["56", "2", "1", "98.2%", "0.659", "0.657", "0.661"]
    # The never-used code has no figures: named below the table, with the reason.
    assert not any(line.startswith("foreign funding") for line in out.splitlines())
    assert ("1 code without figures (N/A: no variation; in CSV and JSON): foreign funding"
            in flat)
    assert "units: 56 paragraphs in 1 document reviewed by at least 2 of them" in flat
    assert "documents reviewed: alice 1, bob 1" in flat


def test_markdown_and_csv(coded: Cli) -> None:
    md = coded("agree", "--code", GEN, "--format", "markdown").output
    assert "| code | units | alice | bob | agreement | Cohen κ | Fleiss κ | Krippendorff α |" in md
    assert "| 56 | 2 | 1 | 98.2% | 0.659 | 0.657 | 0.661 |" in md
    csv = coded("agree", "--code", GEN, "--code", "foreign funding", "-f", "csv").output
    lines = csv.splitlines()
    assert lines[0] == ("code,path,units,applied_alice,applied_bob,percent_agreement,"
                        "cohen_kappa,fleiss_kappa,krippendorff_alpha,notes,guid")
    unused = next(line for line in lines if line.startswith("foreign funding"))
    assert ",1.0,,,," in unused and "no variation" in unused


def test_missing_data_then_reviewed(coded: Cli) -> None:
    # carol tags one paragraph of the article: she has reviewed it, so 3 coders, no
    # Cohen's kappa; Fleiss and alpha now cover her too.
    assert coded("tag", DOC, "§10", GEN, coder="carol").exit_code == 0
    data = json.loads(coded("agree", "-f", "json", "--code", GEN).output)
    assert [c["name"] for c in data["coders"]] == ["alice", "bob", "carol"]
    assert "cohen_kappa" not in data["codes"][0]
    # Units (alice, bob, carol): §10 (1,1,1), §11 (1,0,0), 54 x (0,0,0).
    # Fleiss: P_i = 1, 1/3, 1 x 54 -> P = (55 + 1/3)/56; 4 ones of 168: p_e = (16 + 164^2)/168^2.
    p = Fraction(166, 3 * 56)
    p_e = Fraction(16 + 164 ** 2, 168 ** 2)
    assert figures(data, GEN)["fleiss_kappa"] == round(float((p - p_e) / (1 - p_e)), 3)


def test_reviewed_marks_and_unmarks(study_cli: Cli) -> None:
    assert study_cli("tag", DOC, "§10", GEN).exit_code == 0
    result = study_cli("reviewed", DOC, coder="bob")
    assert result.exit_code == 0 and "marked sieca-kozlowski-2009 as reviewed by bob" in result.output
    assert "already marked" in study_cli("reviewed", DOC, coder="bob").output
    # bob reviewed the article and tagged nothing: every paragraph is "absent" for him.
    data = json.loads(study_cli("agree", "-f", "json", "--code", GEN).output)
    assert data["codes"][0]["applied"] == {"alice": 1, "bob": 0}
    assert data["codes"][0]["percent_agreement"]["value"] == pytest.approx(55 / 56)
    result = study_cli("reviewed", DOC, "--undo", coder="bob")
    assert "withdrew bob's reviewed mark" in result.output
    assert study_cli("agree").exit_code == 2
    assert study_cli("undo", coder="bob").output.startswith("undone: unmark")
    assert study_cli("agree", "-f", "json").exit_code == 0
    # Withdrawing a mark does not un-review a document you coded: say so.
    out = study_cli("reviewed", DOC, "--undo").output
    assert "alice had not marked" in out and "still counts as reviewed by alice: 1 codings" in (
        " ".join(out.split()))


def one_error_line(result: object, message: str) -> None:
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    stderr = result.stderr  # type: ignore[attr-defined]
    assert message in " ".join(stderr.split())
    assert stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr


def test_bad_input_exits_2_with_one_line(coded: Cli) -> None:
    one_error_line(coded("agree", "--coders", "alice,bbo"),
                   "no coder named 'bbo' (did you mean 'bob'?)")
    one_error_line(coded("agree", "--coders", "alice"),
                   "agreement needs at least 2 coders; only 'alice' was named")
    one_error_line(coded("agree", "--code", "regional variaton"),
                   "no code 'regional variaton' (did you mean 'regional variation'?)")
    one_error_line(coded("reviewed", "sieca-kozlowski-2090"), "no document 'sieca-kozlowski-2090'")
    one_error_line(coded("agree", "-o", "figures.html"), "agree writes table, csv, json, markdown")


def test_fewer_than_two_reviewing_coders(study_cli: Cli) -> None:
    one_error_line(study_cli("agree"), "agreement needs at least 2 coders who reviewed documents; "
                   "no coder has")
    study_cli("tag", DOC, "§10", GEN)
    one_error_line(study_cli("agree"), "only 'alice' has")


def test_output_file_refuses_to_overwrite_without_force(coded: Cli, tmp_path: Path) -> None:
    target = tmp_path / "agreement.csv"
    result = coded("agree", "-o", str(target))
    assert result.exit_code == 0 and "wrote" in result.output
    first = target.read_text(encoding="utf-8")
    assert first.startswith("code,path,units,applied_alice,applied_bob")
    coded("tag", DOC, "§14", GEN, coder="bob")
    one_error_line(coded("agree", "-o", str(target)), "already exists; pass --force")
    assert target.read_text(encoding="utf-8") == first
    assert coded("agree", "-o", str(target), "--force").exit_code == 0
    assert target.read_text(encoding="utf-8") != first
    md = tmp_path / "agreement.md"
    assert coded("agree", "--disagreements", "-o", str(md)).exit_code == 0
    assert md.read_text(encoding="utf-8").startswith("# Disagreements between alice, bob: 3")


def test_disagreements_csv_lists_who_applied_what(coded: Cli) -> None:
    result = coded("agree", "--disagreements", "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = [line.split(",")[:8] for line in result.output.splitlines()[1:]]
    assert [(r[2], r[3], r[0], r[6], r[7]) for r in rows] == [
        (DOC, "§11", GEN, "alice", "bob"),
        (DOC, "§13", REG, "bob", "alice"),
    ]
    table = coded("agree", "--disagreements").output
    assert "Disagreements between alice, bob: 2" in table


def test_bootstrap_interval_is_seeded(coded: Cli) -> None:
    args = ("agree", "--code", GEN, "--bootstrap", "200", "--seed", "3", "-f", "json")
    first = json.loads(coded(*args).output)["codes"][0]["alpha_interval"]
    assert first == json.loads(coded(*args).output)["codes"][0]["alpha_interval"]
    assert first["resamples"] == 200
    assert first["low"] <= 0.661 <= first["high"]
    assert "α 95% CI" in coded("agree", "--code", GEN, "--bootstrap", "50").output


def test_help_states_the_definitions(cli: Cli) -> None:
    text = " ".join(cli("agree", "--help").output.split())
    assert "marked it (`qcode reviewed DOC`) or made at least one coding in it" in text
    assert "missing if they did not review it" in text
    assert "except the coder named 'consensus'" in text
    assert "pooled over (paragraph, code) units" in text
    assert "reviewed" in " ".join(cli("reviewed", "--help").output.split())


def test_agreement_and_disagreements_as_workbooks(coded: Cli, tmp_path: Path) -> None:
    import csv
    import io

    import openpyxl

    out = tmp_path / "agree.xlsx"
    assert coded("agree", "--code", GEN, "-o", str(out)).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["agreement", "about"]
    rows = list(book["agreement"].iter_rows(values_only=True))
    expected = list(csv.DictReader(io.StringIO(coded("agree", "--code", GEN, "-f", "csv").output)))
    assert list(rows[0]) == list(expected[0])
    by_code = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    # hand computation in the fixture's docstring: 55 of 56 units agree
    assert by_code[GEN]["units"] == 56
    assert round(by_code[GEN]["percent_agreement"], 4) == round(55 / 56, 4)
    about = {row[0]: row[1] for row in book["about"].iter_rows(values_only=True)}
    assert about["report"] == "Inter-coder agreement"

    listed = tmp_path / "disagreements.xlsx"
    assert coded("agree", "--disagreements", "-o", str(listed)).exit_code == 0
    sheet = openpyxl.load_workbook(listed)["disagreements"]
    header = [c.value for c in sheet[1]]
    found = {(row[header.index("paragraph")], row[header.index("code")])
             for row in list(sheet.iter_rows(values_only=True))[1:]}
    # alice alone: §11 generational shift; bob alone: §13 regional variation
    assert found == {("§11", GEN), ("§13", REG)}
    refused = coded("agree", "--format", "xlsx")
    assert refused.exit_code == 2 and "-o FILE.xlsx" in refused.output
