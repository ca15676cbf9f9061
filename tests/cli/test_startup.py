"""Commands load only what they use, so a script that tags from the shell does not pay
for reports, REFI-QDA, the terminal UI or rich on every call (issue 11: every command
imported 76 qcode modules and took ~0.2 s before doing anything)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from qcode.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT / "corpus" / "sieca-kozlowski-2009.md"
CODEBOOK = ROOT / "codebooks" / "ngos-power-ministries.yaml"

# Loaded by `qcode tag`, it would mean the command pays for something it never uses.
NOT_FOR_TAG = ("qcode.reports", "qcode.exchange", "qcode.tui", "qcode.ingest",
               "qcode.core.search", "qcode.core.agreement", "qcode.core.merge",
               "qcode.core.coded_import", "textual", "rich", "yaml", "rapidfuzz", "docx",
               "sqlite_utils", "pandas", "numpy",
               # Only an upgrade, a check, a backup or a full disk need these.
               "qcode.core.store.check", "qcode.core.store.backup", "socket", "shutil",
               # Only a login-name default or a packed (bulk) batch need these.
               "getpass", "termios", "base64", "zlib", "array",
               # click's suggestions for a mistyped option: `qcode -p FILE` is not one.
               "difflib")

# Records `qcode tag` never makes: building a dataclass's methods costs ~0.5 ms each
# at start, so these are built on first use (qcode.core.record), not at import.
NOT_BUILT_FOR_TAG = (
    "qcode.core.model:Coder", "qcode.core.model:Coding", "qcode.core.model:Event",
    "qcode.core.model:DocumentSummary", "qcode.core.model:Block",
    "qcode.core.model:ParsedParagraph", "qcode.core.model:ParsedDocument",
    "qcode.core.spans:Span", "qcode.core.codebook.model:CodeSpec",
    "qcode.core.codebook.model:Codebook", "qcode.core.codebook.editing:CodebookLoad",
    "qcode.core.project:NewDocument", "qcode.core.store.runs:Run",
    "qcode.core.store.texts:ParagraphRows")


# How a fresh interpreter runs a command line: through the console script's entry point
# (a plain `qcode tag` runs without click, qcode.cli.scripted), or through click.
RUN = {
    "entry point": "from qcode.cli import entry_point\ntry:\n    entry_point({args!r})\n"
                   "except SystemExit as exc:\n    assert not exc.code, exc.code\n",
    "click": "from qcode.cli import main\nmain({args!r}, standalone_mode=False)\n",
}


def loaded_after(args: list[str], way: str = "click") -> tuple[list[str], str]:
    """Run the CLI in a fresh interpreter; the modules it had loaded, and its output."""
    code = (
        "import sys\n"
        + RUN[way].format(args=args) +
        "loaded = sorted(sys.modules)\n"
        "import json\n"  # after the snapshot: the check itself must not count
        "print(json.dumps(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    *said, modules = result.stdout.strip().splitlines()
    return json.loads(modules), "\n".join(said)


@pytest.mark.parametrize("way", sorted(RUN))
def test_tag_loads_only_what_tagging_needs(tmp_path: Path, way: str) -> None:
    db = str(tmp_path / "p.db")
    for args in (["init"], ["import", str(ARTICLE)], ["codebook", "load", str(CODEBOOK)]):
        main(["-p", db, *args], standalone_mode=False)
    modules, said = loaded_after(["-p", db, "tag", "sieca-kozlowski-2009", "§12",
                                  "regional variation", "--coder", "alice"], way)
    assert "tagged sieca-kozlowski-2009 §12" in said
    # The scripted form runs without click too: importing it took longer than tagging
    # (click brings threading; the records' lock does not need it), nor inspect, which
    # dataclasses imports but records never use (qcode.cli.scripted._defer_import).
    not_for_tag = NOT_FOR_TAG
    if way == "entry point":
        not_for_tag = (*NOT_FOR_TAG, "click", "threading", "ast", "dis", "tokenize")
    heavy = [m for m in modules if m.startswith(not_for_tag)]
    assert heavy == []


@pytest.mark.parametrize("args", [
    ["-p", "{db}", "tag", "sieca-kozlowski-2009", "§12", "regional variation"],
    ["untag", "sieca-kozlowski-2009", "§12", "regional variation", "--project={db}"],
])
def test_the_scripted_form_loads_no_click(tmp_path: Path, args: list[str]) -> None:
    db = str(tmp_path / "p.db")
    for setup in (["init"], ["import", str(ARTICLE)], ["codebook", "load", str(CODEBOOK)]):
        main(["-p", db, *setup], standalone_mode=False)
    modules, said = loaded_after([a.format(db=db) for a in args], "entry point")
    assert "sieca-kozlowski-2009 §12" in said
    assert [m for m in modules if m.startswith("click")] == []


@pytest.mark.parametrize("way", sorted(RUN))
def test_tag_builds_only_the_records_it_makes(tmp_path: Path, way: str) -> None:
    db = str(tmp_path / "p.db")
    for args in (["init"], ["import", str(ARTICLE)], ["codebook", "load", str(CODEBOOK)]):
        main(["-p", db, *args], standalone_mode=False)
    code = (
        "import importlib, sys\n"
        + RUN[way].format(
            args=["-p", db, "tag", "sieca-kozlowski-2009", "§12", "regional variation"]) +
        f"for name in {NOT_BUILT_FOR_TAG!r}:\n"
        "    module, _, cls = name.partition(':')\n"
        "    if '__dataclass_fields__' in vars(getattr(sys.modules[module], cls)):\n"
        "        print(name)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    built = result.stdout.strip().splitlines()[1:]
    assert built == []


def test_the_check_would_see_a_heavy_command(tmp_path: Path) -> None:
    db = str(tmp_path / "p.db")
    main(["-p", db, "init"], standalone_mode=False)
    modules, _said = loaded_after(["-p", db, "report", "summary"])
    assert any(m.startswith("qcode.reports") for m in modules)


def test_every_command_is_found_where_the_cli_says_it_is() -> None:
    """The lazy command table names each command's module; each module registers
    exactly the commands the table gives it."""
    for name in set(COMMANDS.values()):
        group = click.Group()
        importlib.import_module(f"qcode.cli.{name}").register(group)
        assert set(group.commands) == {c for c, m in COMMANDS.items() if m == name}, name


def test_a_csv_report_loads_no_terminal_rendering(tmp_path: Path) -> None:
    """`qcode report frequencies --format csv` from a script pays for neither rich nor
    the HTML, Markdown and workbook writers (issue 11: the CLI figure)."""
    db = str(tmp_path / "p.db")
    for args in (["init"], ["import", str(ARTICLE)], ["codebook", "load", str(CODEBOOK)],
                 ["tag", "sieca-kozlowski-2009", "§12", "regional variation"]):
        main(["-p", db, *args], standalone_mode=False)
    modules, said = loaded_after(["-p", db, "report", "frequencies", "--format", "csv"])
    assert "regional variation" in said
    heavy = [m for m in modules if m.startswith(
        ("rich", "textual", "qcode.reports.htmlpage", "qcode.reports.markdown",
         "qcode.reports.xlsx", "qcode.reports.terminal", "qcode.tui"))]
    assert heavy == []


def test_listing_documents_loads_no_importer(tmp_path: Path) -> None:
    """`qcode documents --json` shares a module with `qcode import`, not its loading:
    no format readers, REFI-QDA, YAML, rapidfuzz or rich (it loaded 377 modules)."""
    db = str(tmp_path / "p.db")
    for args in (["init"], ["import", str(ARTICLE)]):
        main(["-p", db, *args], standalone_mode=False)
    modules, said = loaded_after(["-p", db, "documents", "--json"])
    assert json.loads(said)[0]["name"] == "sieca-kozlowski-2009"
    heavy = [m for m in modules if m.startswith(
        ("rich", "yaml", "rapidfuzz", "qcode.ingest", "qcode.exchange", "qcode.tui"))]
    assert heavy == []
