"""A document's paragraphs for the screen: an outline of all, text and codings on
demand.

Opening a long document reads every paragraph's id, number, label and section (a few
milliseconds for 10,000); the text and the codings of a stretch of paragraphs are
fetched when the reader first shows one of them, so neither a long document nor a
million codings slow the opening down.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

from qcode.core.model import Paragraph
from qcode.core.project import Project

# Paragraphs fetched together when one of them is first needed (about a few screens).
CHUNK = 64


class ParagraphList(Sequence[Paragraph]):
    """The paragraphs of one document, in order; indexing loads text as needed."""

    def __init__(self, project: Project, document_id: int) -> None:
        self.project = project
        self.document_id = document_id
        outline = project.paragraph_outline(document_id)
        self.ids = [row[0] for row in outline]
        self.ordinals = [row[1] for row in outline]
        self.refs = [row[2] or f"¶{row[1]}" for row in outline]
        self.sections = [row[3] for row in outline]
        self._loaded: dict[int, Paragraph] = {}

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Paragraph: ...

    @overload
    def __getitem__(self, index: slice) -> list[Paragraph]: ...

    def __getitem__(self, index: int | slice) -> Paragraph | list[Paragraph]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        paragraph = self._loaded.get(index)
        if paragraph is None:
            self._load(index - index % CHUNK)
            paragraph = self._loaded[index]
        return paragraph

    def __iter__(self) -> Iterator[Paragraph]:
        for index in range(len(self)):
            yield self[index]

    def _load(self, start: int) -> None:
        chunk = self.project.paragraphs(self.document_id, first=self.ordinals[start],
                                        limit=CHUNK)
        for offset, paragraph in enumerate(chunk):
            self._loaded[start + offset] = paragraph

    @property
    def loaded(self) -> int:
        """How many paragraphs have had their text read (for tests and benchmarks)."""
        return len(self._loaded)


class CodingMap:
    """Who coded what on each paragraph of a document, and which of the coder's
    codings carry a memo — read a chunk of paragraphs at a time."""

    def __init__(self, project: Project, paragraphs: ParagraphList, coder: str) -> None:
        self.project = project
        self.paragraphs = paragraphs
        self.coder = coder
        self._index = {pid: i for i, pid in enumerate(paragraphs.ids)}
        self._pairs: dict[int, list[tuple[int, int]]] = {}
        self._memos: set[tuple[int, int]] = set()
        self._chunks: set[int] = set()

    def _ensure(self, paragraph_id: int) -> bool:
        index = self._index.get(paragraph_id)
        if index is None:
            return False
        chunk = index // CHUNK
        if chunk not in self._chunks:
            self.refresh(self.paragraphs.ids[chunk * CHUNK:(chunk + 1) * CHUNK])
            self._chunks.add(chunk)
        return True

    def get(self, paragraph_id: int) -> list[tuple[int, int]]:
        """[(code id, coder id)] on a paragraph, oldest first."""
        return self._pairs.get(paragraph_id, []) if self._ensure(paragraph_id) else []

    def has_memo(self, paragraph_id: int, code_id: int) -> bool:
        """Whether the coder's coding of ``code_id`` on the paragraph has a memo."""
        return self._ensure(paragraph_id) and (paragraph_id, code_id) in self._memos

    def forget(self) -> None:
        """Drop everything read so far (another process wrote): each chunk is read
        again when it is next shown, so only what is on screen is re-read now."""
        self._pairs.clear()
        self._memos.clear()
        self._chunks.clear()

    def refresh(self, paragraph_ids: list[int]) -> None:
        """Read these paragraphs' codings again (after a write that touched them)."""
        for pid, pairs in self.project.codings_for_paragraphs(paragraph_ids).items():
            if pairs:
                self._pairs[pid] = pairs
            else:
                self._pairs.pop(pid, None)
        wanted = set(paragraph_ids)
        self._memos = {m for m in self._memos if m[0] not in wanted}
        self._memos |= self.project.coding_memo_marks(paragraph_ids, self.coder)
