"""PDF (.pdf): the text layer, via pypdf, divided into paragraphs by its layout.

pypdf lays each page's text out as it stands on the page (``extraction_mode="layout"``):
a vertical gap wider than a line becomes a blank line and an indented first line keeps
its indent. So a paragraph ends at a blank line, or where a line starts further in than
the page's left margin (first-line indents); lines within it are joined with a space
(a line-end hyphen is kept: no character of the PDF is dropped). A page number alone
on the first or last line of a page is left out, and a paragraph that runs on to the
next page (no closing punctuation, the next page going on in lower case) stays one
paragraph. Every paragraph knows the page it starts on.

A PDF without a text layer (a scan) is refused with that reason, and so is one that
needs a password. Hostile PDFs meet pypdf's own limits; whatever pypdf raises becomes
one line naming the file.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from qcode.core.errors import ImportFailed
from qcode.core.model import Block, ParsedDocument, compose
from qcode.core.textfile import read_bytes
from qcode.ingest.labels import annotate
from qcode.ingest.plaintext import _is_caps_heading

MAX_BYTES = 256 * 1024 * 1024
_PAGE_NUMBER = re.compile(r"^(?:[-–—]\s*)?(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?"
                          r"(?:\s*[-–—])?$", re.IGNORECASE)
_SPACES = re.compile(r"\s{2,}")
_ENDS = (".", "?", "!", ":", "…", "»", "”", '"', ")")
# A line this much further in than the page's margin starts a paragraph.
_INDENT = 2


def read(path: Path, *, encoding: str | None = None) -> ParsedDocument:
    """Import a .pdf file's text layer (``encoding`` is ignored: the PDF says it)."""
    data = read_bytes(path, max_bytes=MAX_BYTES, what="a PDF")
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise ImportFailed(f"{path}: not a PDF (it does not start with %PDF)")
    try:
        pages, title, author = _pages(path, data)
    except ImportFailed:
        raise
    except Exception as exc:  # pypdf raises many types for a broken file
        raise ImportFailed(f"{path}: not a PDF qcode can read ({_reason(exc)})") from exc
    pieces: list[tuple[Block, int]] = []
    for number, lines in enumerate(pages, start=1):
        for index, block in enumerate(_blocks(lines)):
            last = pieces[-1][0] if pieces else None
            if (index == 0 and last is not None and last.kind == block.kind == "paragraph"
                    and _runs_on(last.text, block.text)):
                last.text += " " + block.text  # a paragraph the page break cut in two
                continue
            pieces.append((block, number))
    if not any(block.kind == "paragraph" for block, _page in pieces):
        raise ImportFailed(f"{path}: the PDF has no text layer (a scanned document?); "
                           "run it through OCR (e.g. ocrmypdf) and import the result")
    annotate([block for block, _page in pieces])
    document = compose(path.stem, [block for block, _page in pieces])
    starts = [page for block, page in pieces if block.kind == "paragraph" and block.text.strip()]
    document.paragraphs = [replace(p, page=page)
                           for p, page in zip(document.paragraphs, starts, strict=True)]
    document.title, document.author = title, author
    return document


def _pages(path: Path, data: bytes) -> tuple[list[list[str]], str | None, str | None]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            # Many PDFs are locked only against editing: an empty password opens them.
            opened = bool(reader.decrypt(""))
        except (DependencyError, NotImplementedError):
            opened = False
        if not opened:
            raise ImportFailed(f"{path}: the PDF is encrypted (it needs a password); save "
                               "an unprotected copy and import that")
    pages = []
    try:
        for page in reader.pages:
            pages.append(_lines(page))
    except FileNotDecryptedError as exc:
        raise ImportFailed(f"{path}: the PDF is encrypted (it needs a password)") from exc
    meta = reader.metadata
    title = str(meta.title).strip() or None if meta is not None and meta.title else None
    author = str(meta.author).strip() or None if meta is not None and meta.author else None
    return pages, title, author


def _lines(page: Any) -> list[str]:
    text = page.extract_text(extraction_mode="layout") or ""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    filled = [i for i, line in enumerate(lines) if line.strip()]
    for at in (filled[:1] + filled[-1:]) if filled else []:
        if _PAGE_NUMBER.match(lines[at].strip()):
            lines[at] = ""
    return lines


def _blocks(lines: list[str]) -> list[Block]:
    filled = [line for line in lines if line.strip()]
    if not filled:
        return []
    margin = min(len(line) - len(line.lstrip()) for line in filled)
    blocks: list[Block] = []
    current: list[str] = []

    def close() -> None:
        if current:
            text = " ".join(current)
            heading = len(current) == 1 and _is_caps_heading(text)
            blocks.append(Block("heading" if heading else "paragraph", text))
            current.clear()

    for line in lines:
        if not line.strip():
            close()
            continue
        if current and len(line) - len(line.lstrip()) >= margin + _INDENT:
            close()
        current.append(_SPACES.sub(" ", line.strip()))
    close()
    return blocks


def _runs_on(before: str, after: str) -> bool:
    """A paragraph broken by a page end: no closing punctuation, then lower case."""
    return not before.rstrip().endswith(_ENDS) and after[:1].islower()


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split())[:120]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


__all__ = ["read"]
