"""The command line as a researcher uses it: each command, and one clear line with exit
status 2 for every kind of bad input, the project unchanged."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ARTICLE, CATALOG, CODEBOOK, Cli
from tests.refusals import digest

DOC = "sieca-kozlowski-2009"


def test_tag_untag_and_show(study_cli: Cli) -> None:
    result = study_cli("tag", DOC, "§12", "regional variation", "personal relations with officials")
    assert result.exit_code == 0, result.output
    assert "tagged sieca-kozlowski-2009 §12" in result.output
    shown = json.loads(study_cli("show", DOC, "--json").output)
    by_label = {p["label"]: p for p in shown["paragraphs"]}
    assert sorted(c["code"] for c in by_label["§12"]["codes"]) == [
        "personal relations with officials", "regional variation"]
    assert {c["coder"] for c in by_label["§12"]["codes"]} == {"alice"}
    assert study_cli("untag", DOC, "#18", "regional variation").exit_code == 0  # position 18 = §12
    shown = json.loads(study_cli("show", DOC, "--json").output)
    codes = {p["label"]: [c["code"] for c in p["codes"]] for p in shown["paragraphs"]}
    assert codes["§12"] == ["personal relations with officials"]


def test_documents_and_status_json(study_cli: Cli) -> None:
    study_cli("tag", DOC, "§10", "generational shift")
    docs = json.loads(study_cli("documents", "--json").output)
    assert [(d["name"], d["paragraphs"], d["coded_by_coder"]) for d in docs] == [(DOC, 56, 1)]
    status = json.loads(study_cli("status", "--json").output)
    assert status["documents"] == 1
    assert status["codings"] == 1
    assert status["codes"] == 35
    assert status["coders"] == ["alice"]
    assert status["last_activity"]["summary"].startswith("tag sieca-kozlowski-2009 §10")


def test_codebook_show_json_lists_the_tree(study_cli: Cli) -> None:
    study_cli("tag", DOC, "§17", "foreign funding")
    codes = json.loads(study_cli("codebook", "show", "--json").output)
    by_name = {c["name"]: c for c in codes}
    assert by_name["foreign funding"]["paragraphs"] == 1
    assert by_name["foreign funding"]["depth"] == 1
    parent = next(c for c in codes if c["guid"] == by_name["foreign funding"]["parent"])
    assert parent["depth"] == 0
    for theme in ("generational shift", "regional variation", "2006 NGO law", "foreign funding"):
        assert by_name[theme]["definition"] and by_name[theme]["when_not_to_use"]


def test_undo_redo_across_processes(study_cli: Cli) -> None:
    env_python = [sys.executable, "-m", "qcode", "-p", str(study_cli.path)]
    env = {"QCODE_CODER": "alice", "PATH": "/usr/bin:/bin"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*env_python, *args], capture_output=True, text=True, env=env,
                              check=False)

    assert run("tag", DOC, "§17", "foreign funding").returncode == 0
    assert run("tag", DOC, "§13", "2006 NGO law").returncode == 0
    undone = run("undo")
    assert undone.returncode == 0 and "2006 NGO law" in undone.stdout
    log = json.loads(run("log", "--json").stdout)
    assert [e["kind"] for e in log[:3]] == ["undo", "do", "do"]
    assert run("redo").returncode == 0
    shown = json.loads(run("show", DOC, "--json").stdout)
    codes = {p["label"]: [c["code"] for c in p["codes"]] for p in shown["paragraphs"]}
    assert codes["§13"] == ["2006 NGO law"] and codes["§17"] == ["foreign funding"]
    nothing = run("redo")
    assert nothing.returncode == 2 and "nothing to redo" in nothing.stderr


def test_catalog_attributes_by_file_name_and_flag(study_cli: Cli, tmp_path: Path) -> None:
    interview = tmp_path / "Alpern-interview-2008.txt"
    interview.write_text("Q: Question?\n\nA: Answer.\n", encoding="utf-8")
    other = tmp_path / "transcript-7.txt"
    other.write_text("Q: Another question?\n\nA: Another answer.\n", encoding="utf-8")
    assert study_cli("import", str(interview)).exit_code == 0
    assert study_cli("import", str(other), "--as", "chikov").exit_code == 0
    docs = {d["name"]: d for d in json.loads(study_cli("documents", "--json").output)}
    alpern = docs["Alpern-interview-2008"]["attributes"]
    assert alpern["organisation"] == "Moscow Centre for Prison Reform"
    assert alpern["generation"] == "Soviet-era"
    chikov = docs["transcript-7"]["attributes"]
    assert chikov["organisation"].startswith("Agora")
    assert chikov["generation"] == "post-Soviet"
    assert chikov["city"] == "Kazan"


def all_commands() -> list[tuple[list[str], object]]:
    """Every command and group of the CLI, loading the lazily registered ones."""
    import click

    from qcode.cli import main

    def walk(command: click.Command, prefix: list[str]) -> list[tuple[list[str], object]]:
        found: list[tuple[list[str], object]] = [(prefix, command)]
        if isinstance(command, click.Group):
            context = click.Context(command)
            for name in command.list_commands(context):
                child = command.get_command(context, name)
                assert child is not None, name
                found += walk(child, [*prefix, name])
        return found

    return walk(main, [])


def test_every_command_has_help() -> None:
    from click.testing import CliRunner

    from qcode.cli import main

    commands = all_commands()
    assert len(commands) > 25
    for path, command in commands:
        result = CliRunner().invoke(main, [*path, "--help"])
        assert result.exit_code == 0, path
        assert "Usage:" in result.output
        assert getattr(command, "help", None), f"qcode {' '.join(path)} has no help text"


def test_every_command_takes_the_shared_options_one_way() -> None:
    """-p/--project on every command, read through the context, never a parameter the
    command itself declares (issue 12: 28 commands carried an unused one)."""
    import inspect

    import click

    for path, command in all_commands():
        if isinstance(command, click.Group) and path:
            continue
        assert isinstance(command, click.Command)
        options = {o for p in command.params for o in getattr(p, "opts", [])}
        assert {"-p", "--project"} <= options, path
        callback = inspect.unwrap(command.callback)  # type: ignore[arg-type]
        assert "project" not in inspect.signature(callback).parameters, path


# -- bad input: one line on stderr, exit 2, project unchanged -----------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "/nonexistent/file.txt"], "/nonexistent/file.txt: no such file"),
        (["import", "{tmp}"], "binary.txt: looks like a binary file"),  # a folder: all or none
        (["import", "{tmp}/binary.txt"], "binary file"),
        (["import", "{tmp}/empty.txt"], "the file is empty"),
        (["import", "{tmp}/latin.txt"], "not UTF-8 text"),
        (["import", "{tmp}/good.txt", "{tmp}/latin.txt"], "latin.txt: not UTF-8"),
        (["import", str(ARTICLE)], "already imported as 'sieca-kozlowski-2009'"),
        (["show", "sieca-kozlowsky"], "no document 'sieca-kozlowsky'"),
        (["tag", "interview-9", "§1", "foreign funding"], "no document 'interview-9'"),
        (["tag", DOC, "§99", "foreign funding"], "no paragraph '§99'"),
        (["tag", DOC, "999", "foreign funding"], "no paragraph '999'"),
        (["tag", DOC, "§12", "regnal variation"], "did you mean 'regional variation'?"),
        (["tag", DOC, "§12", "relations with the power ministries"], "folder"),
        (["codebook", "load", "{tmp}/broken.yaml"], "broken.yaml: not valid YAML at line"),
        (["codebook", "load", "{tmp}/good.txt"], "not a qcode codebook"),
        (["import", "{tmp}/good.txt", "--as", "alpren"], "did you mean 'alpern'?"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_nothing_changes(
    study_cli: Cli, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02PK\x03\x04")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "latin.txt").write_bytes("Réponse: déjà vu\n".encode("latin-1"))
    (tmp_path / "good.txt").write_text("A fine paragraph.\n", encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("format: qcode-codebook\ncodes: [\n", encoding="utf-8")
    if "relations with the power ministries" in args:
        # Parent themes are codable in the study codebook; make this one a folder.
        import sqlite3

        conn = sqlite3.connect(study_cli.path)
        conn.execute("UPDATE codes SET codable = 0 WHERE name = 'relations with the power ministries'")
        conn.commit()
        conn.close()
    before = digest(study_cli.path)
    result = study_cli(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr + result.output
    assert digest(study_cli.path) == before


def test_missing_project_says_how_to_start(cli: Cli) -> None:
    result = cli("documents")
    assert result.exit_code == 2
    assert "qcode init" in result.stderr


def test_not_a_project(cli: Cli) -> None:
    cli.path.write_text("not a database at all", encoding="utf-8")
    result = cli("status")
    assert result.exit_code == 2
    assert "not a qcode project" in result.stderr
    assert cli.path.read_text(encoding="utf-8") == "not a database at all"


def test_study_files_exist_for_the_quick_start() -> None:
    assert ARTICLE.exists() and CATALOG.exists() and CODEBOOK.exists()


def test_many_files_import_whole_or_not_at_all(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(24):  # enough to be read by worker processes
        (folder / f"i{n:02d}.txt").write_text(
            f"Q: Question {n}?\n\nA: Ответ номер {n}.\n\nA: Suite {n}.\n", encoding="utf-8")
    (folder / "zz-bad.txt").write_bytes(b"text then \x00\x01 binary")
    paths = sorted(str(p) for p in folder.iterdir())
    failed = cli("import", *paths)
    assert failed.exit_code == 2 and "zz-bad.txt" in failed.stderr
    assert json.loads(cli("documents", "--json").output) == []
    good = cli("import", *paths[:-1])
    assert good.exit_code == 0, good.output
    assert "imported 24 documents (72 paragraphs); 0 skipped" in good.output
    docs = json.loads(cli("documents", "--json").output)
    assert sorted(d["name"] for d in docs) == [f"i{n:02d}" for n in range(24)]
    again = cli("import", "--skip-existing", *paths[:-1])
    assert again.exit_code == 0 and "imported 0 documents" in again.output


def test_a_folder_imports_the_transcripts_in_it(cli: Cli, tmp_path: Path) -> None:
    """`qcode import interviews/` takes the files qcode can read in the folder (not the
    hidden ones, not the others), as the app's import prompt does; --json lists them."""
    assert cli("init").exit_code == 0
    folder = tmp_path / "interviews"
    folder.mkdir()
    for name in ("b-olga.txt", "a-ivan.md"):
        (folder / name).write_text(f"Q: Who?\n\nA: {name}.\n", encoding="utf-8")
    (folder / ".a-draft.txt").write_text("Q: hidden\n", encoding="utf-8")
    (folder / "notes.xyz").write_text("not a transcript", encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "c.txt").write_text("Q: deeper\n", encoding="utf-8")
    result = cli("import", str(folder), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "documents_added": ["a-ivan", "b-olga"], "skipped": [], "paragraphs": 4}
    again = cli("import", str(folder), "--skip-existing", "--json")
    assert json.loads(again.output)["skipped"] == [
        str(folder / "a-ivan.md"), str(folder / "b-olga.txt")]
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.xyz").write_text("x", encoding="utf-8")
    before = digest(cli.path)
    refused = cli("import", str(empty))
    assert refused.exit_code == 2
    assert "no files qcode can import in this folder" in refused.stderr
    assert digest(cli.path) == before
