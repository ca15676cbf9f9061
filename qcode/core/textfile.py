"""Reading a text file the user gave us (transcript, codebook, catalog): bytes, encoding,
and errors that say what to do."""

from __future__ import annotations

import codecs
import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from qcode.core.errors import ImportFailed

# A transcript is text; anything this large is a mistake (a video, a disk image).
MAX_BYTES = 64 * 1024 * 1024

# Python's codecs with a special purpose, not the character set of a saved file.
_NOT_FOR_FILES = frozenset({"idna", "punycode", "raw-unicode-escape", "undefined",
                            "unicode-escape", "mbcs", "oem"})

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@contextlib.contextmanager
def open_regular(path: Path, *, what: str = "a file") -> Iterator[BinaryIO]:
    """``path`` opened for reading, refused unless it is a regular file.

    A size from ``stat()`` means nothing for a device or a pipe (``/dev/zero`` says 0
    and never ends; a FIFO blocks ``open()`` until someone writes), so the file is
    opened without blocking and its type checked on the open descriptor, which also
    closes the gap between looking and opening.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError as exc:
        raise ImportFailed(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise ImportFailed(f"{path}: is a directory, not a file") from exc
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot read ({exc.strerror})") from exc
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise ImportFailed(f"{path}: is a directory, not a file")
        if not stat.S_ISREG(mode):
            raise ImportFailed(f"{path}: is {_kind(mode)}, not a regular file; "
                               f"qcode reads {what} only from a regular file")
        if hasattr(os, "O_NONBLOCK"):
            os.set_blocking(fd, True)
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        yield handle


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def read_bytes(path: Path, *, max_bytes: int = MAX_BYTES, what: str = "a transcript") -> bytes:
    """The file's bytes, or an :class:`ImportFailed` naming the file and the problem
    (missing, a directory, a device or pipe, unreadable, larger than ``max_bytes`` for
    ``what``, empty). The cap holds for the bytes actually read, whatever ``stat()``
    said."""
    with open_regular(path, what=what) as handle:
        try:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise ImportFailed(_too_large(path, size, max_bytes, what))
            # What stat() promised plus a byte: read(n) allocates n bytes up front, so
            # asking for the cap would cost 64 MB per file. A file that grew since is read
            # on in pieces, up to one byte past the cap (which tells it is too large).
            chunks = [handle.read(size + 1)]
            total = len(chunks[0])
            while size < total <= max_bytes:
                more = handle.read(min(1 << 20, max_bytes + 1 - total))
                if not more:
                    break
                chunks.append(more)
                total += len(more)
            data = b"".join(chunks)
        except OSError as exc:
            raise ImportFailed(f"{path}: cannot read ({exc.strerror})") from exc
    if len(data) > max_bytes:
        raise ImportFailed(_too_large(path, len(data), max_bytes, what))
    if not data.strip():
        raise ImportFailed(f"{path}: the file is empty")
    return data


def _too_large(path: Path, size: int, max_bytes: int, what: str) -> str:
    return (f"{path}: {_megabytes(size)} is too large for {what} "
            f"(limit {_megabytes(max_bytes)})")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} kB"


def decode(data: bytes, path: Path, encoding: str | None = None) -> str:
    """Decode text: a BOM decides (UTF-8, UTF-16, UTF-32); otherwise UTF-8, strictly.

    ``encoding`` is the documented fallback for legacy files (``--encoding cp1251``).
    Newlines are normalised to ``\\n``; nothing else is changed, so Cyrillic and French
    text round-trip exactly.
    """
    if encoding:
        codec = text_codec(encoding, path)
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise ImportFailed(f"{path}: not valid {encoding} ({_where(data, exc)})") from exc
        except UnicodeError as exc:  # a codec that fails without saying where
            raise ImportFailed(f"{path}: not valid {encoding} text") from exc
        return _normalise(text.removeprefix("\ufeff"))
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _normalise(data[len(bom):].decode(codec))
            except UnicodeDecodeError as exc:
                raise ImportFailed(
                    f"{path}: starts as {codec.upper()} but is not valid {codec.upper()} "
                    f"({_where(data, exc)})"
                ) from exc
    if b"\x00" in data:
        raise ImportFailed(f"{path}: looks like a binary file, not text (it contains NUL bytes)")
    try:
        return _normalise(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            f"{path}: not UTF-8 text ({_where(data, exc)}); save it as UTF-8, "
            "or pass --encoding (e.g. --encoding cp1251)"
        ) from exc


def text_codec(encoding: str, path: Path | str) -> str:
    """The codec named ``encoding`` if it reads text files; refuses unknown names, the
    bytes-to-bytes transforms (base64, zlib…) and Python's special-purpose codecs
    (punycode, idna, unicode_escape, undefined…), which no transcript is written in."""
    try:
        info = codecs.lookup(encoding)
    except LookupError as exc:
        raise ImportFailed(f"{path}: unknown encoding {encoding!r}") from exc
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_FOR_FILES:
        raise ImportFailed(f"{path}: {encoding!r} is not an encoding text files are saved in; "
                           "choose one such as utf-8, cp1251 or latin-1")
    return info.name


def _where(data: bytes, exc: UnicodeDecodeError) -> str:
    before = data[: exc.start]
    line = before.count(b"\n") + 1
    column = exc.start - (before.rfind(b"\n") + 1) + 1
    return f"byte 0x{data[exc.start]:02x} at line {line}, column {column}"


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
