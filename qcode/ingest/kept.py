"""A checked document kept compactly between an import's check and its write, and the
check of one file that makes it: what an import's reader processes run.

Kept light (no project, search or CLI code): a reader process imports only this and the
file readers.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from qcode.core.model import ParsedDocument, ParsedParagraph
from qcode.core.store.texts import ParagraphRows, paragraph_rows
from qcode.ingest import read_document

Reader = Callable[..., ParsedDocument]


@dataclass
class KeptDocument:
    """A parsed document kept from the check to the write in about its text's size:
    the text once, as UTF-8 (a str holding one character beyond Latin-1 takes two or
    four bytes for every character), each paragraph as its place in it, its labels
    (columns) and its text hash, where a ParsedParagraph each, with its own copy of the
    text, costs ~4x the text."""

    document: ParsedDocument  # without its text and its paragraphs
    data: bytes  # the text, UTF-8
    places: array[int]  # start, end of each paragraph
    labels: list[str | None]
    sections: list[str | None]
    speakers: list[str | None]
    pages: list[int | None] | None
    times: list[int | None] | None
    hashes: str  # each paragraph's text_hash, 16 characters each, in order

    @classmethod
    def keep(cls, parsed: ParsedDocument, data: bytes | None = None) -> KeptDocument | None:
        """``parsed`` kept compactly (``data``: its text as UTF-8, when encoded
        already); None when its paragraphs are not its text's spans in order (then it
        is not kept: it is read again when written)."""
        text, paragraphs = parsed.text, parsed.paragraphs
        if any(p.ordinal != n or text[p.start:p.end] != p.text
               for n, p in enumerate(paragraphs, start=1)):
            return None
        pages = [p.page for p in paragraphs]
        times = [p.time_ms for p in paragraphs]
        sha = hashlib.sha256
        return cls(replace(parsed, text="", paragraphs=[]),
                   text.encode("utf-8") if data is None else data,
                   array("q", [n for p in paragraphs for n in (p.start, p.end)]),
                   [p.label for p in paragraphs], [p.section for p in paragraphs],
                   [p.speaker for p in paragraphs],
                   pages if any(n is not None for n in pages) else None,
                   times if any(n is not None for n in times) else None,
                   # text_hash of each, as qcode.core.ids computes it
                   "".join([sha(p.text.encode("utf-8")).hexdigest()[:16]
                            for p in paragraphs]))

    @property
    def size(self) -> int:
        """Bytes it holds, about (the text, and a few pointers per paragraph)."""
        return len(self.data) + 56 * len(self.labels) + len(self.hashes)

    @property
    def paragraphs(self) -> int:
        """How many paragraphs it has."""
        return len(self.labels)

    def rows(self) -> tuple[ParsedDocument, ParagraphRows]:
        """The document (with its text, without paragraphs) and its paragraph rows,
        as :meth:`qcode.Project.add_documents` takes them."""
        text = self.data.decode("utf-8")
        return (replace(self.document, text=text),
                paragraph_rows(text, self.places, self.labels, self.sections, self.speakers,
                               self.hashes, self.pages, self.times))

    def parsed(self) -> ParsedDocument:
        """The parsed document again."""
        text, places, count = self.data.decode("utf-8"), self.places, len(self.labels)
        pages, times = self.pages or [None] * count, self.times or [None] * count
        paragraphs = [
            ParsedParagraph(n + 1, self.labels[n], self.sections[n], self.speakers[n],
                            text[places[2 * n]:places[2 * n + 1]], places[2 * n],
                            places[2 * n + 1], pages[n], times[n])
            for n in range(count)]
        return replace(self.document, text=text, paragraphs=paragraphs)


@dataclass
class Checked:
    """One file read and checked: its text's SHA-256, its paragraphs, and the document,
    kept compactly, or as parsed when it cannot be (see :meth:`KeptDocument.keep`)."""

    digest: str
    paragraphs: int
    document: KeptDocument | ParsedDocument


def check_file(path: Path, encoding: str | None = None,
               read: Reader = read_document) -> Checked:
    """Read and parse ``path``, hash its text, keep it compactly; raise when it cannot
    be read. Runs in a reader process (or inline, for a few files): what it sends back
    is about the file's size, in a few objects (pickling a ParsedParagraph each cost
    more than parsing them)."""
    parsed = read(path, encoding=encoding)
    data = parsed.text.encode("utf-8")
    return Checked(hashlib.sha256(data).hexdigest(), len(parsed.paragraphs),
                   KeptDocument.keep(parsed, data) or parsed)


def reader_started() -> None:
    """Set up a reader process. It ignores Ctrl-C: the terminal sends it to every
    process of the import, and the importing process is the one that stops them
    (without a traceback from each). And it ends when the importing process does, even
    killed (SIGKILL, the OOM killer), which would otherwise leave it waiting for work
    forever: a thread waits on the parent's sentinel."""
    import multiprocessing
    import multiprocessing.connection
    import os
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
