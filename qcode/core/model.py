"""Plain records: what the library hands to front ends and reports, and the parsed
document every importer builds (blocks of text composed into one text with its
paragraphs placed in it)."""

from __future__ import annotations

import sqlite3
from dataclasses import field
from typing import Literal

from qcode.core.record import record


@record(frozen=True)
class Coder:
    """A person who codes (first-class: every coding carries its coder)."""

    id: int
    guid: str
    name: str


@record(frozen=True)
class Document:
    """An imported text and its metadata."""

    id: int
    guid: str
    name: str
    title: str | None
    kind: str
    source: str | None
    author: str | None
    licence: str | None
    language: str | None
    sha256: str
    imported_at: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Document:
        """Build from a ``documents`` row (the text itself is loaded separately)."""
        return cls(
            id=row["id"],
            guid=row["guid"],
            name=row["name"],
            title=row["title"],
            kind=row["kind"],
            source=row["source"],
            author=row["author"],
            licence=row["licence"],
            language=row["language"],
            sha256=row["sha256"],
            imported_at=row["imported_at"],
        )


@record(frozen=True)
class Paragraph:
    """One coding unit: a paragraph of a document, with its place in the text."""

    id: int
    document_id: int
    ordinal: int
    label: str | None
    section: str | None
    speaker: str | None
    text: str
    start: int
    end: int
    page: int | None = None
    # When the turn begins in the recording (milliseconds), from a transcript's timestamp.
    time_ms: int | None = None

    @property
    def ref(self) -> str:
        """How a researcher cites it: its label, or ``¶ordinal`` when it has none."""
        return self.label or f"¶{self.ordinal}"

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Paragraph:
        """Build from a ``paragraphs`` row."""
        return cls(
            id=row["id"],
            document_id=row["document_id"],
            ordinal=row["ordinal"],
            label=row["label"],
            section=row["section"],
            speaker=row["speaker"],
            text=row["text"],
            start=row["start"],
            end=row["end"],
            page=row["page"] if "page" in row.keys() else None,  # noqa: SIM118 (a Row)
            time_ms=row["time_ms"] if "time_ms" in row.keys() else None,  # noqa: SIM118
        )


def format_time(ms: int | None) -> str | None:
    """A paragraph's time as transcripts write it: ``00:01:23`` (hours always shown)."""
    if ms is None:
        return None
    seconds = ms // 1000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@record(frozen=True)
class Code:
    """A theme in the codebook, with the MacQueen et al. (1998) fields."""

    id: int
    guid: str
    name: str
    parent_id: int | None
    position: int
    colour: str | None
    short: str | None = None
    definition: str | None = None
    when_to_use: str | None = None
    when_not_to_use: str | None = None
    example: str | None = None
    example_ref: str | None = None
    codable: bool = True

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Code:
        """Build from a ``codes`` row."""
        return cls(
            id=row["id"],
            guid=row["guid"],
            name=row["name"],
            parent_id=row["parent_id"],
            position=row["position"],
            colour=row["colour"],
            short=row["short"],
            definition=row["definition"],
            when_to_use=row["when_to_use"],
            when_not_to_use=row["when_not_to_use"],
            example=row["example"],
            example_ref=row["example_ref"],
            codable=bool(row["codable"]),
        )


@record(frozen=True)
class Coding:
    """A code applied to a paragraph by a coder."""

    id: int
    guid: str
    paragraph_id: int
    code_id: int
    coder_id: int
    memo: str | None
    created_at: str
    spans: str | None = None


@record(frozen=True)
class Event:
    """One row of the audit trail."""

    id: int
    at: str
    coder: str
    kind: str
    action: str
    summary: str
    target: int | None


@record(frozen=True)
class DocumentSummary:
    """A document with its size and coding progress, for listings."""

    document: Document
    paragraphs: int
    coded: int
    codings: int
    attributes: dict[str, str] = field(default_factory=dict)

@record
class Block:
    """A heading or a paragraph as the importer found it.

    ``marker`` is the leading label or speaker tag as written in the source ("§12 ",
    "Q: "); it stays in the document's text but not in the paragraph's text.
    """

    kind: Literal["heading", "paragraph"]
    text: str
    label: str | None = None
    speaker: str | None = None
    marker: str = ""
    time_ms: int | None = None


@record(frozen=True)
class ParsedParagraph:
    """A paragraph placed in the composed document text (``text == doc[start:end]``);
    ``page`` is the page it starts on, for formats that have pages (PDF)."""

    ordinal: int
    label: str | None
    section: str | None
    speaker: str | None
    text: str
    start: int
    end: int
    page: int | None = None
    time_ms: int | None = None


@record
class ParsedDocument:
    """An imported file, ready for :meth:`qcode.Project.add_document`."""

    name: str
    text: str
    paragraphs: list[ParsedParagraph]
    title: str | None = None
    kind: str = "interview"
    source: str | None = None
    author: str | None = None
    licence: str | None = None
    language: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    # How the tool the text came from counted positions in it and which line breaks it
    # had (see qcode.exchange.refi_offsets); None for a file qcode read itself.
    positions: str | None = None
    line_breaks: str | None = None


def compose(name: str, blocks: list[Block]) -> ParsedDocument:
    """Join blocks into one text (blank line between blocks) and place each paragraph.

    Headings become the ``section`` of the paragraphs under them. Empty blocks are
    dropped. Offsets count Unicode code points from 0, end exclusive (REFI-QDA's unit).
    """
    parts: list[str] = []
    paragraphs: list[ParsedParagraph] = []
    add, place = parts.append, paragraphs.append  # this loop runs for every paragraph
    position = 0
    section: str | None = None
    for block in blocks:
        text = block.text.strip()
        if not text:
            continue
        if parts:
            add("\n\n")
            position += 2
        if block.kind == "heading":
            section = text
            add(text)
            position += len(text)
            continue
        add(block.marker)
        position += len(block.marker)
        end = position + len(text)
        place(ParsedParagraph(len(paragraphs) + 1, block.label, section, block.speaker, text,
                              position, end, None, block.time_ms))
        add(text)
        position = end
    return ParsedDocument(name=name, text="".join(parts), paragraphs=paragraphs)
