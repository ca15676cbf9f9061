"""HTML (.html, .htm): the text only — no scripts, styles, navigation or page furniture."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from qcode.core.errors import ImportFailed
from qcode.core.model import Block, ParsedDocument, compose
from qcode.core.textfile import decode, read_bytes
from qcode.ingest.labels import annotate

_SKIP = {
    "script", "style", "nav", "header", "footer", "aside", "noscript", "template",
    "form", "button", "svg", "iframe", "object", "select",
}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_BLOCKS = {
    "p", "li", "blockquote", "pre", "dd", "dt", "td", "th", "div", "section",
    "article", "main", "figcaption", "caption", "address", *_HEADINGS,
}
_VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "wbr", "source"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title: str | None = None
        self._buffer: list[str] = []
        self._skip_depth = 0
        self._stack: list[str] = []
        self._in_title = False
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag == "br" and not self._skip_depth:
                self._buffer.append("\n")
            return
        hidden = any(k == "hidden" or (k == "aria-hidden" and v == "true") for k, v in attrs)
        role = dict(attrs).get("role") or ""
        if self._skip_depth or tag in _SKIP or hidden or role in {"navigation", "banner"}:
            self._skip_depth += 1
            self._stack.append(tag)
            return
        self._stack.append(tag)
        if tag == "title":
            self._in_title = True
        if tag in _BLOCKS:
            self._flush()
        if tag == "pre":
            self._pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or tag not in self._stack:
            return
        # Close everything opened after ``tag`` too (HTML in the wild is not balanced).
        while self._stack:
            open_tag = self._stack.pop()
            if self._skip_depth:
                self._skip_depth -= 1
            elif open_tag in _BLOCKS:
                self._flush(heading=open_tag in _HEADINGS)
            if open_tag == "title":
                self._in_title = False
            if open_tag == "pre":
                self._pre -= 1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = (self.title or "") + data
            return
        if not self._skip_depth:
            self._buffer.append(data)

    def _flush(self, heading: bool = False) -> None:
        raw = "".join(self._buffer)
        self._buffer = []
        if self._pre:
            text = raw.strip("\n")
        else:
            text = "\n".join(" ".join(line.split()) for line in raw.split("\n")).strip()
        if text:
            self.blocks.append(Block("heading" if heading else "paragraph", text))

    def close(self) -> None:
        super().close()
        self._flush()


def read(path: Path, *, encoding: str | None = None) -> ParsedDocument:
    """Import an .html file: block elements become paragraphs, h1–h6 sections."""
    data = read_bytes(path)
    declared = _CHARSET.search(data[:4096])
    if encoding is None and declared is not None:
        name = declared.group(1).decode("ascii").lower()
        if name not in {"utf-8", "utf8"}:
            encoding = name
    text = decode(data, path, encoding)
    parser = _TextExtractor()
    try:
        parser.feed(text)
        parser.close()
    except (AssertionError, ValueError) as exc:  # html.parser's own complaints
        raise ImportFailed(f"{path}: cannot parse the HTML ({exc})") from exc
    if not any(b.kind == "paragraph" for b in parser.blocks):
        raise ImportFailed(f"{path}: no text found in the HTML")
    document = compose(path.stem, annotate(parser.blocks))
    if parser.title and parser.title.strip():
        document.title = " ".join(parser.title.split())
    return document
