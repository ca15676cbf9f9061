"""Importing transcripts into a project: read and check every file first, then write
the documents, committed in batches. The CLI and the TUI both call this.

Two passes, so memory does not grow with the number of files. :func:`prepare` reads
and checks every file (it parses, hashes the text, compares with the other files and
the project) and keeps the parsed documents, compactly, only while they fit in
:data:`KEEP_BYTES`; :func:`write` writes them, one event each, reading again any it
did not keep and refusing one whose text changed since it was checked.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qcode.core.errors import DuplicateImport, ImportFailed, QcodeError
from qcode.core.model import ParsedDocument
from qcode.core.project import NewDocument
from qcode.core.search import refresh_vocabulary
from qcode.core.suggest import did_you_mean
from qcode.ingest import read_document
from qcode.ingest.catalog import Catalog
from qcode.ingest.kept import Checked, KeptDocument, check_file, reader_started

if TYPE_CHECKING:
    from qcode.core.model import Document
    from qcode.core.project import Project

Progress = Callable[[Path], None]

# Checked documents kept between the two passes, in bytes (compactly: their text and
# their paragraphs' places, see KeptDocument): about a thousand interviews are read
# once; more are read twice, in a fixed amount of memory.
KEEP_BYTES = 96 * 1024 * 1024
# Documents committed together, up to this many paragraphs: a commit flushes the search
# index's pending terms into a new segment that later merges rewrite, so committing
# each 200-paragraph interview made the index cost ~1.5x what it costs in batches.
BATCH_PARAGRAPHS = 10_000
# ...and at least this many commits per import: the progress bar moves in as many steps,
# and a stop (the app's Cancel) lands within that share of the import. A small import
# commits document by document.
STEPS = 20
# Documents parsed ahead of the one being written (each at most one file's worth).
PARSE_AHEAD = 2
# The check reads files in this many processes (at most) when there are at least
# POOL_FILES of them: parsing and hashing is Python, one core's work per process, and
# starting a process costs what reading a few dozen files does.
READERS = 4
POOL_FILES = 64
# Files being read ahead of the one being checked, per reader process: enough to keep
# every reader busy, each at most one file's worth, sent back compactly.
READ_AHEAD = 4


@dataclass
class ImportTally:
    """What an import of transcripts did, file by file (``qcode import`` and the app
    report it; its fields are named and typed as the project import's report)."""

    total: int
    documents_added: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    paragraphs: int = 0
    first_document: int | None = None

    def record(self, item: PreparedFile, document: Document | None) -> None:
        """Count one file: written as ``document``, or skipped (None: already here)."""
        if document is None:
            self.skipped.append(str(item.path))
            return
        self.documents_added.append(document.name)
        self.paragraphs += item.paragraphs
        if self.first_document is None:
            self.first_document = document.id

    def data(self) -> dict[str, object]:
        """As plain data (``--json``)."""
        return {"documents_added": self.documents_added, "skipped": self.skipped,
                "paragraphs": self.paragraphs}


@dataclass
class PreparedFile:
    """A file read and checked, ready to write (or to skip: its text is already here).

    ``document`` is the parsed file when it was kept from the check (compactly);
    otherwise :func:`write` reads it again and makes sure its text still hashes to
    ``digest``.
    """

    path: Path
    digest: str
    paragraphs: int
    attributes: dict[str, str] = field(default_factory=dict)
    existing: str | None = None
    kind: str | None = None
    encoding: str | None = None
    document: KeptDocument | None = None

    def parsed(self) -> ParsedDocument:
        """The parsed document: kept, or read again (and checked to be unchanged)."""
        document = self._document()
        parsed = document.parsed() if isinstance(document, KeptDocument) else document
        if self.kind:
            parsed.kind = self.kind
        return parsed

    def new_document(self, name: str | None) -> NewDocument:
        """The document to add, named ``name`` (default: its own), as
        :meth:`qcode.Project.add_documents` takes it: from the compact form its rows
        are built directly (no ParsedParagraph each), with the digest already known."""
        document = self._document()
        if isinstance(document, KeptDocument):
            parsed, built = document.rows()
        else:
            parsed, built = document, None
        if self.kind:
            parsed.kind = self.kind
        return NewDocument(parsed, name, self.attributes, self.digest, built)

    def _document(self) -> KeptDocument | ParsedDocument:
        """Kept, or read again (and checked to be unchanged)."""
        if self.document is not None:
            return self.document
        checked = check_file(self.path, self.encoding, read_document)
        if checked.digest != self.digest:
            raise ImportFailed(f"{self.path}: changed while it was being imported; "
                               "documents before it are in, it and the rest are not")
        return checked.document


def catalog_attributes(catalog: Catalog | None, path: Path, key: str | None) -> dict[str, str]:
    """The attributes a catalog gives a file: the entry named ``key``, else the entry
    the file name matches, else none."""
    if catalog is None:
        if key:
            raise QcodeError(f"--as {key}: no metadata catalog (pass --metadata FILE)")
        return {}
    if key:
        entry = catalog.get(key)
        if entry is None:
            hint = did_you_mean(key, [e.key for e in catalog.entries])
            raise ImportFailed(f"--as {key}: no such entry in the metadata catalog{hint}")
    else:
        entry = catalog.find(path.name)
    return dict(entry.attributes) if entry else {}


def prepare(
    project: Project,
    paths: Sequence[Path],
    *,
    encoding: str | None = None,
    kind: str | None = None,
    catalog: Catalog | None = None,
    as_key: str | None = None,
    attributes: dict[str, str] | None = None,
    skip_existing: bool = False,
    progress: Progress | None = None,
    keep: int | None = None,
) -> list[PreparedFile]:
    """Read and check every file; raise on the first bad one (nothing written yet).

    Two files with the same text, or a file whose text is already in the project
    (unless ``skip_existing``), are errors. Parsed documents are kept up to ``keep``
    bytes (default :data:`KEEP_BYTES`).
    """
    budget = KEEP_BYTES if keep is None else keep
    existing = {r[0]: r[1] for r in project.conn.execute("SELECT sha256, name FROM documents")}
    seen: dict[str, Path] = {}
    prepared = []
    with contextlib.closing(_checked(paths, encoding)) as results:
        for path, checked in results:
            if progress:
                progress(path)
            digest = checked.digest
            if digest in seen:
                raise DuplicateImport(f"{path}: same text as {seen[digest]}; nothing changed")
            seen[digest] = path
            if digest in existing and not skip_existing:
                raise DuplicateImport(f"{path}: already imported as {existing[digest]!r} "
                                      "(same text); nothing changed")
            given = {**catalog_attributes(catalog, path, as_key), **(attributes or {})}
            kept = checked.document if isinstance(checked.document, KeptDocument) else None
            if kept is not None and digest not in existing and kept.size <= budget:
                budget -= kept.size
            else:
                kept = None
            prepared.append(PreparedFile(path, digest, checked.paragraphs, given,
                                         existing.get(digest), kind, encoding, kept))
    return prepared


def write(
    project: Project,
    prepared: Sequence[PreparedFile],
    *,
    coder: str,
    name: str | None = None,
    done: Callable[[PreparedFile, Document | None], None] | None = None,
) -> list[Document]:
    """Add each prepared document, one event each, committed in batches of about
    :data:`BATCH_PARAGRAPHS` paragraphs, a :data:`STEPS`-th of the import at most
    (in bulk mode); files already in the project
    are passed to ``done`` with None. ``done`` hears of a document once its batch is
    committed: interrupting leaves every document it heard of whole, and no other.
    A file found changed since it was checked stops the import after the documents
    before it are written. One parsed document is held at a time (plus those parsed
    ahead, :data:`PARSE_AHEAD`): each goes into the transaction as soon as it is read.
    """
    written: list[Document] = []
    total = sum(item.paragraphs for item in prepared if item.existing is None)
    with project.bulk(), contextlib.closing(_in_order(prepared, name)) as items:
        batch = _Batch(items, max(1, min(BATCH_PARAGRAPHS, total // STEPS)))
        while not batch.finished:
            added = project.add_documents(batch, coder=coder)
            written.extend(added)
            _tell(done, batch.told(added))
            batch.next()
        if batch.failure is not None:
            raise batch.failure
    if written:
        refresh_vocabulary(project)
    return written


class _Batch:
    """The documents of one transaction, handed to :meth:`Project.add_documents` one
    at a time as it asks for them, until ``size`` paragraphs; files
    already in the project are set aside for ``done``. A file found changed ends the
    batch (so the documents before it are committed) and the import."""

    def __init__(self, items: Iterator[tuple[PreparedFile, NewDocument | None]],
                 size: int) -> None:
        self.source = items
        self.size = size
        self.items: list[tuple[PreparedFile, bool]] = []  # in order; True: to write
        self.finished = False
        self.failure: ImportFailed | None = None

    def next(self) -> None:
        """Start the next batch."""
        self.items = []

    def told(self, added: list[Document]) -> list[tuple[PreparedFile, Document | None]]:
        """The batch's files in order, each with its document (None: skipped)."""
        documents = iter(added)
        return [(item, next(documents) if written else None) for item, written in self.items]

    def __iter__(self) -> Iterator[NewDocument]:
        size = 0
        while size < self.size:
            try:
                item, document = next(self.source)
            except StopIteration:
                self.finished = True
                return
            except ImportFailed as exc:
                self.failure, self.finished = exc, True
                return
            if document is None:
                self.items.append((item, False))
                continue
            self.items.append((item, True))
            item.document = None  # handed over: let it go once written
            size += item.paragraphs
            yield document


def _checked(paths: Sequence[Path], encoding: str | None
             ) -> Generator[tuple[Path, Checked], None, None]:
    """Each file checked (:func:`qcode.ingest.kept.check_file`), in order. Many files
    are read in reader processes, each of the machine's cores parsing its own (about
    half the check's time on two): what comes back is each document compactly, a few
    objects in about its text's size. At most :data:`READ_AHEAD` files per process are
    read ahead of the one being checked, so memory stays flat; a stop, or a bad file,
    leaves the rest unread."""
    workers = min(READERS, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                  else os.cpu_count() or 1)
    if len(paths) < POOL_FILES or workers < 2:
        # Few files (or one core): not worth starting processes.
        for path in paths:
            yield path, check_file(path, encoding, read_document)
        return
    # Spawned, not forked: the importing process may run threads (a progress bar's),
    # and a fork copies whatever lock one of them held.
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=reader_started)
    ahead: deque[tuple[Path, Future[Checked]]] = deque()
    following = iter(paths)
    try:
        while True:
            while len(ahead) < READ_AHEAD * workers:
                following_path = next(following, None)
                if following_path is None:
                    break
                ahead.append((following_path,
                              pool.submit(check_file, following_path, encoding)))
            if not ahead:
                return
            path, future = ahead.popleft()
            try:
                checked = future.result()
            except BrokenProcessPool as exc:  # a reader killed (out of memory?)
                raise ImportFailed(f"{path}: the process reading it ended abruptly; "
                                   "nothing was imported") from exc
            yield path, checked
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _tell(done: Callable[[PreparedFile, Document | None], None] | None,
          results: list[tuple[PreparedFile, Document | None]]) -> None:
    """Report each of a batch's documents to ``done``, all of them even when a call
    raises (a TUI's "stop" or Ctrl-C): the caller's tally then counts every document
    committed. The first exception is raised after."""
    if done is None:
        return
    failure: BaseException | None = None
    for item, document in results:
        try:
            done(item, document)
        except BaseException as exc:  # re-raised below, once all are told
            failure = failure or exc
    if failure is not None:
        raise failure


def _in_order(prepared: Sequence[PreparedFile], name: str | None
              ) -> Generator[tuple[PreparedFile, NewDocument | None], None, None]:
    """Each prepared file with its document to add (None: already in the project), in
    order. Files not kept from the check are parsed again ahead, in a thread, up to
    :data:`PARSE_AHEAD` of them: parsing holds the GIL while SQLite, writing the one
    before, does not."""
    reader = ThreadPoolExecutor(max_workers=1)
    ahead: deque[tuple[PreparedFile, Future[NewDocument] | None]] = deque()
    queued = 0  # documents parsed or being parsed ahead and not yet handed out
    following = iter(prepared)
    exhausted = False
    try:
        while True:
            # Kept files cost nothing to hold here; those to read again are parsed
            # ahead only until PARSE_AHEAD of them wait.
            while not exhausted and queued < PARSE_AHEAD:
                item = next(following, None)
                if item is None:
                    exhausted = True
                    break
                future = None
                if item.existing is None and item.document is None:
                    future = reader.submit(item.new_document, name)
                    queued += 1
                ahead.append((item, future))
            if not ahead:
                return
            item, future = ahead.popleft()
            if future is None:
                yield item, None if item.existing is not None else item.new_document(name)
                continue
            queued -= 1
            yield item, future.result()
    finally:
        # Interrupted (a stop, Ctrl-C, a changed file): what is queued is not parsed.
        reader.shutdown(wait=True, cancel_futures=True)
