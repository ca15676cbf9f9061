"""REFI-QDA codebooks: the study codebook out and back, and files as real tools write them."""

from __future__ import annotations

import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.errors import ImportFailed, QcodeError
from qcode.exchange.formats import read_codebook
from qcode.exchange.refi_description import MARKER
from qcode.exchange.refi_qdc import read_refi, write_qdc
from tests.conftest import CODEBOOK, SHARED
from tests.exchange.strategies import SAMPLES, SCHEMAS, shape

NAMESPACE = "urn:QDA-XML:codebook:1.0"


def depth(codebook: Codebook) -> int:
    """Levels in the tree (a flat codebook has one)."""
    return max(d for _spec, _parent, d in codebook.walk()) + 1


def write(tmp_path: Path, text: str, name: str = "book.qdc") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_study_codebook_as_qdc_validates_and_imports_back_unchanged(
    tmp_path: Path, codebook_schema: Any
) -> None:
    study = read_codebook(CODEBOOK)
    path = tmp_path / "study.qdc"
    path.write_bytes(write_qdc(study))
    codebook_schema.validate(str(path))
    back = read_refi(path)
    assert len(back) == 35
    assert back == study


def test_qdc_shows_other_tools_the_definition_first_and_our_fields_labelled() -> None:
    study = read_codebook(CODEBOOK)
    root = ET.fromstring(write_qdc(study))
    element = root.find(f"{{{NAMESPACE}}}Codes/{{{NAMESPACE}}}Code")
    assert element is not None
    first = study.codes[0]
    assert first.definition and first.short and first.example_ref
    assert (element.get("guid"), element.get("name"), element.get("color")) == (
        first.guid, first.name, first.colour)
    description = element.findtext(f"{{{NAMESPACE}}}Description") or ""
    assert description.startswith(first.definition + f"\n\n{MARKER}\nShort: {first.short}\n")
    assert description.endswith(f"\nExample source: {first.example_ref}")


def test_codebook_name_version_and_description_travel_in_a_comment() -> None:
    book = Codebook(name="Team -- codebook", version="2.0-rc", description="a -- b",
                    source="ours", codes=[CodeSpec(name="x")])
    text = write_qdc(book).decode("utf-8")
    comment = text.split("<!--", 1)[1].split("-->", 1)[0]
    assert "--" not in comment
    back = read_refi_text(text)
    assert (back.name, back.version, back.description, back.source) == (
        "Team -- codebook", "2.0-rc", "a -- b", "ours")


def read_refi_text(text: str, name: str = "book.qdc") -> Codebook:
    with tempfile.TemporaryDirectory() as folder:
        return read_refi(write(Path(folder), text, name))


def test_empty_codebook_is_refused_for_qdc_because_the_schema_needs_a_code() -> None:
    with pytest.raises(QcodeError, match="the codebook is empty"):
        write_qdc(Codebook(name="nothing"))


# -- the five samples written by other tools -----------------------------------------

@pytest.mark.parametrize(("sample", "codes", "levels"), [
    ("nvivo-win-12.6__oltas0517.qdpx", 152, 4),
    ("maxqda-24__icls-themes.qdpx", 307, 2),
    ("atlasti-mac-8.4__spec-annex-example.qde", 14, 2),
    ("atlasti-win-23.4__codebook.qdc", 1, 1),
    ("taguette-1.4.1__codebook.qdc", 3, 1),
])
def test_each_sample_codebook_imports(sample: str, codes: int, levels: int) -> None:
    book = read_refi(SAMPLES / sample)
    assert len(book) == codes
    assert depth(book) == levels
    assert len({spec.guid for spec, _p, _d in book.walk()}) == codes


def test_nvivo_sample_keeps_lowercase_guids_as_canonical_uppercase_and_a_folder() -> None:
    book = read_refi(SAMPLES / "nvivo-win-12.6__oltas0517.qdpx")
    first = book.codes[0]
    assert first.guid == "5067D381-1DC9-4816-81DD-AE1DBFEA2AD7"
    assert first.name == "1. Oltás típusa"
    assert [c.name for c in first.children] == ["COVID", "Nem COVID"]
    folders = [spec.name for spec, _p, _d in book.walk() if not spec.codable]
    assert len(folders) == 1
    attitude = book.codes[1]
    assert attitude.definition == ("Erősen szkeptikus (piros)\nEnyhén szkeptikus, kétkedő "
                                   "(sárga)\nElfogadó (zöld)")


def test_maxqda_sample_colours_are_normalised_and_descriptions_kept() -> None:
    book = read_refi(SAMPLES / "maxqda-24__icls-themes.qdpx")
    first = book.codes[0]
    assert first.colour == "#EF8256"
    assert first.definition is not None and first.definition.startswith(
        "This category encompasses")
    assert first.children[0].name == "THEME - Affinity Spaces (Gee)"


def test_atlas_flattened_names_become_a_hierarchy() -> None:
    book = read_refi(SAMPLES / "atlasti-mac-8.4__spec-annex-example.qde")
    coke = next(c for c in book.codes if c.name == "Coke")
    assert coke.guid == "7496BA52-9C8D-4396-8FAB-CC438614E453"
    assert [(c.name, c.definition) for c in coke.children] == [
        ("full-fat Coke", "aka regular"), ("diet Coke", "non sucré")]
    assert not any("::" in spec.name for spec, _p, _d in book.walk())
    assert '"rushed"' in [c.name for c in book.codes]


def test_atlas_win_qdc_with_old_namespace_declaration_and_sets() -> None:
    book = read_refi(SAMPLES / "atlasti-win-23.4__codebook.qdc")
    (code,) = book.codes
    assert (code.name, code.colour, code.definition) == ("code1", "#46AA00", "description")


def test_taguette_qdc_with_empty_sets_imports_flat_codes() -> None:
    book = read_refi(SAMPLES / "taguette-1.4.1__codebook.qdc")
    assert [c.name for c in book.codes] == ["xsd:element name", "CodeBook", "Variables"]
    assert all(c.colour is None and c.definition is None for c in book.codes)


# -- the variations real writers produce -----------------------------------------------

def test_namespace_0_4_braced_lowercase_guids_short_and_alpha_colours(tmp_path: Path) -> None:
    book = read_refi(write(tmp_path, """<?xml version="1.0"?>
<CodeBook xmlns="urn:QDA-XML:codebook:0:4"><Codes>
  <Code guid="{1ff58b12-6f6f-4b0c-8be5-bbdc91f55294}" name="a" isCodable="true" color="#abc"/>
  <Code guid="2FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="b" isCodable="1" color="#11223344"/>
  <Code guid="3ff58b126f6f4b0c8be5bbdc91f55294" name="c" isCodable="false" color="red"/>
</Codes><Sets/></CodeBook>"""))
    assert [(c.guid, c.colour, c.codable) for c in book.codes] == [
        ("1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294", "#AABBCC", True),
        ("2FF58B12-6F6F-4B0C-8BE5-BBDC91F55294", "#112233", True),
        ("3FF58B12-6F6F-4B0C-8BE5-BBDC91F55294", None, False),
    ]


def test_slash_paths_nest_only_under_codes_that_exist(tmp_path: Path) -> None:
    book = read_refi(write(tmp_path, """<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="00000000-0000-0000-0000-000000000001" name="family/children" isCodable="true"/>
  <Code guid="00000000-0000-0000-0000-000000000002" name="family" isCodable="true"/>
  <Code guid="00000000-0000-0000-0000-000000000003" name="and/or" isCodable="true"/>
</Codes></CodeBook>"""))
    assert shape(book) == [
        (0, "00000000-0000-0000-0000-000000000002", "family"),
        (1, "00000000-0000-0000-0000-000000000001", "children"),
        (0, "00000000-0000-0000-0000-000000000003", "and/or"),
    ]


def test_double_colon_paths_without_parents_get_stable_folders(tmp_path: Path) -> None:
    text = """<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="00000000-0000-0000-0000-00000000000A" name="Food::Drinks::tea" isCodable="true"/>
  <Code guid="00000000-0000-0000-0000-00000000000B" name="Food::bread" isCodable="true"/>
</Codes></CodeBook>"""
    first, second = read_refi(write(tmp_path, text)), read_refi(write(tmp_path, text, "b.qdc"))
    assert [(d, n) for d, _g, n in shape(first)] == [
        (0, "Food"), (1, "Drinks"), (2, "tea"), (1, "bread")]
    food = first.codes[0]
    assert not food.codable and not food.children[0].codable
    assert shape(first) == shape(second)


def test_repeated_sibling_names_from_other_tools_are_told_apart(tmp_path: Path) -> None:
    book = read_refi(write(tmp_path, """<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="00000000-0000-0000-0000-000000000001" name="Trust" isCodable="true"/>
  <Code guid="00000000-0000-0000-0000-000000000002" name="trust" isCodable="true"/>
</Codes></CodeBook>"""))
    assert [c.name for c in book.codes] == ["Trust", "trust (2)"]


def test_a_bad_guid_is_reported_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, """<CodeBook xmlns="urn:QDA-XML:codebook:1.0">
<Codes>
  <Code guid="00000000-0000-0000-0000-000000000001" name="ok" isCodable="true"/>
  <Code guid="not-a-guid" name="broken" isCodable="true"/>
</Codes></CodeBook>""")
    with pytest.raises(ImportFailed, match=r"book\.qdc: line 4: code 'broken' has guid "
                                           r"'not-a-guid', which is not a GUID"):
        read_refi(path)


def test_two_codes_sharing_a_guid_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, """<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="00000000-0000-0000-0000-000000000001" name="a" isCodable="true"/>
  <Code guid="{00000000-0000-0000-0000-000000000001}" name="b" isCodable="true"/>
</Codes></CodeBook>""")
    with pytest.raises(ImportFailed, match="share GUID"):
        read_refi(path)


def test_a_project_without_a_codebook_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, '<Project xmlns="urn:QDA-XML:project:1.0" name="p"/>', "p.qde")
    with pytest.raises(ImportFailed, match=r"p\.qde: the project has no <CodeBook>"):
        read_refi(path)


def test_copied_samples_and_schemas_match_the_shared_originals() -> None:
    shared = SHARED / "refi-qda"
    if not shared.is_dir():
        pytest.skip("../shared is not here; the copies are what the tests use")
    for copy in [*SAMPLES.glob("*.q*"), *SCHEMAS.glob("*.xsd")]:
        original = shared / ("samples" if copy.parent == SAMPLES else "") / copy.name
        assert copy.read_bytes() == original.read_bytes(), copy.name
