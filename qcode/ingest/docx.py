"""Word documents (.docx) via python-docx: paragraphs in order, Heading styles as
sections, two-column tables (speaker | text) as interview turns."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from qcode.core.errors import ImportFailed
from qcode.core.model import Block, ParsedDocument, compose
from qcode.core.textfile import read_bytes
from qcode.exchange.xmlsafe import attribute, child, children, local_name, parse_xml
from qcode.exchange.zipsafe import ZipLimits, find_member, open_archive_bytes, read_member
from qcode.ingest.labels import annotate

# A .docx is a zip: refuse archives that would inflate past this (a zip bomb).
MAX_UNCOMPRESSED = 256 * 1024 * 1024
_LIMITS = ZipLimits(max_total_bytes=MAX_UNCOMPRESSED, max_member_bytes=MAX_UNCOMPRESSED)
_OFFICE_DOCUMENT = "/officeDocument"


def read(path: Path, *, encoding: str | None = None) -> ParsedDocument:
    """Import a .docx file (``encoding`` is ignored: the format fixes it).

    The package is checked before python-docx sees it, so that what is wrong is said in
    words: a zip within the caps, the parts every .docx has, and each XML part well
    formed, without a DTD or entities (an undefined ``&xxe;`` would otherwise silently
    drop the text after it)."""
    data = read_bytes(path, max_bytes=MAX_UNCOMPRESSED, what="a .docx")
    if not data.startswith(b"PK"):
        raise ImportFailed(f"{path}: not a valid .docx (not a zip archive)")
    with open_archive_bytes(data, f"{path}: not a valid .docx", _LIMITS) as archive:
        _check_package(archive, path)
    try:
        import docx

        word = docx.Document(io.BytesIO(data))
        blocks = _blocks(word)
        props = word.core_properties
        title, author, language = props.title, props.author, props.language
    except Exception as exc:  # python-docx raises many types for a broken package
        raise ImportFailed(f"{path}: not a .docx qcode can read: its parts do not fit "
                           "together the way a word processor writes them; open it in "
                           "Word or LibreOffice and save it again") from exc
    if not any(b.kind == "paragraph" for b in blocks):
        raise ImportFailed(f"{path}: the document has no text")
    document = compose(path.stem, annotate(blocks))
    document.title = title or None
    document.author = author or None
    document.language = language or None
    return document


def _check_package(archive: zipfile.ZipFile, path: Path) -> None:
    """The parts python-docx needs, present and parseable, or a sentence saying not."""
    where = str(path)
    if find_member(archive, "[Content_Types].xml") is None:
        raise ImportFailed(f"{path}: not a Word document: the archive has no "
                           "[Content_Types].xml, which every .docx has")
    for member in archive.infolist():
        if member.filename.lower().endswith((".xml", ".rels")):
            parse_xml(read_member(archive, member, where, MAX_UNCOMPRESSED),
                      f"{path}: {member.filename}")
    main = _main_part(archive, path)
    info = find_member(archive, main)
    if info is None:
        raise ImportFailed(f"{path}: not a Word document: its main part {main} is missing")
    root = parse_xml(read_member(archive, info, where, MAX_UNCOMPRESSED), f"{path}: {main}")
    if local_name(root.tag) != "document" or child(root, "body") is None:
        raise ImportFailed(f"{path}: {main} is not a Word document body (it holds "
                           f"<{local_name(root.tag) or '?'}>, not <w:document><w:body>)")


def _main_part(archive: zipfile.ZipFile, path: Path) -> str:
    info = find_member(archive, "_rels/.rels")
    if info is None:
        raise ImportFailed(f"{path}: not a Word document: the archive has no _rels/.rels, "
                           "which says where the document is")
    rels = parse_xml(read_member(archive, info, str(path), MAX_UNCOMPRESSED),
                     f"{path}: _rels/.rels")
    for rel in children(rels, "Relationship"):
        if (attribute(rel, "Type") or "").endswith(_OFFICE_DOCUMENT):
            return (attribute(rel, "Target") or "").lstrip("/")
    raise ImportFailed(f"{path}: not a Word document: _rels/.rels names no main document")


def _blocks(word: Any) -> list[Block]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[Block] = []
    for item in word.iter_inner_content():
        if isinstance(item, Paragraph):
            text = item.text.strip()
            if not text:
                continue
            style = (item.style.name if item.style is not None else "") or ""
            heading = style.lower().startswith(("heading", "title"))
            blocks.append(Block("heading" if heading else "paragraph", text))
        elif isinstance(item, Table):
            for row in item.rows:
                cells = [c.text.strip() for c in row.cells]
                if len(cells) == 2 and cells[0] and len(cells[0]) <= 40 and cells[1]:
                    blocks.append(
                        Block("paragraph", cells[1], speaker=cells[0], marker=f"{cells[0]}: ")
                    )
                elif any(cells):
                    blocks.append(Block("paragraph", " | ".join(c for c in cells if c)))
    return blocks
