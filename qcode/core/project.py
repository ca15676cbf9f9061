"""The project: one SQLite file, and the only code that writes to it.

Every public method that changes something runs one ``BEGIN IMMEDIATE`` transaction
that applies its row changes and appends one event (:mod:`qcode.core.store.events`), so the
audit trail, undo and redo all stand on the same record. The class is assembled from
parts: the open file with its reads and write path (:mod:`qcode.core.project_file`),
codebook editing (:mod:`qcode.core.codebook.editing`), coded imports from other tools
(:mod:`qcode.core.coded_import`) and project merges (:mod:`qcode.core.merge`); this
module holds documents, codings, memos and reviews.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from itertools import repeat
from operator import and_, itemgetter, lshift, or_, rshift
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qcode.core.codebook.editing import CodebookEditing, CodebookLoad
from qcode.core.controls import check_name
from qcode.core.errors import DuplicateImport, NotFoundError, QcodeError
from qcode.core.ids import new_guids, now, seeded_guids, sha256
from qcode.core.model import Document, ParsedDocument
from qcode.core.notes import memo_change, review_change
from qcode.core.project_file import DEFAULT_PATH
from qcode.core.record import record
from qcode.core.store.changes import Change, index_paragraphs_after, paragraph_sequence
from qcode.core.store.rows import PACK_AT, Columns
from qcode.core.store.texts import ParagraphRows, document_snapshot

if TYPE_CHECKING:
    from qcode.core.coded_import import CodedImport, ImportedCoder, ImportedCoding, ImportedMemo
    from qcode.core.consensus import Decision, Memo
    from qcode.core.merge import MergeReport


@record(frozen=True)
class NewDocument:
    """A parsed document to add, with the name it takes (default: its own) and
    attributes over its parsed ones."""

    parsed: ParsedDocument
    name: str | None = None
    attributes: dict[str, str] | None = None
    # Computed ahead by the caller (the import, in its reader processes), so that the
    # writing process, the one SQLite waits on, does not hash or take apart the text
    # again: the text's SHA-256, and its paragraph rows (``parsed`` then comes without
    # its paragraphs).
    digest: str | None = None
    built: ParagraphRows | None = None

    @property
    def paragraphs(self) -> int:
        """How many paragraphs it has."""
        return len(self.built) if self.built is not None else len(self.parsed.paragraphs)


@record(frozen=True)
class TagResult:
    """What a tag/untag call did."""

    changed: int
    unchanged: int
    event_id: int | None


class Project(CodebookEditing):
    """An open project file. Use :meth:`create` or :meth:`open`; close when done."""

    # -- documents -------------------------------------------------------------------

    def add_document(
        self,
        parsed: ParsedDocument,
        *,
        coder: str,
        name: str | None = None,
        attributes: dict[str, str] | None = None,
    ) -> Document:
        """Add an imported document with its paragraphs and attributes.

        Refuses the same text twice (:class:`DuplicateImport`); a name already taken
        by another text gets a numeric suffix ("interview-2").
        """
        return self.add_documents([NewDocument(parsed, name, attributes)], coder=coder)[0]

    def add_documents(self, documents: Iterable[NewDocument], *, coder: str) -> list[Document]:
        """Add several imported documents in one transaction, one event each (as
        :meth:`add_document` would, each one undone on its own); all or none.

        ``documents`` is consumed one at a time, inside the transaction: a caller can
        parse each as it is wanted and hold one parsed document at a time. One commit
        for many documents, their paragraphs indexed for search in one statement: an
        import of many files commits in batches of these.
        """
        names: list[str] = []
        with self.writing():
            indexed_up_to = paragraph_sequence(self.conn)
            for item in documents:
                parsed = item.parsed
                check_name(item.name or parsed.name, "document")
                digest = item.digest or sha256(parsed.text)
                # Looked up under the write lock: another import of the same file that
                # got there first is "already imported", not a UNIQUE constraint.
                existing = self.conn.execute(
                    "SELECT name FROM documents WHERE sha256 = ?", (digest,)
                ).fetchone()
                if existing is not None:
                    raise DuplicateImport(f"{parsed.name}: already imported as "
                                          f"{existing[0]!r} (same text); nothing changed")
                doc_name = self.free_name(item.name or parsed.name)
                snapshot = document_snapshot(parsed, name=doc_name, attributes=item.attributes,
                                             digest=digest, built=item.built)
                change = {"op": "insert_document", "snapshot": snapshot,
                          "search_index": "later"}
                self.record(coder, "import",
                            f"import {doc_name} ({item.paragraphs} paragraphs)", [change])
                names.append(doc_name)
            index_paragraphs_after(self.conn, indexed_up_to)
        return [self.document(doc_name) for doc_name in names]

    def remove_document(self, document: Document, *, coder: str) -> None:
        """Remove a document and everything on it (undo brings it all back)."""
        with self.writing():
            self.record(coder, "remove-document", f"remove document {document.name}",
                         [{"op": "delete_document", "id": document.id}])

    def set_attributes(
        self, document: Document, values: dict[str, str | None], *, coder: str
    ) -> None:
        """Set (or with None, remove) a document's attributes, as one event."""
        current = self.attributes(document.id)
        changes: list[Change] = []
        for key, value in values.items():
            key_row = {"document_id": document.id, "key": key}
            if key not in current and value is not None:
                changes.append({"op": "insert", "table": "document_attributes",
                                "rows": [{**key_row, "value": value}]})
            elif key in current and value is None:
                changes.append({"op": "delete", "table": "document_attributes",
                                "rows": [key_row]})
            elif key in current and current[key] != value:
                changes.append({"op": "update", "table": "document_attributes", "key": key_row,
                                "before": {"value": current[key]}, "after": {"value": value}})
        if not changes:
            return
        with self.writing():
            keys = ", ".join(values)
            self.record(coder, "attributes", f"set {keys} of {document.name}", changes)

    # -- coding ----------------------------------------------------------------------

    def tag(
        self,
        paragraph_ids: Iterable[int],
        code_ids: Iterable[int],
        *,
        coder: str,
        memo: str | None = None,
    ) -> TagResult:
        """Apply codes to paragraphs (every pair); pairs already coded are left alone."""
        paragraphs, codes = list(dict.fromkeys(paragraph_ids)), list(dict.fromkeys(code_ids))
        if not paragraphs or not codes:
            return TagResult(0, 0, None)
        return self.tag_many(((p, c) for p in paragraphs for c in codes), coder=coder,
                             memo=memo, summary="tag " + self._describe_pairs(paragraphs, codes))

    def untag(
        self, paragraph_ids: Iterable[int], code_ids: Iterable[int], *, coder: str
    ) -> TagResult:
        """Remove the coder's codings of these codes from these paragraphs."""
        paragraphs, codes = list(dict.fromkeys(paragraph_ids)), list(dict.fromkeys(code_ids))
        with self.writing():
            coder_id = self.ensure_coder(coder)
            have = self.codings_of(paragraphs, coder_id, codes)
            if not have:
                return TagResult(0, len(paragraphs) * len(codes), None)
            summary = "untag " + self._describe_pairs(paragraphs, codes)
            event = self.record(
                coder, "untag", summary,
                [{"op": "delete", "table": "codings", "rows": [{"id": i} for i in have.values()]}],
            )
        return TagResult(len(have), len(paragraphs) * len(codes) - len(have), event)

    def _describe_pairs(self, paragraphs: list[int], codes: list[int]) -> str:
        first = self.paragraph_by_id(paragraphs[0])
        doc = self.conn.execute(
            "SELECT name FROM documents WHERE id = ?", (first.document_id,)
        ).fetchone()[0]
        where = (first.ref if len(paragraphs) == 1
                 else f"{len(paragraphs)} paragraphs from {first.ref}")
        names = ", ".join(repr(self.code_by_id(c).name) for c in codes)
        return f"{doc} {where} with {names}"

    def set_coding_memo(
        self, paragraph_id: int, code_id: int, text: str | None, *, coder: str
    ) -> None:
        """Write (or with None/empty, clear) the memo on one of the coder's codings."""
        coder_id = self.coder_id(coder)
        row = self.conn.execute(
            "SELECT id, memo FROM codings WHERE paragraph_id = ? AND code_id = ? AND coder_id = ?",
            (paragraph_id, code_id, coder_id or -1),
        ).fetchone()
        if row is None:
            raise QcodeError("that paragraph does not carry this code for you; tag it first")
        value = text.strip() if text and text.strip() else None
        if row["memo"] == value:
            return
        with self.writing():
            where = self.describe_target("paragraph", paragraph_id)
            name = self.code_by_id(code_id).name
            self.record(coder, "memo", f"memo on {name!r} at {where}", [
                {"op": "update", "table": "codings", "key": {"id": row["id"]},
                 "before": {"memo": row["memo"]}, "after": {"memo": value}}])

    def set_memo(self, target: str, target_id: int | None, text: str | None, *, coder: str) -> None:
        """Write (or with None/empty, delete) the coder's memo on a paragraph, document,
        code or the project."""
        with self.writing():
            change = memo_change(self.conn, target, target_id, self.ensure_coder(coder), text)
            if change is None:
                return
            self.record(coder, "memo", f"memo on {self.describe_target(target, target_id)}",
                        [change])

    # -- consensus ------------------------------------------------------------------

    def decide(self, paragraph_id: int, codes: Iterable[int], *, coder: str = "consensus",
               memo: Memo = "keep", reviewed: bool = False,
               summary: str | None = None) -> Decision:
        """Set ``coder``'s final code set on a paragraph (the consensus, by default), with
        its memo there (None: removed; "keep": left) and, with ``reviewed``, a review
        mark on its document — one transaction and one event, so one undo takes the
        decision back whole. See :mod:`qcode.core.consensus`."""
        from qcode.core import consensus

        return consensus.decide(self, paragraph_id, codes, coder=coder, memo=memo,
                                reviewed=reviewed, summary=summary)

    # -- merging another project file -------------------------------------------

    def merge_project(
        self, other: Path | str, *, coder: str, dry_run: bool = False,
        progress: Callable[[int, int], None] | None = None,
    ) -> MergeReport:
        """Merge another project file into this one (see :mod:`qcode.core.merge`)."""
        from qcode.core import merge  # loaded when used: most commands never merge

        return merge.merge_project(self, Path(other), coder=coder, dry_run=dry_run,
                             progress=progress)

    # -- coded documents from another tool (REFI-QDA import) -------------------------

    def import_coded_document(
        self, parsed: ParsedDocument, codings: list[ImportedCoding], *, coder: str,
        guid: str | None = None, attributes: dict[str, str] | None = None,
        memos: list[ImportedMemo] | None = None,
    ) -> CodedImport:
        """Add a document with its codings and memos as one event (or, if its text is
        already here, add them to that document); see :mod:`qcode.core.coded_import`."""
        from qcode.core import coded_import  # loaded when used (REFI-QDA imports)

        return coded_import.import_coded_document(self, parsed, codings, coder=coder, guid=guid,
                                     attributes=attributes, memos=memos)

    def import_coders(self, coders: list[ImportedCoder], *, coder: str,
                      source: str) -> list[str]:
        """Create the coders another tool lists (matched by GUID, then name) as one event
        of ``coder``; returns the names of those added."""
        from qcode.core import coded_import

        return coded_import.import_coders(self, coders, coder=coder, source=source)

    def import_memos(self, memos: list[ImportedMemo], *, coder: str,
                     summary: str) -> tuple[int, int]:
        """Add imported memos on the project or on codes as one event: (added, present)."""
        from qcode.core import coded_import

        return coded_import.import_memos(self, memos, coder=coder, summary=summary)

    # -- reviews (who has read which document, for agreement) ------------------------

    def mark_reviewed(self, document: Document, *, coder: str, reviewed: bool = True) -> bool:
        """Record that ``coder`` has reviewed ``document`` (or, with ``reviewed=False``,
        withdraw the mark), as one undoable event; returns whether anything changed.

        Agreement counts a document as reviewed by a coder when they marked it *or* made
        at least one coding in it, so withdrawing the mark does not un-review a document
        the coder has coded. A reviewed paragraph without a code is "absent" for that
        coder; an unreviewed one is missing data.
        """
        coder_id = self.coder_id(coder)
        if coder_id is None and not reviewed:
            return False
        with self.writing():
            change = review_change(self.conn, document.id, self.ensure_coder(coder), reviewed)
            if change is None:
                return False
            verb = "mark {} reviewed" if reviewed else "unmark {} as reviewed"
            self.record(coder, "review", verb.format(document.name), [change])
        return True

    # -- many codings at once --------------------------------------------------------

    def tag_many(self, pairs: Iterable[tuple[int, int]], *, coder: str,
                 summary: str | None = None, memo: str | None = None,
                 origin: str | None = None, action: str = "tag") -> TagResult:
        """Apply (paragraph id, code id) pairs as ONE undoable event: the bulk path that
        auto-coding, merges, imports and scripts use (and :meth:`tag`, which codes every
        paragraph with every code). Pairs the coder already has are left alone.
        ``origin`` says how the new codings were made (None: by hand; see
        :mod:`qcode.core.autocode`); ``action`` names the event in the log.

        Built for a million codings a call: each pair becomes one integer (paragraph id
        above, code id below), so removing duplicates and the coder's existing codings,
        and sorting, run in C; the rows go in with one ``executemany`` in (paragraph,
        code) order, so neighbouring rows land on the same index pages; and the event
        keeps them packed (:mod:`qcode.core.store.rows`): ids as a range, GUIDs as the
        seed they were drawn from, paragraph ids as small deltas.
        """
        given = pairs if isinstance(pairs, list) else list(pairs)
        if not given:
            return TagResult(0, 0, None)
        codes = sorted(set(map(itemgetter(1), given)))
        # SQLite's foreign-key checks are off for this write (one lookup per row in three
        # tables): the codes and paragraphs are checked here instead, under the lock.
        with self.writing(references_checked=True):
            self.check_codable(codes)  # unknown ids are refused here too
            if codes[0] < 0 or codes[-1] > _CODE_MASK:
                raise NotFoundError(f"no code #{codes[0] if codes[0] < 0 else codes[-1]}")
            # {(p << _CODE_BITS) | c for p, c in given}, with no Python step per pair.
            wanted = set(map(or_, map(lshift, map(itemgetter(0), given), repeat(_CODE_BITS)),
                             map(itemgetter(1), given)))
            coder_id = self.ensure_coder(coder)
            new = sorted(wanted - self._coded_keys(set(map(itemgetter(0), given)), coder_id))
            if not new:
                return TagResult(0, len(wanted), None)
            count = len(new)
            paragraphs = list(map(rshift, new, repeat(_CODE_BITS, count)))
            self._check_paragraphs(list(dict.fromkeys(paragraphs)))
            known: dict[str, list[Any]] = {}
            if count >= PACK_AT:
                seed = os.urandom(16)
                guids = seeded_guids(seed, count)
                known["guid"] = ["guids", seed.hex()]
            else:
                guids = new_guids(count)
            same: dict[str, Any] = {"coder_id": coder_id, "memo": memo, "created_at": now()}
            if origin is not None:
                same["origin"] = origin
            rows = Columns(same, {
                "guid": guids,
                "paragraph_id": paragraphs,
                "code_id": list(map(and_, new, repeat(_CODE_MASK, count))),
            }, known)
            if summary is None:
                summary = f"tag {count} paragraph-code pairs"
            event = self.record(coder, action, summary,
                                [{"op": "insert", "table": "codings", "rows": rows}])
        return TagResult(count, len(wanted) - count, event)

    def _check_paragraphs(self, paragraphs: list[int]) -> None:
        """Refuse paragraph ids (in ascending order) that name no paragraph."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        low, high = paragraphs[0], paragraphs[-1]
        (present,) = cursor.execute(
            "SELECT COUNT(*) FROM paragraphs WHERE id BETWEEN ? AND ?", (low, high)).fetchone()
        if present == high - low + 1:
            return  # no gap in the ids from the first to the last: the usual case
        if high - low < 4 * len(paragraphs) + 10_000:
            # Codings come a document or a few at a time: one range of row ids.
            found = {row[0] for row in cursor.execute(
                "SELECT id FROM paragraphs WHERE id BETWEEN ? AND ?", (low, high))}
        else:
            found = set()
            for start in range(0, len(paragraphs), 500):
                chunk = paragraphs[start:start + 500]
                found.update(row[0] for row in cursor.execute(
                    f"SELECT id FROM paragraphs WHERE id IN ({', '.join('?' * len(chunk))})",
                    chunk))
        if len(found.intersection(paragraphs)) != len(paragraphs):
            missing = next(p for p in paragraphs if p not in found)
            raise NotFoundError(f"no paragraph #{missing}; nothing was changed")

    def _coded_keys(self, paragraphs: set[int], coder_id: int) -> set[int]:
        """The coder's codings among these paragraphs, as :meth:`tag_many`'s integers."""
        cursor = self.conn.cursor()
        cursor.row_factory = None  # plain tuples: no Row object per coding
        key = f"(paragraph_id << {_CODE_BITS}) | code_id"
        if len(paragraphs) > 2000:
            # One range of the (coder, paragraph) index beats thousands of lookups.
            rows = cursor.execute(
                f"SELECT {key} FROM codings WHERE coder_id = ? AND paragraph_id BETWEEN ? AND ?",
                (coder_id, min(paragraphs), max(paragraphs)))
            return {row[0] for row in rows}
        found: set[int] = set()
        ordered = sorted(paragraphs)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start:start + 500]
            found.update(row[0] for row in cursor.execute(
                f"SELECT {key} FROM codings WHERE coder_id = ? "
                f"AND paragraph_id IN ({', '.join('?' * len(chunk))})", [coder_id, *chunk]))
        return found


# tag_many's pair as one integer: the paragraph id above these bits, the code id in them.
_CODE_BITS = 32
_CODE_MASK = (1 << _CODE_BITS) - 1


__all__ = ["DEFAULT_PATH", "CodebookLoad", "Project", "TagResult"]
