"""Exact spans through everything that edits codings: untag and undo, code merges,
project merges and `qcode check`; and the export joining a selection's pieces back.

The file is NVivo-like (UTF-16 units, CRLF, emoji), so every position the export writes
is checked against numbers computed here from the raw text with ``utf16``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from qcode import Project
from qcode.core.store.check import check
from qcode.exchange.refi_qdpx import import_qdpx
from qcode.exchange.refi_qdpx_export import export_qdpx
from tests.conftest import Cli
from tests.exchange.test_qdpx_import import (
    CHILD,
    PARENT,
    SOURCE,
    make_qdpx,
    project_xml,
    selection,
    utf16,
)
from tests.refusals import assert_refused, digest

NS = {"q": "urn:QDA-XML:project:1.0"}
RAW = ("First 🙂 paragraph, about the ministry.\r\n\r\nSecond one 🙂🙂 goes on.\r\n\r\n"
       "Third paragraph ends here.\r\n\r\nFourth, the last.")
ACROSS = ("ministry.", "ends")  # a selection from paragraph 1 into paragraph 3
TWICE = ("Second", "goes")      # two selections of one code in paragraph 2


def units(needle: str, *, end: bool = False) -> int:
    at = RAW.index(needle) + (len(needle) if end else 0)
    return utf16(RAW, at)


def field_file(tmp_path: Path, extra: str = "") -> Path:
    across = (units(ACROSS[0]), units(ACROSS[1], end=True))
    selections = "".join([
        selection(1, across, CHILD),
        selection(2, (units(TWICE[0]), units(TWICE[0], end=True)), PARENT),
        selection(3, (units(TWICE[1]), units(TWICE[1], end=True)), PARENT),
        extra,
    ])
    return make_qdpx(tmp_path / "field.qdpx", project_xml("NVivo 12", selections),
                     {f"Sources/{SOURCE.lower()}.txt": b"\xef\xbb\xbf" + RAW.encode()})


def exported(project: Project, path: Path) -> list[tuple[str, int, int]]:
    """(code GUID, start, end) of every coding the export writes, in file order."""
    export_qdpx(project, path, force=True)
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("project.qde"))
    return sorted((c.find("q:CodeRef", NS).get("targetGUID"), int(s.get("startPosition", "")),  # type: ignore[union-attr]
                   int(s.get("endPosition", "")))
                  for s in root.iterfind(".//q:PlainTextSelection", NS)
                  for c in s.iterfind("q:Coding", NS))


def spans_of(project: Project) -> list[tuple[int, list[dict[str, object]]]]:
    return [(ordinal, json.loads(spans)) for ordinal, spans in project.conn.execute(
        "SELECT p.ordinal, c.spans FROM codings c JOIN paragraphs p ON p.id = c.paragraph_id "
        "ORDER BY p.ordinal, c.id")]


def test_a_selection_across_paragraphs_leaves_pieces_that_meet(project: Project,
                                                              tmp_path: Path) -> None:
    import_qdpx(project, field_file(tmp_path), coder="carol")
    text = project.document_text(project.document("interview one").id)
    paragraphs = project.paragraphs(project.document("interview one").id)
    start = text.index(ACROSS[0])
    end = text.index(ACROSS[1]) + len(ACROSS[1])
    pieces = [(o, [(s["start"], s["end"]) for s in spans])
              for o, spans in spans_of(project) if spans[0].get("selection", "").endswith("1")]
    assert pieces == [(1, [(start, paragraphs[1].start)]),
                      (2, [(paragraphs[1].start, paragraphs[2].start)]),
                      (3, [(paragraphs[2].start, end)])]
    first, _middle, last = (spans for o, spans in spans_of(project) if o in (1, 2, 3)
                            and spans[0]["selection"].endswith("1"))
    # NVivo's own numbers where the selection starts and ends, none in between
    assert first[0]["source_start"] == units(ACROSS[0]) and "source_end" not in first[0]
    assert last[0]["source_end"] == units(ACROSS[1], end=True)


def test_the_export_joins_the_pieces_and_keeps_both_selections_in_one_paragraph(
        project: Project, tmp_path: Path) -> None:
    import_qdpx(project, field_file(tmp_path), coder="carol")
    assert project.status()["codings"] == 4  # 3 pieces + 1 coding holding two spans
    assert exported(project, tmp_path / "out.qdpx") == sorted([
        (CHILD, units(ACROSS[0]), units(ACROSS[1], end=True)),
        (PARENT, units(TWICE[0]), units(TWICE[0], end=True)),
        (PARENT, units(TWICE[1]), units(TWICE[1], end=True)),
    ])


def test_untagging_the_middle_splits_the_selection_and_undo_joins_it(
        project: Project, tmp_path: Path) -> None:
    import_qdpx(project, field_file(tmp_path), coder="carol")
    doc = project.document("interview one")
    middle = project.paragraph(doc, 2)
    before = exported(project, tmp_path / "a.qdpx")
    coder = project.find_coder("Alice Field").name
    project.untag([middle.id], [project.code("regional").id], coder=coder)
    third = project.paragraph(doc, 3)
    # what remains: the first piece up to the second paragraph, the last from the third
    assert exported(project, tmp_path / "b.qdpx") == sorted([
        (CHILD, units(ACROSS[0]), utf16(RAW, RAW.index("Second"))),
        (CHILD, utf16(RAW, RAW.index("Third")), units(ACROSS[1], end=True)),
        (PARENT, units(TWICE[0]), units(TWICE[0], end=True)),
        (PARENT, units(TWICE[1]), units(TWICE[1], end=True)),
    ])
    assert third.text.startswith("Third")
    project.undo(coder=coder)
    assert exported(project, tmp_path / "c.qdpx") == before
    assert check(project.conn).healthy


def test_merging_codes_keeps_the_spans_of_both(project: Project, tmp_path: Path) -> None:
    import_qdpx(project, field_file(tmp_path), coder="carol")
    before = spans_of(project)
    project.merge_codes(project.code("regional"), project.code("Relations"), coder="carol")
    after = dict(spans_of(project))
    # paragraph 2 had both codes by Alice: one coding now, holding all three spans
    assert sorted((s["start"], s["end"]) for s in after[2]) == sorted(
        (s["start"], s["end"]) for o, spans in before if o == 2 for s in spans)
    assert check(project.conn).healthy
    project.undo(coder="carol")
    assert spans_of(project) == before
    assert check(project.conn).healthy


def test_a_project_merge_brings_the_spans(project: Project, tmp_path: Path) -> None:
    import_qdpx(project, field_file(tmp_path), coder="carol")
    with Project.create(tmp_path / "other.db") as other:
        report = other.merge_project(project.path, coder="dora")
        assert report.codings_added == 4
        assert exported(other, tmp_path / "o.qdpx") == exported(project, tmp_path / "p.qdpx")
        assert check(other.conn).healthy
        # merging again adds nothing and widens nothing
        again = other.merge_project(project.path, coder="dora")
        assert not again.changed


def test_check_finds_a_span_outside_its_document(project: Project, tmp_path: Path) -> None:
    import_qdpx(project, field_file(tmp_path), coder="carol")
    project.conn.execute("UPDATE codings SET spans = ? WHERE id = (SELECT MIN(id) FROM codings)",
                         (json.dumps([{"start": 5, "end": 99999}]),))
    problems = check(project.conn).problems
    assert any("lies outside its document" in p for p in problems), problems
    assert any(p.startswith("codings: 1 rows differ from the log") for p in problems), problems


def test_a_selection_outside_its_source_is_refused(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    outside = selection(9, (units(ACROSS[0]), 5000), CHILD)
    before = digest(cli.path)
    result = cli("import", str(field_file(tmp_path, outside)))
    assert_refused(result, "field.qdpx", "lies outside its source 'interview one'",
                   "nothing was imported")
    assert digest(cli.path) == before


def test_standard_positions_are_code_points_over_lf_text(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    assert cli("import", str(field_file(tmp_path))).exit_code == 0
    out = tmp_path / "std.qdpx"
    assert cli("export", str(out), "--positions", "standard").exit_code == 0
    text = RAW.replace("\r\n", "\n")
    with zipfile.ZipFile(out) as archive:
        assert archive.read(f"sources/{SOURCE}.txt").decode() == text
        root = ET.fromstring(archive.read("project.qde"))
    found = sorted((int(s.get("startPosition", "")), int(s.get("endPosition", "")))
                   for s in root.iterfind(".//q:PlainTextSelection", NS))
    assert found == sorted([
        (text.index(ACROSS[0]), text.index(ACROSS[1]) + len(ACROSS[1])),
        (text.index(TWICE[0]), text.index(TWICE[0]) + len(TWICE[0])),
        (text.index(TWICE[1]), text.index(TWICE[1]) + len(TWICE[1]))])


def test_segments_give_the_exact_quote_within_its_paragraph(cli: Cli, tmp_path: Path) -> None:
    import csv
    import io

    assert cli("init").exit_code == 0
    assert cli("import", str(field_file(tmp_path))).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(
        cli("report", "segments", "regional", "Relations", "--format", "csv").stdout)))
    text = RAW.replace("\r\n", "\n")
    paragraphs = text.split("\n\n")
    by_ref = {(r["code"], r["ref"]): r for r in rows}
    # the selection across paragraphs: each paragraph quotes its own part of it
    assert by_ref[("regional", "¶1")]["quote"] == "ministry."
    assert by_ref[("regional", "¶2")]["quote"] == ""  # all of it: the paragraph is the quote
    assert by_ref[("regional", "¶3")]["quote"] == "Third paragraph ends"
    assert by_ref[("Relations", "¶2")]["quote"] == "Second … goes"
    assert by_ref[("regional", "¶1")]["text"] == paragraphs[0]  # the paragraph as context
    # a coding made in qcode quotes the whole paragraph: no separate quote
    assert cli("tag", "interview one", "4", "Relations").exit_code == 0
    again = cli("report", "segments", "Relations", "--format", "json").stdout
    import json

    fourth = next(r for r in json.loads(again) if r["ref"] == "¶4")
    assert fourth["quote"] is None and fourth["text"] == paragraphs[3]
    markdown = cli("report", "segments", "Relations", "--format", "markdown").stdout
    assert "**Second** one 🙂🙂 **goes** on." in markdown


def test_the_html_report_marks_the_exact_quote_in_its_paragraph(cli: Cli,
                                                                 tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    assert cli("import", str(field_file(tmp_path))).exit_code == 0
    page = tmp_path / "segments.html"
    result = cli("report", "segments", "Relations", "--format", "html", "-o", str(page))
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    # "Second" and "goes" were selected in NVivo's file; the rest of ¶2 is context
    assert "<mark>Second</mark> one 🙂🙂 <mark>goes</mark> on." in html
    assert html.count("<mark>") == 2
