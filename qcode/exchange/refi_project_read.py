"""Reading a REFI-QDA ``project.qde`` into plain records (no project is touched).

Only what qcode can hold is read: users, the codebook (by
:func:`qcode.exchange.refi_qdc.codebook_from_xml`), variables, sources with their text
selections and codings, notes and what they are attached to, and sets of sources.
Pictures, PDFs, audio and video are listed so the import can say it skipped them.
Errors name the file and the line of the element at fault.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import unquote

from qcode.core.codebook.model import Codebook
from qcode.core.controls import check_name
from qcode.core.errors import ImportFailed
from qcode.core.ids import normalize_guid
from qcode.exchange.refi_qdc import codebook_from_xml
from qcode.exchange.xmlsafe import (
    attribute,
    child,
    children,
    guid_of,
    line_of,
    local_name,
    namespace,
)

PROJECT_NAMESPACE = "urn:QDA-XML:project:1.0"
_MEDIA = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
_VALUES = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue",
           "DateTimeValue")


@dataclass
class RefiCoding:
    """A ``<Coding>``: a code applied by a user, perhaps with notes."""

    guid: str
    code_guid: str
    user: str | None
    created: str | None
    notes: list[str] = field(default_factory=list)


@dataclass
class RefiSelection:
    """A ``<PlainTextSelection>`` with positions as the writer counted them."""

    guid: str
    start: int
    end: int
    user: str | None
    codings: list[RefiCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    line: int = 0


@dataclass
class RefiSource:
    """A source: a ``<TextSource>`` we may import, or media we will skip."""

    guid: str
    name: str
    kind: str
    text_path: str | None = None
    text: str | None = None
    selections: list[RefiSelection] = field(default_factory=list)
    codings: list[RefiCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    line: int = 0


@dataclass
class RefiNote:
    """A ``<Note>``: its text inline, or in a file of the archive."""

    guid: str
    name: str | None
    user: str | None
    created: str | None
    text: str | None
    text_path: str | None


@dataclass
class RefiProject:
    """Everything qcode reads from a ``project.qde``."""

    name: str
    origin: str | None
    ours: bool
    users: dict[str, str]
    codebook: Codebook | None
    sources: list[RefiSource]
    notes: dict[str, RefiNote]
    project_notes: list[str]
    code_notes: dict[str, list[str]]
    sets: dict[str, list[str]]
    # The unit the writer's positions are known to be in (unit key), when it is known
    # rather than guessed (a QualCoder project: Python string indices).
    positions: str | None = None


def read_project(root: ET.Element, where: str, *, default_name: str) -> RefiProject:
    """The records of a ``<Project>`` root element."""
    kind, uri = local_name(root.tag), namespace(root.tag)
    if kind != "Project":
        raise ImportFailed(f"{where}: line {line_of(root)}: the document is <{kind}>, not a "
                           "REFI-QDA project (<Project>)")
    if uri and not uri.lower().startswith("urn:qda-xml:project"):
        raise ImportFailed(f"{where}: line {line_of(root)}: namespace {uri!r} is not a "
                           "REFI-QDA project (urn:QDA-XML:project:1.0)")
    origin = attribute(root, "origin")
    users = {guid_of(u, where, "user"): _user_name(u, where)
             for u in _grandchildren(root, "Users", "User")}
    codebook = (codebook_from_xml(root, where, default_name=default_name)
                if child(root, "CodeBook") is not None else None)
    variables = {guid_of(v, where, "variable"): (attribute(v, "name") or "").strip()
                 for v in _grandchildren(root, "Variables", "Variable")}
    sources = [_source(s, where, variables) for s in _all_children(root, "Sources")]
    _apply_cases(root, where, variables, {s.guid: s for s in sources})
    notes = {}
    for element in _grandchildren(root, "Notes", "Note"):
        note = _note(element, where)
        notes[note.guid] = note
    code_notes: dict[str, list[str]] = {}
    book = child(root, "CodeBook")
    for element in book.iter() if book is not None else ():
        if local_name(element.tag) == "Code" and child(element, "NoteRef") is not None:
            code_notes[guid_of(element, where, "code")] = _note_refs(element, where)
    sets = {(attribute(s, "name") or "set").strip(): [
        _target(m, where) for m in children(s, "MemberSource")]
        for s in _grandchildren(root, "Sets", "Set")}
    return RefiProject(
        name=(attribute(root, "name") or default_name).strip() or default_name,
        origin=origin, ours=(origin or "").startswith("qcode "), users=users,
        codebook=codebook, sources=sources, notes=notes,
        project_notes=_note_refs(root, where), code_notes=code_notes,
        sets={name: members for name, members in sets.items() if members},
    )


def _all_children(root: ET.Element, name: str) -> list[ET.Element]:
    holder = child(root, name)
    return [] if holder is None else [e for e in holder if local_name(e.tag)]


def _grandchildren(root: ET.Element, holder: str, name: str) -> list[ET.Element]:
    return [e for e in _all_children(root, holder) if local_name(e.tag) == name]


def _target(element: ET.Element, where: str) -> str:
    raw = attribute(element, "targetGUID")
    guid = normalize_guid(raw) if raw else None
    if guid is None:
        raise ImportFailed(f"{where}: line {line_of(element)}: <{local_name(element.tag)}> "
                           f"has targetGUID {raw!r}, which is not a GUID")
    return guid


def _note_refs(element: ET.Element, where: str) -> list[str]:
    return [_target(ref, where) for ref in children(element, "NoteRef")]


def _user(element: ET.Element, name: str, where: str) -> str | None:
    raw = attribute(element, name)
    if raw is None:
        return None
    guid = normalize_guid(raw)
    if guid is None:
        raise ImportFailed(f"{where}: line {line_of(element)}: {name}={raw!r} is not a GUID")
    return guid


def _integer(element: ET.Element, name: str, where: str) -> int:
    raw = attribute(element, name)
    try:
        return int((raw or "").strip())
    except ValueError:
        raise ImportFailed(f"{where}: line {line_of(element)}: <{local_name(element.tag)}> "
                           f"{name}={raw!r} is not a whole number") from None


def _coding(element: ET.Element, where: str) -> RefiCoding:
    ref = child(element, "CodeRef")
    if ref is None:
        raise ImportFailed(f"{where}: line {line_of(element)}: a <Coding> has no <CodeRef>")
    return RefiCoding(guid=guid_of(element, where, "coding"), code_guid=_target(ref, where),
                      user=_user(element, "creatingUser", where),
                      created=attribute(element, "creationDateTime"),
                      notes=_note_refs(element, where))


def _user_name(element: ET.Element, where: str) -> str:
    name = (attribute(element, "name") or "").strip()
    if name:
        check_name(name, "coder", f"{where}: line {line_of(element)}", ImportFailed)
    return name


def _source(element: ET.Element, where: str, variables: dict[str, str]) -> RefiSource:
    kind = local_name(element.tag)
    guid = guid_of(element, where, f"<{kind}>")
    # As the other tool showed it: its name, else the stem of its text file's name.
    name = ((attribute(element, "name") or "").strip()
            or _stem(attribute(element, "plainTextPath") or attribute(element, "path"))
            or guid)
    check_name(name, "document", f"{where}: line {line_of(element)}", ImportFailed)
    source = RefiSource(guid=guid, name=name, kind=kind, line=line_of(element))
    if kind in _MEDIA:
        return source
    if kind != "TextSource":
        raise ImportFailed(f"{where}: line {line_of(element)}: <{kind}> is not a REFI-QDA "
                           "source")
    source.text_path = attribute(element, "plainTextPath")
    content = child(element, "PlainTextContent")
    source.text = content.text or "" if content is not None else None
    for selection in children(element, "PlainTextSelection"):
        source.selections.append(RefiSelection(
            guid=guid_of(selection, where, "selection"),
            start=_integer(selection, "startPosition", where),
            end=_integer(selection, "endPosition", where),
            user=_user(selection, "creatingUser", where),
            codings=[_coding(c, where) for c in children(selection, "Coding")],
            notes=_note_refs(selection, where), line=line_of(selection)))
    source.codings = [_coding(c, where) for c in children(element, "Coding")]
    source.notes = _note_refs(element, where)
    source.variables = _values(element, where, variables)
    return source


def _stem(reference: str | None) -> str:
    """``internal://Interview 3.txt`` or ``relative:///a%20b/c.txt`` -> its file stem."""
    if not reference:
        return ""
    path = unquote(reference.split("://", 1)[-1]).replace("\\", "/")
    return PurePosixPath(path).stem.strip()


def _values(element: ET.Element, where: str, variables: dict[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for value in children(element, "VariableValue"):
        ref = child(value, "VariableRef")
        if ref is None:
            raise ImportFailed(f"{where}: line {line_of(value)}: a <VariableValue> has no "
                               "<VariableRef>")
        target = _target(ref, where)
        if target not in variables:
            raise ImportFailed(f"{where}: line {line_of(ref)}: variable {target} is not "
                               "declared in <Variables>")
        found = next((c for c in value if local_name(c.tag) in _VALUES), None)
        text = (found.text or "").strip() if found is not None else ""
        if text and variables[target]:
            values[variables[target]] = text
    return values


def _apply_cases(root: ET.Element, where: str, variables: dict[str, str],
                 sources: dict[str, RefiSource]) -> None:
    """Variables given to a case reach the sources the case includes."""
    for case in _grandchildren(root, "Cases", "Case"):
        values = _values(case, where, variables)
        for ref in children(case, "SourceRef"):
            source = sources.get(_target(ref, where))
            if source is not None:
                source.variables = {**values, **source.variables}


def _note(element: ET.Element, where: str) -> RefiNote:
    content = child(element, "PlainTextContent")
    return RefiNote(guid=guid_of(element, where, "note"),
                    name=(attribute(element, "name") or "").strip() or None,
                    user=_user(element, "creatingUser", where),
                    created=attribute(element, "creationDateTime"),
                    text=content.text or "" if content is not None else None,
                    text_path=attribute(element, "plainTextPath"))
