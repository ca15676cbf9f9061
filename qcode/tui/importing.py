"""Importing from the app, without widgets: the files a person typed, and the import
itself on a connection of its own, reporting each file and stopping when asked.

The reading, checking and writing are :mod:`qcode.ingest.importer`'s, as for ``qcode
import``: every file is read and checked before the first is written, each document
is one transaction, and a stop between documents leaves every written one whole.
Files whose text is already in the project are skipped (the app has no flags to ask).
"""

from __future__ import annotations

import glob
import shlex
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qcode.core.errors import QcodeError
from qcode.core.model import Document
from qcode.core.project import Project
from qcode.core.store.db import translate
from qcode.ingest import READERS, importer
from qcode.ingest.catalog import Catalog
from qcode.tui.wording import plural

# Where `qcode import --metadata` keeps the catalog; files matching it get attributes.
CATALOG_KEY = "catalog"
PATTERN = "*?["


class Stopped(Exception):
    """Raised from a progress callback to stop an import between two files."""


@dataclass
class ImportResult:
    """What an import did (or, stopped or failed, how far it got)."""

    total: int
    imported: int = 0
    skipped: int = 0
    paragraphs: int = 0
    cancelled: bool = False
    error: str = ""
    first_document: int | None = None

    def message(self) -> str:
        """One line for the status bar."""
        if self.error:
            done = f"; {self.imported} of {self.total} imported before it" if self.imported else ""
            return f"import stopped: {self.error}{done}"
        if self.cancelled:
            whole = "each whole" if self.imported else "nothing written"
            return f"cancelled: {self.imported} of {self.total} imported ({whole})"
        skipped = f"; {self.skipped} already in the project, skipped" if self.skipped else ""
        return (f"imported {plural(self.imported, 'document')} "
                f"({plural(self.paragraphs, 'paragraph')}){skipped}")


def expand(text: str, base: Path | None = None) -> list[Path]:
    """The files meant by what was typed: paths separated by spaces (quote a name with
    spaces), patterns like ``interviews/*.txt``, or folders (their importable files)."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise QcodeError(f"{text!r}: {exc} (close the quote)") from exc
    if not words:
        raise QcodeError("give one or more files, a folder, or a pattern like interviews/*.txt")
    root = base or Path.cwd()
    found: list[Path] = []
    for word in words:
        path = Path(word).expanduser()
        if not path.is_absolute():
            path = root / path
        if any(ch in word for ch in PATTERN):
            matches = sorted(Path(p) for p in glob.glob(str(path)) if Path(p).is_file())
            if not matches:
                raise QcodeError(f"{word}: no file matches")
            found.extend(matches)
        elif path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file()
                           and p.suffix.lower() in READERS and not p.name.startswith("."))
            if not files:
                known = ", ".join(sorted(READERS))
                raise QcodeError(f"{word}: no files qcode can import in this folder ({known})")
            found.extend(files)
        else:
            found.append(path)  # a missing file is named by the reader
    return list(dict.fromkeys(found))


def run_import(
    path: Path,
    files: list[Path],
    *,
    coder: str,
    step: Callable[[str, Path, int], None],
    stop: Callable[[], bool],
) -> ImportResult:
    """Import ``files`` into the project at ``path`` on a new connection.

    ``step(phase, file, total)`` is called after each file is read ("reading") and
    after each document is written or skipped ("importing"); when ``stop()`` then says
    so the import ends there: before anything is written while reading, between two
    whole documents while writing.
    """
    result = ImportResult(total=len(files))

    def read(file: Path) -> None:
        step("reading", file, len(files))
        if stop():
            raise Stopped

    def written(item: importer.PreparedFile, document: Document | None) -> None:
        if document is None:
            result.skipped += 1
        else:
            result.imported += 1
            result.paragraphs += item.paragraphs
            if result.first_document is None:
                result.first_document = document.id
        step("importing", item.path, len(files))
        if stop():
            raise Stopped

    try:
        with Project.open(path) as project:
            stored = project.meta(CATALOG_KEY)
            catalog = Catalog.from_json(stored) if stored else None
            prepared = importer.prepare(project, files, catalog=catalog, skip_existing=True,
                                        progress=read)
            importer.write(project, prepared, coder=coder, done=written)
    except Stopped:
        result.cancelled = True
    except QcodeError as exc:
        result.error = str(exc)
    except sqlite3.Error as exc:
        result.error = str(translate(exc, path))
    except OSError as exc:  # a file or folder unreadable between typing and reading
        result.error = f"{exc.filename or path}: {exc.strerror or exc}"
    return result


__all__ = ["ImportResult", "Stopped", "expand", "run_import"]
