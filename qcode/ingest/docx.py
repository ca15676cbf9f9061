"""Word documents (.docx) via python-docx: paragraphs in order, Heading styles as
sections, two-column tables (speaker | text) as interview turns."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from qcode.core.errors import ImportFailed
from qcode.core.model import Block, ParsedDocument, compose
from qcode.core.textfile import read_bytes
from qcode.ingest.labels import annotate

# A .docx is a zip: refuse archives that would inflate past this (a zip bomb).
MAX_UNCOMPRESSED = 256 * 1024 * 1024


def read(path: Path, *, encoding: str | None = None) -> ParsedDocument:
    """Import a .docx file (``encoding`` is ignored: the format fixes it)."""
    read_bytes(path)  # the same missing/empty/directory checks as every importer
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFailed(f"{path}: not a valid .docx (not a zip archive)") from exc
    if total > MAX_UNCOMPRESSED:
        raise ImportFailed(f"{path}: the .docx would unpack to {total // 2**20} MB; refused")
    try:
        import docx

        word = docx.Document(str(path))
    except Exception as exc:  # python-docx raises many types for a broken package
        raise ImportFailed(f"{path}: not a valid .docx ({type(exc).__name__}: {exc})") from exc
    blocks = _blocks(word)
    if not any(b.kind == "paragraph" for b in blocks):
        raise ImportFailed(f"{path}: the document has no text")
    document = compose(path.stem, annotate(blocks))
    props = word.core_properties
    document.title = props.title or None
    document.author = props.author or None
    document.language = props.language or None
    return document


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
