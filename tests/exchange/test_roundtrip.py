"""Export then import gives back the same codebook: names, hierarchy, GUIDs, colours and
every text field, for the native YAML and REFI-QDA .qdc (and our CSV columns).

The strategies (tests/exchange/strategies.py) draw text from XML's own alphabet, mixed
with Cyrillic, accents, emoji, ``& < > " '``, our own marker lines and empty fields.
Characters XML cannot carry are tested on their own: the documented rule is that the
.qdc writer drops them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.codebook.yaml_format import dump_yaml, parse_yaml
from qcode.exchange import refi_description
from qcode.exchange.formats import read_codebook, save_codebook
from qcode.exchange.refi_qdc import read_refi, write_qdc
from qcode.exchange.taguette_csv import read_csv, write_csv
from tests.exchange.strategies import chain, codebooks, names, optional_texts, shape

ROUND_TRIP = settings(max_examples=100, deadline=None,
                      suppress_health_check=[HealthCheck.too_slow])


def through_file(data: bytes, suffix: str, reader: Any) -> Codebook:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"codebook{suffix}"
        path.write_bytes(data)
        result: Codebook = reader(path)
        return result


@ROUND_TRIP
@given(codebooks())
def test_yaml_round_trip_is_the_identity(codebook: Codebook) -> None:
    assert parse_yaml(dump_yaml(codebook), Path("x.yaml")) == codebook


@ROUND_TRIP
@given(codebooks())
def test_qdc_round_trip_is_the_identity(codebook: Codebook) -> None:
    back = through_file(write_qdc(codebook), ".qdc", read_refi)
    assert shape(back) == shape(codebook)
    assert back == codebook


@settings(max_examples=40, deadline=None)
@given(codebook=codebooks(max_depth=3))
def test_every_generated_qdc_is_valid_against_the_official_schema(
    codebook: Codebook, codebook_schema: Any
) -> None:
    codebook_schema.validate(write_qdc(codebook).decode("utf-8"))


# Our CSV is lossless too, except that a "/" in a name reads as a level of hierarchy.
@ROUND_TRIP
@given(codebooks(name_strategy=names.filter(lambda name: "/" not in name)))
def test_csv_round_trip_keeps_every_code_field(codebook: Codebook) -> None:
    back = through_file(write_csv(codebook), ".csv", read_csv)
    assert back.codes == codebook.codes


@given(st.integers(min_value=2, max_value=60))
@settings(max_examples=10, deadline=None)
def test_deep_trees_round_trip_in_yaml_and_qdc(depth: int) -> None:
    deep = chain(depth)
    assert max(d for _s, _p, d in deep.walk()) == depth - 1
    assert through_file(write_qdc(deep), ".qdc", read_refi) == deep
    assert parse_yaml(dump_yaml(deep), Path("deep.yaml")) == deep


@given(optional_texts, optional_texts, optional_texts, optional_texts, optional_texts,
       optional_texts)
@settings(max_examples=300, deadline=None)
def test_description_layout_unpacks_to_the_fields_packed(
    definition: str | None, short: str | None, use: str | None, avoid: str | None,
    example: str | None, ref: str | None,
) -> None:
    spec = CodeSpec(name="x", definition=definition, short=short, when_to_use=use,
                    when_not_to_use=avoid, example=example, example_ref=ref)
    unpacked = refi_description.unpack(refi_description.pack(spec))
    assert unpacked == {"definition": definition, "short": short, "when_to_use": use,
                        "when_not_to_use": avoid, "example": example, "example_ref": ref}


def test_characters_xml_cannot_carry_are_dropped_and_the_file_stays_valid(
    codebook_schema: Any,
) -> None:
    spec = CodeSpec(name="bell\x07 code", definition="null\x00 and escape\x1b here",
                    short="carriage\r\nreturn\rs", example="\ufffe\uffff\ud800gone")
    data = write_qdc(Codebook(name="c", codes=[spec]))
    codebook_schema.validate(data.decode("utf-8"))
    back = through_file(data, ".qdc", read_refi).codes[0]
    assert back.name == "bell code"
    assert back.definition == "null and escape here"
    assert back.short == "carriage\nreturn\ns"
    assert back.example == "gone"


def test_study_codebook_survives_every_writable_round_trip(tmp_path: Path) -> None:
    study = read_codebook(Path(__file__).parents[2] / "codebooks" / "ngos-power-ministries.yaml")
    for suffix in (".yaml", ".qdc", ".csv"):
        path = tmp_path / f"study{suffix}"
        save_codebook(study, path)
        back = read_codebook(path)
        assert back.codes == study.codes, suffix
        if suffix != ".csv":
            assert back == study, suffix
