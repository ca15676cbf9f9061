"""How a document's text is kept: once, in its paragraphs.

A document's text is its paragraphs' texts with what lies between them — a heading, a
speaker's label, blank lines — kept on the paragraph it precedes (``preceding``) and
whatever follows the last paragraph kept on the document (``trailing``). Joining them in
order gives the text back exactly, and each paragraph's ``start``/``end`` offsets (code
points) fall out of the same walk, so ``qcode check`` can verify both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from qcode.core.errors import ProjectError
from qcode.core.ids import new_guid, now, sha256, text_hash
from qcode.core.model import ParsedDocument


def split_text(text: str, spans: Sequence[tuple[int, int]]) -> tuple[list[str], str]:
    """The text before each span (after the previous one) and the text after the last.

    ``spans`` are (start, end) code-point offsets in order and not overlapping, as every
    importer places paragraphs; anything else cannot be kept this way and is refused.
    """
    preceding: list[str] = []
    position = 0
    for start, end in spans:
        if not position <= start <= end <= len(text):
            raise ProjectError(
                f"paragraph at {start}–{end} overlaps the one before it or runs past the "
                f"end of its text ({len(text)} characters)")
        preceding.append(text[position:start])
        position = end
    return preceding, text[position:]


def join_text(pieces: Iterable[tuple[str, str]], trailing: str) -> str:
    """A document's text from its paragraphs' (preceding, text) in order, then the
    trailing text."""
    return "".join(part for pair in pieces for part in pair) + trailing


def offsets(pieces: Iterable[tuple[str, str]]) -> list[tuple[int, int]]:
    """The (start, end) each paragraph has in the joined text."""
    found: list[tuple[int, int]] = []
    position = 0
    for preceding, text in pieces:
        start = position + len(preceding)
        position = start + len(text)
        found.append((start, position))
    return found


def document_snapshot(parsed: ParsedDocument, *, name: str, guid: str | None = None,
                      attributes: dict[str, str] | None = None,
                      digest: str | None = None) -> dict[str, Any]:
    """The rows an ``insert_document`` change adds for a parsed document: the document
    (its text kept in its paragraphs), the paragraphs, and the attributes (the parsed
    ones, then ``attributes`` over them). ``digest`` is the text's SHA-256 when the
    caller has just computed it."""
    preceding, trailing = split_text(parsed.text, [(p.start, p.end) for p in parsed.paragraphs])
    document = {
        "guid": guid or new_guid(), "name": name, "title": parsed.title,
        "kind": parsed.kind or "interview", "source": parsed.source, "author": parsed.author,
        "licence": parsed.licence, "language": parsed.language,
        "sha256": digest or sha256(parsed.text), "trailing": trailing, "imported_at": now(),
    }
    # Only when there is something to say: a snapshot of an ordinary import stays as
    # it was (and applies to a project of any schema since the text was kept once).
    for key in ("positions", "line_breaks"):
        if getattr(parsed, key) is not None:
            document[key] = getattr(parsed, key)
    # Columns, one list of values per paragraph (the stored form of many rows, see
    # qcode.core.store.rows): a dict per paragraph cost more than inserting it.
    columns = ["ordinal", "label", "section", "speaker", "text", "start", "end", "text_hash",
               "preceding"]
    paged = any(p.page is not None for p in parsed.paragraphs)
    timed = any(p.time_ms is not None for p in parsed.paragraphs)
    columns += ["page"] * paged + ["time_ms"] * timed
    if paged or timed:
        values = [
            [p.ordinal, p.label, p.section, p.speaker, p.text, p.start, p.end,
             text_hash(p.text), before, *((p.page,) if paged else ()),
             *((p.time_ms,) if timed else ())]
            for p, before in zip(parsed.paragraphs, preceding, strict=True)
        ]
    else:  # most documents: the same rows, without unpacking two empty tuples each
        values = [
            [p.ordinal, p.label, p.section, p.speaker, p.text, p.start, p.end,
             text_hash(p.text), before]
            for p, before in zip(parsed.paragraphs, preceding, strict=True)
        ]
    paragraphs = {"same": {}, "columns": columns, "values": values}
    return {"document": document, "paragraphs": paragraphs,
            "attributes": {**parsed.attributes, **(attributes or {})}}
