"""Malformed and hostile files: one line naming the file and the problem (with the line
where there is one), exit status 2 from the CLI, and the project unchanged."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcode import Project
from qcode.core.errors import ImportFailed, QcodeError
from qcode.exchange import limits
from qcode.exchange.formats import read_codebook
from qcode.exchange.refi_qdc import read_refi, write_qdc
from qcode.exchange.zipsafe import (
    ZipLimits,
    check_archive,
    extract_member,
    member_path,
    open_archive,
    read_member,
)
from tests.conftest import CODEBOOK, Cli

CODE = '<Code guid="00000000-0000-0000-0000-0000000000{n:02d}" name="c{n}" isCodable="true"/>'
PROJECT_QDE = ('<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0"'
               ' name="p"><CodeBook><Codes>' + CODE.format(n=1) + "</Codes></CodeBook></Project>")

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE CodeBook [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="00000000-0000-0000-0000-000000000001" name="&lol9;" isCodable="true"/>
</Codes></CodeBook>
"""


def external_entity(target: Path) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE CodeBook [ <!ENTITY secret SYSTEM "{target.as_uri()}"> ]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="00000000-0000-0000-0000-000000000001" name="x" isCodable="true">
<Description>&secret;</Description></Code></Codes></CodeBook>
"""


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_billion_laughs_is_refused_at_its_dtd_without_expanding(tmp_path: Path) -> None:
    path = tmp_path / "laughs.qdc"
    path.write_text(BILLION_LAUGHS)
    with pytest.raises(ImportFailed) as caught:
        read_refi(path)
    assert str(caught.value).startswith(f"{path}: line 2: declares a DTD")


def test_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4711")
    path = tmp_path / "xxe.qdc"
    path.write_text(external_entity(secret))
    with pytest.raises(ImportFailed) as caught:
        read_refi(path)
    assert "DTD" in str(caught.value)
    assert "TOP-SECRET" not in str(caught.value)


def test_external_entity_to_etc_passwd_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "passwd.qdc"
    path.write_text(external_entity(Path("/etc/passwd")))
    with pytest.raises(ImportFailed, match=r"passwd\.qdc: line 2: declares a DTD") as caught:
        read_refi(path)
    assert "root:" not in str(caught.value)


@pytest.mark.parametrize(("content", "expected"), [
    (b"hello, this is a memo\n", "line 1, column 1 (syntax error; this is not an XML file)"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "line 1, column 1 (not well-formed (invalid token); this is"),
    (b"<html><body>hi</body></html>", "line 1: the document is <html>, not a REFI-QDA"),
    (b'<CodeBook xmlns="http://example.org/other"><Codes/></CodeBook>',
     "namespace 'http://example.org/other' is not REFI-QDA"),
    (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0">\n<Sets/></CodeBook>',
     "line 1: <CodeBook> has no <Codes>"),
    (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n<Code guid="00000000-0000-0000-'
     b'0000-000000000001" isCodable="true"/></Codes></CodeBook>', "line 2: a <Code> has no name"),
    (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>\n\n<Code guid="00000000-0000-0000-'
     b'0000-000000000001" name="a" isCodable="maybe"/></Codes></CodeBook>',
     "line 3: isCodable='maybe' is not true or false"),
    (b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>&nope;</Codes></CodeBook>',
     "line 1, column 51 (undefined entity)"),
])
def test_malformed_files_get_one_line_naming_file_and_problem(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "bad.qdc"
    path.write_bytes(content)
    with pytest.raises(ImportFailed) as caught:
        read_refi(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


def test_truncated_file_names_the_line_where_it_stops(tmp_path: Path) -> None:
    data = write_qdc(read_codebook(CODEBOOK))
    cut = data[: len(data) // 2]
    path = tmp_path / "cut.qdc"
    path.write_bytes(cut)
    last_line = cut.count(b"\n") + 1
    with pytest.raises(ImportFailed, match=rf"line {last_line}, .*looks truncated"):
        read_refi(path)


def test_unknown_declared_encoding_is_one_clear_error(tmp_path: Path) -> None:
    # Found by the mutation fuzzer: "utf-8" damaged to "tf-8" made the codec lookup
    # raise LookupError past the XML parser.
    data = write_qdc(read_codebook(CODEBOOK)).replace(b'encoding="utf-8"', b'encoding="tf-8"', 1)
    assert b'encoding="tf-8"' in data
    path = tmp_path / "damaged.qdc"
    path.write_bytes(data)
    with pytest.raises(ImportFailed, match=r"damaged\.qdc: line 1: the file's text encoding"):
        read_refi(path)


def test_oversized_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.qdc"
    with path.open("wb") as handle:
        handle.truncate(limits.MAX_FILE_BYTES + 1)
    with pytest.raises(ImportFailed, match="too large for a codebook"):
        read_refi(path)


def test_too_many_codes_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CODES", 5)
    path = tmp_path / "many.qdc"
    codes = "".join(CODE.format(n=n) for n in range(1, 7))
    path.write_text(f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{codes}</Codes></CodeBook>')
    with pytest.raises(ImportFailed, match="6 codes is more than a codebook holds"):
        read_refi(path)


def test_nesting_beyond_the_depth_cap_is_refused(tmp_path: Path) -> None:
    levels = limits.MAX_DEPTH + 1
    opening = "".join(CODE.format(n=n % 100).replace("/>", ">") for n in range(levels))
    path = tmp_path / "deep.qdc"
    path.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                    f'{opening}{"</Code>" * levels}</Codes></CodeBook>')
    with pytest.raises(ImportFailed, match=f"nested more than {limits.MAX_DEPTH} levels"):
        read_refi(path)


def test_yaml_aliases_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "alias.yaml"
    path.write_text("format: qcode-codebook\nname: x\ncodes:\n  - &a {name: a}\n  - *a\n")
    with pytest.raises(ImportFailed, match=r"alias\.yaml: line 5: YAML aliases"):
        read_codebook(path)


# -- zip archives ------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["../evil.txt", "sources/../../evil.txt", "/etc/cron.d/x",
                                  "C:\\Windows\\evil.dll", "..\\evil.txt"])
def test_zip_slip_entry_refuses_the_whole_archive(tmp_path: Path, name: str) -> None:
    path = make_zip(tmp_path / "slip.qdpx", {"project.qde": PROJECT_QDE.encode(), name: b"x"})
    with pytest.raises(ImportFailed, match=r"points outside it .*zip slip"):
        read_refi(path)
    assert not (tmp_path.parent / "evil.txt").exists()


def test_zip_bomb_is_refused_by_its_compression_ratio(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "bomb.qdpx", {"project.qde": b"\x00" * (16 * 1024 * 1024)})
    with pytest.raises(ImportFailed, match=r"expands .* times .*likely zip bomb"):
        read_refi(path)


def test_declared_sizes_and_member_counts_are_capped(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "p.qdpx", {"project.qde": PROJECT_QDE.encode(), "a": b"1" * 5000})
    with zipfile.ZipFile(path) as archive:
        with pytest.raises(ImportFailed, match="entry 'a' claims"):
            check_archive(archive, "p.qdpx", ZipLimits(max_member_bytes=4000))
        with pytest.raises(ImportFailed, match="would expand to"):
            check_archive(archive, "p.qdpx", ZipLimits(max_total_bytes=4000))
        with pytest.raises(ImportFailed, match="2 entries in the archive"):
            check_archive(archive, "p.qdpx", ZipLimits(max_members=1))
        with pytest.raises(ImportFailed, match=r"a is 0\.0 MB .*refused"):
            read_member(archive, archive.getinfo("a"), "p.qdpx", max_bytes=100)


def test_a_broken_zip_and_a_zip_without_a_project_say_so(tmp_path: Path) -> None:
    whole = make_zip(tmp_path / "whole.qdpx", {"project.qde": PROJECT_QDE.encode()})
    broken = tmp_path / "broken.qdpx"
    broken.write_bytes(whole.read_bytes()[:40])
    with pytest.raises(ImportFailed, match=r"broken\.qdpx: not a zip archive, or a damaged one"):
        read_refi(broken)
    empty = make_zip(tmp_path / "empty.qdpx", {"readme.txt": b"hi"})
    with pytest.raises(ImportFailed, match=r"empty\.qdpx: no project\.qde inside"):
        read_refi(empty)


def test_errors_inside_a_qdpx_name_the_archive_and_the_member(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "x.qdpx", {"project.qde": b"<Project><CodeBook>"})
    with pytest.raises(ImportFailed, match=r"x\.qdpx: project\.qde: not well-formed XML at "
                                           r"line 1"):
        read_refi(path)


def test_extract_member_writes_only_inside_the_target(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Sources/a.txt", "text")
    path = tmp_path / "ok.qdpx"
    path.write_bytes(buffer.getvalue())
    target = tmp_path / "out"
    with open_archive(path) as archive:
        written = extract_member(archive, archive.getinfo("Sources/a.txt"), target, "ok.qdpx")
    assert written == (target / "Sources" / "a.txt").resolve()
    assert written.read_text() == "text"
    with pytest.raises(ImportFailed, match="zip slip"):
        member_path("../../a.txt", "ok.qdpx")


# -- the command line: exit 2, one line, nothing changed -------------------------------

@pytest.mark.parametrize("kind", ["laughs", "xxe", "slip", "bomb", "truncated"])
def test_cli_import_of_a_hostile_file_exits_2_and_changes_nothing(
    study_cli: Cli, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / f"hostile-{kind}.qdc"
    if kind == "laughs":
        path.write_text(BILLION_LAUGHS)
    elif kind == "xxe":
        path.write_text(external_entity(Path("/etc/passwd")))
    elif kind == "truncated":
        path.write_bytes(write_qdc(read_codebook(CODEBOOK))[:5000])
    else:
        path = path.with_suffix(".qdpx")
        members = {"project.qde": PROJECT_QDE.encode()}
        members |= {"../x": b"x"} if kind == "slip" else {"project.qde": b" " * (8 << 20)}
        make_zip(path, members)
    with Project.open(study_cli.path) as before:
        events, codes = before.status()["events"], before.codebook()
    for command in ("import", "merge"):
        result = study_cli("codebook", command, str(path))
        assert result.exit_code == 2
        assert result.stderr.count("\n") == 1
        assert str(path) in result.stderr
    with Project.open(study_cli.path) as after:
        assert after.status()["events"] == events
        assert after.codebook() == codes


# -- mutated files: whatever the damage, a one-line QcodeError or a codebook ----------

def _zip_seed() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", PROJECT_QDE)
        archive.writestr("sources/a.txt", "hello " * 50)
    return buffer.getvalue()


SEEDS = {
    ".qdc": write_qdc(read_codebook(CODEBOOK)),
    ".csv": "tag,description,guid\nа/б,\"x, y\",{00000000-0000-0000-0000-000000000001}\n".encode(),
    ".yaml": CODEBOOK.read_bytes(),
    ".qdpx": _zip_seed(),
}


@st.composite
def damaged(draw: st.DrawFn) -> tuple[str, bytes]:
    suffix = draw(st.sampled_from(sorted(SEEDS)))
    data = bytearray(SEEDS[suffix])
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            data[at] = draw(st.integers(0, 255))
        elif action == "cut":
            del data[at:at + draw(st.integers(1, 40))]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=12))
    return suffix, bytes(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_files_fail_in_one_line_or_read(case: tuple[str, bytes]) -> None:
    suffix, data = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"damaged{suffix}"
        path.write_bytes(data)
        try:
            book = read_codebook(path)
        except QcodeError as exc:
            assert str(exc).startswith(str(path)) and "\n" not in str(exc), str(exc)
        else:
            assert len(book) <= limits.MAX_CODES
