"""Paragraphs found *in place*: offsets into the text exactly as given.

The ordinary importers compose a fresh text from their blocks
(:func:`qcode.core.model.compose`). A text that arrives with positions already
pointing into it — a REFI-QDA source with its coded selections — must be kept
character for character, so here each paragraph is located where it stands and the
text is never rebuilt: ``text[p.start:p.end] == p.text`` for every paragraph, with
labels and speakers found by the same rules as every importer
(:func:`qcode.ingest.labels.annotate`).

Paragraphs are separated by blank lines. A text with (almost) no blank lines but many
line breaks — a tool's export of a spreadsheet, a transcript with one turn per line —
would otherwise be a handful of enormous paragraphs, so there every non-empty line is
a paragraph (see :func:`paragraph_mode`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from qcode.core.model import Block, ParsedParagraph
from qcode.ingest.labels import annotate
from qcode.ingest.plaintext import _BLANK, _is_caps_heading

Mode = Literal["blank-lines", "lines"]

_LINE = re.compile(r"[^\n]+")
# Line mode when blank lines separate fewer than one line break in this many...
_LINES_PER_BLANK = 20
# ...and the text has at least this many line breaks (a short note stays one block).
_MIN_LINE_BREAKS = 20


@dataclass(frozen=True)
class _Chunk:
    start: int
    end: int
    kind: Literal["heading", "paragraph"]


def paragraph_mode(text: str) -> Mode:
    """How ``text`` is divided: ``"blank-lines"``, or ``"lines"`` when it has many line
    breaks and blank lines separate fewer than one in twenty of them."""
    breaks = text.count("\n")
    blanks = len(_BLANK.findall(text))
    if breaks >= _MIN_LINE_BREAKS and blanks * _LINES_PER_BLANK < breaks:
        return "lines"
    return "blank-lines"


def split_spans(text: str, mode: Mode | None = None) -> list[ParsedParagraph]:
    """The paragraphs of ``text`` with offsets into ``text`` itself (code points).

    ``mode`` defaults to :func:`paragraph_mode`. In blank-line mode a one-line
    ``# Title`` or ALL-CAPS line is a heading (the ``section`` of what follows), as in
    :mod:`qcode.ingest.plaintext`; in line mode every line is a paragraph.
    """
    chosen = mode or paragraph_mode(text)
    chunks = _line_chunks(text) if chosen == "lines" else _blank_line_chunks(text)
    blocks = [Block(c.kind, text[c.start:c.end]) for c in chunks]
    if chosen == "blank-lines":
        blocks = annotate(blocks)
    paragraphs: list[ParsedParagraph] = []
    section: str | None = None
    for chunk, block in zip(chunks, blocks, strict=True):
        if chunk.kind == "heading":
            section = block.text.lstrip().lstrip("#").strip()
            continue
        start = chunk.start + len(block.marker)
        paragraphs.append(ParsedParagraph(
            ordinal=len(paragraphs) + 1, label=block.label, section=section,
            speaker=block.speaker, text=text[start:chunk.end], start=start, end=chunk.end,
            time_ms=block.time_ms,
        ))
    return paragraphs


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``/``end`` moved inward past surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _blank_line_chunks(text: str) -> list[_Chunk]:
    chunks: list[_Chunk] = []
    position = 0
    bounds = [(m.start(), m.end()) for m in _BLANK.finditer(text)] + [(len(text), len(text))]
    for blank_start, blank_end in bounds:
        start, end = _trimmed(text, position, blank_start)
        position = blank_end
        if start == end:
            continue
        piece = text[start:end]
        single = "\n" not in piece
        heading = single and (piece.startswith("#") or _is_caps_heading(piece))
        chunks.append(_Chunk(start, end, "heading" if heading else "paragraph"))
    return chunks


def _line_chunks(text: str) -> list[_Chunk]:
    chunks: list[_Chunk] = []
    for match in _LINE.finditer(text):
        start, end = _trimmed(text, match.start(), match.end())
        if start < end:
            chunks.append(_Chunk(start, end, "paragraph"))
    return chunks


__all__ = ["Mode", "paragraph_mode", "split_spans"]
