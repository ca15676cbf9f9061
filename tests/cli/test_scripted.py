"""The scripted ``qcode tag`` / ``untag`` (qcode.cli.scripted) runs without click, and
is click's command line all the same: the grammar it recognises is the one the click
commands declare, and every command line gives the same output, exit status and
project through either path. What it does not recognise, click runs."""

from __future__ import annotations

import os
import pty
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest

from qcode import Project
from qcode.cli import main
from qcode.cli.common import default_coder
from qcode.cli.scripted import COMMANDS, GROUP_OPTIONS, parse
from qcode.exchange.formats import read_codebook
from qcode.ingest import read_document

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = ROOT / "corpus" / "sieca-kozlowski-2009.md"
CODEBOOK = ROOT / "codebooks" / "ngos-power-ministries.yaml"
DOC = "sieca-kozlowski-2009"
DOC_GUID = "53E715A5-D782-4818-A864-4D1982BFE2A7"
DENUNCIATION_GUID = "9FCB0A1E-E239-43F8-A57F-1A8E23461541"

# Both paths run as `python -c …` so that click names the program alike in messages.
SCRIPTED = "from qcode.cli import entry_point; entry_point()"
CLICK = "from qcode.cli import main; main()"

# Command lines the scripted path runs, in order, on one project (later ones meet what
# earlier ones did). The project is ./qcode.db, in a Dropbox folder.
STEPS: list[list[str]] = [
    ["tag", DOC, "§12", "regional variation"],  # default project, $QCODE_CODER
    ["-p", "qcode.db", "tag", DOC, "12", "turnover of officials", "--coder", "bob"],
    ["--project", "qcode.db", "tag", DOC, "#12",
     "relations with the power ministries/access to the hierarchy", "--coder=carol",
     "--memo", "why: §12 says so"],
    ["--project=qcode.db", "tag", DOC, "¶3", DENUNCIATION_GUID, "denunciation",
     "Denunciation", "--memo=m2"],
    ["tag", "-p", "qcode.db", DOC_GUID, "§8.1", "Regional-Variation", "harassment and inspections"],
    ["tag", DOC, "§12", "regional variation"],  # already there
    ["tag", "--", DOC, "§13 quote", "harassment and inspections"],
    ["tag", DOC, "§12", "regional variaton"],  # did you mean
    ["tag", "no-such-document", "§12", "regional variation"],
    ["tag", DOC, "§999", "regional variation"],
    ["tag", DOC, "§1", "a [bold]markup[/bold] name"],
    ["untag", DOC, "§12", "regional variation"],
    ["untag", DOC, "§12", "regional variation"],  # nothing to remove
    ["untag", DOC, "#12", "access to the hierarchy", "--coder", "carol", "-p", "qcode.db"],
    ["-p", "missing.db", "tag", DOC, "§12", "regional variation"],
    ["-p", "missing.db", "tag", "-p", "qcode.db", DOC, "§2", "denunciation"],
    ["tag", DOC, "§1", "regional variation", "--coder", "dave", "--coder", "erin"],
    ["tag", DOC, "§1", "regional variation", "--coder", ""],
    ["tag", DOC, "§4", "regional variation", "--", "--coder", "x"],
    ["tag", DOC, "§5", "generational shift", "--coder", "a\x1b]0;title\x07b"],
]

# Command lines the scripted path leaves to click.
DECLINED: list[list[str]] = [
    [], ["--version"], ["-h"], ["--help"], ["status"], ["tag"], ["tag", "--help"],
    ["tag", DOC], ["tag", DOC, "§1"], ["tag", DOC, "§1", "denunciation", "--json"],
    ["tag", DOC, "§1", "denunciation", "--coder"],
    ["tag", DOC, "§1", "denunciation", "--coder", "-x"],
    ["tag", DOC, "§1", "denunciation", "-x"],
    ["tag", "-pqcode.db", DOC, "§1", "denunciation"],
    ["-p=qcode.db", "tag", DOC, "§1", "denunciation"],
    ["untag", DOC, "§1", "denunciation", "--memo", "m"],
    ["-p", ".", "tag", DOC, "§1", "denunciation"],
    ["--", "tag", DOC, "§1", "denunciation"],
    ["--coder", "x", "tag", DOC, "§1", "denunciation"],
    ["Tag", DOC, "§1", "denunciation"],
    ["tag", DOC, "-5", "denunciation"],
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "qcode.db"
    with Project.create(path) as project:
        project.add_document(read_document(ARTICLE), coder="setup")
        project.load_codebook(read_codebook(CODEBOOK), coder="setup")
    return path


def side(tmp_path: Path, template: Path, name: str) -> Path:
    """A folder (a Dropbox one) holding its own copy of the project, ./qcode.db."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / ".dropbox").touch()
    shutil.copy(template, folder / "qcode.db")
    (folder / "state").mkdir()
    return folder


def run(folder: Path, script: str, argv: list[str]) -> tuple[str, str, int]:
    env = {**os.environ, "QCODE_CODER": "alice", "XDG_STATE_HOME": str(folder / "state"),
           "PYTHONPATH": str(ROOT)}
    env.pop("QCODE_PROJECT", None)
    result = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True,
                            text=True, cwd=folder, env=env)
    return result.stdout, result.stderr, result.returncode


def rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """What the commands change, without ids and times."""
    conn = sqlite3.connect(path)
    try:
        return {
            "codings": sorted(conn.execute(
                "SELECT p.ordinal, k.name, r.name, c.memo FROM codings c "
                "JOIN paragraphs p ON p.id = c.paragraph_id JOIN codes k ON k.id = c.code_id "
                "JOIN coders r ON r.id = c.coder_id").fetchall()),
            "events": conn.execute(
                "SELECT r.name, e.kind, e.action, e.summary FROM events e "
                "JOIN coders r ON r.id = e.coder_id ORDER BY e.id").fetchall(),
            "coders": sorted(conn.execute("SELECT name FROM coders").fetchall()),
        }
    finally:
        conn.close()


def test_the_grammar_is_the_click_commands() -> None:
    """The table the scripted path reads is what click declares: every value option of
    the group and of each command, and each command's arguments; nothing it does not
    replicate (flags, envvars, several values, another type) is declared there."""
    group_options = {opt: p.name for p in main.params if isinstance(p, click.Option)
                     and not p.is_flag for opt in (*p.opts, *p.secondary_opts)}
    assert group_options == GROUP_OPTIONS
    ctx = click.Context(main)
    assert ctx.auto_envvar_prefix is None and ctx.token_normalize_func is None
    for name, (arguments, options) in COMMANDS.items():
        command = main.get_command(ctx, name)
        assert command is not None and not isinstance(command, click.Group)
        assert command.allow_interspersed_args and not command.ignore_unknown_options
        assert command.context_settings == {}
        declared = tuple((p.name, p.nargs) for p in command.params
                         if isinstance(p, click.Argument))
        assert declared == arguments, name
        assert all(p.required for p in command.params if isinstance(p, click.Argument))
        assert [n for _p, n in arguments].count(-1) <= 1
        found = {opt: p.name for p in command.params if isinstance(p, click.Option)
                 for opt in (*p.opts, *p.secondary_opts)}
        assert found == options, name
        for param in [*command.params, *main.params]:
            if param.name == "version":
                continue  # an eager flag of the group: never in the scripted form
            assert param.envvar is None and not param.multiple
            if isinstance(param, click.Option):
                assert not param.is_flag and not param.count and not param.required
                assert param.nargs == 1 and not param.prompt
                assert not param.secondary_opts
        for param in command.params:
            if param.name == "project":
                # What scripted._project_file replicates of click.Path.
                kind = param.type
                assert isinstance(kind, click.Path)
                assert (kind.exists, kind.file_okay, kind.dir_okay, kind.readable,
                        kind.writable, kind.executable, kind.resolve_path,
                        kind.allow_dash) == (False, True, False, True, False, False,
                                             False, False)
                assert kind.type is Path and param.default is None
            elif param.name == "coder":
                assert param.type is click.STRING and param.default is default_coder
            else:
                assert param.type is click.STRING, param.name
        # An option not given reaches the command as None (the coder as its default).
        made = command.make_context(name, ["d", "p", "c"], parent=ctx)
        parsed = parse([name, "d", "p", "c"])
        assert parsed is not None
        assert made.params == {**parsed[1], "coder": default_coder(), "project": None}
    # The group's own -p is the same option as the commands'.
    project = next(p for p in main.params if p.name == "project")
    assert isinstance(project.type, click.Path) and not project.type.dir_okay


@pytest.mark.parametrize("argv", STEPS, ids=lambda a: " ".join(a))
def test_the_scripted_path_recognises(argv: list[str]) -> None:
    assert parse(argv) is not None


@pytest.mark.parametrize("argv", DECLINED, ids=lambda a: " ".join(a) or "nothing")
def test_the_scripted_path_leaves_to_click(argv: list[str], tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert parse(argv) is None


def test_parse_reads_what_click_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert parse(["-p", "a.db", "tag", "d", "--memo=m", "§1", "x", "-p", "b.db", "y",
                  "--coder", "c", "--", "--z"]) == (
        "tag", {"document": "d", "paragraph": "§1", "codes": ("x", "y", "--z"),
                "memo": "m", "coder": "c"}, Path("b.db"))
    assert parse(["untag", "d", "p", "x"]) == (
        "untag", {"document": "d", "paragraph": "p", "codes": ("x",), "coder": None}, None)


def test_both_paths_print_and_do_the_same(tmp_path: Path, template: Path) -> None:
    scripted, clicked = side(tmp_path, template, "scripted"), side(tmp_path, template, "click")
    said = []
    for argv in STEPS:
        said.append(run(scripted, SCRIPTED, argv))
        assert said[-1] == run(clicked, CLICK, argv), argv
    assert rows(scripted / "qcode.db") == rows(clicked / "qcode.db")
    # The steps did what they are there for.
    out, err, status = said[0]
    assert out.startswith("tagged") and "Dropbox folder" in err and status == 0
    assert "already carries" in said[5][0]
    assert "did you mean 'regional variation'" in said[7][1] and said[7][2] == 2
    assert "[bold]markup[/bold]" in said[10][1]
    assert said[12][0].startswith("sieca-kozlowski-2009 §12 carries none")
    assert "Dropbox" not in "".join(e for _o, e, _s in said[1:])


def test_what_the_scripted_path_declines_click_runs(tmp_path: Path, template: Path) -> None:
    scripted, clicked = side(tmp_path, template, "scripted"), side(tmp_path, template, "click")
    for argv in DECLINED:
        assert run(scripted, SCRIPTED, argv) == run(clicked, CLICK, argv), argv
    assert rows(scripted / "qcode.db") == rows(clicked / "qcode.db")


def on_terminal(folder: Path, script: str, argv: list[str]) -> bytes:
    """What the command writes to a terminal (stdout on a pseudo-terminal)."""
    env = {**os.environ, "QCODE_CODER": "alice", "XDG_STATE_HOME": str(folder / "state"),
           "PYTHONPATH": str(ROOT)}
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-c", script, *argv], stdout=follower,
                                   stderr=subprocess.DEVNULL, cwd=folder, env=env)
    finally:
        os.close(follower)
    said = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal's other end closed
            break
        if not chunk:
            break
        said += chunk
    os.close(leader)
    process.wait()
    return said


def test_the_dimmed_tail_on_a_terminal_is_clicks(tmp_path: Path, template: Path) -> None:
    scripted, clicked = side(tmp_path, template, "scripted"), side(tmp_path, template, "click")
    argv = ["tag", DOC, "§12", "regional variation", "--coder", "zoe"]
    said = on_terminal(scripted, SCRIPTED, argv)
    assert said == on_terminal(clicked, CLICK, argv)
    assert b"\x1b[2m(zoe)\x1b[0m" in said


def test_the_console_script_runs_the_scripted_path(tmp_path: Path, template: Path) -> None:
    """`python -m qcode tag …` (what the console script runs) loads no click."""
    folder = side(tmp_path, template, "script")
    env = {**os.environ, "QCODE_CODER": "alice", "XDG_STATE_HOME": str(folder / "state")}
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "qcode", "tag", DOC,
                             "§12", "regional variation"], capture_output=True, text=True,
                            cwd=folder, env=env, check=True)
    assert "tagged sieca-kozlowski-2009 §12" in result.stdout
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()
                if line.startswith("import time:")]
    assert "qcode.cli.scripted" in imported
    assert not [m for m in imported if m.split(".")[0] in {"click", "rich", "textual"}]


def test_a_deferred_inspect_loads_on_first_use() -> None:
    """The scripted path defers `inspect`: a dataclass without a docstring (which asks
    inspect for its signature) and inspect itself still work, through the stand-in."""
    code = (
        "import sys\n"
        "from qcode.cli.scripted import _defer_import\n"
        "_defer_import('inspect')\n"
        "import dataclasses, inspect\n"
        "assert 'ast' not in sys.modules\n"
        "@dataclasses.dataclass\n"
        "class Point:\n"
        "    x: int\n"
        "print(Point.__doc__)\n"
        "print(inspect.signature(lambda a, b=2: a), inspect.isfunction(print))\n"
        "import inspect as again\n"
        "print(again is sys.modules['inspect'], hasattr(inspect, 'no_such_thing'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.splitlines() == ["Point(x: int)", "(a, b=2) False", "True False"]
