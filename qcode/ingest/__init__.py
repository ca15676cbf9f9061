"""Importers: one module per input format, each turning a file into paragraphs.

:func:`read_document` picks the importer from the file's extension.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qcode.core.controls import NAME_CONTROLS
from qcode.core.errors import ImportFailed
from qcode.core.model import Block, ParsedDocument, ParsedParagraph, compose
from qcode.ingest import captions, docx, html, markdown, odt, pdf, plaintext, rtf

Reader = Callable[..., ParsedDocument]

READERS: dict[str, Reader] = {
    ".txt": plaintext.read,
    ".text": plaintext.read,
    ".md": markdown.read,
    ".markdown": markdown.read,
    ".html": html.read,
    ".htm": html.read,
    ".docx": docx.read,
    ".odt": odt.read,
    ".rtf": rtf.read,
    ".pdf": pdf.read,
    ".vtt": captions.read_vtt,
    ".srt": captions.read_srt,
}


def read_document(path: Path, *, encoding: str | None = None) -> ParsedDocument:
    """Read ``path`` with the importer for its extension."""
    if not path.exists():
        raise ImportFailed(f"{path}: no such file")
    if path.is_dir():
        raise ImportFailed(f"{path}: is a directory, not a file")
    # The file name becomes the document's name: refused before the file is read.
    found = NAME_CONTROLS.search(path.stem)
    if found is not None:
        raise ImportFailed(f"{path}: the file name holds a control character "
                           f"(U+{ord(found.group()):04X}) and would name the document; "
                           "rename the file")
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = ", ".join(sorted(READERS))
        raise ImportFailed(f"{path}: cannot import {path.suffix or 'files without an extension'} "
                           f"(qcode reads {known})")
    document = reader(path, encoding=encoding)
    if not document.paragraphs:
        raise ImportFailed(f"{path}: no paragraphs found")
    return document


__all__ = ["READERS", "Block", "ParsedDocument", "ParsedParagraph", "compose", "read_document"]
