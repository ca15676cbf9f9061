"""Parsing XML we did not write, and writing XML any reader accepts.

Untrusted XML is parsed with defusedxml and a DTD is refused outright: no REFI-QDA
file needs one, and a DTD is where entity-expansion bombs ("billion laughs") and
external entities (``file:///etc/passwd``, network fetches) live. Errors name the file
and, where the parser knows it, the line. Every element keeps the line it started on
(see :func:`line_of`), so a bad attribute can be reported where it is.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from qcode.core.errors import ImportFailed
from qcode.core.ids import normalize_guid

# Stored as an attribute in a namespace no real file uses, so it cannot collide.
_LINE = "{urn:qcode:internal}line"

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except
# surrogates and U+FFFE/U+FFFF. Anything else cannot be written, even escaped.
_NEWLINE = b"\n"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class _LineTarget:
    """A TreeBuilder that stamps each element with the line it starts on."""

    def __init__(self) -> None:
        self.builder = ET.TreeBuilder(insert_comments=True)
        self.parser: DefusedXMLParser | None = None

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        line = self.parser.parser.CurrentLineNumber if self.parser is not None else 0
        return self.builder.start(tag, {**attrs, _LINE: str(line)})

    def end(self, tag: str) -> ET.Element:
        return self.builder.end(tag)

    def data(self, text: str) -> None:
        self.builder.data(text)

    def comment(self, text: str) -> ET.Element:
        return self.builder.comment(text)

    def close(self) -> ET.Element:
        return self.builder.close()


def parse_xml(data: bytes, where: str) -> ET.Element:
    """The root element of ``data``; hostile or malformed XML raises :class:`ImportFailed`."""
    target = _LineTarget()
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    target.parser = parser
    try:
        parser.feed(data)
        root: ET.Element = parser.close()
    except DTDForbidden as exc:
        raise ImportFailed(
            f"{where}: {_at(data, b'<!DOCTYPE')}declares a DTD (<!DOCTYPE {exc.name}>); "
            "codebook files never need one and it can hide entity attacks, so it is refused"
        ) from exc
    except (EntitiesForbidden, ExternalReferenceForbidden) as exc:
        raise ImportFailed(
            f"{where}: {_at(data, b'<!ENTITY')}declares an XML entity; refused "
            "(entities can expand without bound or read other files)"
        ) from exc
    except ET.ParseError as exc:
        raise ImportFailed(f"{where}: {_describe_parse_error(exc)}") from exc
    except (LookupError, UnicodeError) as exc:
        # The XML declaration names an encoding Python does not know, or the bytes do
        # not fit the one it names (expat hands both to the codec machinery).
        raise ImportFailed(f"{where}: line 1: the file's text encoding is wrong ({exc})") from exc
    return root


def _at(data: bytes, marker: bytes) -> str:
    index = data.find(marker)
    if index < 0:
        return ""
    return f"line {data[:index].count(_NEWLINE) + 1}: "


def _describe_parse_error(exc: ET.ParseError) -> str:
    line, column = getattr(exc, "position", (0, 0))
    reason = str(exc).split(":")[0].strip() or "syntax error"
    hint = ""
    if reason in {"no element found", "unclosed token"}:
        hint = "; the file looks truncated"
    if line <= 1 and column == 0:
        hint = "; this is not an XML file"
    return f"not well-formed XML at line {line}, column {column + 1} ({reason}{hint})"


def line_of(element: ET.Element) -> int:
    """The line ``element`` starts on in its file (0 when unknown)."""
    return int(element.get(_LINE, "0"))


def local_name(tag: Any) -> str:
    """``"{urn:…}Code"`` → ``"Code"``; comments and processing instructions → ``""``."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    """The namespace URI of a tag, or ``""``."""
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def children(element: ET.Element, name: str) -> Iterator[ET.Element]:
    """Child elements called ``name`` in any namespace, in document order."""
    return (child for child in element if local_name(child.tag) == name)


def child(element: ET.Element, name: str) -> ET.Element | None:
    """The first child element called ``name``, or None."""
    return next(children(element, name), None)


def attribute(element: ET.Element, name: str) -> str | None:
    """An attribute by local name (writers disagree on prefixes), or None."""
    value = element.get(name)
    if value is not None:
        return value
    for key, found in element.attrib.items():
        if key != _LINE and local_name(key) == name:
            return found
    return None


def guid_of(element: ET.Element, where: str, what: str) -> str:
    """The element's ``guid`` attribute in canonical form (any case, braces or not)."""
    raw = attribute(element, "guid")
    normal = normalize_guid(raw) if raw is not None else None
    if normal is None:
        problem = "has no guid" if raw is None else f"has guid {raw!r}, which is not a GUID"
        raise ImportFailed(f"{where}: line {line_of(element)}: {what} {problem}")
    return normal


def xml_text(text: str) -> str:
    """``text`` as XML 1.0 can carry it: newlines normalised to ``\\n`` and characters
    XML cannot represent at all (C0 controls other than tab and newline, lone
    surrogates, U+FFFE, U+FFFF) dropped."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
