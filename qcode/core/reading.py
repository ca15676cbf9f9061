"""Reads: lookups by name with suggestions, listings, and what the screens show.

Mixed into :class:`qcode.Project`; never writes.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.coding_reads import CodingReads
from qcode.core.errors import NotFoundError, QcodeError
from qcode.core.ids import fold, normalize_guid
from qcode.core.model import Code, Coder, Document, DocumentSummary, Event, Paragraph
from qcode.core.store import counts
from qcode.core.store.runs import document_runs, paragraph_counts
from qcode.core.store.texts import join_text
from qcode.core.suggest import did_you_mean

# "#12" and "¶12" always name a position; a bare "12" a label first (see locate_paragraph).
_POSITION = re.compile(r"^[#¶]\s*(\d+)$")
_MAX_INTEGER = 2**63 - 1
_PATH_SEPARATORS = re.compile(r"\s*(?:::|/|>)\s*")


class ProjectReader(CodingReads):
    """Read access to a project file."""

    conn: sqlite3.Connection
    path: Path
    readonly: bool

    # -- project ---------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        """A project setting (``name``, ``guid``, ``codebook_name``…), or None."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    @property
    def name(self) -> str:
        """The project's display name."""
        return self.meta("name") or self.path.stem

    # -- coders ----------------------------------------------------------------------

    def coders(self) -> list[Coder]:
        """Everyone who has changed this project, by name."""
        rows = self.conn.execute("SELECT id, guid, name FROM coders ORDER BY name COLLATE NOCASE")
        return [Coder(r["id"], r["guid"], r["name"]) for r in rows]

    def find_coder(self, name: str) -> Coder:
        """A coder by name (case-insensitive) or GUID."""
        guid = normalize_guid(name)
        row = self.conn.execute(
            "SELECT id, guid, name FROM coders WHERE name = ? OR guid = ?", (name, guid)
        ).fetchone()
        if row is None:
            hint = did_you_mean(name, [c.name for c in self.coders()])
            raise NotFoundError(f"no coder named {name!r}{hint}")
        return Coder(row["id"], row["guid"], row["name"])

    # -- documents -------------------------------------------------------------------

    def documents(self, coder: str | None = None) -> list[DocumentSummary]:
        """Every document with paragraph count and coding progress.

        ``coded`` counts paragraphs carrying at least one code — of ``coder`` if given,
        of anyone otherwise — from the counts the project keeps, so the cost follows the
        number of documents, not of codings.
        """
        runs = document_runs(self.conn)
        coded, codings = self._progress(coder)
        sizes = paragraph_counts(runs)
        return [
            DocumentSummary(document, sizes.get(document.id, 0), coded.get(document.id, 0),
                            codings.get(document.id, 0), attributes)
            for document, attributes in self.document_listing()
        ]

    def document_listing(self) -> list[tuple[Document, dict[str, str]]]:
        """Every document with its attributes, in the order :meth:`documents` lists
        them, counting nothing: what a screen can show at once, before the progress
        of a large project is counted."""
        attributes: dict[int, dict[str, str]] = {}
        for r in self.conn.execute("SELECT * FROM document_attributes ORDER BY key"):
            attributes.setdefault(r["document_id"], {})[r["key"]] = r["value"]
        rows = self.conn.execute("SELECT * FROM documents ORDER BY name COLLATE NOCASE")
        return [(Document.from_row(r), attributes.get(r["id"], {})) for r in rows]

    def codings_made(self) -> int:
        """How many codings were ever added (the highest coding id): the size of what
        counting a coder's progress reads, found without reading it."""
        row = self.conn.execute("SELECT MAX(id) FROM codings").fetchone()
        return int(row[0] or 0)

    def _progress(self, coder: str | None) -> tuple[dict[int, int], dict[int, int]]:
        """document id -> (coded paragraphs, codings), of ``coder`` or of anyone, from
        the counts the project keeps per block (:mod:`qcode.core.store.counts`)."""
        coded: dict[int, int] = {}
        codings: dict[int, int] = {}
        coder_id: int | None = 0  # the kept counts' "anyone"
        if coder is not None:
            coder_id = self.coder_id(coder)
            if coder_id is None:
                return coded, codings
        rows = self.conn.execute(
            "SELECT document_id, SUM(paragraphs), SUM(codings) "
            f"FROM ({counts.current('count_progress')}) WHERE coder_id = ? "
            "GROUP BY document_id", (coder_id,))
        for doc, n_coded, n_codings in rows:
            if n_codings:
                coded[doc], codings[doc] = n_coded, n_codings
        return coded, codings

    def document(self, ref: str | int) -> Document:
        """A document by id, GUID or name (case-insensitive); suggests the closest name."""
        if isinstance(ref, int):
            row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (ref,)).fetchone()
        else:
            guid = normalize_guid(ref)
            row = self.conn.execute(
                "SELECT * FROM documents WHERE name = ? OR guid = ?", (ref.strip(), guid)
            ).fetchone()
            if row is None:
                folded = fold(ref)
                matches = [
                    r for r in self.conn.execute("SELECT * FROM documents")
                    if fold(r["name"]) == folded or fold(Path(r["name"]).stem) == folded
                ]
                row = matches[0] if len(matches) == 1 else None
        if row is None:
            names = [r[0] for r in self.conn.execute("SELECT name FROM documents")]
            hint = did_you_mean(str(ref), names)
            raise NotFoundError(f"no document {ref!r} in {self.path}{hint}")
        return Document.from_row(row)

    def document_text(self, document_id: int) -> str:
        """The full text of a document, as imported (joined from its paragraphs, which
        keep it; see :mod:`qcode.core.store.texts`)."""
        row = self.conn.execute(
            "SELECT trailing FROM documents WHERE id = ?", (document_id,)).fetchone()
        if row is None:
            return ""
        pieces = self.conn.execute(
            "SELECT preceding, text FROM paragraphs WHERE document_id = ? ORDER BY ordinal",
            (document_id,)).fetchall()
        return join_text(((r[0], r[1]) for r in pieces), row[0])

    def attributes(self, document_id: int) -> dict[str, str]:
        """A document's attributes, by key."""
        rows = self.conn.execute(
            "SELECT key, value FROM document_attributes WHERE document_id = ? ORDER BY key",
            (document_id,),
        )
        return {r["key"]: r["value"] for r in rows}

    # -- paragraphs ------------------------------------------------------------------

    def paragraph_count(self, document_id: int) -> int:
        """How many paragraphs a document has."""
        row = self.conn.execute(
            "SELECT COUNT(*) FROM paragraphs WHERE document_id = ?", (document_id,)
        ).fetchone()
        return int(row[0])

    def paragraphs(
        self, document_id: int, *, first: int = 1, limit: int | None = None
    ) -> list[Paragraph]:
        """Paragraphs of a document in order, from ordinal ``first``, at most ``limit``."""
        rows = self.conn.execute(
            "SELECT * FROM paragraphs WHERE document_id = ? AND ordinal >= ? "
            "ORDER BY ordinal LIMIT ?",
            (document_id, first, -1 if limit is None else limit),
        )
        return [Paragraph.from_row(r) for r in rows]

    def paragraph_by_id(self, paragraph_id: int) -> Paragraph:
        """A paragraph by its row id."""
        row = self.conn.execute("SELECT * FROM paragraphs WHERE id = ?", (paragraph_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no paragraph #{paragraph_id}")
        return Paragraph.from_row(row)

    def paragraph_documents(self, paragraph_ids: list[int]) -> dict[int, int]:
        """paragraph id -> the id of its document."""
        found: dict[int, int] = {}
        for start in range(0, len(paragraph_ids), 500):
            chunk = paragraph_ids[start:start + 500]
            found.update((r[0], r[1]) for r in self.conn.execute(
                "SELECT id, document_id FROM paragraphs "
                f"WHERE id IN ({', '.join('?' * len(chunk))})", chunk))
        return found

    def paragraph(self, document: Document, ref: str | int) -> Paragraph:
        """A paragraph by label ("§12", "note 3", "12") or position ("#12", 12)."""
        return self.locate_paragraph(document, ref)[0]

    def locate_paragraph(self, document: Document, ref: str | int) -> tuple[Paragraph, bool]:
        """A paragraph and whether it was found by position rather than by label.

        A bare number ("12") is the paragraph labelled with it (§12, [12] or 12) when
        there is one, else the paragraph at that position; "#12" (or "¶12", or an
        int) is always the position; anything else is a label, any case.
        """
        text = str(ref).strip()
        position = _POSITION.match(text)
        number = int(text) if isinstance(ref, int) else None
        row = None
        if position is None and number is None:
            bare = text.isdigit() and len(text) <= 18
            wanted = [f"§{int(text)}", text] if bare else [re.sub(r"^§\s+", "§", text)]
            row = self.conn.execute(
                "SELECT * FROM paragraphs WHERE document_id = ? AND label COLLATE NOCASE "
                f"IN ({', '.join('?' * len(wanted))}) ORDER BY ordinal LIMIT 1",
                (document.id, *wanted)).fetchone()
            if row is not None:
                return Paragraph.from_row(row), False
            number = int(text) if bare else None
        elif position is not None:
            number = int(position.group(1))
        # Past SQLite's largest integer there is no such paragraph (and no query).
        if number is not None and number <= _MAX_INTEGER:
            row = self.conn.execute(
                "SELECT * FROM paragraphs WHERE document_id = ? AND ordinal = ?",
                (document.id, number)).fetchone()
        if row is None:
            count = self.paragraph_count(document.id)
            labels = [
                r[0] for r in self.conn.execute(
                    "SELECT label FROM paragraphs WHERE document_id = ? AND label IS NOT NULL",
                    (document.id,),
                )
            ]
            hint = did_you_mean(text, labels) if number is None else ""
            raise NotFoundError(
                f"no paragraph {text!r} in {document.name!r} ({count} paragraphs; give a "
                f"label such as '§12' or a position such as '#3', 1–{count}){hint}"
            )
        return Paragraph.from_row(row), True

    # -- codes -----------------------------------------------------------------------

    def codes(self) -> list[Code]:
        """The codebook in tree order (depth-first, by position)."""
        return [code for code, _depth in self.code_tree()]

    def code_tree(self) -> list[tuple[Code, int]]:
        """(code, depth) pairs in tree order."""
        rows = self.conn.execute(
            "SELECT * FROM codes ORDER BY position, name COLLATE NOCASE"
        ).fetchall()
        children: dict[int | None, list[Code]] = {}
        for row in rows:
            code = Code.from_row(row)
            children.setdefault(code.parent_id, []).append(code)
        ordered: list[tuple[Code, int]] = []
        stack = [(c, 0) for c in reversed(children.get(None, []))]
        while stack:
            code, depth = stack.pop()
            ordered.append((code, depth))
            stack.extend((c, depth + 1) for c in reversed(children.get(code.id, [])))
        return ordered

    def code_by_id(self, code_id: int) -> Code:
        """A code by its row id."""
        row = self.conn.execute("SELECT * FROM codes WHERE id = ?", (code_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no code #{code_id}")
        return Code.from_row(row)

    def check_codable(self, code_ids: list[int]) -> None:
        """Refuse a folder code (not codable): codings go on its sub-codes."""
        for code_id in code_ids:
            code = self.code_by_id(code_id)
            if not code.codable:
                raise QcodeError(f"code {code.name!r} is a folder (not codable); pick a sub-code")

    def code_path(self, code: Code) -> str:
        """"parent/child" path of a code (how it is written when names repeat)."""
        names = [code.name]
        parent = code.parent_id
        while parent is not None:
            up = self.code_by_id(parent)
            names.append(up.name)
            parent = up.parent_id
        return "/".join(reversed(names))

    def code(self, ref: str | int) -> Code:
        """A code by id, GUID, name or path ("parent/child", "Parent::child").

        Names match case-, accent- and dash-insensitively ("Regional-Variation"). An
        unknown name suggests the closest one; an ambiguous one lists the paths.
        """
        if isinstance(ref, int):
            return self.code_by_id(ref)
        guid = normalize_guid(ref)
        if guid:
            row = self.conn.execute("SELECT * FROM codes WHERE guid = ?", (guid,)).fetchone()
            if row is not None:
                return Code.from_row(row)
        wanted = fold(ref)
        # A name usually names one code: find it from the names alone, rather than make
        # the whole codebook into records (which cost `qcode tag` more than the tagging).
        named = [row[0] for row in self.conn.execute("SELECT id, name FROM codes")
                 if fold(row[1]) == wanted]
        if len(named) == 1:
            return self.code_by_id(named[0])
        codes = self.codes()
        matches = [c for c in codes if fold(c.name) == wanted]
        if not matches and _PATH_SEPARATORS.search(ref):
            wanted_path = [fold(p) for p in _PATH_SEPARATORS.split(ref.strip())]
            matches = [
                c for c in codes if [fold(p) for p in self.code_path(c).split("/")] == wanted_path
            ]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            # Codes may share a name under different parents (as other tools allow):
            # the path says which.
            paths = [repr(self.code_path(c)) for c in matches]
            listed = ", ".join(paths[:-1]) + f" or {paths[-1]}"
            raise QcodeError(f"code name {ref!r} is ambiguous: did you mean {listed}?")
        if not codes:
            raise NotFoundError(
                f"no code {ref!r}: the codebook is empty (qcode codebook load FILE)"
            )
        raise NotFoundError(f"no code {ref!r}{did_you_mean(ref, [c.name for c in codes])}")

    def codebook(self) -> Codebook:
        """The project's codebook as a :class:`Codebook` (for export and diff)."""
        specs: dict[int, CodeSpec] = {}
        roots: list[CodeSpec] = []
        for code, _depth in self.code_tree():
            spec = CodeSpec(
                name=code.name, guid=code.guid, colour=code.colour, short=code.short,
                definition=code.definition, when_to_use=code.when_to_use,
                when_not_to_use=code.when_not_to_use, example=code.example,
                example_ref=code.example_ref, codable=code.codable,
            )
            specs[code.id] = spec
            (specs[code.parent_id].children if code.parent_id else roots).append(spec)
        return Codebook(
            name=self.meta("codebook_name") or self.name,
            version=self.meta("codebook_version"),
            description=self.meta("codebook_description"),
            source=self.meta("codebook_source"),
            codes=roots,
        )

    # -- history ---------------------------------------------------------------------

    def log(self, limit: int = 50, coder: str | None = None) -> list[Event]:
        """The latest events, newest first."""
        sql = (
            "SELECT e.id, e.at, k.name AS coder, e.kind, e.action, e.summary, e.target "
            "FROM events e JOIN coders k ON k.id = e.coder_id"
        )
        params: list[Any] = []
        if coder is not None:
            sql += " WHERE e.coder_id = ?"
            params.append(self.coder_id(coder) or -1)
        rows = self.conn.execute(sql + " ORDER BY e.id DESC LIMIT ?", [*params, limit])
        return [Event(r["id"], r["at"], r["coder"], r["kind"], r["action"], r["summary"],
                      r["target"]) for r in rows]

    def data_version(self) -> int:
        """SQLite's ``data_version``: changes whenever *another* connection commits to
        the file (never for this connection's own commits) — an exact, nearly free test
        of "did someone else write?" for a screen that watches."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def latest_event_id(self) -> int:
        """The id of the newest event (0 in a project without one)."""
        row = self.conn.execute("SELECT MAX(id) FROM events").fetchone()
        return int(row[0] or 0)

    def status(self) -> dict[str, Any]:
        """The project at a glance: counts and last activity."""
        one = self.conn.execute
        paragraphs = one("SELECT COUNT(*) FROM paragraphs").fetchone()[0]
        coded = one("SELECT COUNT(DISTINCT paragraph_id) FROM codings").fetchone()[0]
        last = one(
            "SELECT e.at, k.name, e.summary FROM events e JOIN coders k ON k.id = e.coder_id "
            "ORDER BY e.id DESC LIMIT 1"
        ).fetchone()
        return {
            "project": str(self.path),
            "name": self.name,
            "documents": one("SELECT COUNT(*) FROM documents").fetchone()[0],
            "paragraphs": paragraphs,
            "coded_paragraphs": coded,
            "codes": one("SELECT COUNT(*) FROM codes").fetchone()[0],
            "codings": one("SELECT COUNT(*) FROM codings").fetchone()[0],
            "coders": [c.name for c in self.coders()],
            "codebook": self.meta("codebook_name"),
            "codebook_version": self.meta("codebook_version"),
            "events": one("SELECT COUNT(*) FROM events").fetchone()[0],
            "last_activity": (
                {"at": last[0], "coder": last[1], "summary": last[2]} if last else None
            ),
        }

    def paragraph_outline(
        self, document_id: int
    ) -> list[tuple[int, int, str | None, str | None]]:
        """(id, ordinal, label, section) of every paragraph of a document, in order,
        without their text: enough to lay out a long document and fetch text on demand."""
        rows = self.conn.execute(
            "SELECT id, ordinal, label, section FROM paragraphs WHERE document_id = ? "
            "ORDER BY ordinal", (document_id,))
        return [(r[0], r[1], r[2], r[3]) for r in rows]
