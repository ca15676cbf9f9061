"""The three real REFI-QDA projects in samples/ import, with their counts checked against
what the files themselves hold (read here independently with ElementTree)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from qcode import Project
from qcode.exchange.refi_plan import ImportReport
from qcode.exchange.refi_qdpx import import_qdpx

SAMPLES = Path(__file__).parent / "samples"
NVIVO = SAMPLES / "nvivo-win-12.6__oltas0517.qdpx"
MAXQDA = SAMPLES / "maxqda-24__icls-themes.qdpx"
ATLAS = SAMPLES / "atlasti-mac-8.4__spec-annex-example.qde"
NS = {"q": "urn:QDA-XML:project:1.0"}


@pytest.fixture(scope="module")
def nvivo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, ImportReport]:
    folder = tmp_path_factory.mktemp("nvivo")
    project = Project.create(folder / "nvivo.db")
    report = import_qdpx(project, NVIVO, coder="importer")
    yield project, report  # type: ignore[misc]
    project.close()


def nvivo_selections() -> list[tuple[str, str, str, str]]:
    """(source guid, selected text, code guid, user guid) for every coded selection, with
    positions read the way NVivo counts them: UTF-16 units of the BOM-less text, CRLF 2."""
    found = []
    with zipfile.ZipFile(NVIVO) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        for source in root.iterfind("q:Sources/q:TextSource", NS):
            guid = source.get("guid", "")
            raw = archive.read(f"Sources/{guid}.txt").decode("utf-8-sig")
            units = raw.encode("utf-16-le")
            for selection in source.iterfind("q:PlainTextSelection", NS):
                start = int(selection.get("startPosition", "")) * 2
                end = int(selection.get("endPosition", "")) * 2
                text = units[start:end].decode("utf-16-le").replace("\r\n", "\n")
                for coding in selection.iterfind("q:Coding", NS):
                    code = coding.find("q:CodeRef", NS)
                    assert code is not None
                    found.append((guid.upper(), text, code.get("targetGUID", "").upper(),
                                  coding.get("creatingUser", "").upper()))
    return found


def counted_in_file(path: Path) -> dict[str, int]:
    """Sources, codes, selections and (selection, code) codings, counted in the file."""
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("project.qde"))
    selections = root.findall(".//q:PlainTextSelection", NS)
    return {"sources": len(root.findall("q:Sources/q:TextSource", NS)),
            "codes": len(root.findall(".//q:CodeBook//q:Code", NS)),
            "selections": len(selections),
            "codings": sum(len(s.findall("q:Coding", NS)) for s in selections)}


def test_nvivo_counts(nvivo: tuple[Project, ImportReport]) -> None:
    project, report = nvivo
    expected = counted_in_file(NVIVO)
    assert expected == {"sources": 2, "codes": 152, "selections": 303, "codings": 303}
    assert len(report.documents_added) == expected["sources"]
    assert len(report.codes_added) == expected["codes"]
    assert report.selections == expected["selections"]
    assert report.codings_mapped == expected["codings"]
    assert (report.count("whole"), report.count("partial"), report.count("spanning"),
            report.count("unplaced")) == (282, 21, 0, 0)
    # Two selections of one code by one coder in the same comment are one coding here.
    assert report.codings_added == 302
    assert project.status()["codings"] == 302
    assert {d.unit for d in report.documents} == {"UTF-16 code units, CRLF as 2 (NVivo)"}


def test_every_nvivo_selection_lands_on_its_text(nvivo: tuple[Project, ImportReport]) -> None:
    project, _report = nvivo
    expected = nvivo_selections()
    assert len(expected) == 303
    coded: dict[tuple[str, str, str], list[str]] = {}
    for row in project.conn.execute(
        "SELECT d.guid, c.guid, k.guid, p.text FROM codings g "
        "JOIN paragraphs p ON p.id = g.paragraph_id JOIN documents d ON d.id = p.document_id "
        "JOIN codes c ON c.id = g.code_id JOIN coders k ON k.id = g.coder_id"
    ):
        coded.setdefault((row[0], row[1], row[2]), []).append(row[3])
    for source, text, code, user in expected:
        paragraphs = coded[(source, code, user)]
        assert any(text.strip() in paragraph for paragraph in paragraphs), text[:60]


def test_nvivo_codings_keep_their_coders(nvivo: tuple[Project, ImportReport]) -> None:
    project, _report = nvivo
    users = {"29518289-D0E3-447B-B7DD-AE1D8CD880A0": "Gergo",
             "EAAC2CD0-F7F0-415A-ABDD-AE1D8F6762DE": "floriansipos"}
    for guid, name in users.items():
        assert project.find_coder(name).guid == guid
    in_file = Counter(users[user] for *_rest, user in nvivo_selections())
    in_project = Counter(r[0] for r in project.conn.execute(
        "SELECT k.name FROM codings g JOIN coders k ON k.id = g.coder_id"))
    assert in_file == Counter({"Gergo": 303})
    assert in_project == Counter({"Gergo": 302})


def test_nvivo_code_tree_is_four_levels_deep(nvivo: tuple[Project, ImportReport]) -> None:
    project, _report = nvivo
    depths = Counter(depth for _code, depth in project.code_tree())
    assert sum(depths.values()) == 152
    assert max(depths) == 3  # four levels: depths 0–3
    description = project.code("1. Oltás típusa").definition
    assert description == "COVID vay nem COVID"


def test_nvivo_text_is_kept_exactly_with_lf(nvivo: tuple[Project, ImportReport]) -> None:
    project, _report = nvivo
    with zipfile.ZipFile(NVIVO) as archive:
        for summary in project.documents():
            raw = archive.read(f"Sources/{summary.document.guid.lower()}.txt")
            assert project.document_text(summary.document.id) == \
                raw.decode("utf-8-sig").replace("\r\n", "\n")
            # a text of one comment field per line is divided line by line
            assert summary.paragraphs > 15_000


def test_maxqda_sample(project: Project) -> None:
    report = import_qdpx(project, MAXQDA, coder="importer")
    assert len(report.documents_added) == 10
    assert len(report.codes_added) == 307
    assert report.selections == 0 and not report.skipped
    with zipfile.ZipFile(MAXQDA) as archive:
        for summary in project.documents():
            raw = archive.read(f"sources/{summary.document.guid}.txt").decode("utf-8")
            assert project.document_text(summary.document.id) == raw.replace("\r\n", "\n")
    sets = Counter(s.attributes.get("set") for s in project.documents())
    assert sets == Counter({"ICLS 2024": 5, "ICLS 2025": 5})
    parent = project.code("Additional Themes and Ideas")
    assert parent.colour == "#EF8256" and parent.definition.startswith("This category")


def test_atlas_ti_sample(project: Project) -> None:
    report = import_qdpx(project, ATLAS, coder="importer")
    assert report.documents_added == [] and len(report.codes_added) == 14
    assert len(report.skipped) == 12
    assert sum("a bare .qde carries no source files" in s for s in report.skipped) == 6
    coke = project.code("Coke")
    assert sorted(c.name for c in project.codes() if c.parent_id == coke.id) == \
        ["diet Coke", "full-fat Coke"]
    memo = project.memo("project", None, "Friedrich Markgraf")
    assert memo is not None
    assert memo.startswith("Research Plan\n\nThis is a great project")
    assert "My favorite Coke ad" in memo
