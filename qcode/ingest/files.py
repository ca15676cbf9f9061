"""Which files an import means: paths, folders (their importable files) and patterns
like ``interviews/*.txt``, as typed in the app or given to ``qcode import``."""

from __future__ import annotations

import glob
import shlex
from collections.abc import Iterable
from pathlib import Path

from qcode.core.errors import QcodeError
from qcode.ingest import READERS

PATTERN = "*?["
# Projects of other tools, imported whole (codebook, codings, notes): REFI-QDA
# (.qdpx, .qde) and QualCoder (a PROJECT.qda folder, or the data.qda inside it).
PROJECT_SUFFIXES = (".qdpx", ".qde", ".qda")


def is_project_file(path: Path) -> bool:
    """Whether an import should read ``path`` as another tool's project rather than as
    a transcript."""
    return path.suffix.lower() in PROJECT_SUFFIXES


def importable_files(words: Iterable[str], base: Path | None = None) -> list[Path]:
    """The files meant by ``words``: a folder gives its importable files (not hidden
    ones, not sub-folders), a pattern the files it matches; a missing file is kept, for
    the reader to name. Each file once, in the order given (a folder's sorted)."""
    root = base or Path.cwd()
    found: list[Path] = []
    for word in words:
        path = Path(word).expanduser()
        if not path.is_absolute():
            path = root / path
        if not path.exists() and any(ch in word for ch in PATTERN):
            matches = sorted(Path(p) for p in glob.glob(str(path)) if Path(p).is_file())
            if not matches:
                raise QcodeError(f"{word}: no file matches")
            found.extend(matches)
        elif path.is_dir() and not is_project_file(path):
            files = sorted(p for p in path.iterdir() if p.is_file()
                           and p.suffix.lower() in READERS and not p.name.startswith("."))
            if not files:
                known = ", ".join(sorted(READERS))
                raise QcodeError(f"{word}: no files qcode can import in this folder ({known})")
            found.extend(files)
        else:
            found.append(path)  # a missing file is named by the reader
    return list(dict.fromkeys(found))


def typed_files(text: str, base: Path | None = None) -> list[Path]:
    """:func:`importable_files` for what a person typed on one line: words separated
    by spaces, a name with spaces in quotes."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise QcodeError(f"{text!r}: {exc} (close the quote)") from exc
    if not words:
        raise QcodeError("give one or more files, a folder, or a pattern like interviews/*.txt")
    return importable_files(words, base)

