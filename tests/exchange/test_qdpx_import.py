"""`qcode import FILE.qdpx`: selections placed on paragraphs by the stated rule, offsets
read in the writer's unit, hostile archives refused, and a failed import changing nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from qcode import Project
from qcode.core import coded_import as imports
from qcode.core.errors import ImportFailed, QcodeError
from qcode.exchange.refi_qdpx import import_qdpx, plan_import
from tests.conftest import Cli

ALICE = "11111111-1111-4111-8111-111111111111"
BOB = "22222222-2222-4222-8222-222222222222"
PARENT = "AAAAAAAA-0000-4000-8000-000000000001"
CHILD = "AAAAAAAA-0000-4000-8000-000000000002"
SOURCE = "BBBBBBBB-0000-4000-8000-000000000001"
SECOND = "BBBBBBBB-0000-4000-8000-000000000002"
# Windows line breaks, and emoji (two UTF-16 units each) before the later paragraphs.
RAW = ("Opening words here.\r\n\r\nWe met 🙂🙂🙂 the ministry people.\r\n\r\n"
       "Regional offices differ 🙂 a lot.\r\n\r\nClosing remark.")


def utf16(raw: str, index: int) -> int:
    """A code-point index as NVivo counts it: UTF-16 units, CRLF as 2."""
    return len(raw[:index].encode("utf-16-le")) // 2


def span(raw: str, needle: str, *, unit: str = "utf16") -> tuple[int, int]:
    start = raw.index(needle)
    end = start + len(needle)
    if unit == "utf16":
        return utf16(raw, start), utf16(raw, end)
    return start, end


def selection(guid: int, where: tuple[int, int], code: str, user: str | None = ALICE) -> str:
    who = f' creatingUser="{user}"' if user else ""
    return (f'<PlainTextSelection guid="CCCCCCCC-0000-4000-8000-{guid:012d}" '
            f'startPosition="{where[0]}" endPosition="{where[1]}">'
            f'<Coding guid="DDDDDDDD-0000-4000-8000-{guid:012d}"{who}>'
            f'<CodeRef targetGUID="{code}"/></Coding></PlainTextSelection>')


def project_xml(origin: str, selections: str, *, extra_sources: str = "") -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="{origin}">
 <Users><User guid="{ALICE}" name="Alice Field"/><User guid="{BOB}" name="Bob"/></Users>
 <CodeBook><Codes>
  <Code guid="{PARENT}" name="Relations" isCodable="true" color="#abc">
   <Description>contacts</Description>
   <Code guid="{CHILD}" name="regional" isCodable="true"/>
  </Code>
 </Codes></CodeBook>
 <Sources>
  <TextSource guid="{SOURCE}" name="interview one" plainTextPath="internal://{SOURCE}.txt">
   {selections}
  </TextSource>
  {extra_sources}
 </Sources>
</Project>"""


def make_qdpx(path: Path, xml: str, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", xml)
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def nvivo_like(tmp_path: Path, origin: str = "NVivo for Windows 12.6") -> Path:
    selections = "".join([
        selection(1, span(RAW, "We met 🙂🙂🙂 the ministry people."), CHILD),
        selection(2, span(RAW, "offices differ"), CHILD, user=BOB),
        selection(3, span(RAW, "here.\r\n\r\nWe met"), PARENT),
        selection(4, span(RAW, "\r\n\r\nClosing"[:4]), CHILD),
        selection(5, span(RAW, "Closing remark."), PARENT, user=None),
        selection(6, span(RAW, "Opening"), "EEEEEEEE-0000-4000-8000-000000000001"),
    ])
    return make_qdpx(tmp_path / "field.qdpx", project_xml(origin, selections),
                     {f"Sources/{SOURCE.lower()}.txt": b"\xef\xbb\xbf" + RAW.encode()})


def placed(project: Project) -> set[tuple[str, str, str]]:
    doc = project.document("interview one")
    texts = {p.id: p.text for p in project.paragraphs(doc.id)}
    coders = {c.id: c.name for c in project.coders()}
    return {(texts[pid], project.code_by_id(code).name, coders[coder])
            for pid, pairs in project.codings_for_document(doc.id).items()
            for code, coder in pairs}


def test_selections_land_on_the_paragraphs_they_overlap(project: Project, tmp_path: Path) -> None:
    report = import_qdpx(project, nvivo_like(tmp_path), coder="carol")
    assert placed(project) == {
        ("We met 🙂🙂🙂 the ministry people.", "regional", "Alice Field"),
        ("Regional offices differ 🙂 a lot.", "regional", "Bob"),
        ("Opening words here.", "Relations", "Alice Field"),
        ("We met 🙂🙂🙂 the ministry people.", "Relations", "Alice Field"),
        ("Closing remark.", "Relations", "carol"),  # no creatingUser: the importing coder
    }
    (document,) = report.documents
    # the selection of an unknown code ("Opening") is a partial one that codes nothing
    assert [len(getattr(document, k)) for k in ("whole", "partial", "spanning", "unplaced")] \
        == [2, 2, 1, 1]
    assert document.unknown_codes == 1
    assert report.codings_added == 5
    assert document.partial[0].excerpt == "offices differ"
    assert report.examples("spanning") == [
        "interview one ¶1–¶2: “here. We met” (spans 2 paragraphs; coded on each, the exact selection kept)"]
    assert "between paragraphs" in report.examples("unplaced")[0]
    assert document.unit.startswith("UTF-16 code units, CRLF as 2")


def test_file_users_become_coders_with_their_guids(project: Project, tmp_path: Path) -> None:
    import_qdpx(project, nvivo_like(tmp_path), coder="carol")
    assert project.find_coder("Alice Field").guid == ALICE
    assert project.find_coder("Bob").guid == BOB


def test_word_boundaries_choose_the_unit_when_the_origin_says_nothing(tmp_path: Path) -> None:
    plan = plan_import(nvivo_like(tmp_path, origin="Some Tool 3.1"), coder="carol")
    (document,) = plan.report.documents
    assert document.unit.startswith("UTF-16 code units, CRLF as 2")
    assert "word boundaries" in document.unit_reason
    assert document.partial[0].excerpt == "offices differ"


def test_code_points_are_the_default_unit(project: Project, tmp_path: Path) -> None:
    text = "Plain first paragraph.\n\nSecond 🙂 one here.\n\nThird one."
    selections = selection(1, span(text, "one here", unit="cp"), CHILD)
    path = make_qdpx(tmp_path / "std.qdpx", project_xml("QualCoder 3.5", selections),
                     {f"sources/{SOURCE}.txt": text.encode()})
    report = import_qdpx(project, path, coder="carol")
    assert report.documents[0].unit.startswith("code points")
    assert report.documents[0].partial[0].excerpt == "one here"


def test_codebook_colours_hierarchy_and_descriptions_arrive(project: Project, tmp_path: Path) -> None:
    import_qdpx(project, nvivo_like(tmp_path), coder="carol")
    parent, child = project.code(PARENT), project.code(CHILD)
    assert (parent.colour, parent.definition, child.parent_id) == ("#AABBCC", "contacts", parent.id)


def test_stored_text_keeps_the_source_with_lf_line_breaks(project: Project, tmp_path: Path) -> None:
    import_qdpx(project, nvivo_like(tmp_path), coder="carol")
    doc = project.document("interview one")
    text = project.document_text(doc.id)
    assert text == RAW.replace("\r\n", "\n")
    assert all(text[p.start:p.end] == p.text for p in project.paragraphs(doc.id))


def test_sources_without_text_are_skipped_not_fatal(project: Project, tmp_path: Path) -> None:
    media = (f'<PDFSource guid="{SECOND}" name="scan.pdf" path="internal://{SECOND}.pdf"/>'
             '<TextSource guid="BBBBBBBB-0000-4000-8000-000000000003" name="gone" '
             'plainTextPath="internal://missing.txt"/>'
             '<TextSource guid="BBBBBBBB-0000-4000-8000-000000000004" name="title only">'
             "<PlainTextContent>INTRODUCTION</PlainTextContent></TextSource>"
             '<TextSource guid="BBBBBBBB-0000-4000-8000-000000000005" name="inline">'
             "<PlainTextContent>Text kept in the project file itself.</PlainTextContent>"
             f"{selection(7, (5, 9), CHILD)}</TextSource>")
    path = make_qdpx(tmp_path / "mixed.qdpx",
                     project_xml("NVivo", selection(1, (0, 4), CHILD), extra_sources=media),
                     {f"sources/{SOURCE}.txt": RAW.encode()})
    report = import_qdpx(project, path, coder="carol")
    assert report.documents_added == ["interview one", "inline"]
    assert report.skipped == ["scan.pdf (PDF): qcode codes text only",
                              "gone (text): internal://missing.txt is not in the archive",
                              "title only (text): it has no paragraphs, only headings"]
    assert report.documents[1].partial[0].excerpt == "kept"


def test_notes_become_memos_on_their_targets(project: Project, tmp_path: Path) -> None:
    sel = selection(1, span(RAW, "Closing remark."), CHILD).replace(
        "</Coding>", '<NoteRef targetGUID="FFFFFFFF-0000-4000-8000-000000000001"/></Coding>')
    xml = project_xml("MAXQDA 24", sel).replace("</Sources>", f"""</Sources>
 <Notes>
  <Note guid="FFFFFFFF-0000-4000-8000-000000000001" creatingUser="{BOB}">
   <PlainTextContent>why closing?</PlainTextContent></Note>
  <Note guid="FFFFFFFF-0000-4000-8000-000000000002" name="Plan" creatingUser="{BOB}">
   <PlainTextContent>code the rest</PlainTextContent></Note>
 </Notes>""")
    path = make_qdpx(tmp_path / "notes.qdpx", xml, {f"sources/{SOURCE}.txt": RAW.encode()})
    import_qdpx(project, path, coder="carol")
    doc = project.document("interview one")
    closing = project.paragraphs(doc.id)[-1]
    assert project.coding_memo(closing.id, project.code(CHILD).id, "Alice Field") == "why closing?"
    assert project.memo("project", None, "Bob") == "Plan\n\ncode the rest"


# -- hostile and broken files: refused, and nothing changes --------------------------


def state(project: Project, folder: Path) -> tuple[int, int, int, list[str]]:
    one = project.conn.execute
    return (one("SELECT COUNT(*) FROM documents").fetchone()[0],
            one("SELECT COUNT(*) FROM codes").fetchone()[0],
            one("SELECT COUNT(*) FROM events").fetchone()[0],
            sorted(p.name for p in folder.glob("*.bak")))


def test_zip_slip_is_refused(project: Project, tmp_path: Path) -> None:
    path = make_qdpx(tmp_path / "slip.qdpx", project_xml("NVivo", ""),
                     {"../../outside.txt": b"gotcha"})
    before = state(project, tmp_path)
    with pytest.raises(ImportFailed, match=r"slip\.qdpx: .*'\.\./\.\./outside\.txt'.*zip slip"):
        import_qdpx(project, path, coder="carol")
    assert state(project, tmp_path) == before
    assert not (tmp_path.parent / "outside.txt").exists()


def test_zip_bomb_is_refused(project: Project, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("project.qde", project_xml("NVivo", ""))
        archive.writestr(f"sources/{SOURCE}.txt", b"\0" * (40 * 1024 * 1024))
    path = tmp_path / "bomb.qdpx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ImportFailed, match="zip bomb"):
        import_qdpx(project, path, coder="carol")
    assert state(project, tmp_path)[:3] == (0, 0, 0)


def test_entity_expansion_is_refused(project: Project, tmp_path: Path) -> None:
    xml = ('<?xml version="1.0"?><!DOCTYPE Project [<!ENTITY a "aaaaaaaaaa">'
           '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
           '<Project xmlns="urn:QDA-XML:project:1.0" name="&b;"/>')
    path = make_qdpx(tmp_path / "laughs.qdpx", xml, {})
    with pytest.raises(ImportFailed, match=r"laughs\.qdpx: project\.qde: .*DTD"):
        import_qdpx(project, path, coder="carol")
    assert state(project, tmp_path)[:3] == (0, 0, 0)


BREAKAGES = {
    "a position that is not a number": (
        lambda xml: xml.replace('startPosition="', 'startPosition="x', 1),
        r"bad\.qdpx: project\.qde: line \d+: <PlainTextSelection> startPosition='x\d+' is not"),
    "not a project": (
        lambda xml: xml.replace("<Project ", "<Projekt ").replace("</Project>", "</Projekt>"),
        "the document is <Projekt>, not a REFI-QDA project"),
    "a coding without a code": (
        lambda xml: xml.replace(f'<CodeRef targetGUID="{CHILD}"/>', "", 1),
        r"line \d+: a <Coding> has no <CodeRef>"),
    "truncated XML": (lambda xml: xml[: len(xml) // 2], "not well-formed XML"),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_bad_file_changes_nothing(project: Project, tmp_path: Path, breakage: str) -> None:
    edit, message = BREAKAGES[breakage]
    with zipfile.ZipFile(nvivo_like(tmp_path)) as archive:
        xml = edit(archive.read("project.qde").decode())
        text = archive.read(f"Sources/{SOURCE.lower()}.txt")
    path = make_qdpx(tmp_path / "bad.qdpx", xml, {f"sources/{SOURCE}.txt": text})
    before = state(project, tmp_path)
    with pytest.raises(QcodeError, match=message):
        import_qdpx(project, path, coder="carol")
    assert state(project, tmp_path) == before


def test_a_crash_leaves_each_document_whole_or_absent(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = RAW.replace("Opening", "Another")
    sources = (f'<TextSource guid="{SECOND}" name="interview two" '
               f'plainTextPath="internal://{SECOND}.txt">'
               f'{selection(9, span(other, "Another words"), CHILD)}</TextSource>')
    xml = project_xml("NVivo", selection(1, span(RAW, "Opening words"), CHILD),
                      extra_sources=sources)
    path = make_qdpx(tmp_path / "two.qdpx", xml, {f"sources/{SOURCE}.txt": RAW.encode(),
                                                  f"sources/{SECOND}.txt": other.encode()})
    real = imports.coding_rows
    calls = []

    def crash_on_second(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 2:  # the second document's row and paragraphs are already written
            raise OSError("disk unplugged")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(imports, "coding_rows", crash_on_second)
    with pytest.raises(Exception, match="disk unplugged"):
        import_qdpx(project, path, coder="carol")
    assert [d.document.name for d in project.documents()] == ["interview one"]
    assert project.conn.execute("SELECT COUNT(*) FROM paragraphs").fetchone()[0] == 4
    assert project.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0] == 1


def test_an_import_is_undone_document_by_document(project: Project, tmp_path: Path) -> None:
    import_qdpx(project, nvivo_like(tmp_path), coder="carol")
    assert project.undo(coder="carol").startswith("import interview one")
    assert project.documents() == []
    assert project.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0] == 0
    project.redo(coder="carol")
    assert len(placed(project)) == 5


def test_a_backup_is_made_before_writing(project: Project, tmp_path: Path) -> None:
    report = import_qdpx(project, nvivo_like(tmp_path), coder="carol")
    assert report.backup is not None and ".before-import." in report.backup
    with Project.open(report.backup) as copy:
        assert copy.documents() == []


def test_cli_import_prints_the_mapping_report(cli: Cli, tmp_path: Path) -> None:
    path = nvivo_like(tmp_path)
    assert cli("init").exit_code == 0
    result = cli("import", str(path))
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "6 selections → 5 codings (2 whole, 2 partial, 1 spanning, 1 unplaced)" in said
    assert "1 selections span several paragraphs" in said
    assert "1 codings name codes not in the codebook" in said
    mixed = cli("import", str(path), str(tmp_path / "notes.txt"))
    assert mixed.exit_code == 2 and "on their own" in mixed.output
    named = cli("import", str(path), "--name", "x")
    assert named.exit_code == 2 and "do not apply" in named.output


def test_codes_with_other_guids_but_the_same_name_are_the_same_code(
    project: Project, tmp_path: Path
) -> None:
    relations = project.add_code("relations", coder="dana")  # folded: matches "Relations"
    project.add_code("Regional", coder="dana", parent=relations)
    report = import_qdpx(project, nvivo_like(tmp_path), coder="carol")
    assert report.codes_added == []
    assert len(project.codes()) == 2
    assert "2 codes of the file matched codes here by name" in report.notes[0]
    regional = project.code("relations/regional")
    assert regional.guid != CHILD
    # the file's codings of its "regional" are on the code that was here
    assert project.code_counts()[regional.id] == 2


def test_a_qcode_text_coded_elsewhere_lands_on_its_own_paragraphs(
    study: Project, tmp_path: Path
) -> None:
    """qcode → NVivo → qcode: the text comes back with CRLF and a BOM, the selections in
    UTF-16 units, and they land on the project's own paragraphs (labels and all), not on
    paragraphs split afresh from the text."""
    doc = study.document("sieca-kozlowski-2009")
    text = study.document_text(doc.id)
    raw = text.replace("\n", "\r\n")
    p12, quote = study.paragraph(doc, "§12"), study.paragraph(doc, "§13 quote")
    phrase = p12.text[10:60]
    selections = selection(1, span(raw, phrase), CHILD) + selection(
        2, span(raw, quote.text), PARENT)
    xml = project_xml("NVivo for Windows 14", selections).replace(SOURCE, doc.guid)
    path = make_qdpx(tmp_path / "back.qdpx", xml,
                     {f"Sources/{doc.guid}.txt": b"\xef\xbb\xbf" + raw.encode()})
    report = import_qdpx(study, path, coder="carol")
    assert report.documents_matched == ["sieca-kozlowski-2009"]
    assert report.documents[0].layout == "the paragraphs of the same text already here"
    assert [p.refs for p in report.documents[0].in_order] == [("§12",), ("§13 quote",)]
    codings = study.codings_for_document(doc.id)
    assert [study.code_by_id(c).guid for c, _k in codings[p12.id]] == [CHILD]
    assert [study.code_by_id(c).guid for c, _k in codings[quote.id]] == [PARENT]
    assert study.paragraph_count(doc.id) == 56
