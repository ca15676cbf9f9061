"""Terminal escape sequences (issue 14, item 2): text from other people's files keeps its
characters in the project, but no control character other than tab and newline reaches
the terminal raw, from the CLI or the TUI; names refuse control characters outright."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.controls import printable
from qcode.core.errors import QcodeError
from qcode.tui import QcodeApp
from qcode.tui.terminal import installed
from tests.conftest import CODER, Cli
from tests.refusals import assert_refused, digest
from tests.tui.tui_helpers import main_screen

DOC = "sieca-kozlowski-2009"
TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
CSI = "\x9b31m"
# What may not appear raw on a terminal: C0 but tab and newline, DEL, C1.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What Textual itself writes: colours and styles, hyperlinks.
TEXTUAL_SEQUENCES = re.compile(r"\x1b\[[0-9;:]*m|\x1b\]8;[^\x1b]*\x1b\\")


@pytest.fixture
def hostile(study_cli: Cli, tmp_path: Path) -> Cli:
    """The study, a transcript full of escapes, and names such escapes got into before
    qcode refused them (written straight into the file, as an older qcode or another
    tool could have)."""
    transcript = tmp_path / "escapes.txt"
    transcript.write_text(f"Q: Who {TITLE}sets the title?\n\nA: Someone who {CLEAR}clears "
                          f"the screen {CSI}and colours it.\n", encoding="utf-8")
    assert study_cli("import", str(transcript)).exit_code == 0
    assert study_cli("tag", "escapes", "1", "foreign funding", "--memo", "a memo").exit_code == 0
    assert study_cli("tag", DOC, "§12", "regional variation", coder="bob").exit_code == 0
    conn = sqlite3.connect(study_cli.path)
    conn.execute("UPDATE codes SET name = ? WHERE name = 'foreign funding'",
                 (f"foreign {TITLE}funding",))
    conn.execute("UPDATE coders SET name = ? WHERE name = 'bob'", (f"bob{CSI}",))
    conn.execute("UPDATE documents SET title = ? WHERE name = 'escapes'", (f"Title{CLEAR}",))
    conn.execute("UPDATE codings SET memo = ? WHERE memo = 'a memo'", (f"memo {TITLE}",))
    conn.execute("INSERT INTO document_attributes (document_id, key, value) "
                 "SELECT id, 'city', ? FROM documents WHERE name = 'escapes'", (f"Kazan{CLEAR}",))
    conn.commit()
    conn.close()
    return study_cli


CLI_OUTPUTS = [
    ("status",), ("documents",), ("show", "escapes"), ("show", DOC), ("log",),
    ("codebook", "show", "--full"), ("codebook", "export", "-", "--format", "csv"),
    ("codebook", "export", "-", "--format", "markdown"), ("report", "frequencies"),
    ("report", "frequencies", "--by", "coder"), ("report", "frequencies", "--by", "city"),
    ("report", "segments", "foreign"), ("report", "segments", "foreign", "-f", "csv"),
    ("report", "segments", "foreign", "-f", "markdown"), ("report", "cooccurrence"),
    ("report", "summary"), ("agree",), ("agree", "--disagreements"), ("check",),
    ("tag", "escapes", "1", f"no such {CLEAR}code"), ("show", f"no {TITLE}document"),
]


@pytest.mark.parametrize("args", CLI_OUTPUTS, ids=lambda a: " ".join(a)[:40])
def test_the_cli_never_prints_a_raw_control_character(hostile: Cli,
                                                      args: tuple[str, ...]) -> None:
    result = hostile(*args)
    assert "Traceback" not in result.output
    raw = RAW.findall(result.stdout + result.stderr)
    assert raw == [], f"{args}: raw {raw!r} in {result.stdout + result.stderr!r}"


def test_stored_text_and_json_keep_what_the_source_had(hostile: Cli) -> None:
    conn = sqlite3.connect(hostile.path)
    stored = [r[0] for r in conn.execute(
        "SELECT p.text FROM paragraphs p JOIN documents d ON d.id = p.document_id "
        "WHERE d.name = 'escapes' ORDER BY p.ordinal")]
    conn.close()
    assert TITLE in stored[0] and CLEAR in stored[1] and CSI in stored[1]
    result = hostile("show", "escapes", "--json")
    assert RAW.findall(result.stdout) == []
    shown = json.loads(result.stdout)
    assert [p["text"] for p in shown["paragraphs"]] == stored
    table = hostile("show", "escapes").stdout
    assert printable("\x1b]0;pwned") in table  # shown as ␛]0;pwned (rich drops the BEL)


def test_the_tui_never_draws_a_raw_control_character(hostile: Cli) -> None:
    async def body() -> list[str]:
        with Project.open(hostile.path) as project:
            app = QcodeApp(project, CODER, remember=False)
            async with app.run_test(size=(120, 40)) as pilot:
                await pilot.app.workers.wait_for_complete()
                main_screen(app).open_document(project.document("escapes").id)
                app.notify(f"about {TITLE} and {CLEAR}")
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()
                await pilot.pause()
                strips = app.screen._compositor.render_strips()
                return [strip.render(app.console) for strip in strips]

    lines = asyncio.run(body())
    assert installed()
    drawn = TEXTUAL_SEQUENCES.sub("", "".join(lines))
    assert "pwned" in drawn  # the hostile text is on screen...
    assert RAW.findall(drawn) == []  # ...without its control characters


# -- names refuse control characters ---------------------------------------------------------


def test_a_file_name_with_a_control_character_is_refused(study_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / f"evil{CLEAR}.txt"
    path.write_text("A paragraph.\n", encoding="utf-8")
    before = digest(study_cli.path)
    said = assert_refused(study_cli("import", str(path)), "control character (U+001B)",
                          "rename the file")
    assert RAW.findall(said) == []
    assert digest(study_cli.path) == before


@pytest.mark.parametrize("coder", [f"eve{TITLE}", "eve\ttab", f"eve{CSI}"])
def test_a_coder_name_with_a_control_character_is_refused(study_cli: Cli, coder: str) -> None:
    before = digest(study_cli.path)
    assert_refused(study_cli("tag", DOC, "§12", "regional variation", coder=coder),
                   "coder name", "control character")
    assert digest(study_cli.path) == before


def test_a_code_name_with_a_control_character_is_refused(study_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "codes.yaml"
    path.write_text('format: qcode-codebook\ncodes:\n  - name: "evil\\e[2Jcode"\n',
                    encoding="utf-8")
    before = digest(study_cli.path)
    for command in ("load", "import", "merge"):
        assert_refused(study_cli("codebook", command, str(path)), str(path), "control character")
    assert digest(study_cli.path) == before
    with Project.open(study_cli.path) as study:
        with pytest.raises(QcodeError, match="control character"):
            study.add_code(f"evil{CLEAR}", coder=CODER)
        with pytest.raises(QcodeError, match="control character"):
            study.update_code(study.code("foreign funding"), name=f"x{TITLE}", coder=CODER)
    assert digest(study_cli.path) == before


def test_a_qdpx_source_named_with_a_control_character_is_refused(study_cli: Cli,
                                                                 tmp_path: Path) -> None:
    exported = tmp_path / "study.qdpx"
    assert study_cli("export", str(exported)).exit_code == 0
    with zipfile.ZipFile(exported) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    qde = members["project.qde"].decode("utf-8")
    members["project.qde"] = qde.replace(f'name="{DOC}"', f'name="{DOC}&#x9B;2J"', 1).encode()
    assert members["project.qde"] != qde.encode()
    hostile = tmp_path / "hostile.qdpx"
    with zipfile.ZipFile(hostile, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    fresh = Cli(tmp_path / "fresh.db")
    assert fresh("init").exit_code == 0
    before = digest(fresh.path)
    assert_refused(fresh("import", str(hostile)), "document name", "U+009B")
    assert digest(fresh.path) == before


def test_a_project_to_merge_with_such_names_is_refused(study_cli: Cli, tmp_path: Path) -> None:
    other = Cli(tmp_path / "other.db")
    assert other("init").exit_code == 0
    assert other("codebook", "load", str(Path(__file__).parents[2] / "codebooks" /
                                         "ngos-power-ministries.yaml")).exit_code == 0
    conn = sqlite3.connect(other.path)
    conn.execute("UPDATE codes SET name = ? WHERE name = 'foreign funding'", (f"x{CLEAR}",))
    conn.execute("UPDATE codes SET guid = 'moved' || guid WHERE name = ?", (f"x{CLEAR}",))
    conn.commit()
    conn.close()
    before = digest(study_cli.path)
    assert_refused(study_cli("merge", str(other.path)), str(other.path), "control character")
    assert digest(study_cli.path) == before
