"""What the coding screen shows and does, without any widgets.

A :class:`Session` holds the open project, the coder, the current document's
paragraphs and codings, and the codebook with live counts. Every write goes through a
:class:`qcode.Project` method and returns only after it has committed, so whatever the
screen shows next is already on disk. The widgets read from the session and never
touch the database themselves.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from qcode.core.errors import QcodeError
from qcode.core.model import Code, Document, DocumentSummary, Paragraph
from qcode.core.project import Project
from qcode.core.spans import marks
from qcode.core.store.db import translate
from qcode.tui import filters
from qcode.tui.filters import Filter
from qcode.tui.keymap import KeyMap
from qcode.tui.paragraphs import CodingMap, ParagraphList
from qcode.tui.wording import plural

if TYPE_CHECKING:
    from qcode.core import autocode
    from qcode.core.transcript_edit import EditPlan

T = TypeVar("T")

# From this many codings ever made on, the app counts the codebook's numbers and the
# documents' progress after its first screen is drawn (a few tenths of a second at a
# million codings); below it, counting takes less than a frame and is done at once.
COUNT_LATER_FROM = 100_000


@dataclass
class DocumentView:
    """The open document: paragraphs in order and who coded what on them."""

    document: Document
    paragraphs: ParagraphList
    codings: CodingMap
    paragraph_memos: set[int] = field(default_factory=set)
    index_of: dict[int, int] = field(default_factory=dict)
    # (speaker, turns), read when ``f`` first asks (a count over every paragraph).
    speakers: list[tuple[str, int]] | None = None

    def __post_init__(self) -> None:
        self.index_of = {pid: i for i, pid in enumerate(self.paragraphs.ids)}


class Session:
    """The coding screen's model: one project, one coder, one open document."""

    def __init__(self, project: Project, coder: str, *, blind: bool = False,
                 count_later: bool = False) -> None:
        self.project = project
        self.coder = coder.strip()
        self.blind = blind
        self.keys = KeyMap()
        self.codes: dict[int, Code] = {}
        self.tree: list[tuple[Code, int]] = []
        self.counts: dict[int, int] = {}
        self.documents: list[DocumentSummary] = []
        self.view: DocumentView | None = None
        self.coder_names: dict[int, str] = {}
        self._reader: Project | None = None
        self._coder_id: int | None = None
        self._reader_lock = threading.Lock()
        # False while ``counts`` and the documents' progress are not read yet (see
        # :meth:`count_later`); the screen then shows them as being counted.
        self.counted = True
        # Moves on with every change to counts or progress made here (a write, a
        # re-read, a coder switch), so that counts read off-thread meanwhile are known
        # to be stale.
        self.generation = 0
        if count_later:
            self.count_later()
        else:
            self.reload()

    # -- loading ---------------------------------------------------------------------

    @property
    def coder_id(self) -> int | None:
        """The coder's row id (None until their first change)."""
        if self._coder_id is None:
            self._coder_id = self.project.coder_id(self.coder)
        return self._coder_id

    def count_later(self) -> None:
        """Read what the first screen needs but the counts: the codebook, the coders
        and the documents in order, with ``counted`` False; a worker then reads the
        counts (:meth:`read_counts`) and hands them over (:meth:`take_counts`)."""
        self._coder_id = None
        self.tree = self.project.code_tree()
        self.codes = {code.id: code for code, _depth in self.tree}
        self.keys.fit(self.codes, self.codable())
        self.counts = {}
        self.documents = [DocumentSummary(document, 0, 0, 0, attributes)
                          for document, attributes in self.project.document_listing()]
        self.coder_names = {c.id: c.name for c in self.project.coders()}
        self.counted = False
        self.generation += 1

    def read_counts(self, reader: Project) -> tuple[int, dict[int, int],
                                                    list[DocumentSummary]]:
        """(generation, code counts, documents with progress) as ``reader`` reads them
        now: for a worker thread, on the worker connection (:meth:`read`)."""
        # The generation is taken before the reads start: if no write happened here
        # by the time they are handed over, the reads saw every one made before.
        generation = self.generation
        return generation, reader.code_counts(self.coder), reader.documents(self.coder)

    def take_counts(self, generation: int, counts: dict[int, int],
                    documents: list[DocumentSummary]) -> bool:
        """Adopt counts read off-thread, unless something changed them since they were
        read; returns whether they were taken (if not and ``counted`` is still False,
        the counts must be read again)."""
        if self.counted or generation != self.generation:
            return False
        self.counts = counts
        self.documents = documents
        self.counted = True
        self.generation += 1
        return True

    def reload(self) -> None:
        """Re-read everything (after undo/redo, a coder switch or a codebook edit)."""
        self._coder_id = None
        self.counted = True
        self.load_codebook()
        self.documents = self.project.documents(self.coder)
        self.coder_names = {c.id: c.name for c in self.project.coders()}
        current = self.view
        if current is None:
            return
        try:
            document = self.project.document(current.document.id)
        except QcodeError:
            self.view = None  # the document itself was undone (an import taken back)
            return
        self.open_document(document.id)

    def refresh(self) -> bool:
        """Re-read what another process may have changed, keeping the open document's
        paragraphs (and so the reader's place) when they are the same; returns True
        when the open document itself changed or went away and must be shown anew."""
        self._coder_id = None
        self.counted = True
        self.load_codebook()
        self.documents = self.project.documents(self.coder)
        self.coder_names = {c.id: c.name for c in self.project.coders()}
        view = self.view
        if view is None:
            return False
        summary = self.summary(view.document.id)
        if summary is None:
            self.view = None  # removed elsewhere
            return True
        if summary.paragraphs != len(view.paragraphs):
            self.open_document(view.document.id)
            return True
        view.codings.forget()
        view.paragraph_memos = self.project.paragraph_memo_ids(view.document.id, self.coder)
        view.speakers = None  # its text may have been corrected elsewhere
        return False

    def load_codebook(self) -> None:
        """Re-read codes and the coder's counts."""
        self.tree = self.project.code_tree()
        self.codes = {code.id: code for code, _depth in self.tree}
        self.keys.fit(self.codes, self.codable())
        self.generation += 1
        if self.counted:  # (else the worker counting them reads them again)
            self.counts = self.project.code_counts(self.coder)

    def open_document(self, document_id: int) -> DocumentView:
        """Load a document's paragraphs, codings and memo marks."""
        document = self.project.document(document_id)
        paragraphs = ParagraphList(self.project, document.id)
        view = DocumentView(document, paragraphs,
                            CodingMap(self.project, paragraphs, self.coder))
        view.paragraph_memos = self.project.paragraph_memo_ids(document.id, self.coder)
        self.view = view
        return view

    def summary(self, document_id: int) -> DocumentSummary | None:
        """The listing entry of a document."""
        return next((d for d in self.documents if d.document.id == document_id), None)

    # -- what a paragraph carries ----------------------------------------------------

    def shown_codings(self, paragraph_id: int) -> list[tuple[int, int]]:
        """(code id, coder id) on a paragraph: the coder's own, plus others' unless blind."""
        if self.view is None:
            return []
        own = self.coder_id
        pairs = self.view.codings.get(paragraph_id)
        if self.blind:
            return [(c, k) for c, k in pairs if k == own]
        return sorted(pairs, key=lambda pair: pair[1] != own)

    def exact_spans(self, paragraph: Paragraph) -> tuple[tuple[int, int], ...]:
        """The exact selections of the codings shown on a paragraph (those that came
        from another tool with one), as offsets into its text, for the reader to mark."""
        if self.blind and self.coder_id is None:
            return ()  # blind, and nothing of one's own yet
        stored = self.project.exact_selections(
            paragraph.id, self.coder_id if self.blind else None)
        return marks(stored, paragraph.start, len(paragraph.text))

    def own_codes(self, paragraph_id: int) -> set[int]:
        """Codes the coder has put on a paragraph."""
        if self.view is None:
            return set()
        own = self.coder_id
        return {c for c, k in self.view.codings.get(paragraph_id) if k == own}

    def is_coded(self, paragraph_id: int) -> bool:
        """Whether the coder has coded the paragraph (what "uncoded" jumps look for)."""
        return bool(self.own_codes(paragraph_id))

    def codes_here(self, paragraph_id: int) -> dict[int, bool]:
        """Code id -> whether it is the coder's own, for the codes shown on a paragraph
        (the coder's, and others' unless blind)."""
        here: dict[int, bool] = {}
        own = self.coder_id
        for code_id, coder_id in self.shown_codings(paragraph_id):
            here[code_id] = here.get(code_id, False) or coder_id == own
        return here

    def theme(self, code: Code) -> Filter:
        """The filter for a code with every code below it (the reports' roll-up)."""
        return filters.theme(self.project, code)

    def speaker_filter(self, name: str) -> Filter:
        """The filter for a speaker of the open document ("did you mean" if unknown)."""
        if self.view is None:
            raise QcodeError("open a document first")
        return filters.speaker(self.project, self.view.document.id, name)

    def speakers(self) -> list[tuple[str, int]]:
        """(speaker, turns) of the open document, in the order they first speak."""
        view = self.view
        if view is None:
            return []
        if view.speakers is None:
            view.speakers = self.project.speakers(view.document.id)
        return view.speakers

    def who_coded(self, paragraph_id: int) -> list[tuple[Code, list[str]]]:
        """The codes shown on a paragraph, each with who applied it ("you" first)."""
        names: dict[int, list[str]] = {}
        own = self.coder_id
        for code_id, coder_id in self.shown_codings(paragraph_id):
            who = "you" if coder_id == own else self.coder_names.get(coder_id, "?")
            names.setdefault(code_id, []).append(who)
        return [(self.codes[c], who) for c, who in names.items() if c in self.codes]

    def matching(self, wanted: Filter) -> set[int]:
        """Ids of the open document's paragraphs a filter keeps: a theme's codings by
        anyone (the coder's own in blind mode), or a speaker's turns."""
        if self.view is None:
            return set()
        return filters.paragraphs(self.project, self.view.document.id, wanted,
                                  self.coder if self.blind else None)

    # -- the codebook ----------------------------------------------------------------

    def codable(self) -> list[Code]:
        """Codable codes in codebook order."""
        return [code for code, _depth in self.tree if code.codable]

    def on_key(self, number: int) -> Code | None:
        """The code a number key toggles, if it has one."""
        code_id = self.keys.code_on(number)
        return self.codes.get(code_id) if code_id is not None else None

    def slot_of(self, code_id: int) -> int | None:
        """The key (1–9) a code sits on, if any."""
        return self.keys.key_of(code_id)

    def put_on_key(self, code: Code, number: int) -> str:
        """Put a code on a key (its code loses the key; no other key moves)."""
        return self.keys.put(number, code, self.codes)

    def take_off_key(self, code: Code) -> str:
        """Free the key a code sits on."""
        return self.keys.take_off(code)

    # -- writes ----------------------------------------------------------------------

    def toggle(self, paragraph_ids: list[int], code: Code) -> str:
        """Tag the paragraphs with ``code``, or untag it if every one already has it."""
        if paragraph_ids and all(code.id in self.own_codes(p) for p in paragraph_ids):
            return self.untag(paragraph_ids, code)
        return self.tag(paragraph_ids, code)

    def tag(self, paragraph_ids: list[int], code: Code) -> str:
        """Apply ``code`` to the paragraphs (committed before this returns)."""
        before = self._coded_among(paragraph_ids)
        result = self.project.tag(paragraph_ids, [code.id], coder=self.coder)
        self._after_write(paragraph_ids, code.id, result.changed, before)
        where = self.describe(paragraph_ids)
        if not result.changed:
            return f"{where} already carries {code.name!r}"
        return f"tagged {where} with {code.name!r}"

    def tag_like(self, source_id: int, target_id: int, target: str) -> str:
        """Give paragraph ``target_id`` (cited as ``target``) the codes the coder has on
        ``source_id``, as ONE event (committed before this returns)."""
        codes = [c for c in sorted(self.own_codes(source_id))
                 if c in self.codes and self.codes[c].codable]
        if not codes:
            raise QcodeError("you have no code on this paragraph to give the others "
                             "(code it first)")
        names = ", ".join(repr(self.codes[c].name) for c in codes)
        result = self.project.tag_many(((target_id, c) for c in codes), coder=self.coder,
                                       summary=f"tag {target} with {names} (like "
                                               f"{self.describe([source_id])})")
        if not result.changed:
            return f"{target} already carries {names}"
        # A rare, one-key action: re-read the counts rather than track each code.
        self.counts = self.project.code_counts(self.coder)
        self.documents = self.project.documents(self.coder)
        self.counted = True
        self.generation += 1
        if self.coder_id not in self.coder_names:
            self.coder_names = {c.id: c.name for c in self.project.coders()}
        if self.view is not None and target_id in self.view.index_of:
            self.refresh_paragraphs([target_id])
        return f"tagged {target} with {names}"

    def untag(self, paragraph_ids: list[int], code: Code) -> str:
        """Remove the coder's ``code`` from the paragraphs."""
        before = self._coded_among(paragraph_ids)
        result = self.project.untag(paragraph_ids, [code.id], coder=self.coder)
        self._after_write(paragraph_ids, code.id, -result.changed, before)
        return f"removed {code.name!r} from {self.describe(paragraph_ids)}"

    def _coded_among(self, paragraph_ids: list[int]) -> int:
        return sum(1 for p in paragraph_ids if self.is_coded(p))

    def _after_write(
        self, paragraph_ids: list[int], code_id: int, delta: int, coded_before: int
    ) -> None:
        # Counts and progress move by exactly what the write changed (one coding per
        # paragraph and code for this coder), so a tag never pays for a GROUP BY over
        # every coding in the project. Not yet counted: the counts being read may or
        # may not include this write, so they will be read again (the generation).
        self.generation += 1
        if self.counted:
            self.counts[code_id] = self.counts.get(code_id, 0) + delta
        if self.coder_id not in self.coder_names:
            self.coder_names = {c.id: c.name for c in self.project.coders()}
        self.refresh_paragraphs(paragraph_ids)
        view = self.view
        summary = self.summary(view.document.id) if view is not None else None
        if summary is not None and self.counted:
            coded = summary.coded + self._coded_among(paragraph_ids) - coded_before
            self.documents[self.documents.index(summary)] = DocumentSummary(
                summary.document, summary.paragraphs, coded, summary.codings + delta,
                summary.attributes,
            )

    def refresh_paragraphs(self, paragraph_ids: list[int]) -> None:
        """Re-read the codings of a few paragraphs of the open document."""
        if self.view is not None:
            self.view.codings.refresh(paragraph_ids)

    def refresh_memos(self, paragraph_id: int) -> None:
        """Re-read the coder's memo marks on one paragraph and its codings."""
        view = self.view
        if view is not None:
            view.paragraph_memos = self.project.paragraph_memo_ids(view.document.id,
                                                                   self.coder)
            view.codings.refresh([paragraph_id])

    def describe(self, paragraph_ids: list[int]) -> str:
        """"§12" or "3 paragraphs (§12–§14)" for the open document."""
        view = self.view
        if view is None or not paragraph_ids:
            return "nothing"
        refs = [view.paragraphs.refs[view.index_of[p]] for p in paragraph_ids
                if p in view.index_of]
        if len(refs) == 1:
            return refs[0]
        return f"{plural(len(refs), 'paragraph')} ({refs[0]}–{refs[-1]})"

    def write_paragraph_memo(self, paragraph_id: int, text: str) -> str:
        """Write (or, empty, delete) the coder's memo on a paragraph."""
        self.project.set_memo("paragraph", paragraph_id, text, coder=self.coder)
        self.refresh_memos(paragraph_id)
        where = self.describe([paragraph_id])
        return f"memo on {where} saved" if text.strip() else f"memo on {where} removed"

    def write_coding_memo(self, paragraph_id: int, code: Code, text: str) -> str:
        """Write (or, empty, clear) the memo on the coder's coding of ``code``."""
        self.project.set_coding_memo(paragraph_id, code.id, text, coder=self.coder)
        self.refresh_memos(paragraph_id)
        where = f"{code.name!r} on {self.describe([paragraph_id])}"
        return f"memo on {where} saved" if text.strip() else f"memo on {where} removed"

    # -- codebook edits (each one event, undoable) -----------------------------------

    def add_code(self, name: str, parent: Code | None, **fields: str | None) -> Code:
        """Create a code under ``parent`` (or at the top level)."""
        code = self.project.add_code(name, coder=self.coder, parent=parent, **fields)
        self.load_codebook()
        self.keys.give_free_key(code)
        return code

    def update_code(self, code: Code, **fields: str | None) -> Code:
        """Change a code's name, colour or definitions."""
        updated = self.project.update_code(code, coder=self.coder, **fields)
        self.load_codebook()
        return updated

    def move_code(self, code: Code, parent: Code | None) -> Code:
        """Move a code (with its sub-codes) under ``parent`` or to the top level."""
        moved = self.project.move_code(code, parent, coder=self.coder)
        self.load_codebook()
        return moved

    def merge_codes(self, source: Code, target: Code) -> int:
        """Fold ``source`` into ``target``; returns how many codings were reassigned."""
        moved = self.project.merge_codes(source, target, coder=self.coder)
        self.reload()
        return moved

    def delete_code(self, code: Code) -> int:
        """Delete a code and its codings; returns how many codings went with it."""
        removed = self.project.delete_code(code, coder=self.coder)
        self.reload()
        return removed

    def plan_autocode(self, query: str, code: Code) -> autocode.Plan:
        """What coding every hit of ``query`` with ``code`` would change (nothing is
        written): every hit, not the page the search shows."""
        from qcode.core import autocode  # the one place that needs it, rarely

        request = autocode.Request(query, (self.project.code_path(code),))
        return autocode.plan(self.project, request, coder=self.coder)

    def autocode(self, planned: autocode.Plan) -> str:
        """Apply a plan as one change (as ``qcode autocode``); the message says how to
        take it back."""
        from qcode.core import autocode

        result = autocode.apply(self.project, planned)
        self.reload()
        names = ", ".join(repr(c.name) for c in planned.codes)
        noun = "paragraph" if result.changed == 1 else "paragraphs"
        return (f"auto-coded {result.changed} {noun} matching {planned.request.query!r} "
                f"with {names} (one change: u undoes it)")

    def correct(self, plan: EditPlan) -> str:
        """Apply a correction of the open document's text as one change."""
        from qcode.core import transcript_edit

        transcript_edit.apply(self.project, plan, coder=self.coder)
        self.reload()
        return f"{plan.summary()} (u undoes it)"

    def undo(self) -> str:
        """Take back the coder's latest change (the same as ``qcode undo``)."""
        summary = self.project.undo(coder=self.coder)
        self.reload()
        return f"undone: {summary}"

    def redo(self) -> str:
        """Re-apply the coder's latest undone change."""
        summary = self.project.redo(coder=self.coder)
        self.reload()
        return f"redone: {summary}"

    def set_coder(self, name: str) -> None:
        """Switch to another coder (created on their first change)."""
        name = name.strip()
        if not name:
            raise QcodeError("a coder needs a name")
        self.coder = name
        self.reload()

    # -- background reads ------------------------------------------------------------

    @contextmanager
    def reader(self) -> Iterator[Project]:
        """A read-only connection of its own, for worker threads (one at a time).

        SQLite in WAL mode lets it read while the screen's connection writes, so a
        long search or report never holds up a tag.
        """
        with self._reader_lock:
            if self._reader is None:
                self._reader = Project.open(self.project.path, readonly=True)
            yield self._reader

    def read(self, work: Callable[[Project], T]) -> T:
        """``work`` done on the worker connection (:meth:`reader`), for a worker thread;
        an SQLite failure comes out as the one-line :class:`QcodeError` qcode gives."""
        try:
            with self.reader() as reader:
                return work(reader)
        except sqlite3.Error as exc:
            raise translate(exc, self.project.path) from exc

    def warm_search(self) -> None:
        """Load the search's vocabulary on the worker connection (for a worker thread):
        the first search of a session otherwise pays for it (tenths of a second on a
        big project, more when its kept copy of the terms is out of date)."""
        from qcode.core.vocabulary import vocabulary

        self.read(vocabulary)

    def close(self) -> None:
        """Close the worker connection (the main one belongs to the caller)."""
        with self._reader_lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
