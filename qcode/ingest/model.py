"""What every importer produces: blocks of text, composed into a document."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass
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


@dataclass(frozen=True)
class ParsedParagraph:
    """A paragraph placed in the composed document text (``text == doc[start:end]``)."""

    ordinal: int
    label: str | None
    section: str | None
    speaker: str | None
    text: str
    start: int
    end: int


@dataclass
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


def compose(name: str, blocks: list[Block]) -> ParsedDocument:
    """Join blocks into one text (blank line between blocks) and place each paragraph.

    Headings become the ``section`` of the paragraphs under them. Empty blocks are
    dropped. Offsets count Unicode code points from 0, end exclusive (REFI-QDA's unit).
    """
    parts: list[str] = []
    paragraphs: list[ParsedParagraph] = []
    position = 0
    section: str | None = None
    for block in blocks:
        text = block.text.strip()
        if not text:
            continue
        if parts:
            parts.append("\n\n")
            position += 2
        if block.kind == "heading":
            section = text
            parts.append(text)
            position += len(text)
            continue
        parts.append(block.marker)
        position += len(block.marker)
        paragraphs.append(
            ParsedParagraph(
                ordinal=len(paragraphs) + 1,
                label=block.label,
                section=section,
                speaker=block.speaker,
                text=text,
                start=position,
                end=position + len(text),
            )
        )
        parts.append(text)
        position += len(text)
    return ParsedDocument(name=name, text="".join(parts), paragraphs=paragraphs)
