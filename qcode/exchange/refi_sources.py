"""The files of a REFI-QDA archive: source texts and note texts, read under caps.

A ``plainTextPath`` is usually ``internal://<GUID>.txt`` in the archive's ``sources/``
folder (``Sources/`` from NVivo; names compare case-insensitively), but some writers put
a bare file name; anything else points outside the archive and cannot be read. A source
text keeps its line breaks as written, because the writer's positions count them.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from urllib.parse import unquote

from qcode.core.errors import ImportFailed
from qcode.exchange.refi_offsets import SourceText
from qcode.exchange.refi_project_read import RefiNote, RefiSource
from qcode.exchange.zipsafe import find_member, read_member

# One source text, and all of them together: past these a "project" is not one.
MAX_TEXT_BYTES = 64 * 1024 * 1024
MAX_TOTAL_TEXT_BYTES = 512 * 1024 * 1024


class Archive:
    """The files of a .qdpx (or none, for a bare .qde), read under the size caps."""

    def __init__(self, path: Path, archive: zipfile.ZipFile | None) -> None:
        self.path, self.archive, self.read_total = path, archive, 0

    def member(self, name: str) -> bytes | None:
        """A member's bytes by name (any case), or None if the archive has no such file."""
        if self.archive is None:
            return None
        info = find_member(self.archive, name)
        if info is None:
            return None
        data = read_member(self.archive, info, str(self.path), MAX_TEXT_BYTES)
        self.read_total += len(data)
        if self.read_total > MAX_TOTAL_TEXT_BYTES:
            raise ImportFailed(f"{self.path}: the sources add up to more than "
                               f"{MAX_TOTAL_TEXT_BYTES // 2**20} MB of text; refused")
        return data

    def text_file(self, reference: str) -> tuple[bytes | None, str]:
        """The bytes behind a ``plainTextPath`` and, when absent, why."""
        if self.archive is None:
            return None, "a bare .qde carries no source files"
        if reference.startswith("internal://"):
            name = reference[len("internal://"):]
        elif "://" in reference or reference.startswith("/"):
            return None, f"its text is outside the archive ({reference})"
        else:
            name = reference
        # A URI may percent-encode the name ("Interview%20one.txt").
        for candidate in dict.fromkeys((f"sources/{name}", name, f"sources/{unquote(name)}",
                                        unquote(name))):
            data = self.member(candidate)
            if data is not None:
                return data, ""
        return None, f"{reference} is not in the archive"


def source_text(source: RefiSource, files: Archive) -> tuple[SourceText | None, str]:
    """A source's text as its writer counted it, or None and why it cannot be had."""
    if source.kind != "TextSource":
        return None, "qcode codes text only"
    if source.text is not None:
        raw = source.text
    elif source.text_path:
        data, why = files.text_file(source.text_path)
        if data is None:
            return None, why
        raw = decode_source(data, f"{files.path}: {source.text_path}")
    else:
        return None, "it has no plain text"
    if not raw.strip():
        return None, "its text is empty"
    return SourceText(raw), ""


def decode_source(data: bytes, where: str) -> str:
    """A source file's text: a BOM decides (and is dropped, as writers count without
    it); otherwise UTF-8. Line breaks are left as written: positions count them. A NUL
    is refused, as in a transcript: text never holds one, a binary file does."""
    text = _decode(data, where)
    if "\x00" in text:
        raise ImportFailed(f"{where}: looks like a binary file, not text (it contains NUL "
                           "bytes)")
    return text


def _decode(data: bytes, where: str) -> str:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise ImportFailed(f"{where}: not valid {codec.upper()} ({exc.reason} at "
                                   f"byte {exc.start})") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"{where}: not UTF-8 text (byte 0x{data[exc.start]:02x} at "
                           f"offset {exc.start})") from exc


def note_text(note: RefiNote, files: Archive) -> str:
    """A note's text, inline or from its file; empty when it has none."""
    if note.text is not None:
        return note.text.strip()
    if note.text_path:
        data, _why = files.text_file(note.text_path)
        if data is not None:
            return decode_source(data, f"{files.path}: {note.text_path}").strip()
    return ""
