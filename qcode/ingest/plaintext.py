"""Plain text transcripts (.txt): paragraphs split on blank lines."""

from __future__ import annotations

import re
from pathlib import Path

from qcode.core.model import Block, ParsedDocument, compose
from qcode.core.textfile import decode, read_bytes
from qcode.ingest.labels import annotate, split_turn_lines

_BLANK = re.compile(r"\n[ \t\f\v]*\n")
_TERMINAL = (".", "?", "!", ":", ";", ",", "…", "»", "”", '"', ")")


def blocks_from_text(text: str) -> list[Block]:
    """Split text on blank lines (and turns on consecutive lines at their speakers'
    labels); a one-line ``# Title`` or ALL-CAPS line is a heading."""
    blocks: list[Block] = []
    add = blocks.append
    for chunk in _BLANK.split(text):
        chunk = chunk.strip("\n").rstrip()
        stripped = chunk.lstrip()  # the chunk stripped both ends (it was rstripped)
        if not stripped:
            continue
        if "\n" in chunk:
            add(Block("paragraph", stripped))
        elif stripped.startswith("#"):
            add(Block("heading", stripped.lstrip("#").strip()))
        elif _is_caps_heading(stripped):
            add(Block("heading", stripped))
        else:
            add(Block("paragraph", stripped))
    return annotate(split_turn_lines(blocks))


def _is_caps_heading(line: str) -> bool:
    # Cheap tests first: this runs on every one-line paragraph of a transcript.
    if len(line) > 80 or ":" in line or line.endswith(_TERMINAL) or not line.isupper():
        return False
    return sum(c.isalpha() for c in line) >= 3


def read(path: Path, *, encoding: str | None = None) -> ParsedDocument:
    """Import a .txt file."""
    text = decode(read_bytes(path), path, encoding)
    return compose(path.stem, blocks_from_text(text))
