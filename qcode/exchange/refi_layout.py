"""What a REFI-QDA project cannot say about our documents, carried beside it.

A ``.qdpx`` holds each source's plain text, but not how qcode divided it: paragraph
labels ("§8.1", "note 3"), sections and speakers, nor a document's title, kind, author
or licence. Our export adds ``qcode.json`` to the archive with exactly that, keyed by
the source's GUID and tied to its text by SHA-256; other tools ignore the extra file,
and our import uses a document's entry only when the text still matches it, so a
project re-exported by another tool falls back to splitting the text afresh.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from qcode.core.ids import sha256
from qcode.core.model import Document, Paragraph, ParsedParagraph

MEMBER = "qcode.json"
FORMAT = "qcode-qdpx-layout"
VERSION = 2
FIELDS = ("name", "title", "kind", "source", "author", "licence", "language")


@dataclass(frozen=True)
class Layout:
    """One document's fields and paragraphs, as the export recorded them, and the unit
    its positions were written in (:mod:`qcode.exchange.refi_offsets`)."""

    fields: dict[str, str | None]
    paragraphs: list[ParsedParagraph]
    positions: str | None = None


def dump(entries: list[tuple[Document, str, list[Paragraph]]],
         positions: dict[str, str] | None = None) -> bytes:
    """``qcode.json`` for (document, its text, its paragraphs) triples; ``positions``
    names, by document GUID, the unit the export wrote a document's positions in."""
    documents = {
        document.guid: {
            "sha256": sha256(text),
            **{key: getattr(document, key) for key in FIELDS},
            "positions": (positions or {}).get(document.guid),
            "paragraphs": [[p.label, p.section, p.speaker, p.start, p.end,
                            *([p.page] if p.page is not None else [])]
                           for p in paragraphs],
        }
        for document, text, paragraphs in entries
    }
    data = {"format": FORMAT, "version": VERSION, "documents": documents}
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def load(data: bytes) -> dict[str, Any] | None:
    """The per-document entries of a ``qcode.json``, or None if it is not one we read."""
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(parsed, dict) or parsed.get("format") != FORMAT:
        return None
    if not isinstance(parsed.get("version"), int) or parsed["version"] > VERSION:
        return None
    documents = parsed.get("documents")
    return documents if isinstance(documents, dict) else None


def layout_for(entry: Any, text: str) -> Layout | None:
    """The layout in ``entry`` if it describes ``text`` exactly, else None."""
    if not isinstance(entry, dict) or entry.get("sha256") != sha256(text):
        return None
    rows = entry.get("paragraphs")
    if not isinstance(rows, list) or not rows:
        return None
    paragraphs: list[ParsedParagraph] = []
    previous_end = 0
    for ordinal, row in enumerate(rows, start=1):
        # [label, section, speaker, start, end] and, for a paragraph with one, its page
        if not (isinstance(row, list) and len(row) in (5, 6)):
            return None
        label, section, speaker, start, end = row[:5]
        page = row[5] if len(row) == 6 else None
        if not all(v is None or isinstance(v, str) for v in (label, section, speaker)):
            return None
        if not (isinstance(start, int) and isinstance(end, int)
                and previous_end <= start < end <= len(text)):
            return None
        if page is not None and not isinstance(page, int):
            return None
        previous_end = end
        paragraphs.append(ParsedParagraph(ordinal, label, section, speaker, text[start:end],
                                          start, end, page))
    fields = {key: entry.get(key) if isinstance(entry.get(key), str) else None
              for key in FIELDS}
    positions = entry.get("positions")
    return Layout(fields, paragraphs, positions if isinstance(positions, str) else None)
