"""Writing the files a researcher asked for (reports, codebooks): whole or not at all,
and with the permissions every other program gives a new file (0666 less the umask),
since they are made to be shared with colleagues."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from qcode.core.errors import QcodeError


def write_new(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``; refuses an existing file (and leaves it alone)."""
    _check_folder(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError as exc:
        raise QcodeError(f"{path}: already exists; pass --force to overwrite it") from exc
    except OSError as exc:
        raise QcodeError(f"{path}: cannot write ({exc.strerror})") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        # We made this file; a failed write must not leave part of it.
        with contextlib.suppress(OSError):
            path.unlink()
        raise QcodeError(f"{path}: cannot write ({exc.strerror})") from exc


def replace(path: Path, data: bytes) -> None:
    """Write ``path`` (new, or replacing what is there) through a temporary file beside
    it and a rename, so a failure never leaves half a file."""
    _check_folder(path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise QcodeError(f"{path}: cannot write ({exc.strerror})") from exc


def _check_folder(path: Path) -> None:
    if path.is_dir():
        raise QcodeError(f"{path}: is a directory; give a file name")
    if not path.parent.is_dir():
        raise QcodeError(f"{path}: folder {path.parent} does not exist")
