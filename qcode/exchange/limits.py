"""Caps on what a shared file may ask of us, and reading a file within them.

Codebooks arrive by e-mail from people and programs we do not control. A real
codebook is a few hundred codes in a few hundred kilobytes; anything far beyond these
caps is a mistake or an attack, and is refused with a message before it costs memory.
"""

from __future__ import annotations

from pathlib import Path

from qcode.core.errors import ImportFailed
from qcode.core.textfile import read_bytes

# The largest real project.qde we have seen is ~0.2 MB; sources can be inlined in a
# Project, so leave generous room without letting one file take the machine.
MAX_FILE_BYTES = 64 * 1024 * 1024
# NVivo's sample has 152 codes and MAXQDA's 307; a codebook of 50,000 is not one.
MAX_CODES = 50_000
# Python recursion and the reader's patience both end somewhere; no real tree is this deep.
MAX_DEPTH = 100


def read_capped(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of ``path``, refusing a missing, empty, unreadable or oversized file."""
    return read_bytes(path, max_bytes=max_bytes, what="a codebook")


def check_code_count(count: int, where: str) -> None:
    """Refuse a codebook with more codes than :data:`MAX_CODES`."""
    if count > MAX_CODES:
        raise ImportFailed(f"{where}: {count} codes is more than a codebook holds "
                           f"(limit {MAX_CODES}); refused")
