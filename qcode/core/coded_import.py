"""Documents that arrive already coded (a REFI-QDA project): what the importer hands to
:meth:`qcode.Project.import_coded_document`, and the rows that become of it.

The importer works out everything first (which paragraph each selection lands on, who
coded it); these helpers only turn that into row changes inside the project's
transaction. Coders are matched by GUID, then by name (the same person on another
machine), and created with the file's GUID otherwise. A coding the project already
has (same paragraph, code and coder) is counted, not added twice.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from typing import Any, Literal

from qcode.core.errors import NotFoundError
from qcode.core.ids import new_guid, now, sha256
from qcode.core.model import Document, ParsedDocument
from qcode.core.project_file import ProjectFile
from qcode.core.spans import Span, dump, union
from qcode.core.store.changes import Change
from qcode.core.store.changes import apply as apply_change
from qcode.core.store.texts import document_snapshot

MemoTarget = Literal["project", "document", "paragraph", "code"]


@dataclass(frozen=True)
class ImportedCoder:
    """A coder as another tool names them (REFI-QDA ``<User>``)."""

    name: str
    guid: str | None = None


@dataclass(frozen=True)
class ImportedCoding:
    """One code on one paragraph (by ordinal) by one coder, with the exact span(s) of
    the selection it came from (:mod:`qcode.core.spans`; none: the whole paragraph)."""

    ordinal: int
    code_guid: str
    coder: ImportedCoder
    guid: str | None = None
    memo: str | None = None
    created_at: str | None = None
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class ImportedMemo:
    """A memo on the project, the document, a paragraph (``ordinal``) or a code."""

    target: MemoTarget
    coder: ImportedCoder
    text: str
    ordinal: int | None = None
    code_guid: str | None = None
    guid: str | None = None
    created_at: str | None = None


@dataclass(frozen=True)
class CodedImport:
    """What importing one coded document did."""

    document: Document
    new: bool
    codings_added: int
    codings_present: int
    memos_added: int
    memos_present: int
    event_id: int | None


def import_coded_document(
    project: ProjectFile, parsed: ParsedDocument, codings: list[ImportedCoding], *, coder: str,
    guid: str | None = None, attributes: dict[str, str] | None = None,
    memos: list[ImportedMemo] | None = None,
) -> CodedImport:
    """Add ``parsed`` with its codings and memos as one event of ``coder``.

    A document with the same text already in the project receives the codings and
    memos instead (its paragraphs are the same text, so the ordinals hold). The codes
    must be in the project already.
    """
    conn = project.conn
    with project.writing():
        row = conn.execute("SELECT id FROM documents WHERE sha256 = ?",
                           (sha256(parsed.text),)).fetchone()
        changes: list[Change] = []
        if row is None:
            taken = conn.execute("SELECT 1 FROM documents WHERE guid = ?", (guid,)).fetchone()
            snapshot = document_snapshot(parsed, name=project.free_name(parsed.name),
                                         guid=None if taken else guid, attributes=attributes)
            realised = apply_change(conn, {"op": "insert_document", "snapshot": snapshot})
            changes.append(realised)
            document_id = int(realised["id"])
        else:
            document_id = int(row[0])
            here = conn.execute("SELECT positions FROM documents WHERE id = ?",
                                (document_id,)).fetchone()[0]
            if here != parsed.positions:
                # The text is here already, counted another way: only the code points
                # of the spans hold; the other tool's numbers would not fit its export.
                codings = [replace(c, spans=tuple(replace(s, source_start=None,
                                                          source_end=None) for s in c.spans))
                           for c in codings]
        codings_new, codings_present, widened = coding_rows(project, document_id, codings)
        memos_new, memos_present = memo_rows(project, document_id, memos or [])
        for table, rows in (("codings", codings_new), ("memos", memos_new)):
            if rows:
                changes.append(apply_change(conn, {"op": "insert", "table": table, "rows": rows}))
        changes.extend(apply_change(conn, change) for change in widened)
        document = project.document(document_id)
        event = None
        if changes:
            verb = "import" if row is None else "import codings into"
            summary = (f"{verb} {document.name} ({len(parsed.paragraphs)} paragraphs, "
                       f"{len(codings_new)} codings)")
            event = project.record_applied(coder, "import", summary, changes)
    return CodedImport(document, row is None, len(codings_new), codings_present,
                       len(memos_new), memos_present, event)


def import_memos(project: ProjectFile, memos: list[ImportedMemo], *, coder: str,
                 summary: str) -> tuple[int, int]:
    """Add memos on the project or on codes as one event: (added, already present)."""
    with project.writing():
        rows, present = memo_rows(project, None, memos)
        if rows:
            change = apply_change(project.conn, {"op": "insert", "table": "memos", "rows": rows})
            project.record_applied(coder, "import-memos", summary, [change])
    return len(rows), present


def import_coders(project: ProjectFile, coders: list[ImportedCoder], *, coder: str,
                  source: str) -> list[str]:
    """Make sure every coder another tool lists exists here (matched by GUID, then by
    name); those added are one event by ``coder`` (undo removes them again while
    nothing refers to them). Returns their names."""
    with project.writing():
        before = {c.id for c in project.coders()}
        ids = [project.ensure_coder(c.name, c.guid) for c in coders]
        added = [i for i in dict.fromkeys(ids) if i not in before]
        names = [project.conn.execute("SELECT name FROM coders WHERE id = ?", (i,)).fetchone()[0]
                 for i in added]
        if added:
            project.record_applied(coder, "import-coders",
                                   f"add coders from {source}: {', '.join(names)}", [])
        return names


def code_ids(conn: sqlite3.Connection, guids: set[str]) -> dict[str, int]:
    """code GUID -> id for every GUID given; a missing one is an error (load the
    codebook first)."""
    found = {r["guid"]: int(r["id"]) for r in conn.execute("SELECT id, guid FROM codes")}
    missing = sorted(guids - set(found))
    if missing:
        raise NotFoundError(f"no code with GUID {missing[0]} in the project")
    return {g: found[g] for g in guids}


def coding_rows(project: ProjectFile, document_id: int, codings: list[ImportedCoding]
                ) -> tuple[list[dict[str, Any]], int, list[Change]]:
    """(new coding rows, how many were already present, updates giving codings already
    here the exact spans they lacked) for one document.

    Several selections of one code by one coder in one paragraph are one coding here
    (the paragraph is the unit) holding each selection's span."""
    conn = project.conn
    paragraphs = _paragraph_ids(conn, document_id)
    codes = code_ids(conn, {c.code_guid for c in codings})
    have: dict[tuple[int, int, int], tuple[int, str | None]] = {
        (r[0], r[1], r[2]): (r[3], r[4]) for r in conn.execute(
            "SELECT c.paragraph_id, c.code_id, c.coder_id, c.id, c.spans FROM codings c "
            "JOIN paragraphs p ON p.id = c.paragraph_id WHERE p.document_id = ?",
            (document_id,))}
    guids = {c.guid for c in codings if c.guid}
    taken = _taken(conn, "codings", guids)
    coders: dict[ImportedCoder, int] = {}
    new: dict[tuple[int, int, int], dict[str, Any]] = {}
    spans: dict[tuple[int, int, int], list[Span]] = {}
    present = 0
    for coding in codings:
        if coding.ordinal not in paragraphs:
            raise NotFoundError(f"no paragraph ¶{coding.ordinal} in document #{document_id}")
        if coding.coder not in coders:
            coders[coding.coder] = project.ensure_coder(coding.coder.name, coding.coder.guid)
        key = (paragraphs[coding.ordinal], codes[coding.code_guid], coders[coding.coder])
        spans.setdefault(key, []).extend(coding.spans)
        if key in have:
            present += 1
            continue
        if key in new:
            continue  # another selection of the same coding: its span joins the first
        guid = coding.guid if coding.guid and coding.guid not in taken else new_guid()
        taken.add(guid)
        new[key] = {"guid": guid, "paragraph_id": key[0], "code_id": key[1],
                    "coder_id": key[2], "memo": coding.memo,
                    "created_at": coding.created_at or now()}
    rows = [{**row, "spans": dump(spans[key])} for key, row in new.items()]
    widened: list[Change] = []
    for key, more in spans.items():
        if key not in have or not more:
            continue
        coding_id, current = have[key]
        after = union(current, more)
        if after != current:
            widened.append({"op": "update", "table": "codings", "key": {"id": coding_id},
                            "before": {"spans": current}, "after": {"spans": after}})
    return rows, present, widened


def memo_rows(project: ProjectFile, document_id: int | None,
              memos: list[ImportedMemo]) -> tuple[list[dict[str, Any]], int]:
    """(new memo rows, how many targets the coder already had a memo on).

    Several memos on one target by one coder are joined, a blank line apart, since the
    project keeps one memo per coder and target.
    """
    conn = project.conn
    paragraphs = _paragraph_ids(conn, document_id) if document_id is not None else {}
    codes = code_ids(conn, {m.code_guid for m in memos if m.code_guid})
    taken = _taken(conn, "memos", {m.guid for m in memos if m.guid})
    joined: dict[tuple[str, int | None, int], dict[str, Any]] = {}
    for memo in memos:
        target_id: int | None = None
        if memo.target == "document":
            target_id = document_id
        elif memo.target == "paragraph":
            if memo.ordinal not in paragraphs:
                raise NotFoundError(f"no paragraph ¶{memo.ordinal} in document #{document_id}")
            target_id = paragraphs[memo.ordinal]
        elif memo.target == "code":
            target_id = codes[memo.code_guid or ""]
        key = (memo.target, target_id, project.ensure_coder(memo.coder.name, memo.coder.guid))
        if key in joined:
            joined[key]["text"] += "\n\n" + memo.text
            continue
        guid = memo.guid if memo.guid and memo.guid not in taken else new_guid()
        taken.add(guid)
        joined[key] = {"guid": guid, "target": key[0], "target_id": key[1], "coder_id": key[2],
                       "text": memo.text, "created_at": memo.created_at or now()}
    rows, present = [], 0
    for (target, target_id, coder_id), row in joined.items():
        clash = conn.execute(
            "SELECT 1 FROM memos WHERE target = ? AND target_id IS ? AND coder_id = ?",
            (target, target_id, coder_id)).fetchone()
        if clash:
            present += 1
        else:
            rows.append(row)
    return rows, present


def _paragraph_ids(conn: sqlite3.Connection, document_id: int) -> dict[int, int]:
    return {int(r[0]): int(r[1]) for r in conn.execute(
        "SELECT ordinal, id FROM paragraphs WHERE document_id = ?", (document_id,))}


def _taken(conn: sqlite3.Connection, table: str, guids: set[str]) -> set[str]:
    """Which of ``guids`` a row of ``table`` already has (one pass over the table: the
    codings' GUIDs are not indexed, see schema 6)."""
    if not guids:
        return set()
    return {r[0] for r in conn.execute(f"SELECT guid FROM {table}") if r[0] in guids}
