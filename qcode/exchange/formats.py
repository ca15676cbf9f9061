"""Codebook files by format: which reader or writer a file name (or ``--format``) means.

=========  ==============================  ==========  =====
format     extensions                      read        write
=========  ==============================  ==========  =====
yaml       .yaml .yml                      lossless    yes
qdc        .qdc                            REFI-QDA    yes
qdpx       .qdpx (zip holding project.qde) codebook    no
qde        .qde (a REFI-QDA Project)       codebook    no
csv        .csv                            Taguette    yes
markdown   .md .markdown                   no          yes
=========  ==============================  ==========  =====
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from qcode.core import outfile
from qcode.core.codebook.model import Codebook
from qcode.core.codebook.yaml_format import dump_yaml, parse_yaml
from qcode.core.errors import ImportFailed, QcodeError
from qcode.core.textfile import decode
from qcode.exchange.codebook_markdown import write_markdown
from qcode.exchange.limits import check_code_count, read_capped
from qcode.exchange.refi_qdc import read_refi, write_qdc
from qcode.exchange.taguette_csv import read_csv, write_csv


def read_yaml_safely(path: Path) -> Codebook:
    """A native codebook, within the file size and code count caps (the YAML loader
    itself refuses aliases and nesting past its depth, in time linear in the file)."""
    text = decode(read_capped(path), path)
    try:
        codebook = parse_yaml(text, path)
    except RecursionError as exc:
        raise ImportFailed(f"{path}: codes are nested too deeply to read") from exc
    check_code_count(len(codebook), str(path))
    return codebook


EXTENSIONS = {
    ".yaml": "yaml", ".yml": "yaml", ".qdc": "qdc", ".qdpx": "qdpx", ".qde": "qde",
    ".csv": "csv", ".md": "markdown", ".markdown": "markdown",
}
READERS: dict[str, Callable[[Path], Codebook]] = {
    "yaml": read_yaml_safely,
    "qdc": read_refi, "qdpx": read_refi, "qde": read_refi, "csv": read_csv,
}
WRITERS: dict[str, Callable[[Codebook], bytes]] = {
    "yaml": lambda book: dump_yaml(book).encode("utf-8"),
    "qdc": write_qdc, "csv": write_csv, "markdown": write_markdown,
}


def format_of(path: Path, given: str | None = None, *, writing: bool = False) -> str:
    """The format named by ``given``, else by the file's extension."""
    table = WRITERS if writing else READERS
    verb = "write" if writing else "read"
    if given:
        fmt = given.lower()
        if fmt not in table:
            raise QcodeError(f"cannot {verb} codebooks as {given!r}; "
                             f"choose one of {', '.join(table)}")
        return fmt
    found = EXTENSIONS.get(path.suffix.lower())
    if found is None or found not in table:
        known = ", ".join(e for e, f in EXTENSIONS.items() if f in table)
        raise QcodeError(f"{path}: cannot tell the format from {path.suffix or 'no extension'!r}"
                         f" (qcode can {verb} {known}); say --format")
    return found


def read_codebook(path: Path, fmt: str | None = None) -> Codebook:
    """Read a codebook in any readable format (from the extension unless ``fmt``)."""
    return READERS[format_of(path, fmt)](path)


def write_codebook(codebook: Codebook, fmt: str) -> bytes:
    """A codebook's bytes in a writable format."""
    return WRITERS[format_of(Path(), fmt, writing=True)](codebook)


def save_codebook(codebook: Codebook, path: Path, fmt: str | None = None) -> str:
    """Write a codebook file whole or not at all (a temporary file, then a rename);
    returns the format used."""
    chosen = format_of(path, fmt, writing=True)
    outfile.replace(path, WRITERS[chosen](codebook))
    return chosen
