"""``qcode export FILE.qdpx``: the project as a REFI-QDA project archive.

The archive holds ``project.qde`` (valid against the REFI-QDA 1.5 Project.xsd),
``sources/<GUID>.txt`` with each document's text (UTF-8, referenced as
``internal://<GUID>.txt``) and ``qcode.json`` (:mod:`qcode.exchange.refi_layout`).
Coders are Users; the codebook is nested Codes (fields beyond the definition in the
Description, :mod:`qcode.exchange.refi_description`); document attributes are text
Variables with a VariableValue on each TextSource; every coding is a
PlainTextSelection over its paragraph's characters (code points, as the standard says)
holding one Coding with its coder as ``creatingUser``; memos are Notes, referred to
from the project, the source, the code, the coding, or (for a paragraph memo) a
selection of the paragraph. GUIDs that qcode does not store (selections, variables,
notes of coding memos) are derived from stored ones, so exporting twice gives the same
file.
"""

from __future__ import annotations

import contextlib
import os
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qcode.core.errors import QcodeError
from qcode.core.ids import now
from qcode.core.linebreaks import restore
from qcode.core.project import Project
from qcode.exchange import refi_layout, refi_qdc
from qcode.exchange.refi_offsets import SourceText, Unit, unit_by_key
from qcode.exchange.refi_selections import selections
from qcode.exchange.xmlsafe import xml_text

NAMESPACE = "urn:QDA-XML:project:1.0"
# Derived GUIDs: uuid5 of a stored GUID in this namespace.
_DERIVED = uuid.UUID("0C3A5E0B-7F4D-4C1B-9A57-2B8E6D1F4A90")
_DATETIME = re.compile(r"^-?\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")


@dataclass(frozen=True)
class ExportSummary:
    """What went into an exported .qdpx."""

    path: str
    documents: int
    codes: int
    coders: int
    codings: int
    memos: int
    variables: int


def export_qdpx(project: Project, path: Path, *, force: bool = False,
                progress: Callable[[int, int], None] | None = None,
                original: bool = True) -> ExportSummary:
    """Write ``project`` to ``path`` as a .qdpx; refuses to overwrite unless ``force``.

    ``progress(done, total)`` is called after each source text; the file appears only
    when complete (written beside it, then renamed), so an interrupted export leaves
    nothing behind. A document from another tool is written as that tool had it: its
    line breaks, and positions counted its way (NVivo: UTF-16 units); without
    ``original`` every text has ``\n`` line breaks and positions are code points, as
    the standard says."""
    if path.is_dir():
        raise QcodeError(f"{path}: is a directory; give a file name ending in .qdpx")
    if path.exists() and not force:
        raise QcodeError(f"{path}: already exists; pass --force to overwrite it")
    if not path.parent.is_dir():
        raise QcodeError(f"{path}: folder {path.parent} does not exist")
    writer = _Writer(project, original=original)
    xml = writer.project_xml()
    partial = path.with_name(path.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.qde", xml)
            for number, (document, _text, _paragraphs) in enumerate(writer.documents, 1):
                archive.writestr(f"sources/{document.guid}.txt",
                                 writer.texts[document.id].raw.encode("utf-8"))
                if progress:
                    progress(number, len(writer.documents))
            archive.writestr(refi_layout.MEMBER, refi_layout.dump(
                writer.documents, {d.guid: writer.units[d.id].key for d, _t, _p
                                   in writer.documents}))
        os.replace(partial, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink()
        raise QcodeError(f"{path}: cannot write ({exc.strerror})") from exc
    except BaseException:  # interrupted (Ctrl-C): leave no half-written file behind
        with contextlib.suppress(OSError):
            partial.unlink()
        raise
    return ExportSummary(str(path), len(writer.documents), writer.code_count,
                         len(writer.users), writer.coding_count, writer.memo_count,
                         len(writer.variables))


def project_xml(project: Project) -> bytes:
    """The ``project.qde`` document for ``project``."""
    return _Writer(project).project_xml()


def derived_guid(guid: str, purpose: str) -> str:
    """A stable GUID for something qcode does not store, made from one it does."""
    return str(uuid.uuid5(_DERIVED, f"{purpose}:{guid}")).upper()


class _Writer:
    def __init__(self, project: Project, *, original: bool = True) -> None:
        self.project, self.original = project, original
        conn = project.conn
        self.users = {c.id: c.guid for c in project.coders()}
        summaries = sorted(project.documents(), key=lambda s: s.document.id)
        self.documents = [(s.document, project.document_text(s.document.id),
                           project.paragraphs(s.document.id)) for s in summaries]
        # Each text as its tool had it, and the unit its positions are written in.
        self.texts: dict[int, SourceText] = {}
        self.units: dict[int, Unit] = {}
        for document, text, _paragraphs in self.documents:
            positions, breaks = conn.execute(
                "SELECT positions, line_breaks FROM documents WHERE id = ?",
                (document.id,)).fetchone()
            self.texts[document.id] = SourceText(restore(text, breaks if original else None))
            self.units[document.id] = unit_by_key(positions if original else None)
        self.attributes = {s.document.id: s.attributes for s in summaries}
        keys = sorted({k for a in self.attributes.values() for k in a})
        self.variables = {key: derived_guid(key, "variable") for key in keys}
        self.codings: dict[int, list[Any]] = {}
        for row in conn.execute(
            "SELECT c.*, p.document_id, k.guid AS code_guid FROM codings c "
            "JOIN paragraphs p ON p.id = c.paragraph_id JOIN codes k ON k.id = c.code_id "
            "ORDER BY p.document_id, p.ordinal, c.id"
        ):
            self.codings.setdefault(row["document_id"], []).append(row)
        self.memos = [dict(r) for r in conn.execute("SELECT * FROM memos ORDER BY id")]
        self.code_guids = {r[0]: r[1] for r in conn.execute("SELECT id, guid FROM codes")}
        self.notes: list[ET.Element] = []
        self.code_count = self.coding_count = self.memo_count = 0

    def project_xml(self) -> bytes:
        from qcode import __version__

        project = self.project
        root = ET.Element("Project", _attrs(
            xmlns=NAMESPACE, name=xml_text(project.name) or "qcode project",
            origin=f"qcode {__version__}", creationDateTime=project.meta("created_at"),
            modifiedDateTime=now()))
        codebook = project.codebook()
        # The codebook's own name/version/description ride in a comment, as in a .qdc.
        root.append(ET.Comment(refi_qdc._meta_comment(codebook)))
        if self.users:
            users = ET.SubElement(root, "Users")
            for coder in project.coders():
                ET.SubElement(users, "User", {"guid": coder.guid, "name": xml_text(coder.name)})
        if codebook.codes:
            codes = ET.SubElement(ET.SubElement(root, "CodeBook"), "Codes")
            for spec in codebook.codes:
                refi_qdc._write_code(codes, spec)
            self._code_notes(codes)
        if self.variables:
            variables = ET.SubElement(root, "Variables")
            for key, guid in self.variables.items():
                ET.SubElement(variables, "Variable",
                              {"guid": guid, "name": xml_text(key), "typeOfVariable": "Text"})
        if self.documents:
            sources = ET.SubElement(root, "Sources")
            for document, _text, paragraphs in self.documents:
                self._source(sources, document, paragraphs)
        project_refs = [self._note(m, "memo on the project") for m in self.memos
                        if m["target"] == "project"]
        if self.notes:
            ET.SubElement(root, "Notes").extend(self.notes)
        for guid in project_refs:
            ET.SubElement(root, "NoteRef", {"targetGUID": guid})
        ET.indent(root, space=" ")
        body = ET.tostring(root, encoding="unicode")
        return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'.encode()

    def _code_notes(self, codes: ET.Element) -> None:
        by_guid = {e.get("guid"): e for e in codes.iter("Code")}
        self.code_count = len(by_guid)
        for memo in self.memos:
            if memo["target"] != "code":
                continue
            element = by_guid[self.code_guids[memo["target_id"]]]
            guid = self._note(memo, f"memo on code {element.get('name')}")
            # NoteRef follows the Description and precedes sub-codes (schema order).
            at = 1 if len(element) and element[0].tag == "Description" else 0
            element.insert(at, ET.Element("NoteRef", {"targetGUID": guid}))

    def _source(self, sources: ET.Element, document: Any, paragraphs: list[Any]) -> None:
        source = ET.SubElement(sources, "TextSource", _attrs(
            guid=document.guid, name=xml_text(document.name),
            plainTextPath=f"internal://{document.guid}.txt",
            creationDateTime=document.imported_at))
        if document.title:
            ET.SubElement(source, "Description").text = xml_text(document.title)
        by_id = {p.id: p for p in paragraphs}
        text, unit = self.texts[document.id], self.units[document.id]

        def place(point: int, given: int | None) -> str:
            return str(given if given is not None else text.from_text(point, unit))

        for chosen in selections(paragraphs, self.codings.get(document.id, []), self.users,
                                 derived_guid, original=self.original):
            selection = ET.SubElement(source, "PlainTextSelection", _attrs(
                guid=chosen.guid, name=chosen.name,
                startPosition=place(chosen.start, chosen.source_start),
                endPosition=place(chosen.end, chosen.source_end),
                creatingUser=chosen.user, creationDateTime=chosen.created))
            for out in chosen.codings:
                row = out.row
                self.coding_count += 1
                user = self.users.get(row["coder_id"])
                coding = ET.SubElement(selection, "Coding", _attrs(
                    guid=out.guid, creatingUser=user, creationDateTime=row["created_at"]))
                ET.SubElement(coding, "CodeRef", {"targetGUID": row["code_guid"]})
                if row["memo"]:
                    memo = {"guid": derived_guid(out.guid, "coding-memo"), "text": row["memo"],
                            "coder_id": row["coder_id"], "created_at": row["created_at"]}
                    ET.SubElement(coding, "NoteRef", {"targetGUID": self._note(
                        memo, f"memo on coding {chosen.name}")})
        for memo in self.memos:
            if memo["target"] == "paragraph" and memo["target_id"] in by_id:
                paragraph = by_id[memo["target_id"]]
                selection = self._selection(source, derived_guid(memo["guid"], "selection"),
                                            paragraph, self.users.get(memo["coder_id"]),
                                            memo["created_at"], place)
                ET.SubElement(selection, "NoteRef", {"targetGUID": self._note(
                    memo, f"memo on {document.name} {paragraph.ref}")})
        for memo in self.memos:
            if memo["target"] == "document" and memo["target_id"] == document.id:
                ET.SubElement(source, "NoteRef",
                              {"targetGUID": self._note(memo, f"memo on {document.name}")})
        for key, value in sorted(self.attributes[document.id].items()):
            variable = ET.SubElement(source, "VariableValue")
            ET.SubElement(variable, "VariableRef", {"targetGUID": self.variables[key]})
            ET.SubElement(variable, "TextValue").text = xml_text(value)

    def _selection(self, source: ET.Element, guid: str, paragraph: Any, user: str | None,
                   created: str | None, place: Callable[[int, int | None], str]
                   ) -> ET.Element:
        # Selections go before the source's NoteRefs and VariableValues (schema order);
        # those are appended only after every selection has been written.
        return ET.SubElement(source, "PlainTextSelection", _attrs(
            guid=guid, name=paragraph.ref, startPosition=place(paragraph.start, None),
            endPosition=place(paragraph.end, None), creatingUser=user,
            creationDateTime=created))

    def _note(self, memo: dict[str, Any], name: str) -> str:
        self.memo_count += 1
        note = ET.Element("Note", _attrs(
            guid=memo["guid"], name=xml_text(name),
            creatingUser=self.users.get(memo["coder_id"]),
            creationDateTime=memo["created_at"]))
        ET.SubElement(note, "PlainTextContent").text = xml_text(memo["text"])
        self.notes.append(note)
        return str(memo["guid"])


def _attrs(**values: str | None) -> dict[str, str]:
    """XML attributes, leaving out the empty ones and timestamps the schema refuses."""
    result = {}
    for key, value in values.items():
        if value is None or value == "":
            continue
        if key.endswith("DateTime") and not _DATETIME.match(value):
            continue
        result[key] = value
    return result
