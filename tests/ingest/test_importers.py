"""Importers: formats, labels, speakers, encodings and the errors for bad files."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from qcode.core.errors import ImportFailed
from qcode.ingest import read_document

RUSSIAN = "Мы работаем с МВД уже десять лет, и отношения стали лучше."
FRENCH = "Le Secours Catholique a été présent en Russie dès 2001 ; « c'était difficile »."


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_txt_splits_on_blank_lines_and_keeps_labels(tmp_path: Path) -> None:
    path = write(tmp_path, "i.txt", "§1 First paragraph\nwrapped line.\n\n  \n[2] Second.\n\n§ 3 Third.\n")
    doc = read_document(path)
    assert [p.label for p in doc.paragraphs] == ["§1", "§2", "§3"]
    assert doc.paragraphs[0].text == "First paragraph\nwrapped line."
    for p in doc.paragraphs:
        assert doc.text[p.start : p.end] == p.text


def test_bare_numbers_are_labels_only_in_a_numbered_document(tmp_path: Path) -> None:
    numbered = read_document(write(tmp_path, "n.txt", "1 One.\n\n2 Two.\n\n3 Three.\n"))
    assert [p.label for p in numbered.paragraphs] == ["§1", "§2", "§3"]
    assert numbered.paragraphs[1].text == "Two."
    prose = read_document(write(tmp_path, "p.txt", "Intro.\n\n15 people came.\n\nThen more.\n"))
    assert [p.label for p in prose.paragraphs] == [None, None, None]
    assert prose.paragraphs[1].text == "15 people came."


def test_speakers_from_turns(tmp_path: Path) -> None:
    text = (
        "Q: How did the 2006 law change your work?\n\n"
        "A: We had to re-register.\n\n"
        "It took months.\n\n"
        "Valentina Melnikova: The system accepts us.\n\n"
        "ALPERN: Nothing changed.\n\n"
        "However: this is not a speaker.\n"
    )
    doc = read_document(write(tmp_path, "t.txt", text))
    assert [p.speaker for p in doc.paragraphs] == [
        "Q", "A", "A", "Valentina Melnikova", "ALPERN", "ALPERN",
    ]
    assert doc.paragraphs[0].text == "How did the 2006 law change your work?"
    assert doc.paragraphs[5].text == "However: this is not a speaker."


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
     ("utf-16-be", codecs.BOM_UTF16_BE)],
)
def test_encodings_round_trip_cyrillic_and_french(tmp_path: Path, encoding: str, bom: bytes) -> None:
    raw = bom + f"{RUSSIAN}\r\n\r\n{FRENCH}\r\n".encode(encoding)
    doc = read_document(write(tmp_path, "e.txt", raw))
    assert [p.text for p in doc.paragraphs] == [RUSSIAN, FRENCH]


def test_legacy_encoding_is_a_clear_error_with_a_fallback(tmp_path: Path) -> None:
    path = write(tmp_path, "cp.txt", ("Первая строка.\n\n" + RUSSIAN).encode("cp1251"))
    with pytest.raises(ImportFailed, match=r"cp\.txt: not UTF-8 text \(byte 0x\w\w at line 1, column 1\)"):
        read_document(path)
    doc = read_document(path, encoding="cp1251")
    assert doc.paragraphs[1].text == RUSSIAN


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, "no such file"),
        ("empty.txt", b"", "the file is empty"),
        ("blank.txt", b"  \n\n  ", "the file is empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
        ("bad.txt", b"ok line\n\nbad \xff\xfe byte", "not UTF-8 text"),
        ("notes.pages", b"%PDF-1.4", "cannot import .pages"),
        ("notes.pdf", b"%PDF-1.4", "not a PDF qcode can read"),
        ("fake.docx", b"this is not a zip", "not a valid .docx"),
    ],
)
def test_bad_files_fail_clearly(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ImportFailed, match=message) as error:
        read_document(path)
    assert str(path) in str(error.value)


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="is a directory"):
        read_document(tmp_path)


def test_markdown_front_matter_lists_quotes_and_notes(tmp_path: Path) -> None:
    text = (
        "---\ntitle: Interview with A. Person\nauthor: Jane Doe\nlanguage: ru\n"
        "organisation: Demos\nattributes:\n  city: Moscow\n---\n"
        "# Part one\n\n§1 Opening with **bold** and a [link](http://x.org) and a call[^1].\n\n"
        "- first item\n- second item\n\n> a quoted\n> passage\n\n"
        "## Part two\n\n§2 Closing.\n\n[^1]: The note text.\n"
    )
    doc = read_document(write(tmp_path, "m.md", text))
    assert doc.title == "Interview with A. Person"
    assert doc.author == "Jane Doe"
    assert doc.language == "ru"
    assert doc.attributes == {"organisation": "Demos", "city": "Moscow"}
    assert [(p.label, p.section) for p in doc.paragraphs] == [
        ("§1", "Part one"), ("§1.1", "Part one"), ("§1.2", "Part one"),
        ("§1 quote", "Part one"), ("§2", "Part two"), ("note 1", "Part two"),
    ]
    assert doc.paragraphs[0].text == "Opening with bold and a link and a call¹."
    assert doc.paragraphs[3].text == "a quoted passage"


def test_markdown_bad_front_matter(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match=r"front matter is not valid YAML at line \d"):
        read_document(write(tmp_path, "b.md", "---\ntitle: [unclosed\n---\ntext\n"))
    with pytest.raises(ImportFailed, match="never closed"):
        read_document(write(tmp_path, "c.md", "---\ntitle: x\n\ntext\n"))


def test_html_keeps_text_only(tmp_path: Path) -> None:
    html = (
        "<html><head><title>Interview — Chikov</title><style>p{color:red}</style>"
        "<script>alert('x')</script></head><body><nav><a href='/'>Home</a> Skip</nav>"
        "<header>Site banner</header><h2>Part 1</h2><p>§1 Agora defends&nbsp;lawyers.</p>"
        "<p>Q: And the <b>police</b>?<br>Second line</p><footer>© journal</footer>"
        "<p>Мы работаем</p></body></html>"
    )
    doc = read_document(write(tmp_path, "h.html", html))
    assert doc.title == "Interview — Chikov"
    assert [(p.label, p.speaker, p.text) for p in doc.paragraphs] == [
        ("§1", None, "Agora defends lawyers."),
        (None, "Q", "And the police?\nSecond line"),
        (None, "Q", "Мы работаем"),
    ]
    assert all(p.section == "Part 1" for p in doc.paragraphs)
    for junk in ("alert", "color:red", "Home", "Site banner", "journal"):
        assert junk not in doc.text


def test_html_declared_legacy_charset(tmp_path: Path) -> None:
    raw = ('<html><head><meta charset="windows-1251"></head><body><p>' + RUSSIAN
           + "</p></body></html>").encode("cp1251")
    doc = read_document(write(tmp_path, "w.html", raw))
    assert doc.paragraphs[0].text == RUSSIAN


def test_docx_paragraphs_headings_and_tables(tmp_path: Path) -> None:
    import docx

    word = docx.Document()
    word.core_properties.title = "Interview with Novikova"
    word.add_heading("Background", level=1)
    word.add_paragraph("§1 Demos was founded in 2004.")
    word.add_paragraph("")
    word.add_paragraph(f"Asmik Novikova: {RUSSIAN}")
    table = word.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Interviewer"
    table.rows[0].cells[1].text = "And the regions?"
    path = tmp_path / "novikova.docx"
    word.save(str(path))
    doc = read_document(path)
    assert doc.title == "Interview with Novikova"
    assert [(p.label, p.speaker, p.text, p.section) for p in doc.paragraphs] == [
        ("§1", None, "Demos was founded in 2004.", "Background"),
        (None, "Asmik Novikova", RUSSIAN, "Background"),
        (None, "Interviewer", "And the regions?", "Background"),
    ]
    for p in doc.paragraphs:
        assert doc.text[p.start : p.end] == p.text
