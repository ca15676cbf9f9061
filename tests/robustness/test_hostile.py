"""Hostile and random input: the only outcomes are success or a QcodeError with a
message, and a failed import leaves the project exactly as it was."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qcode import Project
from qcode.core.errors import QcodeError
from qcode.exchange.formats import read_codebook
from qcode.ingest import read_document
from qcode.ingest.catalog import load_catalog
from tests.conftest import ARTICLE, CATALOG, CODEBOOK
from tests.ingest.formats import INTERVIEW_ODT, RTF_CP1251
from tests.ingest.pdfs import make_pdf, paragraphs_page

# Minutes, not seconds: `pytest -m "not slow"` is the quick loop.
pytestmark = pytest.mark.slow

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def docx_bytes() -> bytes:
    import docx

    word = docx.Document()
    word.add_paragraph("Q: Как дела?")
    word.add_paragraph("A: Très bien, merci.")
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


SEEDS = {
    ".txt": "Q: Вопрос?\n\nA: Réponse, déjà.\n\n§3 Third.\n".encode(),
    ".md": ARTICLE.read_bytes()[:4000],
    ".html": b"<html><head><title>t</title></head><body><p>\xc2\xa71 One</p></body></html>",
    ".docx": docx_bytes(),
    ".pdf": make_pdf([paragraphs_page(["Q: Ça va? A question that wraps onto a second line.",
                                       "A: Très bien, merci."])]),
    ".odt": INTERVIEW_ODT,
    ".rtf": RTF_CP1251,
}
READERS = {
    **{ext: read_document for ext in SEEDS},
    ".yaml": read_codebook,
    ".catalog.yaml": load_catalog,
}
SEEDS[".yaml"] = CODEBOOK.read_bytes()[:6000]
SEEDS[".catalog.yaml"] = CATALOG.read_bytes()


def outcome(path: Path) -> None:
    """Read ``path`` with its reader: success, or a QcodeError naming the file."""
    reader = READERS[".catalog.yaml" if path.name.endswith(".catalog.yaml") else path.suffix]
    try:
        reader(path)
    except QcodeError as exc:
        assert str(exc), "an error needs a message"
        assert str(path) in str(exc) or path.name in str(exc), str(exc)


@pytest.mark.parametrize("ext", sorted(SEEDS))
@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes(tmp_path: Path, ext: str, data: bytes) -> None:
    path = tmp_path / f"fuzz{ext}"
    path.write_bytes(data)
    outcome(path)


@pytest.mark.parametrize("ext", sorted(SEEDS))
@FUZZ
@given(data=st.data())
def test_mutated_real_files(tmp_path: Path, ext: str, data: st.DataObject) -> None:
    seed = bytearray(SEEDS[ext])
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(seed) - 1))
        action = data.draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        if action == "flip":
            seed[position] ^= data.draw(st.integers(1, 255))
        elif action == "delete":
            del seed[position:position + data.draw(st.integers(1, 50))]
        elif action == "insert":
            seed[position:position] = data.draw(st.binary(min_size=1, max_size=20))
        else:
            del seed[position:]
        if not seed:
            seed = bytearray(b"x")
    path = tmp_path / f"mutant{ext}"
    path.write_bytes(bytes(seed))
    outcome(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("nul.txt", b"text\x00with NUL bytes", "binary file"),
        ("middle.txt", b"ok\n\nstill ok\n\nthen " + b"\xc3\x28" + b" bad", "line 5"),
        ("notzip.docx", b"PK\x03\x04 but not really a zip", "not a valid .docx"),
        ("bomb.yaml",
         b"format: qcode-codebook\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a]\n"
         b"c: &c [*b, *b, *b, *b, *b]\ncodes: [*c]\n", "aliases"),
        ("children.yaml",
         b"format: qcode-codebook\ncodes:\n  - &x {name: a, children: []}\n  - *x\n", "aliases"),
    ],
)
def test_standing_hostile_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    reader = read_codebook if name.endswith(".yaml") else read_document
    with pytest.raises(QcodeError, match=message):
        reader(path)


def test_a_one_gigabyte_line_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # sparse: no gigabyte is written
        handle.truncate(1024**3)
    with pytest.raises(QcodeError, match="too large"):
        read_document(path)


def test_a_docx_that_would_unpack_to_gigabytes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\x00" * (300 * 1024 * 1024))
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(QcodeError, match="zip bomb"):
        read_document(path)


def test_sql_looking_names_are_just_names(study: Project) -> None:
    name = "'; DROP TABLE codings; --"
    code = study.add_code(name, coder="alice")
    doc = study.document("sieca-kozlowski-2009")
    study.tag([study.paragraph(doc, "§1").id], [code.id], coder="Robert'); DROP TABLE coders;--")
    assert study.code(name).id == code.id
    assert study.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0] == 1
    assert [c.name for c in study.coders()][-1] == "Robert'); DROP TABLE coders;--"


@FUZZ
@given(data=st.binary(min_size=1, max_size=500))
def test_failed_import_leaves_the_project_unchanged(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "p.db"
    if not path.exists():
        Project.create(path).close()
    source = tmp_path / "in.txt"
    source.write_bytes(data)
    with Project.open(path) as project:
        before = project.status() | {"events": project.conn.execute(
            "SELECT COUNT(*) FROM events").fetchone()[0]}
        try:
            project.add_document(read_document(source), coder="fuzz")
        except QcodeError:
            after = project.status() | {"events": project.conn.execute(
                "SELECT COUNT(*) FROM events").fetchone()[0]}
            assert after == before
