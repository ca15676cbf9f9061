"""Codebook CSV: Taguette's columns first, ours beside them, readable by a spreadsheet."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest

from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.errors import ImportFailed
from qcode.exchange.formats import read_codebook
from qcode.exchange.taguette_csv import COLUMNS, read_csv, write_csv
from tests.conftest import CODEBOOK
from tests.exchange.strategies import shape


def write(tmp_path: Path, data: bytes | str, name: str = "book.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_export_starts_with_taguettes_columns_and_a_bom_for_excel() -> None:
    study = read_codebook(CODEBOOK)
    data = write_csv(study)
    assert data.startswith(codecs.BOM_UTF8)
    assert data.split(b"\r\n", 1)[0].decode("utf-8-sig").split(",") == list(COLUMNS)
    table = rows(data)
    assert len(table) == len(study)
    parent, child = study.codes[0], study.codes[0].children[0]
    assert table[0]["tag"] == parent.name and table[0]["description"] == parent.definition
    assert table[1]["tag"] == f"{parent.name}/{child.name}"
    assert (table[1]["guid"], table[1]["colour"], table[1]["short"]) == (
        child.guid, child.colour, child.short)


def test_cyrillic_survives_the_round_trip_and_excel_sees_utf8(tmp_path: Path) -> None:
    book = Codebook(name="ru", codes=[CodeSpec(name="Правозащитники", definition="НКО и «силовые»",
                                               children=[CodeSpec(name="Мемориал")])])
    data = write_csv(book)
    assert data[:3] == codecs.BOM_UTF8
    back = read_csv(write(tmp_path, data))
    assert back.codes == book.codes


def test_a_taguette_file_with_only_tag_and_description_imports(tmp_path: Path) -> None:
    path = write(tmp_path, "tag,description,number of highlights\r\n"
                           "interesting,worth a look,3\r\n"
                           "interesting/quote,\"a quote, with comma\",1\r\n"
                           "and/or,,0\r\n")
    book = read_csv(path)
    assert [(d, n) for d, _g, n in shape(book)] == [(0, "interesting"), (1, "quote"),
                                                    (0, "and/or")]
    assert book.codes[0].children[0].definition == "a quote, with comma"
    assert read_csv(path).codes == book.codes  # GUIDs derived from paths: stable


def test_name_path_and_parent_columns_are_understood(tmp_path: Path) -> None:
    path = write(tmp_path, "Name;Parent;Description\nroot;;top\na/b;root;slash in name\n")
    book = read_csv(path)
    assert [(d, n) for d, _g, n in shape(book)] == [(0, "root"), (1, "a/b")]


def test_utf16_from_excel_unicode_text_is_read(tmp_path: Path) -> None:
    text = "tag\tdescription\r\nбезопасность\tsecurity\r\n"
    book = read_csv(write(tmp_path, codecs.BOM_UTF16_LE + text.encode("utf-16-le")))
    assert book.codes[0].name == "безопасность"


def test_a_legacy_encoding_fails_saying_utf8_is_needed(tmp_path: Path) -> None:
    path = write(tmp_path, "tag,description\nбезопасность,x\n".encode("cp1251"))
    with pytest.raises(ImportFailed, match=r"book\.csv: not UTF-8 \(byte 0x.. at line 2\); "
                                           r"qcode reads CSV as UTF-8"):
        read_csv(path)


def test_cells_that_look_like_formulas_are_neutralised_and_read_back(tmp_path: Path) -> None:
    book = Codebook(name="f", codes=[CodeSpec(
        name="+1 vote", definition="=HYPERLINK(\"http://x\")", short="-minus",
        example="@cmd", example_ref="'quoted", when_to_use="'=both")])
    data = write_csv(book)
    table = rows(data)[0]
    assert table["tag"] == "'+1 vote" and table["description"].startswith("'=HYPERLINK")
    assert table["example_ref"] == "''quoted"
    assert read_csv(write(tmp_path, data)).codes == book.codes


@pytest.mark.parametrize(("content", "message"), [
    ("description,colour\nx,#FFFFFF\n", "line 1: no 'tag', 'name' or 'path' column"),
    ("tag,name\nx,y\n", "line 1: more than one of 'tag', 'name' or 'path' column"),
    ("tag,description\nok,\n,orphan description\n", "line 3: the tag is empty"),
    ("tag,colour\nx,red\n", "line 2: colour 'red' is not #RRGGBB"),
    ("tag,guid\nx,12345\n", "line 2: guid '12345' is not a GUID"),
    ("tag,codable\nx,perhaps\n", "line 2: codable 'perhaps' is not true or false"),
    ("tag,parent\na,b\nb,a\n", "is its own ancestor"),
    ('tag,description\nx,"unclosed\n', "not valid CSV"),
])
def test_bad_csv_names_the_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ImportFailed) as caught:
        read_csv(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)
