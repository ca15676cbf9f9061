"""Importing transcripts into a project: read and check every file first, then write
each document as one transaction. The CLI and the TUI both call this.

Two passes, so memory does not grow with the number of files. :func:`prepare` reads
and checks every file (it parses, hashes the text, compares with the other files and
the project) and keeps the parsed documents only while they fit in
:data:`KEEP_CHARACTERS`; :func:`write` writes them one transaction each, reading again
any it did not keep and refusing one whose text changed since it was checked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qcode.core.errors import DuplicateImport, ImportFailed, QcodeError
from qcode.core.ids import sha256
from qcode.core.model import ParsedDocument
from qcode.core.search import refresh_vocabulary
from qcode.core.suggest import did_you_mean
from qcode.ingest import read_document
from qcode.ingest.catalog import Catalog

if TYPE_CHECKING:
    from qcode.core.model import Document
    from qcode.core.project import Project

Progress = Callable[[Path], None]

# Parsed documents kept between the two passes, in characters of text (about 4x that in
# memory): a few hundred interviews are read once; a thousand are read twice, in a
# fixed amount of memory.
KEEP_CHARACTERS = 16_000_000
# Documents parsed ahead of the one being written (each at most one file's worth).
PARSE_AHEAD = 2


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

    ``document`` is the parsed file when it was kept from the check; otherwise
    :func:`write` reads it again and makes sure its text still hashes to ``digest``.
    """

    path: Path
    digest: str
    paragraphs: int
    attributes: dict[str, str] = field(default_factory=dict)
    existing: str | None = None
    kind: str | None = None
    encoding: str | None = None
    document: ParsedDocument | None = None

    def parsed(self) -> ParsedDocument:
        """The parsed document: kept, or read again (and checked to be unchanged)."""
        if self.document is not None:
            return self.document
        document = read_document(self.path, encoding=self.encoding)
        if sha256(document.text) != self.digest:
            raise ImportFailed(f"{self.path}: changed while it was being imported; "
                               "documents before it are in, it and the rest are not")
        if self.kind:
            document.kind = self.kind
        return document


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
    characters of text (default :data:`KEEP_CHARACTERS`).
    """
    budget = KEEP_CHARACTERS if keep is None else keep
    existing = {r[0]: r[1] for r in project.conn.execute("SELECT sha256, name FROM documents")}
    seen: dict[str, Path] = {}
    prepared = []
    # Parsed one after another: worker processes were measured slower (pickling the
    # parsed paragraphs back costs more than parsing them, ~176k paragraphs/s).
    for path in paths:
        result = read_document(path, encoding=encoding)
        if progress:
            progress(path)
        digest = sha256(result.text)
        if digest in seen:
            raise DuplicateImport(f"{path}: same text as {seen[digest]}; nothing changed")
        seen[digest] = path
        if digest in existing and not skip_existing:
            raise DuplicateImport(
                f"{path}: already imported as {existing[digest]!r} (same text); nothing changed")
        if kind:
            result.kind = kind
        given = {**catalog_attributes(catalog, path, as_key), **(attributes or {})}
        kept = len(result.text) <= budget
        if kept:
            budget -= len(result.text)
        prepared.append(PreparedFile(path, digest, len(result.paragraphs), given,
                                     existing.get(digest), kind, encoding,
                                     result if kept else None))
    return prepared


def write(
    project: Project,
    prepared: Sequence[PreparedFile],
    *,
    coder: str,
    name: str | None = None,
    done: Callable[[PreparedFile, Document | None], None] | None = None,
) -> list[Document]:
    """Add each prepared document (one transaction each, in bulk mode); files already
    in the project are passed to ``done`` with None. Interrupting between documents
    leaves every written one whole."""
    written = []
    todo = [item for item in prepared if item.existing is None]
    # Files not kept from the check are parsed again one ahead, in a thread: parsing
    # holds the GIL while SQLite, writing the previous document, does not.
    with project.bulk(), ThreadPoolExecutor(max_workers=1) as reader:
        ahead: dict[int, Future[ParsedDocument]] = {}
        position = 0
        for item in prepared:
            if item.existing is not None:
                if done:
                    done(item, None)
                continue
            for following in todo[position + 1:position + 1 + PARSE_AHEAD]:
                if id(following) not in ahead and following.document is None:
                    ahead[id(following)] = reader.submit(following.parsed)
            position += 1
            future = ahead.pop(id(item), None)
            parsed = future.result() if future is not None else item.parsed()
            document = project.add_document(parsed, coder=coder, name=name,
                                            attributes=item.attributes)
            item.document = None  # written: let it go
            written.append(document)
            if done:
                done(item, document)
    if written:
        refresh_vocabulary(project)
    return written
