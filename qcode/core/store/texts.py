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
from qcode.core.record import record


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


# A snapshot's paragraph columns, in this order (then page and time_ms where any has one).
_COLUMNS = ["ordinal", "label", "section", "speaker", "text", "start", "end", "text_hash",
            "preceding"]


@record(frozen=True)
class ParagraphRows:
    """A document's paragraph rows built ahead (by :func:`paragraph_rows`): what
    :func:`document_snapshot` would build from its ParsedParagraphs."""

    rows: dict[str, Any]  # same/columns/values, as a snapshot keeps them
    trailing: str  # the text after the last paragraph

    def __len__(self) -> int:
        return len(self.rows["values"])


def paragraph_rows(text: str, places: Sequence[int], labels: Sequence[str | None],
                   sections: Sequence[str | None], speakers: Sequence[str | None],
                   hashes: str, pages: Sequence[int | None] | None = None,
                   times: Sequence[int | None] | None = None) -> ParagraphRows:
    """The paragraph rows of a document kept as columns (the import's compact form):
    paragraph ``n`` (ordinal ``n + 1``) is ``text[places[2n]:places[2n + 1]]`` and its
    text hash ``hashes[16n:16n + 16]``, computed ahead (in the import's reader
    processes). Built straight from the columns: a ParsedParagraph each, only to be
    taken apart again into a row, cost more than the row."""
    values: list[list[Any]] = []
    add = values.append
    position = 0
    for n in range(len(labels)):
        start, end = places[2 * n], places[2 * n + 1]
        if not position <= start <= end <= len(text):
            raise ProjectError(
                f"paragraph at {start}–{end} overlaps the one before it or runs past the "
                f"end of its text ({len(text)} characters)")
        add([n + 1, labels[n], sections[n], speakers[n], text[start:end], start, end,
             hashes[16 * n:16 * n + 16], text[position:start]])
        position = end
    columns = list(_COLUMNS)
    for name, extra in (("page", pages), ("time_ms", times)):
        if extra is not None and any(v is not None for v in extra):
            columns.append(name)
            for row, value in zip(values, extra, strict=True):
                row.append(value)
    return ParagraphRows({"same": {}, "columns": columns, "values": values}, text[position:])


def document_snapshot(parsed: ParsedDocument, *, name: str, guid: str | None = None,
                      attributes: dict[str, str] | None = None,
                      digest: str | None = None,
                      built: ParagraphRows | None = None) -> dict[str, Any]:
    """The rows an ``insert_document`` change adds for a parsed document: the document
    (its text kept in its paragraphs), the paragraphs, and the attributes (the parsed
    ones, then ``attributes`` over them). ``digest`` is the text's SHA-256 when the
    caller has just computed it; ``built``, the paragraph rows when the caller built
    them (see :func:`paragraph_rows`; ``parsed`` then comes without its paragraphs)."""
    if built is not None:
        return {"document": _document_row(parsed, name, guid, digest, built.trailing),
                "paragraphs": built.rows,
                "attributes": {**parsed.attributes, **(attributes or {})}}
    preceding, trailing = split_text(parsed.text, [(p.start, p.end) for p in parsed.paragraphs])
    document = _document_row(parsed, name, guid, digest, trailing)
    # Columns, one list of values per paragraph (the stored form of many rows, see
    # qcode.core.store.rows): a dict per paragraph cost more than inserting it.
    columns = list(_COLUMNS)
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


def _document_row(parsed: ParsedDocument, name: str, guid: str | None, digest: str | None,
                  trailing: str) -> dict[str, Any]:
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
    return document
