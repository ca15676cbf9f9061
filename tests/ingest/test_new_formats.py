"""PDF, OpenDocument and RTF transcripts: paragraphs, sections, speakers and pages as
the files hold them, and the files qcode cannot read refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcode.core.errors import ImportFailed
from qcode.ingest import read_document
from tests.conftest import Cli
from tests.ingest.formats import INTERVIEW_ODT, RTF_CP1251, odt_bytes
from tests.ingest.pdfs import encrypted, make_pdf, paragraphs_page
from tests.refusals import assert_refused, digest

FIRST = ("The first paragraph talks about the ministry and goes on for a while so that "
         "it wraps over two lines at least.")
SECOND = "Q: And the second one? It is a question from the interviewer."
THIRD = "A: The answer, with a hyphen-ated word and a sentence that is cut by the page"
FOURTH = "end and carries on here, on the second page."
LAST = ("A: A new paragraph on page two, long enough to run over more than one line of "
        "the page, as paragraphs do.")


def interview_pdf(tmp_path: Path, **options: float) -> Path:
    page_one = [*paragraphs_page([FIRST, SECOND, THIRD], **options), (300, 40, "1")]
    # The page goes on with the cut paragraph (not indented), then a new one.
    page_two = [(300, 760, "2"), (72, 720, FOURTH),
                *paragraphs_page([LAST], top=720 - 14 - options.get("gap", 10), **options)]
    path = tmp_path / "interview.pdf"
    path.write_bytes(make_pdf([page_one, page_two]))
    return path


@pytest.mark.parametrize("style", [{}, {"gap": 0, "indent": 24}],
                         ids=["blank lines between", "first lines indented"])
def test_pdf_paragraphs_by_layout_with_their_pages(tmp_path: Path,
                                                   style: dict[str, float]) -> None:
    document = read_document(interview_pdf(tmp_path, **style))
    texts = [p.text for p in document.paragraphs]
    assert texts == [FIRST, SECOND[3:], f"{THIRD[3:]} {FOURTH}", LAST[3:]]
    assert [p.page for p in document.paragraphs] == [1, 1, 1, 2]
    assert [p.speaker for p in document.paragraphs] == [None, "Q", "A", "A"]
    # the page numbers alone on a line are not text
    assert "\n1\n" not in document.text and not document.text.endswith("2")
    for p in document.paragraphs:
        assert document.text[p.start:p.end] == p.text


def test_pdf_pages_reach_the_project_and_the_matrix(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    assert cli("import", str(interview_pdf(tmp_path))).exit_code == 0
    shown = cli("report", "matrix", "--format", "csv").stdout.splitlines()
    assert shown[0].startswith("document,paragraph,label,section,speaker,page")
    assert [line.split(",")[5] for line in shown[1:]] == ["1", "1", "1", "2"]
    import json

    listed = json.loads(cli("show", "interview", "--json").stdout)["paragraphs"]
    assert [p["page"] for p in listed] == [1, 1, 1, 2]
    text = cli("show", "interview").stdout
    # each page named once, where it starts: before the first paragraph and before LAST
    assert text.count("p. 1") == 1 and text.count("p. 2") == 1
    assert text.index("p. 2") > text.index("carries on here")
    assert cli("check").exit_code == 0


def test_a_pdf_without_text_or_with_a_password_is_refused(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(make_pdf([[], []], image_only=True))
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(encrypted(interview_pdf(tmp_path).read_bytes()))
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    before = digest(cli.path)
    for path, reason in ((scan, "has no text layer"), (locked, "is encrypted"),
                         (broken, "not a PDF qcode can read")):
        assert_refused(cli("import", str(path)), str(path), reason)
        assert digest(cli.path) == before


def test_a_pdf_locked_only_against_editing_is_read(tmp_path: Path) -> None:
    path = tmp_path / "owner-only.pdf"
    path.write_bytes(encrypted(interview_pdf(tmp_path).read_bytes(), password=""))
    assert read_document(path).paragraphs[0].text == FIRST


def test_odt_headings_paragraphs_lists_and_turns(tmp_path: Path) -> None:
    path = tmp_path / "interview.odt"
    path.write_bytes(INTERVIEW_ODT)
    document = read_document(path)
    assert document.title == "An interview"
    assert [(p.section, p.speaker, p.text) for p in document.paragraphs] == [
        ("Part one", "Q", "How did it start?"),
        ("Part one", "A", "With  a letter to the ministry."),  # text:s c=2, no footnote
        ("Part one", "A", "first point"),
        ("Part one", "A", "second point"),
        ("Part one", "Ana", "It was hard."),
    ]


@pytest.mark.parametrize(("content", "message"), [
    (b"not a zip at all", "not a valid .odt"),
    (odt_bytes("<text:p>x</text:p>", mimetype=b"application/vnd.oasis.opendocument.spreadsheet"),
     "not a text document"),
    (odt_bytes(""), "has no text"),
])
def test_bad_odt_files_fail_clearly(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.odt"
    path.write_bytes(content)
    with pytest.raises(ImportFailed, match=message) as error:
        read_document(path)
    assert str(path) in str(error.value)


def test_rtf_paragraphs_in_the_declared_code_page(tmp_path: Path) -> None:
    path = tmp_path / "interview.rtf"
    path.write_bytes(RTF_CP1251)
    document = read_document(path)
    assert [(p.section, p.speaker, p.text) for p in document.paragraphs] == [
        ("INTERVIEW", "Q", "Вопрос?"),
        ("INTERVIEW", "A", "Ответ, with a quoted word."),
        ("INTERVIEW", "A", "Closing line."),
    ]


def test_an_rtf_that_is_not_one(tmp_path: Path) -> None:
    path = tmp_path / "fake.rtf"
    path.write_bytes(b"plain text pretending")
    with pytest.raises(ImportFailed, match="not an RTF file"):
        read_document(path)
