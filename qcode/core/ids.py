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
    return _format_guids(os.urandom(16 * count).hex().upper(), count)


def seeded_guids(seed: bytes, count: int) -> list[str]:
    """``count`` version-4 GUIDs drawn from ``seed`` (16 random bytes) by SHAKE-128: as
    unpredictable as :func:`new_guids`' to whoever does not know the seed, and the same
    ones again from the same seed, so the event log can keep a bulk insert's GUIDs as
    the seed alone (:mod:`qcode.core.store.rows`)."""
    try:  # the built-in SHAKE: hashlib would load OpenSSL (15 ms) first
        from _sha3 import shake_128  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover - an interpreter without it
        from hashlib import shake_128
    return _format_guids(shake_128(seed).hexdigest(16 * count).upper(), count)


# Where each of a GUID's 32 hex digits goes among its 36 characters (the rest are dashes).
_DIGITS = [i for i in range(36) if i not in (8, 13, 18, 23)]
# The variant digit (RFC 4122: binary 10xx) from any hex digit, keeping two random bits.
_VARIANT = bytes.maketrans(b"0123456789ABCDEF", b"89AB89AB89AB89AB")


def _format_guids(hexed: str, count: int) -> list[str]:
    """32 random upper-case hex digits per GUID, laid out as REFI-QDA writes GUIDs.

    Built a character position at a time over all GUIDs (strided byte copies), not a
    GUID at a time: a million take a third of the time.
    """
    if count <= 0:
        return []
    digits = hexed.encode("ascii")
    out = bytearray(b",") * (37 * count)
    for source, target in enumerate(_DIGITS):
        out[target::37] = digits[source::32]
    for dash in (8, 13, 18, 23):
        out[dash::37] = b"-" * count
    out[14::37] = b"4" * count  # version 4
    out[19::37] = out[19::37].translate(_VARIANT)
    return out[:-1].decode("ascii").split(",")


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
