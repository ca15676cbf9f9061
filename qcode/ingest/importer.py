"""Importing transcripts into a project: read and check every file first, then write
each document as one transaction. The CLI and the TUI both call this."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from qcode.core.errors import DuplicateImport, ImportFailed, QcodeError
from qcode.core.ids import sha256
from qcode.core.model import ParsedDocument
from qcode.core.suggest import did_you_mean
from qcode.ingest import read_document
from qcode.ingest.catalog import Catalog

if TYPE_CHECKING:
    from qcode.core.model import Document
    from qcode.core.project import Project

Progress = Callable[[Path], None]


@dataclass
class PreparedFile:
    """A file read and checked, ready to write (or to skip: its text is already here)."""

    path: Path
    document: ParsedDocument
    attributes: dict[str, str] = field(default_factory=dict)
    existing: str | None = None


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
) -> list[PreparedFile]:
    """Read and check every file; raise on the first bad one (nothing written yet).

    Two files with the same text, or a file whose text is already in the project
    (unless ``skip_existing``), are errors.
    """
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
        prepared.append(PreparedFile(path, result, given, existing.get(digest)))
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
    with project.bulk():
        for item in prepared:
            if item.existing is not None:
                if done:
                    done(item, None)
                continue
            document = project.add_document(item.document, coder=coder, name=name,
                                            attributes=item.attributes)
            written.append(document)
            if done:
                done(item, document)
    return written
