"""OpenDocument text (.odt, LibreOffice and others), read with the standard library.

An .odt is a zip holding ``content.xml``: it is opened with the same defences as a
.docx (:mod:`qcode.exchange.zipsafe`: no bombs, no path tricks) and parsed with
defusedxml (:mod:`qcode.exchange.xmlsafe`: no DTD, no entities). Headings (``text:h``)
become sections; paragraphs (``text:p``) in order, list items and sections included;
two-column table rows (speaker | text) are interview turns, as in a .docx. Spaces
(``text:s``), tabs and line breaks are kept; footnotes and comments are not text of the
paragraph they sit in and are left out. The title comes from ``meta.xml``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from qcode.core.errors import ImportFailed
from qcode.core.model import Block, ParsedDocument, compose
from qcode.core.textfile import read_bytes
from qcode.exchange.xmlsafe import attribute, child, local_name, parse_xml
from qcode.exchange.zipsafe import ZipLimits, find_member, open_archive_bytes, read_member
from qcode.ingest.labels import annotate

MAX_UNCOMPRESSED = 256 * 1024 * 1024
_LIMITS = ZipLimits(max_total_bytes=MAX_UNCOMPRESSED, max_member_bytes=MAX_UNCOMPRESSED)
_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Inside a paragraph: not its text.
_SKIP = {"note", "annotation", "annotation-end", "bookmark", "bookmark-start", "bookmark-end",
         "soft-page-break", "change", "change-start", "change-end", "tracked-changes"}
_CONTAINERS = {"section", "list", "list-item", "list-header", "index-body", "text",
               "deletion"}


def read(path: Path, *, encoding: str | None = None) -> ParsedDocument:
    """Import an .odt file (``encoding`` is ignored: the format fixes it)."""
    data = read_bytes(path, max_bytes=MAX_UNCOMPRESSED, what="an .odt")
    if not data.startswith(b"PK"):
        raise ImportFailed(f"{path}: not a valid .odt (not a zip archive)")
    with open_archive_bytes(data, f"{path}: not a valid .odt", _LIMITS) as archive:
        content, title = _parts(archive, path)
    body = child(content, "body")
    text = child(body, "text") if body is not None else None
    if text is None:
        raise ImportFailed(f"{path}: content.xml holds no text document "
                           "(<office:body><office:text>)")
    blocks: list[Block] = []
    _walk(text, blocks)
    if not any(b.kind == "paragraph" for b in blocks):
        raise ImportFailed(f"{path}: the document has no text")
    document = compose(path.stem, annotate(blocks))
    document.title = title
    return document


def _parts(archive: zipfile.ZipFile, path: Path) -> tuple[ET.Element, str | None]:
    where = str(path)
    mimetype = find_member(archive, "mimetype")
    declared = read_member(archive, mimetype, where, 256).strip() if mimetype else _MIMETYPE
    if declared not in (_MIMETYPE, _MIMETYPE + b"-template"):
        raise ImportFailed(f"{path}: not a text document (its mimetype is "
                           f"{declared.decode(errors='replace')!r})")
    info = find_member(archive, "content.xml")
    if info is None:
        raise ImportFailed(f"{path}: not an OpenDocument text: the archive has no content.xml")
    content = parse_xml(read_member(archive, info, where, MAX_UNCOMPRESSED),
                        f"{path}: content.xml")
    title = None
    meta = find_member(archive, "meta.xml")
    if meta is not None:
        root = parse_xml(read_member(archive, meta, where, MAX_UNCOMPRESSED), f"{path}: meta.xml")
        found = next((e for e in root.iter() if local_name(e.tag) == "title"), None)
        title = " ".join((found.text or "").split()) or None if found is not None else None
    return content, title


def _walk(element: ET.Element, blocks: list[Block]) -> None:
    for item in element:
        kind = local_name(item.tag)
        if kind == "h":
            blocks.append(Block("heading", _text(item).strip()))
        elif kind == "p":
            text = _text(item).strip()
            if text:
                blocks.append(Block("paragraph", text))
        elif kind == "table":
            _table(item, blocks)
        elif kind in _CONTAINERS:
            _walk(item, blocks)


def _table(table: ET.Element, blocks: list[Block]) -> None:
    for row in (e for e in table.iter() if local_name(e.tag) == "table-row"):
        cells = [" ".join(_text(p).strip() for p in cell.iter() if local_name(p.tag) == "p")
                 .strip() for cell in row if local_name(cell.tag) == "table-cell"]
        if len(cells) == 2 and cells[0] and len(cells[0]) <= 40 and cells[1]:
            blocks.append(Block("paragraph", cells[1], speaker=cells[0],
                                marker=f"{cells[0]}: "))
        elif any(cells):
            blocks.append(Block("paragraph", " | ".join(c for c in cells if c)))


def _text(element: ET.Element) -> str:
    """A paragraph's text: its own text and its spans', with spaces, tabs and breaks."""
    parts = [element.text or ""]
    for item in element:
        kind = local_name(item.tag)
        if kind == "s":
            parts.append(" " * _count(attribute(item, "c")))
        elif kind == "tab":
            parts.append("\t")
        elif kind == "line-break":
            parts.append("\n")
        elif kind not in _SKIP:
            parts.append(_text(item))
        parts.append(item.tail or "")
    return "".join(parts)


def _count(value: str | None) -> int:
    try:
        return max(1, min(int(value or "1"), 1000))
    except ValueError:
        return 1


__all__ = ["read"]
