"""Importing from the app, without widgets: the files a person typed, and the import
itself on a connection of its own, reporting each file and stopping when asked.

The reading, checking and writing are :mod:`qcode.ingest.importer`'s, as for ``qcode
import``: every file is read and checked before the first is written, each document
is one transaction, and a stop between documents leaves every written one whole.
Files whose text is already in the project are skipped (the app has no flags to ask).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from qcode.core.errors import QcodeError
from qcode.core.model import Document
from qcode.core.project import Project
from qcode.core.store.db import translate
from qcode.ingest import importer
from qcode.ingest.catalog import stored_catalog
from qcode.ingest.files import typed_files as expand
from qcode.tui.wording import plural


class Stopped(Exception):
    """Raised from a progress callback to stop an import between two files."""


@dataclass
class ImportResult:
    """What an import did (or, stopped or failed, how far it got)."""

    tally: importer.ImportTally
    cancelled: bool = False
    error: str = ""

    @property
    def imported(self) -> int:
        """Documents written."""
        return len(self.tally.documents_added)

    def message(self) -> str:
        """One line for the status bar."""
        total, imported = self.tally.total, self.imported
        if self.error:
            done = f"; {imported} of {total} imported before it" if imported else ""
            return f"import stopped: {self.error}{done}"
        if self.cancelled:
            whole = "each whole" if imported else "nothing written"
            return f"cancelled: {imported} of {total} imported ({whole})"
        skipped = len(self.tally.skipped)
        also = f"; {skipped} already in the project, skipped" if skipped else ""
        return (f"imported {plural(imported, 'document')} "
                f"({plural(self.tally.paragraphs, 'paragraph')}){also}")


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
    result = ImportResult(importer.ImportTally(len(files)))

    def read(file: Path) -> None:
        step("reading", file, len(files))
        if stop():
            raise Stopped

    def written(item: importer.PreparedFile, document: Document | None) -> None:
        result.tally.record(item, document)
        step("importing", item.path, len(files))
        if stop():
            raise Stopped

    try:
        with Project.open(path) as project:
            prepared = importer.prepare(project, files, catalog=stored_catalog(project),
                                        skip_existing=True, progress=read)
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
