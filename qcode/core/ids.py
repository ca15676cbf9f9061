"""Identities and names: GUIDs in REFI-QDA form, timestamps, name folding."""

from __future__ import annotations

import os
import re
import unicodedata
from datetime import UTC, datetime

_GUID = re.compile(
    r"^\{?([0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12})\}?$"
)


def new_guid() -> str:
    """A fresh GUID as REFI-QDA writes them (random, version 4): uppercase, hyphenated,
    no braces."""
    return new_guids(1)[0]


def new_guids(count: int) -> list[str]:
    """``count`` fresh GUIDs at once (random, version 4, as :func:`new_guid` makes them),
    for bulk work: one read of the system's randomness instead of one per GUID."""
    raw = bytearray(os.urandom(16 * count))
    guids = []
    for start in range(0, 16 * count, 16):
        raw[start + 6] = (raw[start + 6] & 0x0F) | 0x40  # version 4
        raw[start + 8] = (raw[start + 8] & 0x3F) | 0x80  # RFC 4122 variant
        h = raw[start:start + 16].hex().upper()
        guids.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return guids


def normalize_guid(value: str) -> str | None:
    """``value`` as a canonical GUID (case and braces ignored), or None if it is not one."""
    match = _GUID.match(value.strip())
    if match is None:
        return None
    h = match.group(1).replace("-", "").upper()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def now() -> str:
    """The current time in UTC, ISO 8601 with seconds, as stored in the project."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def text_hash(text: str) -> str:
    """Short stable hash of a paragraph's text (identifies paragraphs across files)."""
    import hashlib  # here: only imports and checks hash, and OpenSSL is slow to load

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def sha256(text: str) -> str:
    """SHA-256 of a document's text, as UTF-8."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fold(name: str) -> str:
    """A name folded for matching: case, accents, dashes/underscores and spacing ignored.

    ``"Régional_Variation "`` and ``"regional variation"`` fold to the same key, so a
    researcher can type code names the way they remember them.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    spaced = re.sub(r"[\s_\-]+", " ", stripped)
    return spaced.strip().casefold()
