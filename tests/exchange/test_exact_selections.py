"""A project from another tool goes back out with every selection exactly where it was.

The originals are counted here from the files themselves with ElementTree: for every
coded selection, (source, code path, start, end) with the positions as the file wrote
them. The export of the imported project must hold the same multiset, and its source
texts the same characters (line breaks included) the positions count.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from qcode import Project
from qcode.exchange.refi_qdpx import import_qdpx
from qcode.exchange.refi_qdpx_export import export_qdpx
from tests.conftest import SHARED

SAMPLES = Path(__file__).parent / "samples"
NVIVO = SAMPLES / "nvivo-win-12.6__oltas0517.qdpx"
ATLAS = SAMPLES / "atlasti-mac-8.4__spec-annex-example.qde"
NS = {"q": "urn:QDA-XML:project:1.0"}
Key = tuple[str, tuple[str, ...], int, int]


def code_paths(root: ET.Element) -> dict[str, tuple[str, ...]]:
    """code GUID -> path of names, from nesting (and ATLAS.ti's "parent::child" names)."""
    paths: dict[str, tuple[str, ...]] = {}

    def walk(element: ET.Element, above: tuple[str, ...]) -> None:
        for code in element.iterfind("q:Code", NS):
            name = code.get("name", "")
            path = (*above, *name.split("::"))
            paths[code.get("guid", "").upper()] = path
            walk(code, path)

    for codes in root.iterfind("q:CodeBook/q:Codes", NS):
        walk(codes, ())
    return paths


def coded_selections(qde: bytes) -> Counter[Key]:
    """(source GUID, code path, start, end) of every coding of a text selection."""
    root = ET.fromstring(qde)
    paths = code_paths(root)
    found: Counter[Key] = Counter()
    for source in root.iterfind("q:Sources/q:TextSource", NS):
        for selection in source.iterfind("q:PlainTextSelection", NS):
            for coding in selection.iterfind("q:Coding", NS):
                ref = coding.find("q:CodeRef", NS)
                assert ref is not None
                found[(source.get("guid", "").upper(), paths[ref.get("targetGUID", "").upper()],
                       int(selection.get("startPosition", "")),
                       int(selection.get("endPosition", "")))] += 1
    return found


def qde_of(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.lower().endswith(".qde"))
        return archive.read(name)


def round_trip(project: Project, original: Path, out: Path) -> Path:
    import_qdpx(project, original, coder="importer")
    export_qdpx(project, out)
    return out


@pytest.fixture(scope="module")
def nvivo_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path]:
    folder = tmp_path_factory.mktemp("nvivo-trip")
    project = Project.create(folder / "p.db")
    round_trip(project, NVIVO, folder / "back.qdpx")
    yield project, folder / "back.qdpx"  # type: ignore[misc]
    project.close()


def test_the_shared_sample_is_the_one_tested() -> None:
    shared = SHARED / "refi-qda" / "samples" / NVIVO.name
    if shared.exists():
        assert shared.read_bytes() == NVIVO.read_bytes()


def test_nvivo_round_trip_gives_back_all_303_selections(
        nvivo_export: tuple[Project, Path]) -> None:
    _project, back = nvivo_export
    original = coded_selections(qde_of(NVIVO))
    assert sum(original.values()) == 303
    assert coded_selections(qde_of(back)) == original


def test_nvivo_texts_go_back_as_nvivo_counted_them(nvivo_export: tuple[Project, Path]) -> None:
    """The positions are UTF-16 units over text with CRLF: the export writes that text,
    and every selection cuts the same characters from it as from the original."""
    _project, back = nvivo_export
    with zipfile.ZipFile(NVIVO) as before, zipfile.ZipFile(back) as after:
        for source in ET.fromstring(before.read("project.qde")).iterfind(
                "q:Sources/q:TextSource", NS):
            guid = source.get("guid", "")
            old = before.read(f"Sources/{guid}.txt").decode("utf-8-sig")
            new = after.read(f"sources/{guid.upper()}.txt").decode("utf-8")
            assert new == old
            assert "\r\n" in new and re.search("[\U00010000-\U0010FFFF]", new)


def test_two_selections_of_one_code_in_one_paragraph_are_one_coding_with_two_spans(
        nvivo_export: tuple[Project, Path]) -> None:
    project, _back = nvivo_export
    assert project.status()["codings"] == 302
    counts = Counter(n for (n,) in project.conn.execute(
        "SELECT json_array_length(spans) FROM codings"))
    assert counts == Counter({1: 301, 2: 1})


def test_nvivo_spans_keep_nvivo_numbers_and_code_points(
        nvivo_export: tuple[Project, Path]) -> None:
    """Each span's code points cut out the text the selection's UTF-16 numbers cut."""
    project, _back = nvivo_export
    with zipfile.ZipFile(NVIVO) as archive:
        raws = {d.document.guid: archive.read(f"Sources/{d.document.guid.lower()}.txt")
                .decode("utf-8-sig") for d in project.documents()}
    checked = 0
    for guid, spans in project.conn.execute(
            "SELECT d.guid, c.spans FROM codings c JOIN paragraphs p ON p.id = c.paragraph_id "
            "JOIN documents d ON d.id = p.document_id"):
        text = project.document_text(project.document(guid).id)
        units = raws[guid].encode("utf-16-le")
        for span in json.loads(spans):
            nvivo = units[2 * span["source_start"]:2 * span["source_end"]].decode("utf-16-le")
            assert text[span["start"]:span["end"]] == nvivo.replace("\r\n", "\n")
            checked += 1
    assert checked == 303


# -- ATLAS.ti: the spec's sample project, with texts made to fit its selections ------


def atlas_texts() -> dict[str, str]:
    """A text (CRLF line breaks) for each TextSource of the ATLAS.ti sample, long enough
    for its selections, whose every selection end falls on a word boundary when CRLF
    counts as one (ATLAS.ti's way) and rarely when it counts as two."""
    root = ET.fromstring(ATLAS.read_bytes())
    texts = {}
    for source in root.iterfind("q:Sources/q:TextSource", NS):
        ends = {int(s.get(k, "")) for s in source.iterfind("q:PlainTextSelection", NS)
                for k in ("startPosition", "endPosition")}
        length = max(ends, default=0) + 200
        chars = list(("breakfast " * (length // 10 + 1))[:length])
        for point in ends:
            if point > 0:
                chars[point - 1] = " "
        # A line break every 40 characters or so, never next to a selection end.
        for at in range(37, length, 41):
            if not {at, at + 1} & ends and chars[at] == " ":
                chars[at] = "\n"
        # ...ending with its own name, so no two texts are the same.
        texts[source.get("plainTextPath", "").removeprefix("internal://")] = \
            ("".join(chars) + source.get("name", "")).replace("\n", "\r\n")
    return texts


def atlas_qdpx(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", ATLAS.read_bytes())
        for name, text in atlas_texts().items():
            archive.writestr(f"sources/{name}", text.encode("utf-8"))
    return path


def test_atlas_ti_round_trip_gives_back_every_selection(tmp_path: Path,
                                                        project: Project) -> None:
    original = coded_selections(ATLAS.read_bytes())
    # 5 coded text selections in the file, one with three codes: 7 codings.
    assert sum(original.values()) == 7
    back = round_trip(project, atlas_qdpx(tmp_path / "atlas.qdpx"), tmp_path / "back.qdpx")
    assert coded_selections(qde_of(back)) == original
    texts = atlas_texts()
    root = ET.fromstring(ATLAS.read_bytes())
    with zipfile.ZipFile(back) as archive:
        for source in root.iterfind("q:Sources/q:TextSource", NS):
            # every text goes back as it came, CRLF line breaks and all
            written = archive.read(f"sources/{source.get('guid')}.txt").decode("utf-8")
            assert written == texts[source.get("plainTextPath", "")[len("internal://"):]]
    assert {d.unit for d in import_qdpx(project, back, coder="importer").documents} == {
        "code points, CRLF as 1 (ATLAS.ti)"}


def test_qcode_to_qcode_keeps_the_spans(tmp_path: Path, nvivo_export: tuple[Project, Path]
                                        ) -> None:
    _project, back = nvivo_export
    with Project.create(tmp_path / "again.db") as again:
        import_qdpx(again, back, coder="importer")
        export_qdpx(again, tmp_path / "again.qdpx")
    assert coded_selections(qde_of(tmp_path / "again.qdpx")) == coded_selections(qde_of(NVIVO))


# -- names as the other tool showed them ------------------------------------------------

NAMES_QDE = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="names" origin="Some Tool">
 <CodeBook><Codes>
  <Code guid="A0000000-0000-4000-8000-000000000001" name="a" isCodable="true">
   <Code guid="A0000000-0000-4000-8000-000000000002" name="b" isCodable="true">
    <Code guid="A0000000-0000-4000-8000-000000000003" name="citizenship" isCodable="true"/>
   </Code>
  </Code>
  <Code guid="A0000000-0000-4000-8000-000000000004" name="c" isCodable="true">
   <Code guid="A0000000-0000-4000-8000-000000000005" name="citizenship" isCodable="true"/>
  </Code>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="B0000000-0000-4000-8000-000000000001"
              plainTextPath="internal://Interview%20with%20Ana.txt">
   <PlainTextSelection guid="C0000000-0000-4000-8000-000000000001" startPosition="0"
                       endPosition="5">
    <Coding guid="D0000000-0000-4000-8000-000000000001">
     <CodeRef targetGUID="A0000000-0000-4000-8000-000000000003"/></Coding>
    <Coding guid="D0000000-0000-4000-8000-000000000002">
     <CodeRef targetGUID="A0000000-0000-4000-8000-000000000005"/></Coding>
   </PlainTextSelection>
  </TextSource>
 </Sources>
</Project>"""


def test_names_as_the_other_tool_showed_them(tmp_path: Path, project_path: Path) -> None:
    from tests.conftest import Cli
    from tests.refusals import assert_refused, digest

    path = tmp_path / "names.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", NAMES_QDE)
        archive.writestr("sources/Interview with Ana.txt", "Hello there.\n\nSecond one.")
    cli = Cli(project_path)
    assert cli("init").exit_code == 0
    assert cli("import", str(path)).exit_code == 0
    with Project.open(project_path) as project:
        # a source without a name is named after its text file
        assert [d.document.name for d in project.documents()] == ["Interview with Ana"]
        # two codes named alike under different parents stay two codes, each coded
        assert sorted(project.code_path(c) for c in project.codes()
                      if c.name == "citizenship") == ["a/b/citizenship", "c/citizenship"]
        assert project.status()["codings"] == 2
    before = digest(project_path)
    result = cli("tag", "Interview with Ana", "2", "citizenship")
    assert_refused(result, "code name 'citizenship' is ambiguous: did you mean "
                           "'a/b/citizenship' or 'c/citizenship'?")
    assert digest(project_path) == before
    assert cli("tag", "Interview with Ana", "2", "c/citizenship").exit_code == 0
