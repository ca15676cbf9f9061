"""REFI-QDA codebooks: write a ``.qdc``; read the codebook of a ``.qdc``, ``.qde`` or ``.qdpx``.

Writing follows the official schema (``urn:QDA-XML:codebook:1.0``): nested ``<Code>``
elements, GUIDs in upper case, colours as ``#RRGGBB``, the definition and our other
fields in ``<Description>`` (layout in :mod:`qcode.exchange.refi_description`). The
codebook's own name, version, description and source have no place in the schema;
they travel in an XML comment (``<!-- qcode-codebook {...} -->``) that other tools
ignore, so our round trip is exact.

Reading takes files as real tools write them: either namespace version
(``codebook:1.0`` or ``codebook:0:4``) or a whole Project (``<Project><CodeBook>``),
GUIDs in any case with or without braces, colours in ``#RGB`` or ``#RRGGBBAA`` too, an
empty ``<Sets/>`` (Taguette), and a hierarchy flattened into names: ATLAS.ti writes
``Parent::child`` (missing parents become folders), and ``parent/child`` is read as a
hierarchy where ``parent`` is itself a code in the file. Codes with the same name under
one parent, which some tools allow and qcode does not, get " (2)", " (3)" appended.
"""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from qcode import __version__
from qcode.core.codebook.model import Codebook, CodeSpec, check_codebook
from qcode.core.errors import ImportFailed, QcodeError
from qcode.core.ids import fold
from qcode.exchange import refi_description
from qcode.exchange.limits import MAX_DEPTH, MAX_FILE_BYTES, check_code_count, read_capped
from qcode.exchange.xmlsafe import (
    attribute,
    child,
    children,
    guid_of,
    line_of,
    local_name,
    namespace,
    parse_xml,
    xml_text,
)
from qcode.exchange.zipsafe import find_member, open_archive, read_member

NAMESPACE = "urn:QDA-XML:codebook:1.0"
_REFI_PREFIX = "urn:qda-xml:"
_META = "qcode-codebook "
_META_FIELDS = ("name", "version", "description", "source")
_ORIGIN = "qcode"
_COLOUR = re.compile(r"^#([0-9A-Fa-f]{6})(?:[0-9A-Fa-f]{2})?$")
_SHORT_COLOUR = re.compile(r"^#([0-9A-Fa-f])([0-9A-Fa-f])([0-9A-Fa-f])$")
# Folders created for "Parent::child" names get GUIDs derived from their path, so
# importing the same file twice finds the same folders.
_FOLDER_NAMESPACE = uuid.UUID("6F1B7C1E-3E0B-4C55-9D0F-5A1D3C7B2E10")


# -- writing -------------------------------------------------------------------------


def write_qdc(codebook: Codebook) -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` document (UTF-8, valid against Codebook.xsd)."""
    if not codebook.codes:
        raise QcodeError("the codebook is empty; a .qdc needs at least one code")
    # Plain tags plus an explicit xmlns: ElementTree's default_namespace option refuses
    # unprefixed attributes, which is what the schema wants.
    root = ET.Element("CodeBook", {"xmlns": NAMESPACE, "origin": f"{_ORIGIN} {__version__}"})
    root.append(ET.Comment(_meta_comment(codebook)))
    codes = ET.SubElement(root, "Codes")
    for spec in codebook.codes:
        _write_code(codes, spec)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'.encode()


def _write_code(parent: ET.Element, spec: CodeSpec) -> None:
    attributes = {
        "guid": spec.guid,
        "name": xml_text(spec.name).strip() or "?",
        "isCodable": "true" if spec.codable else "false",
    }
    if spec.colour:
        attributes["color"] = spec.colour.upper()
    element = ET.SubElement(parent, "Code", attributes)
    description = refi_description.pack(spec)
    if description is not None:
        ET.SubElement(element, "Description").text = description
    for sub in spec.children:
        _write_code(element, sub)


def _meta_comment(codebook: Codebook) -> str:
    meta = {key: refi_description.clean(getattr(codebook, key)) for key in _META_FIELDS}
    # A comment may not contain "--"; a JSON escape for the first of each pair keeps it
    # out while the JSON stays valid (hyphens only occur inside its strings).
    text = re.sub("-(?=-)", r"\\u002d", json.dumps(meta, ensure_ascii=False))
    return f" {_META}{text} "


# -- reading -------------------------------------------------------------------------


def read_refi(path: Path) -> Codebook:
    """The codebook in a ``.qdc``, ``.qde`` or ``.qdpx`` file (told apart by content)."""
    data = read_capped(path)
    if data.startswith(b"PK\x03\x04"):
        return _read_qdpx(path)
    return codebook_from_xml(parse_xml(data, str(path)), str(path), default_name=path.stem)


def _read_qdpx(path: Path) -> Codebook:
    with open_archive(path) as archive:
        info = find_member(archive, "project.qde")
        if info is None:
            found = [i.filename for i in archive.infolist() if i.filename.lower().endswith(".qde")]
            if len(found) != 1:
                raise ImportFailed(f"{path}: no project.qde inside; is this a REFI-QDA "
                                   "project (.qdpx)?")
            info = find_member(archive, found[0])
            assert info is not None
        where = f"{path}: {info.filename}"
        data = read_member(archive, info, where, MAX_FILE_BYTES)
    return codebook_from_xml(parse_xml(data, where), where, default_name=path.stem)


def codebook_from_xml(root: ET.Element, where: str, *, default_name: str) -> Codebook:
    """Build a :class:`Codebook` from a ``<CodeBook>`` or ``<Project>`` root element."""
    kind = local_name(root.tag)
    uri = namespace(root.tag)
    if kind not in {"CodeBook", "Project"}:
        raise ImportFailed(f"{where}: line {line_of(root)}: the document is <{kind}>, not a "
                           "REFI-QDA codebook (<CodeBook>) or project (<Project>)")
    if uri and not uri.lower().startswith(_REFI_PREFIX):
        raise ImportFailed(f"{where}: line {line_of(root)}: namespace {uri!r} is not "
                           "REFI-QDA (urn:QDA-XML:…)")
    ours = (attribute(root, "origin") or "").startswith(_ORIGIN + " ")
    book = root
    if kind == "Project":
        found = child(root, "CodeBook")
        if found is None:
            raise ImportFailed(f"{where}: the project has no <CodeBook>")
        book = found
    codes = child(book, "Codes")
    if codes is None:
        raise ImportFailed(f"{where}: line {line_of(book)}: <CodeBook> has no <Codes>")
    check_code_count(sum(1 for e in codes.iter() if local_name(e.tag) == "Code"), where)
    specs = [_read_code(element, where, 1) for element in children(codes, "Code")]
    nested = any(spec.children for spec in specs)
    if not ours and not nested:
        specs = _unflatten(specs)
    codebook = Codebook(name=default_name, codes=specs)
    _read_meta(root, codebook)
    if not ours:
        disambiguate_names(codebook.codes)
    check_codebook(codebook, where)
    return codebook


def _read_code(element: ET.Element, where: str, depth: int) -> CodeSpec:
    line = line_of(element)
    if depth > MAX_DEPTH:
        raise ImportFailed(f"{where}: line {line}: codes nested more than {MAX_DEPTH} "
                           "levels deep; refused")
    name = (attribute(element, "name") or "").strip()
    if not name:
        raise ImportFailed(f"{where}: line {line}: a <Code> has no name")
    guid = guid_of(element, where, f"code {name!r}")
    description = child(element, "Description")
    fields = refi_description.unpack(description.text if description is not None else None)
    return CodeSpec(
        name=name,
        guid=guid,
        colour=_colour(attribute(element, "color")),
        codable=_boolean(attribute(element, "isCodable"), where, line),
        children=[_read_code(sub, where, depth + 1) for sub in children(element, "Code")],
        **fields,
    )


def _colour(value: str | None) -> str | None:
    """``#RRGGBB`` in upper case; ``#RGB`` expanded, an alpha byte dropped, junk ignored."""
    if value is None:
        return None
    value = value.strip()
    short = _SHORT_COLOUR.match(value)
    if short:
        return "#" + "".join(part * 2 for part in short.groups()).upper()
    full = _COLOUR.match(value)
    return "#" + full.group(1).upper() if full else None


def _boolean(value: str | None, where: str, line: int) -> bool:
    if value is None:
        return True
    text = value.strip().lower()
    if text in {"true", "1"}:
        return True
    if text in {"false", "0"}:
        return False
    raise ImportFailed(f"{where}: line {line}: isCodable={value!r} is not true or false")


def _read_meta(root: ET.Element, codebook: Codebook) -> None:
    for node in root:
        text = node.text or ""
        # comments are the only nodes whose tag is not a string (ET.Comment itself)
        if isinstance(node.tag, str) or not text.strip().startswith(_META):
            continue
        try:
            meta = json.loads(text.strip()[len(_META):])
        except json.JSONDecodeError:
            return
        if not isinstance(meta, dict):
            return
        for key in _META_FIELDS:
            value = meta.get(key)
            if isinstance(value, str) and value.strip():
                setattr(codebook, key, value.strip())
        return


def _unflatten(specs: list[CodeSpec]) -> list[CodeSpec]:
    """Rebuild a hierarchy written into names ("Parent::child", "parent/child")."""
    if any("::" in spec.name for spec in specs):
        separator, make_folders = "::", True
    elif any("/" in spec.name for spec in specs):
        separator, make_folders = "/", False
    else:
        return specs

    def split(name: str) -> list[str]:
        parts = [part.strip() for part in name.split(separator)]
        return parts if all(parts) else [name]

    by_path: dict[tuple[str, ...], CodeSpec] = {}
    for spec in specs:
        by_path.setdefault(tuple(fold(p) for p in split(spec.name)), spec)
    roots: list[CodeSpec] = []

    def place(spec: CodeSpec, parts: list[str]) -> None:
        if len(parts) == 1:
            roots.append(spec)
            return
        key = tuple(fold(p) for p in parts[:-1])
        parent = by_path.get(key)
        if parent is None:
            if not make_folders:
                roots.append(spec)
                return
            folder_guid = str(uuid.uuid5(_FOLDER_NAMESPACE, separator.join(key))).upper()
            parent = by_path[key] = CodeSpec(name=parts[-2], guid=folder_guid, codable=False)
            place(parent, parts[:-1])
        spec.name = parts[-1]
        parent.children.append(spec)

    for spec in specs:
        place(spec, split(spec.name))
    return roots


def disambiguate_names(siblings: list[CodeSpec]) -> None:
    """Append " (2)", " (3)"… to codes whose name repeats a sibling's (case- and
    accent-insensitively), so a file from a tool that allows that still loads."""
    stack = [siblings]
    while stack:
        level = stack.pop()
        seen: set[str] = set()
        for spec in level:
            name, n = spec.name, 1
            while fold(name) in seen:
                n += 1
                name = f"{spec.name} ({n})"
            spec.name = name
            seen.add(fold(name))
            stack.append(spec.children)
