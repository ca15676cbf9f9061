"""Document metadata: the fixed fields a document row has, and free attributes."""

from __future__ import annotations

from typing import Any

from qcode.core.model import ParsedDocument

FIELDS = ("title", "kind", "source", "author", "licence", "language")
_ALIASES = {"license": "licence", "lang": "language", "type": "kind", "authors": "author"}


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(_text(v) for v in value)
    return str(value).strip()


def apply_metadata(document: ParsedDocument, metadata: dict[str, Any]) -> ParsedDocument:
    """Set known fields from ``metadata``; every other key becomes an attribute.

    A nested ``attributes:`` mapping is merged into the attributes too.
    """
    for raw_key, value in metadata.items():
        if value is None:
            continue
        key = _ALIASES.get(str(raw_key).lower(), str(raw_key).lower())
        if key == "attributes" and isinstance(value, dict):
            for k, v in value.items():
                if v is not None:
                    document.attributes[str(k)] = _text(v)
        elif key in FIELDS:
            setattr(document, key, _text(value))
        else:
            document.attributes[str(raw_key)] = _text(value)
    return document
