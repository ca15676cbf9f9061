"""Opening zip archives we did not write (.qdpx projects) without trusting them.

A hostile archive can name a member ``../../.bashrc`` (zip slip) or expand a few
kilobytes into gigabytes (zip bomb). :func:`open_archive` checks every entry before
anything is read: names must stay inside the archive, and the member count, declared
sizes and compression ratios must be believable. :func:`read_member` then streams a
member with a hard cap, so a header that lies about its size cannot exhaust memory,
and :func:`extract_member` writes one only to a path proven to be inside the target.
"""

from __future__ import annotations

import contextlib
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from qcode.core.errors import ImportFailed
from qcode.core.textfile import open_regular

_CHUNK = 1024 * 1024
# What zipfile raises on a damaged or unreadable archive, besides its own BadZipFile:
# bad offsets (OSError, ValueError), corrupt deflate data (zlib.error), cut-off data
# (EOFError), encryption (RuntimeError) and versions or methods it lacks.
_DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError,
            zlib.error, RuntimeError, NotImplementedError)


@dataclass(frozen=True)
class ZipLimits:
    """What an archive may claim before we refuse it."""

    max_members: int = 10_000
    # Audio and video sources make real projects large; a terabyte is not one.
    max_total_bytes: int = 8 * 1024**3
    max_member_bytes: int = 4 * 1024**3
    # Deflate tops out near 1032:1 on a run of one byte; real text and XML stay
    # well under 100:1, so 500:1 on anything sizeable is a bomb, not a document.
    max_ratio: int = 500
    ratio_floor_bytes: int = 1024 * 1024


DEFAULT_LIMITS = ZipLimits()


def member_path(name: str, where: str) -> PurePosixPath:
    """A member name as a relative path; refuses names that escape the archive."""
    clean = name.replace("\\", "/")
    path = PurePosixPath(clean)
    drive = len(clean) > 1 and clean[1] == ":"
    if "\x00" in clean or path.is_absolute() or drive or ".." in path.parts:
        raise ImportFailed(
            f"{where}: the archive holds an entry named {name!r} that points outside it "
            "(a 'zip slip' attack); refused"
        )
    return path


def check_archive(archive: zipfile.ZipFile, where: str,
                  limits: ZipLimits = DEFAULT_LIMITS) -> None:
    """Every entry has a safe name, and counts and sizes are within ``limits``."""
    entries = archive.infolist()
    if len(entries) > limits.max_members:
        raise ImportFailed(f"{where}: {len(entries)} entries in the archive is more than "
                           f"a project holds (limit {limits.max_members}); refused")
    total = 0
    for info in entries:
        member_path(info.filename, where)
        if info.flag_bits & 0x1:
            raise ImportFailed(f"{where}: entry {info.filename!r} is encrypted; "
                               "export the project again without a password")
        total += info.file_size
        if info.file_size > limits.max_member_bytes:
            raise ImportFailed(f"{where}: entry {info.filename!r} claims "
                               f"{_size(info.file_size)} (limit {_size(limits.max_member_bytes)})"
                               "; refused as a likely zip bomb")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise ImportFailed(f"{where}: entry {info.filename!r} expands {ratio:.0f} times "
                               f"(to {_size(info.file_size)}); refused as a likely zip bomb")
    if total > limits.max_total_bytes:
        raise ImportFailed(f"{where}: the archive would expand to {_size(total)} "
                           f"(limit {_size(limits.max_total_bytes)}); refused")


@contextlib.contextmanager
def open_archive(path: Path, limits: ZipLimits = DEFAULT_LIMITS) -> Iterator[zipfile.ZipFile]:
    """Open and check a zip archive; errors name the file and what is wrong."""
    with open_regular(path, what="an archive") as handle, _checked(
            handle, str(path), limits, "a .qdpx file is a zip") as archive:
        yield archive


@contextlib.contextmanager
def open_archive_bytes(data: bytes, where: str, limits: ZipLimits = DEFAULT_LIMITS,
                       what: str = "") -> Iterator[zipfile.ZipFile]:
    """The same checks on an archive already read into memory (a .docx)."""
    with _checked(io.BytesIO(data), where, limits, what) as archive:
        yield archive


@contextlib.contextmanager
def _checked(handle: IO[bytes], where: str, limits: ZipLimits,
             what: str) -> Iterator[zipfile.ZipFile]:
    try:
        archive = zipfile.ZipFile(handle)
    except _DAMAGED as exc:
        hint = f"; {what}" if what else ""
        raise ImportFailed(f"{where}: not a zip archive, or a damaged one ({exc}){hint}") from exc
    with archive:
        check_archive(archive, where, limits)
        yield archive


def find_member(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo | None:
    """The entry called ``name``, compared case-insensitively (``Sources/`` vs
    ``sources/``) and with either slash; None if there is none."""
    wanted = name.replace("\\", "/").casefold()
    for info in archive.infolist():
        if info.filename.replace("\\", "/").casefold() == wanted:
            return info
    return None


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str,
                max_bytes: int) -> bytes:
    """A member's bytes, read in chunks and cut off past ``max_bytes``."""
    if info.file_size > max_bytes:
        raise ImportFailed(f"{where}: {info.filename} is {_size(info.file_size)} "
                           f"(limit {_size(max_bytes)}); refused")
    parts: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise ImportFailed(f"{where}: {info.filename} expands past "
                                       f"{_size(max_bytes)}; refused as a likely zip bomb")
                parts.append(chunk)
    except _DAMAGED as exc:
        raise ImportFailed(f"{where}: {info.filename} is damaged or cannot be read "
                           f"({exc})") from exc
    return b"".join(parts)


def extract_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, where: str,
                   limits: ZipLimits = DEFAULT_LIMITS) -> Path:
    """Write one member under ``target`` (never outside it), with the size cap applied."""
    relative = member_path(info.filename, where)
    root = target.resolve()
    destination = (root / relative).resolve()
    if not destination.is_relative_to(root):
        raise ImportFailed(f"{where}: entry {info.filename!r} would be written outside "
                           f"{target}; refused")
    destination.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    try:
        with archive.open(info) as stream, destination.open("wb") as out:
            while chunk := stream.read(_CHUNK):
                written += len(chunk)
                if written > limits.max_member_bytes:
                    raise ImportFailed(f"{where}: {info.filename} expands past "
                                       f"{_size(limits.max_member_bytes)}; refused")
                out.write(chunk)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            destination.unlink()
        if isinstance(exc, _DAMAGED):
            raise ImportFailed(f"{where}: cannot extract {info.filename} to {destination} "
                               f"({exc})") from exc
        raise
    return destination


def _size(count: int) -> str:
    if count >= 1024**3:
        return f"{count / 1024**3:.1f} GB"
    return f"{count / 1024**2:.1f} MB"
