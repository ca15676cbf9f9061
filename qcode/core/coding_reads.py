"""Reads of what coders made: codings, memos and review marks, and the paragraph sets
the coding screen filters by (mixed into :class:`qcode.core.reading.ProjectReader`;
never writes)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from qcode.core.errors import NotFoundError
from qcode.core.store import counts
from qcode.core.suggest import did_you_mean


class CodingReads:
    """Codings, memos and reviews, for listings, screens and decisions."""

    conn: sqlite3.Connection

    def coder_id(self, name: str) -> int | None:
        """The id of a coder, or None if they have never written to this project."""
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
        return None if row is None else int(row[0])

    def codings_for_document(
        self, document_id: int, coder: str | None = None
    ) -> dict[int, list[tuple[int, int]]]:
        """paragraph id -> [(code id, coder id)] for one document."""
        params: list[Any] = [document_id]
        sql = (
            "SELECT c.paragraph_id, c.code_id, c.coder_id FROM codings c "
            "JOIN paragraphs p ON p.id = c.paragraph_id WHERE p.document_id = ?"
        )
        if coder is not None:
            sql += " AND c.coder_id = ?"
            params.append(self.coder_id(coder) or -1)
        result: dict[int, list[tuple[int, int]]] = {}
        for row in self.conn.execute(sql + " ORDER BY c.id", params):
            result.setdefault(row[0], []).append((row[1], row[2]))
        return result

    def exact_selections(self, paragraph_id: int, coder_id: int | None = None
                         ) -> list[str]:
        """The stored spans (JSON, see :mod:`qcode.core.spans`) of the codings on a
        paragraph that carry an exact selection; only ``coder_id``'s when given."""
        sql = "SELECT spans FROM codings WHERE paragraph_id = ? AND spans IS NOT NULL"
        params: list[Any] = [paragraph_id]
        if coder_id is not None:
            sql += " AND coder_id = ?"
            params.append(coder_id)
        return [str(r[0]) for r in self.conn.execute(sql, params)]

    def coding_memo(self, paragraph_id: int, code_id: int, coder: str) -> str | None:
        """The memo on one coding, if any."""
        row = self.conn.execute(
            "SELECT memo FROM codings WHERE paragraph_id = ? AND code_id = ? AND coder_id = ?",
            (paragraph_id, code_id, self.coder_id(coder) or -1),
        ).fetchone()
        return None if row is None else row[0]

    def memo(self, target: str, target_id: int | None, coder: str) -> str | None:
        """A coder's memo on a project/document/paragraph/code, if any."""
        row = self.conn.execute(
            "SELECT text FROM memos WHERE target = ? AND target_id IS ? AND coder_id = ?",
            (target, target_id, self.coder_id(coder) or -1),
        ).fetchone()
        return None if row is None else str(row[0])

    def code_counts(self, coder: str | None = None) -> dict[int, int]:
        """code id -> distinct paragraphs carrying it (of ``coder`` if given), from the
        counts the project keeps per block (:mod:`qcode.core.store.counts`). A coder has
        one coding per paragraph and code, so the coder's codings are its paragraphs."""
        if coder is None:
            rows = self.conn.execute(
                "SELECT code_id, SUM(paragraphs) "
                f"FROM ({counts.current('count_cells')}) GROUP BY code_id")
        else:
            rows = self.conn.execute(
                "SELECT code_id, SUM(codings) "
                f"FROM ({counts.current('count_coder_codes')}) WHERE coder_id = ? "
                "GROUP BY code_id", (self.coder_id(coder) or -1,))
        return {r[0]: r[1] for r in rows if r[1]}

    def codings_for_paragraphs(
        self, paragraph_ids: list[int]
    ) -> dict[int, list[tuple[int, int]]]:
        """paragraph id -> [(code id, coder id)] for just these paragraphs (any coder)."""
        result: dict[int, list[tuple[int, int]]] = {p: [] for p in paragraph_ids}
        for start in range(0, len(paragraph_ids), 500):
            chunk = paragraph_ids[start:start + 500]
            rows = self.conn.execute(
                "SELECT paragraph_id, code_id, coder_id FROM codings "
                f"WHERE paragraph_id IN ({', '.join('?' * len(chunk))}) ORDER BY id",
                chunk,
            )
            for row in rows:
                result[row[0]].append((row[1], row[2]))
        return result

    def paragraph_memo_ids(self, document_id: int, coder: str) -> set[int]:
        """Ids of a document's paragraphs on which the coder has written a memo."""
        return {r[0] for r in self.conn.execute(
            "SELECT m.target_id FROM memos m JOIN paragraphs p ON p.id = m.target_id "
            "WHERE m.target = 'paragraph' AND m.coder_id = ? AND p.document_id = ?",
            (self.coder_id(coder) or -1, document_id))}

    def coding_memo_marks(self, paragraph_ids: list[int], coder: str) -> set[tuple[int, int]]:
        """(paragraph id, code id) of the coder's codings with a memo, among these
        paragraphs (looked up by paragraph, so the size of the project does not matter)."""
        coder_id = self.coder_id(coder) or -1
        found: set[tuple[int, int]] = set()
        for start in range(0, len(paragraph_ids), 500):
            chunk = paragraph_ids[start:start + 500]
            found.update((r[0], r[1]) for r in self.conn.execute(
                "SELECT paragraph_id, code_id FROM codings "
                f"WHERE paragraph_id IN ({', '.join('?' * len(chunk))}) "
                "AND coder_id = ? AND memo IS NOT NULL", [*chunk, coder_id]))
        return found

    def paragraphs_with_codes(
        self, document_id: int, code_ids: Sequence[int], coder: str | None = None
    ) -> set[int]:
        """Ids of a document's paragraphs carrying any of ``code_ids`` (of ``coder``, or
        of anyone). A theme's paragraphs are those of its subtree
        (:meth:`qcode.core.codebook.tree.CodeTree.subtree`), as reports count them.

        Each code is one range of the (code, paragraph) index, narrowed to the ids of
        the document's paragraphs, so a document of a big project costs what its own
        codings cost.
        """
        codes = list(dict.fromkeys(code_ids))
        if not codes:
            return set()
        bounds = self.conn.execute(
            "SELECT MIN(id), MAX(id) FROM paragraphs WHERE document_id = ?",
            (document_id,)).fetchone()
        if bounds[0] is None:
            return set()
        sql = ("SELECT DISTINCT c.paragraph_id FROM codings c "
               "JOIN paragraphs p ON p.id = c.paragraph_id "
               f"WHERE c.code_id IN ({', '.join('?' * len(codes))}) "
               "AND c.paragraph_id BETWEEN ? AND ? AND p.document_id = ?")
        params: list[Any] = [*codes, bounds[0], bounds[1], document_id]
        if coder is not None:
            sql += " AND c.coder_id = ?"
            params.append(self.coder_id(coder) or -1)
        return {r[0] for r in self.conn.execute(sql, params)}

    def speakers(self, document_id: int) -> list[tuple[str, int]]:
        """(speaker, turns) of a document, in the order each first speaks."""
        rows = self.conn.execute(
            "SELECT speaker, COUNT(*), MIN(ordinal) AS first FROM paragraphs "
            "WHERE document_id = ? AND speaker IS NOT NULL AND speaker != '' "
            "GROUP BY speaker ORDER BY first", (document_id,))
        return [(r[0], r[1]) for r in rows]

    def speaker(self, document_id: int, name: str) -> str:
        """A speaker of the document as it is written there, found whatever the case
        of ``name``; an unknown one is refused in one line with "did you mean"."""
        known = [s for s, _turns in self.speakers(document_id)]
        wanted = " ".join(name.split())
        found = next((s for s in known if s.casefold() == wanted.casefold()), None)
        if found is not None:
            return found
        where = self.conn.execute("SELECT name FROM documents WHERE id = ?",
                                  (document_id,)).fetchone()
        document = repr(where[0]) if where else f"document #{document_id}"
        if not known:
            raise NotFoundError(f"no speaker {wanted!r}: {document} has no speaker turns")
        raise NotFoundError(f"no speaker {wanted!r} in {document}"
                            f"{did_you_mean(wanted, known)}")

    def paragraphs_by_speaker(self, document_id: int, speaker: str) -> set[int]:
        """Ids of a document's paragraphs spoken by ``speaker`` (as :meth:`speaker`
        spells it)."""
        return {r[0] for r in self.conn.execute(
            "SELECT id FROM paragraphs WHERE document_id = ? AND speaker = ?",
            (document_id, speaker))}

    def describe_target(self, target: str, target_id: int | None) -> str:
        """What a memo is on, as the log and undo name it: "§17 (interview-3)",
        "document 'interview-3'", "code 'denunciation'" or "the project"."""
        if target == "paragraph" and target_id is not None:
            row = self.conn.execute(
                "SELECT p.label, p.ordinal, d.name FROM paragraphs p "
                "JOIN documents d ON d.id = p.document_id WHERE p.id = ?",
                (target_id,)).fetchone()
            if row is not None:
                return f"{row[0] or f'¶{row[1]}'} ({row[2]})"
        elif target in ("document", "code") and target_id is not None:
            table = "documents" if target == "document" else "codes"
            row = self.conn.execute(f"SELECT name FROM {table} WHERE id = ?",
                                    (target_id,)).fetchone()
            if row is not None:
                return f"{target} {row[0]!r}"
        elif target == "project":
            return "the project"
        return target + (f" #{target_id}" if target_id is not None else "")

    def codings_of(self, paragraph_ids: list[int], coder_id: int,
                   code_ids: list[int] | None = None) -> dict[tuple[int, int], int]:
        """(paragraph, code) -> coding id of the coder's codings on these paragraphs (of
        these codes, or of any)."""
        found: dict[tuple[int, int], int] = {}
        wanted = set(code_ids) if code_ids is not None else None
        for start in range(0, len(paragraph_ids), 500):
            chunk = paragraph_ids[start:start + 500]
            rows = self.conn.execute(
                f"SELECT id, paragraph_id, code_id FROM codings WHERE coder_id = ? "
                f"AND paragraph_id IN ({', '.join('?' * len(chunk))})", [coder_id, *chunk])
            for row in rows:
                if wanted is None or row[2] in wanted:
                    found[(row[1], row[2])] = row[0]
        return found

    def paragraph_memos(self, paragraph_ids: list[int], coder: str) -> dict[int, str]:
        """paragraph id -> the coder's memo on it, for those of these that have one."""
        coder_id = self.coder_id(coder) or -1
        found: dict[int, str] = {}
        for start in range(0, len(paragraph_ids), 500):
            chunk = paragraph_ids[start:start + 500]
            found.update((r[0], r[1]) for r in self.conn.execute(
                "SELECT target_id, text FROM memos WHERE target = 'paragraph' AND coder_id = ? "
                f"AND target_id IN ({', '.join('?' * len(chunk))})", [coder_id, *chunk]))
        return found

    def coding_memos(self, document_id: int) -> dict[tuple[int, int, int], str]:
        """(paragraph, code, coder) -> memo of every coding with one in the document."""
        return {(r[0], r[1], r[2]): r[3] for r in self.conn.execute(
            "SELECT c.paragraph_id, c.code_id, c.coder_id, c.memo FROM paragraphs p "
            "CROSS JOIN codings c ON c.paragraph_id = p.id WHERE p.document_id = ? "
            "AND c.memo IS NOT NULL", (document_id,))}

    def memos_on(self, target: str, target_ids: Sequence[int]) -> dict[int, list[tuple[str, str]]]:
        """target id -> [(coder, text)] of every coder's memo on these paragraphs or
        documents (``target``), oldest first."""
        found: dict[int, list[tuple[str, str]]] = {}
        ids = list(dict.fromkeys(target_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for target_id, coder, text in self.conn.execute(
                    "SELECT m.target_id, k.name, m.text FROM memos m JOIN coders k "
                    "ON k.id = m.coder_id WHERE m.target = ? "
                    f"AND m.target_id IN ({', '.join('?' * len(chunk))}) ORDER BY m.id",
                    [target, *chunk]):
                found.setdefault(target_id, []).append((coder, text))
        return found

    def has_coded(self, document_id: int, coder_id: int) -> bool:
        """Whether the coder has a coding in the document."""
        return self.conn.execute(
            "SELECT 1 FROM paragraphs p CROSS JOIN codings c ON c.coder_id = ? "
            "AND c.paragraph_id = p.id WHERE p.document_id = ? LIMIT 1",
            (coder_id, document_id)).fetchone() is not None

    def reviewers(self, document_id: int, coders: Sequence[str]) -> list[str]:
        """Those of ``coders`` who reviewed the document: marked it, or coded in it."""
        found = []
        for name in coders:
            coder_id = self.coder_id(name)
            if coder_id is None:
                continue
            marked = self.conn.execute(
                "SELECT 1 FROM reviews WHERE document_id = ? AND coder_id = ?",
                (document_id, coder_id)).fetchone() is not None
            if marked or self.has_coded(document_id, coder_id):
                found.append(name)
        return found
