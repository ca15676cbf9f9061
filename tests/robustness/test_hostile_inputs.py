"""Hostile and broken input files (issue 14, items 4-8, 14 and 18): each is refused with
one line naming the file and what is wrong, exit status 2, the project unchanged -- in
time proportional to the file, never a hang."""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pytest

from tests.conftest import Cli
from tests.refusals import assert_refused, digest

DOC = "sieca-kozlowski-2009"


def run_cli(cli: Cli, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """qcode in a child process: a hang fails the test instead of stopping the suite,
    and a runaway read hits a 2 GB memory limit instead of the machine."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    return subprocess.run([sys.executable, "-m", "qcode", "-p", str(cli.path), *args],
                          capture_output=True, text=True, timeout=timeout, check=False,
                          preexec_fn=limit, env={**os.environ, "QCODE_CODER": "alice"})


# -- 4. devices and pipes ------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["/dev/zero", "/dev/urandom", "fifo"])
@pytest.mark.parametrize("command", [
    ("import", "{f}.txt"), ("import", "{f}.docx"), ("import", "{f}.qdpx"),
    ("codebook", "load", "{f}.yaml"), ("codebook", "import", "{f}.csv"),
    ("import", "{good}", "--metadata", "{f}.yaml"),
])
def test_devices_and_pipes_are_refused_without_reading(
        study_cli: Cli, tmp_path: Path, kind: str, command: tuple[str, ...]) -> None:
    suffix = Path(command[-1]).suffix if "{f}" in command[-1] else ".yaml"
    hostile = tmp_path / f"hostile{suffix}"
    if kind == "fifo":
        os.mkfifo(hostile)
    else:
        hostile.symlink_to(kind)
    good = tmp_path / "good.txt"
    good.write_text("A fine paragraph.\n", encoding="utf-8")
    args = [a.replace("{f}" + suffix, str(hostile)).replace("{good}", str(good))
            for a in command]
    before = digest(study_cli.path)
    assert_refused(run_cli(study_cli, *args), str(hostile), "not a regular file")
    assert digest(study_cli.path) == before


def test_the_cap_holds_for_the_bytes_read_not_what_stat_said(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qcode.core import textfile
    from qcode.core.errors import ImportFailed

    path = tmp_path / "grows.txt"
    path.write_bytes(b"x" * 5000)
    real_stat, real_fstat = os.stat, os.fstat

    class Small:
        """What stat() says of a file that grew after it looked (or of a device)."""

        def __init__(self, found: os.stat_result) -> None:
            self.st_mode, self.st_size = found.st_mode, 10
            self.st_mtime = found.st_mtime

    monkeypatch.setattr(os, "stat", lambda *a, **k: Small(real_stat(*a, **k)))
    monkeypatch.setattr(os, "fstat", lambda fd: Small(real_fstat(fd)))
    with pytest.raises(ImportFailed, match="too large"):
        textfile.read_bytes(path, max_bytes=1000)


# -- 5. deep nesting ------------------------------------------------------------------------


@pytest.mark.parametrize("opener", ["[", "{", "- "])
@pytest.mark.parametrize("command", [
    ("codebook", "load", "{f}"), ("codebook", "import", "{f}"),
    ("import", "{good}", "--metadata", "{f}"), ("import", "{md}"),
])
def test_deeply_nested_yaml_is_refused_at_once(study_cli: Cli, tmp_path: Path, opener: str,
                                              command: tuple[str, ...]) -> None:
    nested = opener * (1024 * 1024 // len(opener))
    hostile = tmp_path / "deep.yaml"
    hostile.write_text(nested, encoding="utf-8")
    front = tmp_path / "deep.md"
    front.write_text(f"---\n{nested}\n---\nA paragraph.\n", encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text("A fine paragraph.\n", encoding="utf-8")
    args = [a.replace("{f}", str(hostile)).replace("{good}", str(good)).replace("{md}", str(front))
            for a in command]
    before = digest(study_cli.path)
    started = time.perf_counter()
    said = assert_refused(study_cli(*args), "nested more than 256 levels deep")
    elapsed = time.perf_counter() - started
    # Refused where the nesting passes the cap, not after reading the megabyte.
    assert "column 257" in said or "column 513" in said or "column 260" in said, said
    assert elapsed < 5, f"{elapsed:.1f} s to refuse 1 MB (was 40 s for 200 kB)"
    assert digest(study_cli.path) == before


# -- 6. a Taguette CSV with empty names ------------------------------------------------------


@pytest.mark.parametrize("command", [("codebook", "merge"), ("codebook", "import"),
                                     ("codebook", "diff", "project")])
def test_empty_tag_names_are_refused(study_cli: Cli, tmp_path: Path,
                                     command: tuple[str, ...]) -> None:
    path = tmp_path / "taguette.csv"
    path.write_text("tag,description\n/,x\n//,y\n", encoding="utf-8")
    before = digest(study_cli.path)
    assert_refused(study_cli(*command, str(path)), f"{path}: line 2", "empty name")
    assert digest(study_cli.path) == before


# -- 7. numbers too large for SQLite ---------------------------------------------------------


@pytest.mark.parametrize("command", ["tag", "untag"])
def test_a_paragraph_number_past_sqlite_integers_is_not_found(study_cli: Cli,
                                                              command: str) -> None:
    before = digest(study_cli.path)
    huge = str(2**64 * 5)
    assert_refused(study_cli(command, DOC, huge, "foreign funding"), f"no paragraph '{huge}'")
    assert digest(study_cli.path) == before


# -- 8. encodings that are not for text files ------------------------------------------------


@pytest.mark.parametrize("encoding", ["punycode", "undefined", "idna", "unicode_escape",
                                      "base64", "rot13", "no-such-codec"])
def test_only_text_encodings_are_accepted(study_cli: Cli, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes("Réponse: déjà vu\n".encode("latin-1"))
    before = digest(study_cli.path)
    assert_refused(study_cli("import", str(path), "--encoding", encoding), str(path), encoding)
    assert digest(study_cli.path) == before


# -- 14 and 18. .docx packages that are not what Word writes ---------------------------------


def docx_bytes(text: str = "A paragraph.") -> bytes:
    word = docx.Document()
    word.add_paragraph(text)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def rewritten(data: bytes, changes: dict[str, bytes | None]) -> bytes:
    """The package with members replaced (or, for None, left out)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename in changes:
                if changes[info.filename] is not None:
                    target.writestr(info.filename, changes[info.filename])  # type: ignore[arg-type]
            else:
                target.writestr(info, source.read(info))
    return out.getvalue()


def document_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("word/document.xml").decode("utf-8")


@pytest.mark.parametrize(("case", "message"), [
    ("no content types", "has no [Content_Types].xml"),
    ("no main part", "its main part word/document.xml is missing"),
    ("not a document", "is not a Word document body"),
    ("not xml", "word/document.xml: not well-formed XML"),
    ("entity", "undefined entity"),
    ("doctype", "declares a DTD"),
])
def test_a_broken_docx_is_described_in_words(study_cli: Cli, tmp_path: Path, case: str,
                                             message: str) -> None:
    good = docx_bytes("X and Y")
    body = document_xml(good)
    cases: dict[str, dict[str, bytes | None]] = {
        "no content types": {"[Content_Types].xml": None},
        "no main part": {"word/document.xml": None},
        "not a document": {"word/document.xml": b"<foo xmlns='urn:x'><bar/></foo>"},
        "not xml": {"word/document.xml": b"this is not XML"},
        "entity": {"word/document.xml": body.replace("X and Y", "X&xxe;Y").encode()},
        "doctype": {"word/document.xml": body.replace(
            "<w:document", '<!DOCTYPE d [<!ENTITY xxe "and">]><w:document', 1).encode()},
    }
    changes = cases[case]
    path = tmp_path / "broken.docx"
    path.write_bytes(rewritten(good, changes))
    before = digest(study_cli.path)
    said = assert_refused(study_cli("import", str(path)), str(path), message)
    for internal in ("lxml", "_Element", "KeyError", "AttributeError", "There is no item"):
        assert internal not in said
    assert digest(study_cli.path) == before


def test_a_nul_in_a_qdpx_source_is_refused_as_in_a_transcript(study_cli: Cli,
                                                              tmp_path: Path) -> None:
    exported = tmp_path / "study.qdpx"
    assert study_cli("export", str(exported)).exit_code == 0
    with zipfile.ZipFile(exported) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    source = next(name for name in members if name.lower().startswith("sources/"))
    members[source] = members[source][:40] + b"\x00" + members[source][40:]
    hostile = tmp_path / "nul.qdpx"
    with zipfile.ZipFile(hostile, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    fresh = Cli(tmp_path / "fresh.db")
    assert fresh("init").exit_code == 0
    before = digest(fresh.path)
    assert_refused(fresh("import", str(hostile)), Path(source).name, "NUL")
    assert digest(fresh.path) == before
