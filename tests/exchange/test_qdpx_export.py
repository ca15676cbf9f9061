"""`qcode export FILE.qdpx`: a schema-valid REFI-QDA project that imports back losslessly."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import Any

import pytest
import xmlschema

from qcode import Project
from qcode.core.errors import QcodeError
from qcode.exchange.refi_qdpx import import_qdpx
from qcode.exchange.refi_qdpx_export import export_qdpx
from tests.conftest import Cli

SCHEMA = Path(__file__).parent / "schemas" / "Project.xsd"
NS = {"q": "urn:QDA-XML:project:1.0"}
DOC = "sieca-kozlowski-2009"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA))


@pytest.fixture
def coded(study: Project) -> Project:
    """The study coded by two coders, with memos of every kind and attributes."""
    doc = study.document(DOC)
    para = {ref: study.paragraph(doc, ref).id for ref in ("§12", "§8.1", "note 3", "§13 quote")}
    regional, law = study.code("regional variation"), study.code("2006 NGO law")
    study.tag([para["§12"], para["§8.1"], para["§13 quote"]], [regional.id], coder="alice")
    study.tag([para["§12"]], [regional.id, law.id], coder="bob")
    study.set_coding_memo(para["§12"], regional.id, "Bob: the regions <differ> & so on",
                          coder="bob")
    study.set_memo("paragraph", para["note 3"], "a footnote worth a look", coder="alice")
    study.set_memo("document", doc.id, "read twice", coder="alice")
    study.set_memo("code", regional.id, "merge with 'local'?", coder="bob")
    study.set_memo("project", None, "first pass done", coder="bob")
    study.set_attributes(doc, {"country": "Russia", "wave": "2009"}, coder="alice")
    return study


def snapshot(project: Project) -> dict[str, Any]:
    """Everything an export promises to carry, keyed by GUIDs rather than row ids."""
    q = project.conn.execute
    return {
        "documents": [(*tuple(r)[:-1], project.document_text(r[-1])) for r in q(
            "SELECT guid, name, title, kind, source, author, licence, language, id "
            "FROM documents ORDER BY guid")],
        "paragraphs": [tuple(r) for r in q(
            'SELECT d.guid, p.ordinal, p.label, p.section, p.speaker, p.text, p.start, p."end" '
            "FROM paragraphs p JOIN documents d ON d.id = p.document_id ORDER BY 1, 2")],
        "codes": [tuple(r) for r in q(
            "SELECT c.guid, c.name, up.guid, c.position, c.colour, c.short, c.definition, "
            "c.when_to_use, c.when_not_to_use, c.example, c.example_ref, c.codable "
            "FROM codes c LEFT JOIN codes up ON up.id = c.parent_id ORDER BY c.guid")],
        "codings": [tuple(r) for r in q(
            "SELECT g.guid, d.guid, p.ordinal, c.guid, k.guid, k.name, g.memo, g.created_at "
            "FROM codings g JOIN paragraphs p ON p.id = g.paragraph_id "
            "JOIN documents d ON d.id = p.document_id JOIN codes c ON c.id = g.code_id "
            "JOIN coders k ON k.id = g.coder_id ORDER BY g.guid")],
        "memos": [tuple(r) for r in q(
            "SELECT m.guid, m.target, COALESCE(d.guid, p.ordinal, c.guid), k.guid, m.text, "
            "m.created_at FROM memos m "
            "LEFT JOIN documents d ON m.target = 'document' AND d.id = m.target_id "
            "LEFT JOIN paragraphs p ON m.target = 'paragraph' AND p.id = m.target_id "
            "LEFT JOIN codes c ON m.target = 'code' AND c.id = m.target_id "
            "JOIN coders k ON k.id = m.coder_id ORDER BY m.guid")],
        "attributes": [tuple(r) for r in q(
            "SELECT d.guid, a.key, a.value FROM document_attributes a "
            "JOIN documents d ON d.id = a.document_id ORDER BY 1, 2")],
        "codebook": [tuple(r) for r in q(
            "SELECT key, value FROM meta WHERE key LIKE 'codebook%' ORDER BY key")],
    }


def test_export_is_valid_against_the_refi_qda_schema(
    coded: Project, tmp_path: Path, schema: xmlschema.XMLSchema
) -> None:
    out = export_qdpx(coded, tmp_path / "study.qdpx")
    with zipfile.ZipFile(out.path) as archive:
        qde = archive.read("project.qde")
    schema.validate(qde.decode("utf-8"))
    assert (out.documents, out.codes, out.codings, out.coders) == (1, 35, 5, 2)
    # four memos plus the memo on Bob's coding, each a Note
    assert out.memos == 5


def test_sources_hold_the_text_and_each_coding_selects_its_paragraph(
    coded: Project, tmp_path: Path
) -> None:
    export_qdpx(coded, tmp_path / "study.qdpx")
    doc = coded.document(DOC)
    with zipfile.ZipFile(tmp_path / "study.qdpx") as archive:
        root = ET.fromstring(archive.read("project.qde"))
        source = root.find("q:Sources/q:TextSource", NS)
        assert source is not None
        assert source.get("guid") == doc.guid
        assert source.get("plainTextPath") == f"internal://{doc.guid}.txt"
        text = archive.read(f"sources/{doc.guid}.txt").decode("utf-8")
    assert text == coded.document_text(doc.id)
    users = {u.get("name"): u.get("guid") for u in root.iterfind("q:Users/q:User", NS)}
    assert users == {c.name: c.guid for c in coded.coders()}
    codes = {c.guid: c.name for c in coded.codes()}
    selected = []
    for selection in source.iterfind("q:PlainTextSelection", NS):
        start, end = int(selection.get("startPosition", "")), int(selection.get("endPosition", ""))
        paragraph = coded.paragraph(doc, selection.get("name", ""))
        assert text[start:end] == paragraph.text
        for coding in selection.iterfind("q:Coding", NS):
            ref = coding.find("q:CodeRef", NS)
            assert ref is not None
            coder = next(n for n, g in users.items() if g == coding.get("creatingUser"))
            selected.append((paragraph.ref, codes[ref.get("targetGUID", "")], coder))
    assert sorted(selected) == sorted([
        ("§12", "regional variation", "alice"), ("§8.1", "regional variation", "alice"),
        ("§13 quote", "regional variation", "alice"), ("§12", "regional variation", "bob"),
        ("§12", "2006 NGO law", "bob"),
    ])


def test_attributes_become_variables_with_values_on_the_source(
    coded: Project, tmp_path: Path
) -> None:
    export_qdpx(coded, tmp_path / "study.qdpx")
    with zipfile.ZipFile(tmp_path / "study.qdpx") as archive:
        root = ET.fromstring(archive.read("project.qde"))
    names = {v.get("guid"): v.get("name") for v in root.iterfind("q:Variables/q:Variable", NS)}
    values = {
        names[v.find("q:VariableRef", NS).get("targetGUID")]: v.findtext("q:TextValue", None, NS)
        for v in root.iterfind("q:Sources/q:TextSource/q:VariableValue", NS)
    }
    assert values == coded.attributes(coded.document(DOC).id)
    assert values["country"] == "Russia"


def test_export_reimports_losslessly(coded: Project, tmp_path: Path) -> None:
    export_qdpx(coded, tmp_path / "study.qdpx")
    with Project.create(tmp_path / "copy.db") as copy:
        report = import_qdpx(copy, tmp_path / "study.qdpx", coder="carol")
        assert report.documents_added == [DOC]
        # five codings and the paragraph memo, each a selection of one whole paragraph
        assert report.count("whole") == report.selections == 6
        ours, theirs = snapshot(coded), snapshot(copy)
        for key in ours:
            assert theirs[key] == ours[key], key
        assert len(theirs["codings"]) == 5 and len(theirs["memos"]) == 4


def test_reimport_into_the_same_project_adds_nothing(coded: Project, tmp_path: Path) -> None:
    before = snapshot(coded)
    export_qdpx(coded, tmp_path / "study.qdpx")
    report = import_qdpx(coded, tmp_path / "study.qdpx", coder="alice")
    assert report.documents_matched == [DOC] and not report.documents_added
    assert (report.codings_added, report.codings_present) == (0, 5)
    assert (report.memos_added, report.memos_present) == (0, 4)
    assert snapshot(coded) == before


def test_another_coders_export_brings_their_codings_onto_the_same_document(
    study: Project, tmp_path: Path
) -> None:
    doc = study.document(DOC)
    # Bob works on a copy of the study and sends back a .qdpx.
    study.backup(tmp_path / "bob.db")
    with Project.open(tmp_path / "bob.db") as bob:
        p17 = bob.paragraph(bob.document(DOC), "§17").id
        bob.tag([p17], [bob.code("foreign funding").id], coder="bob")
        export_qdpx(bob, tmp_path / "bob.qdpx")
        bob_guid = bob.find_coder("bob").guid
    report = import_qdpx(study, tmp_path / "bob.qdpx", coder="alice")
    assert report.documents_matched == [DOC] and report.codings_added == 1
    (coding,) = study.codings_for_document(doc.id)[study.paragraph(doc, "§17").id]
    assert study.code_by_id(coding[0]).name == "foreign funding"
    assert study.find_coder("bob").guid == bob_guid
    assert study.paragraph_count(doc.id) == 56


def test_export_refuses_to_overwrite_without_force(coded: Project, tmp_path: Path) -> None:
    target = tmp_path / "study.qdpx"
    target.write_bytes(b"keep me")
    with pytest.raises(QcodeError, match=r"study\.qdpx: already exists; pass --force"):
        export_qdpx(coded, target)
    assert target.read_bytes() == b"keep me"
    export_qdpx(coded, target, force=True)
    assert zipfile.is_zipfile(target)
    assert not list(tmp_path.glob("*.partial"))


def test_an_empty_project_exports_valid_xml(
    project: Project, tmp_path: Path, schema: xmlschema.XMLSchema
) -> None:
    out = export_qdpx(project, tmp_path / "empty.qdpx")
    with zipfile.ZipFile(out.path) as archive:
        schema.validate(archive.read("project.qde").decode("utf-8"))
        assert archive.namelist() == ["project.qde", "qcode.json"]


def test_exporting_twice_keeps_every_guid(coded: Project, tmp_path: Path) -> None:
    def guids(path: Path) -> list[str]:
        with zipfile.ZipFile(path) as archive:
            root = ET.fromstring(archive.read("project.qde"))
        return [e.get("guid", "") for e in root.iter() if e.get("guid")]

    export_qdpx(coded, tmp_path / "a.qdpx")
    export_qdpx(coded, tmp_path / "b.qdpx")
    first, second = guids(tmp_path / "a.qdpx"), guids(tmp_path / "b.qdpx")
    assert first == second
    assert len(first) == len(set(first))


def test_cli_export_and_import(study_cli: Cli, tmp_path: Path) -> None:
    assert study_cli("tag", DOC, "§12", "regional variation").exit_code == 0
    target = tmp_path / "out.qdpx"
    result = study_cli("export", str(target))
    assert result.exit_code == 0, result.output
    assert "1 documents, 35 codes, 1 codings" in " ".join(result.output.split())
    again = study_cli("export", str(target))
    assert again.exit_code == 2 and "already exists" in again.output
    assert study_cli("export", str(target), "--force").exit_code == 0
    wrong = study_cli("export", str(tmp_path / "out.zip"))
    assert wrong.exit_code == 2 and "ends in .qdpx" in wrong.output
    copy = Cli(tmp_path / "copy.db")
    assert copy("init").exit_code == 0
    imported = copy("import", str(target))
    assert imported.exit_code == 0, imported.output
    said = " ".join(imported.output.split())
    assert "1 documents added" in said and "1 codings added" in said
    conn = sqlite3.connect(copy.path)
    assert conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0] == 1
    conn.close()
