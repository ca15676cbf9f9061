"""`qcode agree` at 80 columns: the codes that have figures first, the others named in
one note; tables that fit without breaking a word or cutting the interval."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qcode import Project
from tests.cli.test_cli import all_commands
from tests.conftest import Cli

DOC = "sieca-kozlowski-2009"
CODINGS = {
    "alice": [("§12", "regional variation"), ("§13", "regional variation"),
              ("§17", "foreign funding"), ("§2", "2006 NGO law"), ("§3", "2006 NGO law"),
              ("§20", "personal relations with officials")],
    "bob": [("§12", "regional variation"), ("§14", "regional variation"),
            ("§17", "foreign funding"), ("§2", "2006 NGO law"), ("§20", "generational shift")],
}


@pytest.fixture
def coded(study_cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("COLUMNS", "80")
    for coder, pairs in CODINGS.items():
        for label, code in pairs:
            assert study_cli("tag", DOC, label, code, coder=coder).exit_code == 0
    return study_cli


def words_of(*texts: str) -> set[str]:
    return {w for text in texts for w in text.split()}


# Figures, counts and interval halves: "98.2%", "-0.009", "[-0.03,", "1.00]", "(8)".
NUMBER = re.compile(r"^[\[(]?-?\d+(?:\.\d+)?%?[,\])]?$")
RULE = re.compile(r"^[─━]+$")


def assert_fits(output: str, known: set[str]) -> None:
    """Every line within 80 columns; every word whole (a word cut in two would leave
    pieces that are not words of what was put in)."""
    for line in output.splitlines():
        assert len(line) <= 80, line
    for token in output.split():
        assert token in known or NUMBER.match(token) or RULE.match(token), token


def known_words(project_path: Path, *more: str) -> set[str]:
    with Project.open(project_path, readonly=True) as project:
        names = [c.name for c in project.codes()]
        texts = [p.text for p in project.paragraphs(project.document(DOC).id)]
    found = words_of(*names, *texts, *more)
    # Excerpts end in "…" after a whole word.
    return found | {w + "…" for w in found} | {w.rstrip(",;:") + "…" for w in found}


def table_of(out: str) -> str:
    """The table of an agree report: from its header to the note after it."""
    return out[out.index("code "):out.index("codes without figures")]


def test_codes_with_figures_come_first_and_the_rest_is_one_note(coded: Cli) -> None:
    out = coded("agree").output
    with Project.open(coded.path, readonly=True) as project:
        codable = [c.name for c in project.codes() if c.codable]
    used = {code for pairs in CODINGS.values() for _label, code in pairs}
    table = " ".join(table_of(out).split())
    for name in used:  # a name may wrap over lines, between words
        assert all(word in table.split() for word in name.split())
    assert "(overall)" in table and "N/A" not in table
    note = " ".join(out[out.index("codes without figures") - 3:].split())
    assert note.startswith(f"{len(codable) - len(used)} codes without figures "
                           "(N/A: no variation; in CSV and JSON): ")
    for name in set(codable) - used:
        assert name in note and name not in table


def test_the_bootstrap_table_fits_80_columns_with_its_interval(coded: Cli) -> None:
    out = coded("agree", "--bootstrap", "100").output
    table = table_of(out)
    assert table.splitlines()[0].rstrip().endswith("α 95% CI")
    intervals = re.findall(r"\[-?\d\.\d\d, -?\d\.\d\d\]", table)
    assert len(intervals) == 6  # five codes with figures and the overall row
    assert_fits(table, known_words(coded.path, "code units alice bob agreed Cohen κ Fleiss",
                                   "Kripp. α α 95% CI (overall)"))


def test_the_disagreements_table_fits_80_columns(coded: Cli) -> None:
    assert coded("tag", DOC, "§12", "regional variation", coder="carol").exit_code == 0
    out = coded("agree", "--disagreements").output
    assert out.startswith("Disagreements between alice, bob, carol: ")
    assert_fits(out, known_words(coded.path, "Disagreements between alice, bob, carol:", DOC,
                                 "§ code with without text §2 §3 §12 §13 §14 §17 §20",
                                 "alice bob carol"))


def test_help_fits_80_columns() -> None:
    from click.testing import CliRunner

    from qcode.cli import main

    for path, _command in all_commands():
        result = CliRunner().invoke(main, [*path, "--help"], terminal_width=80)
        assert result.exit_code == 0
        for line in result.output.splitlines():
            assert len(line) <= 80, (path, line)
