"""Reading a text file the user gave us (transcript, codebook, catalog): bytes, encoding,
and errors that say what to do."""

from __future__ import annotations

import codecs
from pathlib import Path

from qcode.core.errors import ImportFailed

# A transcript is text; anything this large is a mistake (a video, a disk image).
MAX_BYTES = 64 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def read_bytes(path: Path, *, max_bytes: int = MAX_BYTES, what: str = "a transcript") -> bytes:
    """The file's bytes, or an :class:`ImportFailed` naming the file and the problem
    (missing, a directory, unreadable, larger than ``max_bytes`` for ``what``, empty)."""
    if not path.exists():
        raise ImportFailed(f"{path}: no such file")
    if path.is_dir():
        raise ImportFailed(f"{path}: is a directory, not a file")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ImportFailed(
                f"{path}: {_megabytes(size)} is too large for {what} "
                f"(limit {_megabytes(max_bytes)})"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFailed(f"{path}: cannot read ({exc.strerror})") from exc
    if not data.strip():
        raise ImportFailed(f"{path}: the file is empty")
    return data


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size // 1024} kB"


def decode(data: bytes, path: Path, encoding: str | None = None) -> str:
    """Decode text: a BOM decides (UTF-8, UTF-16, UTF-32); otherwise UTF-8, strictly.

    ``encoding`` is the documented fallback for legacy files (``--encoding cp1251``).
    Newlines are normalised to ``\\n``; nothing else is changed, so Cyrillic and French
    text round-trip exactly.
    """
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError as exc:
            raise ImportFailed(f"{path}: unknown encoding {encoding!r}") from exc
        except UnicodeDecodeError as exc:
            raise ImportFailed(f"{path}: not valid {encoding} ({_where(data, exc)})") from exc
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


def _where(data: bytes, exc: UnicodeDecodeError) -> str:
    before = data[: exc.start]
    line = before.count(b"\n") + 1
    column = exc.start - (before.rfind(b"\n") + 1) + 1
    return f"byte 0x{data[exc.start]:02x} at line {line}, column {column}"


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
