"""Markdown (.md), read with markdown-it-py (CommonMark): YAML front matter for metadata,
headings of both styles for sections, list items (nested too) and block quotes as
paragraphs of their own, footnotes as "note N" paragraphs, escapes and inline markup
reduced to the plain text a reader sees.

Labels: a paragraph opening with "§12" (or "[12]") is §12; the items of a list under
it are §12.1, §12.2… (a nested item §12.2.1), a block quote under it "§12 quote".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from qcode.core import yamlsafe
from qcode.core.errors import ImportFailed
from qcode.core.model import Block, ParsedDocument, compose
from qcode.core.textfile import decode, read_bytes
from qcode.ingest.labels import annotate
from qcode.ingest.metadata import apply_metadata

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _parser() -> Any:
    # Loaded here: markdown-it is needed only to read a .md file.
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin
    from mdit_py_plugins.front_matter import front_matter_plugin

    md = MarkdownIt("commonmark").use(front_matter_plugin).use(footnote_plugin)
    # The tail would drop a footnote nobody refers to: its text is part of the document.
    md.disable("footnote_tail")
    return md


def _plain(inline: Any) -> str:
    """An inline token's text as a reader sees it: markup and link targets gone, image
    alt text kept, footnote calls as superscript numbers."""
    parts: list[str] = []
    for child in inline.children or []:
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif kind == "image":
            parts.append(child.content)
        elif kind == "footnote_ref":
            label = str(child.meta.get("label", ""))
            parts.append(label.translate(_SUPERSCRIPT) if label.isdigit() else f"[{label}]")
    return " ".join("".join(parts).split())


def split_front_matter(text: str, path: Path) -> tuple[dict[str, Any], list[Any]]:
    """(metadata, tokens) of a Markdown document that may open with ``---`` YAML."""
    tokens = _parser().parse(text)
    data: Any = {}
    if tokens and tokens[0].type == "front_matter":
        data = yamlsafe.load(tokens[0].content, path, line_offset=1, what="front matter") or {}
        tokens = tokens[1:]
    elif text.startswith("---\n") and "\n---" not in text[3:]:
        raise ImportFailed(f"{path}: front matter opened with '---' on line 1 is never closed")
    if not isinstance(data, dict):
        raise ImportFailed(f"{path}: front matter must be key: value pairs")
    return data, tokens


def blocks_from_tokens(tokens: list[Any]) -> list[Block]:
    """markdown-it's block tokens as blocks, with list-item, quote and note labels."""
    blocks: list[Block] = []
    numbers: list[int] = []  # the item number at each level of the lists we are in
    starts: list[int] = []
    fresh_item = False
    quote_depth = 0
    note: str | None = None
    fresh_note = False
    for index, token in enumerate(tokens):
        kind = token.type
        if kind == "heading_open":
            blocks.append(Block("heading", _plain(tokens[index + 1])))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            starts.append(int(token.attrs.get("start", 1)) if kind == "ordered_list_open" else 1)
            numbers.append(starts[-1] - 1)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            starts.pop()
            numbers.pop()
        elif kind == "list_item_open":
            numbers[-1] += 1
            fresh_item = True
        elif kind == "blockquote_open":
            quote_depth += 1
        elif kind == "blockquote_close":
            quote_depth -= 1
        elif kind == "footnote_reference_open":
            note, fresh_note = str(token.meta.get("label", "")), True
        elif kind == "footnote_reference_close":
            note = None
        elif kind in ("fence", "code_block"):
            blocks.append(Block("paragraph", token.content.rstrip("\n")))
        elif kind == "paragraph_open":
            text = _plain(tokens[index + 1])
            if not text:
                continue
            if note is not None:
                if fresh_note:
                    blocks.append(Block("paragraph", text, label=f"note {note}"))
                    fresh_note = False
                else:
                    blocks[-1].text += " " + text
            elif numbers:
                if fresh_item:
                    label = "item:" + ".".join(map(str, numbers))
                    blocks.append(Block("paragraph", text, label=label))
                    fresh_item = False
                else:
                    blocks[-1].text += " " + text
            elif quote_depth:
                blocks.append(Block("paragraph", text, label="quote"))
            else:
                blocks.append(Block("paragraph", text))
    return _label_children(annotate(blocks))


def blocks_from_markdown(body: str) -> list[Block]:
    """A Markdown body (no front matter) to blocks."""
    return blocks_from_tokens(_parser().parse(body))


def _label_children(blocks: list[Block]) -> list[Block]:
    """List items under a labelled paragraph become "§8.1"…; a quote "§13 quote"."""
    parent: str | None = None
    quotes = 0
    for block in blocks:
        if block.kind == "heading":
            parent = None
            continue
        label = block.label or ""
        if label.startswith("item:"):
            block.label = f"{parent}.{label[5:]}" if parent else None
        elif label == "quote":
            quotes += 1
            suffix = " quote" if quotes == 1 else f" quote {quotes}"
            block.label = f"{parent}{suffix}" if parent else None
        else:
            if not label.startswith("note "):
                parent = block.label
            quotes = 0
    return blocks


def read(path: Path, *, encoding: str | None = None) -> ParsedDocument:
    """Import a .md file; front matter keys become document metadata and attributes."""
    text = decode(read_bytes(path), path, encoding)
    front, tokens = split_front_matter(text, path)
    document = compose(path.stem, blocks_from_tokens(tokens))
    if not document.paragraphs:
        raise ImportFailed(f"{path}: no paragraphs after the front matter")
    return apply_metadata(document, front)
