"""QualCoder projects: ``qcode import PROJECT.qda`` (the folder) or its ``data.qda``.

QualCoder keeps a project in one SQLite file. Its text sources (``source.fulltext``),
code categories (``code_cat``, nested by ``supercatid``) and codes (``code_name``, under a
category, or from schema v16 under another code by ``supercid``), the codings of text
(``code_text``: code, source, ``pos0``/``pos1`` as Python string indices, ``owner``, memo),
annotations, journals, cases with their sources (``case_text``) and the attributes of
files and cases are read into the records a REFI-QDA ``project.qde`` becomes
(:mod:`qcode.exchange.refi_project_read`), and imported by the same path: paragraphs,
exact spans, coders, memos, one event per document.

How things map: a category is a code that is a folder (not codable); a code's or
category's memo is its definition (QualCoder's own REFI-QDA export does the same); a
coding's memo is the coding's; a source's memo is the document's, the project memo and
journals are the project's, an annotation is a memo on the paragraph it starts in.
File attributes become document attributes, and so do a case's for each source the
case includes (``case`` names the cases). QualCoder stores no GUIDs: stable ones are
made from its ids, so importing the same project again adds nothing.

The file is opened read-only and immutable: nothing is written to the other project,
not even a journal. A schema version qcode does not know is refused before anything
is read (QualCoder's ``project.databaseversion``: v1 to v17 are known).
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.controls import check_name
from qcode.core.errors import ImportFailed
from qcode.core.project import Project
from qcode.core.textfile import open_regular
from qcode.exchange.refi_offsets import CODE_POINTS
from qcode.exchange.refi_plan import ImportPlan, ImportReport
from qcode.exchange.refi_project_read import (
    RefiCoding,
    RefiNote,
    RefiProject,
    RefiSelection,
    RefiSource,
)
from qcode.exchange.refi_qdpx import plan_records, write_plan

KNOWN_VERSIONS = range(1, 18)  # v1 … v17
_VERSION = re.compile(r"^v(\d+)$")
_NAMESPACE = uuid.UUID("5E7B0C1D-3A2F-4E8B-9C6D-7F1A2B3C4D5E")
_TABLES = ("project", "source", "code_name", "code_cat", "code_text")
Row = dict[str, Any]


def is_qualcoder(path: Path) -> bool:
    """Whether ``qcode import`` should read ``path`` as a QualCoder project."""
    return path.suffix.lower() == ".qda"


def database_of(path: Path) -> Path:
    """The SQLite file of a QualCoder project given as its folder or the file itself."""
    if path.is_dir():
        found = path / "data.qda"
        if not found.exists():
            raise ImportFailed(f"{path}: a QualCoder project folder holds data.qda; "
                               "this one does not")
        return found
    if not path.exists():
        raise ImportFailed(f"{path}: no such file or folder")
    return path


def import_qualcoder(project: Project, path: Path, *, coder: str,
                     progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import a QualCoder project (folder or ``data.qda``) into ``project``."""
    project.ensure_writable()
    return write_plan(project, plan_qualcoder(path, coder=coder), path, coder=coder,
                      progress=progress)


def plan_qualcoder(path: Path, *, coder: str) -> ImportPlan:
    """Read and check the whole QualCoder project; the qcode project is not touched."""
    records = read_qualcoder(path)
    return plan_records(records, path, coder=coder)


def read_qualcoder(path: Path) -> RefiProject:
    """The QualCoder project at ``path`` as the records of a REFI-QDA project."""
    database = database_of(path)
    with open_regular(database, what="a QualCoder project") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise ImportFailed(f"{database}: not a QualCoder project (not an SQLite file)")
    try:
        conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        raise ImportFailed(f"{database}: cannot be opened ({exc})") from exc
    conn.row_factory = sqlite3.Row
    try:
        return _Reader(conn, database).read()
    except sqlite3.DatabaseError as exc:
        raise ImportFailed(f"{database}: not a QualCoder project qcode can read ({exc})") from exc
    finally:
        conn.close()


def guid(kind: str, key: object) -> str:
    """A stable GUID for a QualCoder row (QualCoder keeps none)."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{key}")).upper()


class _Reader:
    def __init__(self, conn: sqlite3.Connection, where: Path) -> None:
        self.conn, self.where = conn, where
        self.tables = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        self.notes: dict[str, RefiNote] = {}
        self.users: dict[str, str] = {}

    def rows(self, table: str, order: str = "") -> list[Row]:
        if table not in self.tables:
            return []
        return [dict(r) for r in self.conn.execute(f"SELECT * FROM {table} {order}")]

    def user(self, name: str | None) -> str | None:
        name = (name or "").strip()
        if not name:
            return None
        check_name(name, "coder", str(self.where), ImportFailed)
        self.users[guid("coder", name.casefold())] = name
        return guid("coder", name.casefold())

    def note(self, key: str, text: str | None, owner: str | None = None,
             date: str | None = None, name: str | None = None) -> list[str]:
        """A memo as a note (none for an empty memo); returns [its GUID]."""
        if not text or not text.strip():
            return []
        note_guid = guid("note", key)
        self.notes[note_guid] = RefiNote(note_guid, name, self.user(owner), date,
                                         text.strip(), None)
        return [note_guid]

    def read(self) -> RefiProject:
        version = self.version()
        codebook, code_guids = self.codebook()
        sources = self.sources(code_guids)
        self.attributes(sources)
        project_notes: list[str] = []
        for row in self.rows("project"):
            project_notes += self.note("project", row.get("memo"), row.get("codername"),
                                       row.get("date"), "project memo")
        for row in self.rows("journal", "ORDER BY jid"):
            project_notes += self.note(f"journal:{row['jid']}", row.get("jentry"),
                                       row.get("owner"), row.get("date"),
                                       f"journal: {row.get('name') or row['jid']}")
        return RefiProject(
            name=self.where.parent.stem if self.where.name == "data.qda" else self.where.stem,
            origin=f"QualCoder (database {version})", ours=False, users=self.users,
            codebook=codebook, sources=list(sources.values()), notes=self.notes,
            project_notes=project_notes, code_notes={}, sets={},
            positions=CODE_POINTS.key)

    def version(self) -> str:
        missing = [t for t in _TABLES if t not in self.tables]
        if missing:
            raise ImportFailed(f"{self.where}: not a QualCoder project (it has no "
                               f"{', '.join(missing)} table)")
        row = self.conn.execute("SELECT databaseversion FROM project").fetchone()
        found = _VERSION.match(str(row[0] if row else "").strip())
        if found is None or int(found.group(1)) not in KNOWN_VERSIONS:
            shown = row[0] if row else None
            raise ImportFailed(
                f"{self.where}: QualCoder database version {shown!r} is not one qcode knows "
                f"(v{KNOWN_VERSIONS[0]}–v{KNOWN_VERSIONS[-1]}); nothing was imported")
        return f"v{found.group(1)}"

    def codebook(self) -> tuple[Codebook, dict[int, str]]:
        categories = {r["catid"]: r for r in self.rows("code_cat")}
        codes = {r["cid"]: r for r in self.rows("code_name")}
        specs: dict[tuple[str, Any], CodeSpec] = {}
        for catid, row in categories.items():
            specs[("cat", catid)] = self.spec(row, guid("category", catid), codable=False)
        for cid, row in codes.items():
            specs[("code", cid)] = self.spec(row, guid("code", cid), codable=True)
        roots: list[CodeSpec] = []
        parents = {("cat", c): ("cat", r.get("supercatid")) for c, r in categories.items()}
        for cid, row in codes.items():
            above = ("code", row.get("supercid")) if row.get("supercid") else (
                "cat", row.get("catid"))
            parents[("code", cid)] = above
        for key in sorted(specs, key=lambda k: (k[0] != "cat", k[1])):
            parent = parents.get(key)
            holder = specs.get(parent) if parent and parent != key else None
            if holder is not None and not self._loops(key, parents):
                holder.children.append(specs[key])
            else:
                roots.append(specs[key])
        book = Codebook(name=f"{self.where.parent.stem} (QualCoder)", codes=roots)
        return book, {cid: guid("code", cid) for cid in codes}

    @staticmethod
    def _loops(key: tuple[str, int], parents: dict[tuple[str, int], tuple[str, Any]]) -> bool:
        seen, current = {key}, parents.get(key)
        while current is not None and current[1] is not None:
            if current in seen:
                return True
            seen.add(current)
            current = parents.get(current)
        return False

    def spec(self, row: Row, code_guid: str, *, codable: bool) -> CodeSpec:
        name = str(row.get("name") or "").strip()
        check_name(name, "code", str(self.where), ImportFailed)
        colour = row.get("color") if codable else None
        return CodeSpec(name=name, guid=code_guid, colour=colour if colour else None,
                        definition=(row.get("memo") or "").strip() or None, codable=codable)

    def sources(self, code_guids: dict[int, str]) -> dict[int, RefiSource]:
        sources: dict[int, RefiSource] = {}
        for row in self.rows("source", "ORDER BY id"):
            name = str(row.get("name") or "").strip() or f"source {row['id']}"
            check_name(name, "document", str(self.where), ImportFailed)
            text = row.get("fulltext")
            # A picture, audio or video has no text (its transcript is a source of its own).
            kind = "TextSource" if text is not None else "media"
            sources[row["id"]] = RefiSource(
                guid=guid("source", row["id"]), name=name, kind=kind, text=text,
                notes=self.note(f"source:{row['id']}", row.get("memo"), row.get("owner"),
                                row.get("date")))
        for row in self.rows("code_text", "ORDER BY fid, pos0, cid"):
            source = sources.get(row["fid"])
            code = code_guids.get(row["cid"])
            if source is None or code is None or source.kind != "TextSource":
                continue  # a coding of a deleted code or of a picture's text: not text
            key = f"{row.get('ctid')}:{row['cid']}:{row['fid']}:{row['pos0']}:{row['pos1']}"
            user = self.user(row.get("owner"))
            coding = RefiCoding(guid("coding", key), code, user, row.get("date"),
                                self.note(f"coding:{key}", row.get("memo"), row.get("owner"),
                                          row.get("date")))
            source.selections.append(RefiSelection(
                guid("selection", key), int(row["pos0"]), int(row["pos1"]), user, [coding],
                line=0))
        for row in self.rows("annotation", "ORDER BY anid"):
            source = sources.get(row["fid"])
            if source is None or source.kind != "TextSource":
                continue
            notes = self.note(f"annotation:{row['anid']}", row.get("memo"), row.get("owner"),
                              row.get("date"), "annotation")
            if notes:
                # An annotation codes nothing: a selection with no coding, carrying a note.
                source.selections.append(RefiSelection(
                    guid("annotation", row["anid"]), int(row["pos0"]), int(row["pos1"]),
                    self.user(row.get("owner")), [], notes, line=0))
        return sources

    def attributes(self, sources: dict[int, RefiSource]) -> None:
        cases = {r["caseid"]: str(r.get("name") or "").strip() for r in self.rows("cases")}
        members: dict[int, list[int]] = {}
        for row in self.rows("case_text", "ORDER BY id"):
            if row.get("fid") in sources and row.get("caseid") in cases:
                members.setdefault(row["caseid"], []).append(row["fid"])
        for row in self.rows("attribute", "ORDER BY attrid"):
            name, value = str(row.get("name") or "").strip(), str(row.get("value") or "").strip()
            if not name or not value:
                continue
            kind = str(row.get("attr_type") or "").casefold()
            if kind == "file" and row["id"] in sources:
                sources[row["id"]].variables[name] = value
            elif kind == "case":
                for fid in dict.fromkeys(members.get(row["id"], [])):
                    sources[fid].variables.setdefault(name, value)
        for caseid, fids in members.items():
            for fid in dict.fromkeys(fids):
                names = sources[fid].variables.get("case")
                if cases[caseid] and cases[caseid] not in (names or "").split("; "):
                    sources[fid].variables["case"] = "; ".join(
                        filter(None, [names, cases[caseid]]))


__all__ = ["KNOWN_VERSIONS", "database_of", "import_qualcoder", "is_qualcoder",
           "plan_qualcoder", "read_qualcoder"]
