"""Caps on what a shared file may ask of us, and reading a file within them.

Codebooks arrive by e-mail from people and programs we do not control. A real
codebook is a few hundred codes in a few hundred kilobytes; anything far beyond these
caps is a mistake or an attack, and is refused with a message before it costs memory.
"""

from __future__ import annotations

from pathlib import Path

from qcode.core.errors import ImportFailed

# The largest real project.qde we have seen is ~0.2 MB; sources can be inlined in a
# Project, so leave generous room without letting one file take the machine.
MAX_FILE_BYTES = 64 * 1024 * 1024
# NVivo's sample has 152 codes and MAXQDA's 307; a codebook of 50,000 is not one.
MAX_CODES = 50_000
# Python recursion and the reader's patience both end somewhere; no real tree is this deep.
MAX_DEPTH = 100


def read_capped(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path``, refusing a missing, empty, unreadable or oversized file."""
    if not path.exists():
        raise ImportFailed(f"{path}: no such file")
    if path.is_dir():
        raise ImportFailed(f"{path}: is a directory, not a file")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImportFailed(
                f"{path}: {_megabytes(size)} is too large for a codebook "
                f"(limit {_megabytes(max_bytes)})"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot read ({exc.strerror})") from exc
    if not data.strip():
        raise ImportFailed(f"{path}: the file is empty")
    return data


def check_code_count(count: int, where: str) -> None:
    """Refuse a codebook with more codes than :data:`MAX_CODES`."""
    if count > MAX_CODES:
        raise ImportFailed(f"{where}: {count} codes is more than a codebook holds "
                           f"(limit {MAX_CODES}); refused")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
