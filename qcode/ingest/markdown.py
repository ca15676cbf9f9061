"""Markdown (.md): YAML front matter for metadata, headings for sections, list items
and block quotes as paragraphs of their own, footnotes as "note N" paragraphs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from qcode.core import yamlsafe
from qcode.core.errors import ImportFailed
from qcode.core.model import Block, ParsedDocument, compose
from qcode.core.textfile import decode, read_bytes
from qcode.ingest.labels import annotate
from qcode.ingest.metadata import apply_metadata

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s{0,3}[-*+]\s+(.*)$")
_ORDERED = re.compile(r"^\s{0,3}(\d{1,4})[.)]\s+(.*)$")
_QUOTE = re.compile(r"^\s{0,3}>\s?(.*)$")
_FOOTNOTE = re.compile(r"^\[\^([^\]\s]+)\]:\s*(.*)$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # images: keep the alt text
    (re.compile(r"\[([^\]^][^\]]*)\]\([^)]*\)"), r"\1"),  # links: keep the text
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
    (re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"), r"\1"),
    (re.compile(r"`([^`]+)`"), r"\1"),
)
_CALL = re.compile(r"\[\^([^\]\s]+)\]")


def _plain(text: str) -> str:
    """Inline Markdown to plain text; footnote calls become superscript numbers."""
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return _CALL.sub(
        lambda m: m.group(1).translate(_SUPERSCRIPT) if m.group(1).isdigit() else f"[{m.group(1)}]",
        text,
    )


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], str]:
    """(metadata, body) for a document that opens with a ``---`` YAML block."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 4)
    if end == -1:
        raise ImportFailed(f"{path}: front matter opened with '---' on line 1 is never closed")
    raw, body = text[4:end], text[end + 4:]
    body = body.split("\n", 1)[1] if "\n" in body else ""
    data = yamlsafe.load(raw, path, line_offset=1, what="front matter") or {}
    if not isinstance(data, dict):
        raise ImportFailed(f"{path}: front matter must be key: value pairs")
    return data, body


def blocks_from_markdown(body: str) -> list[Block]:
    """Markdown body to blocks, with list-item, quote and footnote labels."""
    blocks: list[Block] = []
    current: list[str] = []
    kind = "para"
    in_fence = False

    def flush() -> None:
        nonlocal current, kind
        if current:
            blocks.append(_block(kind, current))
        current, kind = [], "para"

    for line in body.split("\n"):
        if in_fence:
            if _FENCE.match(line):
                in_fence = False
                flush()
            else:
                current.append(line)
            continue
        if _FENCE.match(line):
            flush()
            in_fence, kind = True, "code"
            continue
        if not line.strip():
            flush()
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            blocks.append(Block("heading", _plain(heading.group(2))))
            continue
        item = _BULLET.match(line) or _ORDERED.match(line)
        if item and kind != "code":
            flush()
            kind = f"item:{item.group(1)}" if item.re is _ORDERED else "item:"
            current = [item.groups()[-1]]
            continue
        footnote = _FOOTNOTE.match(line)
        if footnote:
            flush()
            kind = f"note:{footnote.group(1)}"
            current = [footnote.group(2)]
            continue
        quote = _QUOTE.match(line)
        if quote and (kind == "quote" or not current):
            kind = "quote"
            current.append(quote.group(1))
            continue
        current.append(line.strip() if kind != "code" else line)
    flush()
    return _label_children(annotate(blocks))


def _block(kind: str, lines: list[str]) -> Block:
    if kind == "code":
        return Block("paragraph", "\n".join(lines))
    text = _plain(" ".join(line.strip() for line in lines))
    block = Block("paragraph", text)
    if kind.startswith("note:"):
        block.label = f"note {kind[5:]}"
    elif kind.startswith("item:"):
        block.label = f"item:{kind[5:]}"  # resolved against its parent in _label_children
    elif kind == "quote":
        block.label = "quote"
    return block


def _label_children(blocks: list[Block]) -> list[Block]:
    """List items under a labelled paragraph become "§8.1"…; a quote "§13 quote"."""
    parent: str | None = None
    items = quotes = 0
    for block in blocks:
        if block.kind == "heading":
            parent = None
            continue
        label = block.label or ""
        if label.startswith("item:"):
            items += 1
            number = label[5:] or str(items)
            block.label = f"{parent}.{number}" if parent else None
        elif label == "quote":
            quotes += 1
            suffix = " quote" if quotes == 1 else f" quote {quotes}"
            block.label = f"{parent}{suffix}" if parent else None
        else:
            if not label.startswith("note "):
                parent = block.label
            items = quotes = 0
    return blocks


def read(path: Path, *, encoding: str | None = None) -> ParsedDocument:
    """Import a .md file; front matter keys become document metadata and attributes."""
    text = decode(read_bytes(path), path, encoding)
    front, body = split_front_matter(text, path)
    document = compose(path.stem, blocks_from_markdown(body))
    if not document.paragraphs:
        raise ImportFailed(f"{path}: no paragraphs after the front matter")
    return apply_metadata(document, front)
