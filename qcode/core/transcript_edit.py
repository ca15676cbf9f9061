"""Correcting a document's text without losing its coding (``qcode edit``, ``e`` in the app).

A document is rendered as editable text: each paragraph under a marker line holding its
label (``[[§12]]``; ``[[¶12]]`` when labels are missing or shared). A person corrects
the text and the file comes back: a marker's block is that paragraph; a blank line
inside a block splits it; a marker line deleted with its text removes the paragraph, a
marker line deleted with its text left in the paragraph above (no blank line between)
joins the two; text under ``[[new]]`` (or, after a blank line, unlike the paragraph
above it) is a new paragraph. Markers must stay
in order; lines ``[[# …]]`` are comments.

:func:`plan` aligns the old paragraphs with the new (unchanged, changed, split, joined,
removed, added), maps every position of the old text to the new one (difflib, paragraph
by paragraph) and works out where each coding, exact span and paragraph memo goes: a
span moves with its text (an insertion before it shifts it, an edit inside stretches
it); a span whose text is gone is listed, as are codings and memos on removed
paragraphs. :func:`apply` writes the whole correction as ONE event of row changes
through the project's write path, so one undo restores the old text and every coding;
the search index follows through its triggers (and the insert of new paragraphs).
Review marks belong to the document, which keeps its id, so they stay as they are.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from qcode.core.errors import NothingToDo, QcodeError
from qcode.core.ids import new_guid, sha256, text_hash
from qcode.core.linebreaks import fits
from qcode.core.spans import Span, dump, load
from qcode.core.store.changes import Change
from qcode.core.store.texts import join_text

if TYPE_CHECKING:
    from qcode.core.model import Document
    from qcode.core.project import Project

NEW_MARKER = "new"
_MARKER = re.compile(r"^\[\[(.+)\]\][ \t]*$")
_BLANK = re.compile(r"\n[ \t]*\n\s*")
HEADER = ("[[# qcode edit {name}: correct the text and keep each [[…]] line above its "
          "paragraph. A blank line splits a paragraph; to join two, delete the [[…]] line "
          "and the blank line between them; delete a [[…]] line with its text to remove "
          "the paragraph; put a new paragraph under [[new]]. Lines like this one are "
          "ignored.]]")
# A matching stretch shorter than this says nothing about where a text came from.
_MIN_MATCH = 4
# A separator that keeps the paragraphs of one block apart in the character alignment.
_SEP = "\n\n"


@dataclass
class OldParagraph:
    """A paragraph as the project holds it."""

    id: int
    ordinal: int
    label: str | None
    section: str | None
    speaker: str | None
    text: str
    start: int
    end: int
    preceding: str
    page: int | None
    time_ms: int | None
    text_hash: str

    @property
    def ref(self) -> str:
        """How it is cited."""
        return self.label or f"¶{self.ordinal}"


@dataclass
class NewParagraph:
    """A paragraph of the corrected text: the row it keeps (or None: a new one), the old
    paragraphs whose text it holds, and where it lies in the corrected document."""

    text: str
    keeps: OldParagraph | None
    sources: list[OldParagraph]
    label: str | None
    section: str | None
    speaker: str | None
    time_ms: int | None
    page: int | None
    preceding: str
    ordinal: int = 0
    start: int = 0
    end: int = 0
    next_start: int = 0
    # The id a new paragraph's row will have.
    row_id: int | None = None


@dataclass
class Group:
    """Old paragraphs and the new ones their text went to."""

    kind: str  # unchanged, changed, split, joined, rewritten, removed, added
    olds: list[OldParagraph]
    news: list[NewParagraph]
    # Character alignment of the old texts (from the first's text) with the new ones'.
    opcodes: list[tuple[str, int, int, int, int]] = field(default_factory=list)


@dataclass
class Affected:
    """A coding, memo or span the correction moves, copies or loses, for the plan."""

    what: str      # "coding", "memo", "span"
    fate: str      # "moved", "copied", "removed", "span gone"
    code: str | None
    coder: str
    where: str     # the old paragraph's ref
    to: str | None  # the new paragraph(s)


@dataclass
class EditPlan:
    """What a correction does, before it is applied."""

    document: Document
    groups: list[Group]
    changes: list[Change]
    affected: list[Affected]
    counts: dict[str, int]
    new_text: str
    # The same plan made again from the project as it is (inside the write lock).
    remake: Callable[[], EditPlan] | None = None

    @property
    def changed(self) -> bool:
        """Whether the correction changes anything."""
        return bool(self.changes)

    @property
    def needs_confirmation(self) -> bool:
        """Whether codings, memos or spans are split, joined, moved away or lost: the
        plan is shown and must be accepted (``--yes``) before it is applied."""
        return any(a.fate != "kept" for a in self.affected)

    def summary(self) -> str:
        """One line: what changes."""
        order = ("changed", "split", "joined", "rewritten", "removed", "added")
        parts = [f"{self.counts[k]} {k}" for k in order if self.counts.get(k)]
        return f"edit {self.document.name}: " + (", ".join(parts) or "no change")

    def as_json(self) -> dict[str, Any]:
        """The plan as plain data (for ``--json``)."""
        return {
            "document": self.document.name,
            "counts": {k: v for k, v in self.counts.items() if v},
            "paragraphs": [
                {"kind": g.kind, "old": [o.ref for o in g.olds],
                 "new": [n.label or f"¶{n.ordinal}" for n in g.news]}
                for g in self.groups if g.kind != "unchanged"],
            "affected": [a.__dict__ for a in self.affected],
            "needs_confirmation": self.needs_confirmation,
        }


# -- rendering and parsing -------------------------------------------------------------


def old_paragraphs(project: Project, document_id: int) -> list[OldParagraph]:
    """The document's paragraphs in order."""
    rows = project.conn.execute(
        'SELECT id, ordinal, label, section, speaker, text, start, "end", preceding, page, '
        "time_ms, text_hash FROM paragraphs WHERE document_id = ? ORDER BY ordinal",
        (document_id,)).fetchall()
    return [OldParagraph(*tuple(r)) for r in rows]


def markers(paragraphs: list[OldParagraph]) -> list[str]:
    """Each paragraph's marker text: its label when no other paragraph has it (any
    case) and it fits on a marker line; else its position (¶n)."""
    folded: dict[str, int] = {}
    for paragraph in paragraphs:
        if paragraph.label:
            key = paragraph.label.casefold()
            folded[key] = folded.get(key, 0) + 1

    def usable(label: str | None) -> bool:
        return bool(label) and folded.get(str(label).casefold()) == 1 and "]]" not in str(
            label) and "\n" not in str(label) and str(label).strip() == label and not str(
            label).startswith(("#", "¶")) and str(label).casefold() != NEW_MARKER

    return [str(p.label) if usable(p.label) else f"¶{p.ordinal}" for p in paragraphs]


def render(project: Project, document: Document) -> str:
    """The document as editable text (see the module)."""
    paragraphs = old_paragraphs(project, document.id)
    lines = [HEADER.format(name=document.name.replace("]]", "] ]")), ""]
    for marker, paragraph in zip(markers(paragraphs), paragraphs, strict=True):
        lines += [f"[[{marker}]]", paragraph.text, ""]
    return "\n".join(lines)


@dataclass
class _Block:
    marker: OldParagraph | None
    chunks: list[str]


def parse(text: str, paragraphs: list[OldParagraph]) -> list[_Block]:
    """The corrected file's blocks, each under the paragraph its marker names (None:
    text before any marker, or under ``[[new]]``); refuses unknown, repeated and
    reordered markers, saying which line."""
    by_marker = {m.casefold(): p for m, p in zip(markers(paragraphs), paragraphs, strict=True)}
    blocks: list[_Block] = [_Block(None, [])]
    lines: list[list[str]] = [[]]
    seen: dict[int, int] = {}
    last = 0
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"),
                                  start=1):
        found = _MARKER.match(line.strip())
        if found is None:
            lines[-1].append(line)
            continue
        name = found.group(1).strip()
        if name.startswith("#"):
            continue
        if name.casefold() == NEW_MARKER:
            blocks.append(_Block(None, []))
            lines.append([])
            continue
        paragraph = by_marker.get(name.casefold())
        if paragraph is None:
            raise QcodeError(f"line {number}: [[{name}]] names no paragraph of this document "
                             "(keep the markers as qcode wrote them); nothing changed")
        if paragraph.id in seen:
            raise QcodeError(f"line {number}: [[{name}]] appears twice (first on line "
                             f"{seen[paragraph.id]}); nothing changed")
        if paragraph.ordinal < last:
            raise QcodeError(f"line {number}: [[{name}]] comes after a later paragraph; "
                             "paragraphs cannot be moved, only corrected; nothing changed")
        seen[paragraph.id] = number
        last = paragraph.ordinal
        blocks.append(_Block(paragraph, []))
        lines.append([])
    for block, body in zip(blocks, lines, strict=True):
        joined = "\n".join(body).strip()
        if block.marker is not None and joined == block.marker.text.strip():
            block.chunks = [block.marker.text]  # as it was, even with blank lines inside
        else:
            block.chunks = [c.strip() for c in _BLANK.split(joined) if c.strip()]
    return [b for b in blocks if b.marker is not None or b.chunks]


# -- alignment -------------------------------------------------------------------------


def _matched(olds: list[str], news: list[str]) -> list[list[int]]:
    """How many characters of each old text match into each new one (stretches of at
    least _MIN_MATCH)."""
    old_joined, new_joined = _SEP.join(olds), _SEP.join(news)
    old_bounds, new_bounds = _bounds(olds), _bounds(news)
    old_starts = [low for low, _high in old_bounds]
    new_starts = [low for low, _high in new_bounds]
    counts = [[0] * len(news) for _ in olds]
    for tag, a, a2, b, _b2 in _align(old_joined, new_joined, old_bounds):
        if tag != "equal" or a2 - a < _MIN_MATCH:
            continue
        i = max(bisect.bisect_right(old_starts, a) - 1, 0)
        while i < len(olds) and old_bounds[i][0] < a2:
            low, high = max(a, old_bounds[i][0]), min(a2, old_bounds[i][1])
            if low < high:
                nlow, nhigh = b + (low - a), b + (high - a)
                j = max(bisect.bisect_right(new_starts, nlow) - 1, 0)
                while j < len(news) and new_bounds[j][0] < nhigh:
                    overlap = min(nhigh, new_bounds[j][1]) - max(nlow, new_bounds[j][0])
                    if overlap > 0:
                        counts[i][j] += overlap
                    j += 1
            i += 1
    return counts


def _bounds(texts: list[str]) -> list[tuple[int, int]]:
    bounds, position = [], 0
    for text in texts:
        bounds.append((position, position + len(text)))
        position += len(text) + len(_SEP)
    return bounds


def _components(olds: list[OldParagraph], chunks: list[str], *, anchored: bool = True
                ) -> list[tuple[list[int], list[int]]]:
    """Old and new paragraphs of one block grouped by where the text went: (old
    indexes, new indexes), in order; an old one alone is removed, a new one alone added.
    In a block ``anchored`` by its marker, the first old paragraph holds the first text."""
    if anchored and len(olds) == 1 and len(chunks) == 1:
        return [([0], [0])]
    counts = _matched([o.text for o in olds], chunks)
    edges = [(i, j) for i, row in enumerate(counts) for j, n in enumerate(row)
             if n and n * 2 >= min(len(olds[i].text), len(chunks[j]))]
    if anchored and chunks and not any(i == 0 for i, _j in edges):
        # The block's own paragraph holds its first text even when rewritten whole.
        edges.append((0, 0))
    # Intervals over both orders, merged where they overlap, so a group is contiguous.
    groups: list[list[int]] = []  # [old_low, old_high, new_low, new_high]
    for i, j in sorted(edges):
        if groups and (i <= groups[-1][1] or j <= groups[-1][3]):
            group = groups[-1]
            group[1], group[3] = max(group[1], i), max(group[3], j)
            group[0], group[2] = min(group[0], i), min(group[2], j)
        else:
            groups.append([i, i, j, j])
    result: list[tuple[list[int], list[int]]] = []
    old_at, new_at = 0, 0
    for o1, o2, n1, n2 in groups:
        result += [([i], []) for i in range(old_at, o1)]
        result += [([], [j]) for j in range(new_at, n1)]
        result.append((list(range(o1, o2 + 1)), list(range(n1, n2 + 1))))
        old_at, new_at = o2 + 1, n2 + 1
    result += [([i], []) for i in range(old_at, len(olds))]
    result += [([], [j]) for j in range(new_at, len(chunks))]
    return result


def _groups(paragraphs: list[OldParagraph], blocks: list[_Block]) -> list[Group]:
    """The corrected file as groups of old and new paragraphs, in document order."""
    present = {b.marker.id for b in blocks if b.marker is not None}
    groups: list[Group] = []
    at = 0  # index of the next old paragraph not yet placed

    def removed_until(ordinal: int) -> None:
        nonlocal at
        while at < len(paragraphs) and paragraphs[at].ordinal < ordinal:
            groups.append(Group("removed", [paragraphs[at]], []))
            at += 1

    first = next((b.marker for b in blocks if b.marker is not None), None)
    for index, block in enumerate(blocks):
        if block.marker is None:
            # Text above the first marker: the paragraphs whose markers went from there.
            leading = [p for p in paragraphs if p.id not in present
                       and (first is None or p.ordinal < first.ordinal)] if index == 0 else []
            if leading:
                for old_index, new_index in _components(leading, block.chunks,
                                                        anchored=False):
                    groups.append(_group([leading[i] for i in old_index],
                                         [block.chunks[j] for j in new_index]))
                at = len(leading)
                continue
            groups += [Group("added", [], [_added(chunk)]) for chunk in block.chunks]
            continue
        removed_until(block.marker.ordinal)
        olds = [paragraphs[at]]
        at += 1
        while at < len(paragraphs) and paragraphs[at].id not in present:
            olds.append(paragraphs[at])
            at += 1
        for old_index, new_index in _components(olds, block.chunks):
            members = [olds[i] for i in old_index]
            texts = [block.chunks[j] for j in new_index]
            groups.append(_group(members, texts))
    removed_until(paragraphs[-1].ordinal + 1 if paragraphs else 0)
    return groups


def _added(text: str) -> NewParagraph:
    return NewParagraph(text, None, [], None, None, None, None, None, _SEP)


def _group(olds: list[OldParagraph], texts: list[str]) -> Group:
    if not texts:
        return Group("removed", olds, [])
    if not olds:
        return Group("added", [], [_added(t) for t in texts])
    first = olds[0]
    news = []
    for k, text in enumerate(texts):
        keeps = olds[k] if k < len(olds) else None
        base = keeps or olds[-1]
        label = base.label if keeps else (f"{first.label} ({k + 1})" if first.label else None)
        news.append(NewParagraph(
            text, keeps, [], label, base.section, base.speaker,
            base.time_ms if keeps else None, base.page,
            first.preceding if k == 0 else (keeps.preceding if keeps else _SEP)))
    if len(olds) == 1 and len(texts) == 1:
        kind = "unchanged" if texts[0] == first.text else "changed"
    elif len(olds) == 1:
        kind = "split"
    elif len(texts) == 1:
        kind = "joined"
    else:
        kind = "rewritten"
    group = Group(kind, olds, news)
    if kind != "unchanged":
        # From the first text on (the first preceding text is kept as it was).
        old_inner = "".join(o.preceding + o.text for o in olds)[len(first.preceding):]
        new_inner = "".join(n.preceding + n.text for n in news)[len(first.preceding):]
        units, position = [], 0
        for k, paragraph in enumerate(olds):
            position += len(paragraph.preceding) if k else 0
            units.append((position, position + len(paragraph.text)))
            position += len(paragraph.text)
        group.opcodes = _align(old_inner, new_inner, units)
    for new in news:
        new.sources = list(olds)
    return group


_TOKEN = re.compile(r"\w+[ \t]*|[^\w\s][ \t]*|\s+")


# An old paragraph found whole in the new text anchors the alignment there; shorter
# ones are too likely to be found in the wrong place.
_ANCHOR = 32


def _align(old: str, new: str, units: list[tuple[int, int]]
           ) -> list[tuple[str, int, int, int, int]]:
    """How ``old`` became ``new`` (character opcodes): each unit of ``old`` (a
    paragraph's text) found unchanged, in order, is an anchor; only what lies between
    anchors is diffed (:func:`_opcodes`), so joining or removing a thousand paragraphs
    costs a thousand searches, not one diff of everything."""
    anchors: list[tuple[int, int, int]] = []  # (old start, old end, new start)
    cursor = 0
    for start, end in _sentences(old, units):
        if end - start < _ANCHOR or (anchors and start < anchors[-1][1]):
            continue
        found = new.find(old[start:end], cursor)
        if found >= 0:
            anchors.append((start, end, found))
            cursor = found + (end - start)
    ops: list[tuple[str, int, int, int, int]] = []
    old_at = new_at = 0
    for start, end, found in [*anchors, (len(old), len(old), len(new))]:
        ops += [(tag, i1 + old_at, i2 + old_at, j1 + new_at, j2 + new_at)
                for tag, i1, i2, j1, j2 in _opcodes(old[old_at:start], new[new_at:found])]
        if end > start:
            ops.append(("equal", start, end, found, found + end - start))
        old_at, new_at = end, found + end - start
    return ops


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def _sentences(text: str, units: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The units cut at sentence ends: a word corrected in one sentence leaves the
    others to anchor on."""
    pieces = []
    for start, end in units:
        at = start
        for found in _SENTENCE_END.finditer(text, start, end):
            pieces.append((at, found.start()))
            at = found.end()
        pieces.append((at, end))
    return pieces


# Past this many tokens on a side, difflib's most frequent tokens are left out of the
# search for matches (autojunk): the alignment stays close, and fast.
_LONG = 20_000


def _opcodes(old: str, new: str) -> list[tuple[str, int, int, int, int]]:
    """How ``old`` became ``new``, word by word (a word, a run of space or a mark), as
    character opcodes: a selection ends where its words end, not on stray letters a
    character diff would match across a deleted stretch."""
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    old_at, new_at = _starts(old_tokens), _starts(new_tokens)
    matcher = SequenceMatcher(None, old_tokens, new_tokens,
                              autojunk=max(len(old_tokens), len(new_tokens)) > _LONG)
    return [(tag, old_at[i1], old_at[i2], new_at[j1], new_at[j2])
            for tag, i1, i2, j1, j2 in matcher.get_opcodes()]


def _starts(tokens: list[str]) -> list[int]:
    """Where each token starts, and the end."""
    starts, position = [0], 0
    for token in tokens:
        position += len(token)
        starts.append(position)
    return starts


# -- positions -------------------------------------------------------------------------


class PositionMap:
    """Where each code point of the old text is in the new one."""

    def __init__(self, ops: list[tuple[str, int, int, int, int]], old_length: int,
                 new_length: int) -> None:
        self.ops = [op for op in ops if op[0] != "insert"]
        self.lows = [op[1] for op in self.ops]
        self.old_length, self.new_length = old_length, new_length
        self.old_text: str | None = None
        self.new_text: str | None = None

    def start(self, position: int) -> int:
        """Where a span starting at ``position`` starts now (after an insertion there)."""
        if position >= self.old_length:
            return self.new_length
        tag, i1, _i2, j1, _j2 = self.ops[bisect.bisect_right(self.lows, position) - 1]
        return j1 + (position - i1) if tag == "equal" else j1

    def end(self, position: int) -> int:
        """Where a span ending at ``position`` ends now (before an insertion there)."""
        if position <= 0:
            return 0
        tag, i1, _i2, j1, j2 = self.ops[bisect.bisect_left(self.lows, position) - 1]
        return j1 + (position - i1) if tag == "equal" else j2

    def span(self, span: Span) -> Span | None:
        """The span where its text now is; None when all its text is gone."""
        start, end = self.start(span.start), self.end(span.end)
        old, new = self.old_text, self.new_text
        if old is not None and new is not None:
            # A selection that began (ended) on a word still does: the space a deletion
            # next to it leaves is not taken in.
            if 0 <= span.start < len(old) and not old[span.start].isspace():
                while start < end and new[start].isspace():
                    start += 1
            if 0 < span.end <= len(old) and not old[span.end - 1].isspace():
                while end > start and new[end - 1].isspace():
                    end -= 1
        if start >= end:
            return None
        return Span(start, end, span.selection, span.coding, None, None) if (
            (start, end) != (span.start, span.end)) else span


def _layout(groups: list[Group], trailing: str, old_length: int
            ) -> tuple[list[NewParagraph], PositionMap, str]:
    """Place the new paragraphs (ordinals, offsets) and map old positions to new."""
    news: list[NewParagraph] = []
    ops: list[tuple[str, int, int, int, int]] = []
    old_at = new_at = 0

    def add(tag: str, old_size: int, new_size: int) -> None:
        nonlocal old_at, new_at
        if old_size == 0 and new_size == 0:
            return
        if tag == "equal" and ops and ops[-1][0] == "equal":
            _t, i1, _i2, j1, _j2 = ops[-1]
            ops[-1] = ("equal", i1, old_at + old_size, j1, new_at + new_size)
        else:
            ops.append((tag, old_at, old_at + old_size, new_at, new_at + new_size))
        old_at += old_size
        new_at += new_size

    pieces: list[tuple[str, str]] = []
    for group in groups:
        if group.kind == "unchanged":
            old = group.olds[0]
            add("equal", len(old.preceding) + len(old.text), len(old.preceding) + len(old.text))
        elif group.kind == "removed":
            add("delete", sum(len(o.preceding) + len(o.text) for o in group.olds), 0)
        elif group.kind == "added":
            add("insert", 0, sum(len(n.preceding) + len(n.text) for n in group.news))
        else:
            first = group.olds[0].preceding
            add("equal", len(first), len(first))
            base_old, base_new = old_at, new_at
            for tag, i1, i2, j1, j2 in group.opcodes:
                old_at, new_at = base_old + i1, base_new + j1
                add(tag, i2 - i1, j2 - j1)
        for new in group.news:
            new.ordinal = len(news) + 1
            if group.kind == "added" and news:
                new.section = news[-1].section  # under the same heading as the one above
            news.append(new)
            pieces.append((new.preceding, new.text))
    add("equal", len(trailing), len(trailing))
    position = 0
    for new in news:
        new.start = position + len(new.preceding)
        new.end = position = new.start + len(new.text)
    for new, following in itertools.pairwise(news):
        new.next_start = following.start
    new_text = join_text(pieces, trailing)
    if news:
        news[-1].next_start = len(new_text)
    if old_at != old_length or new_at != len(new_text):
        raise AssertionError("edit: the position map does not cover the text")
    return news, PositionMap(ops, old_length, len(new_text)), new_text


# -- the plan --------------------------------------------------------------------------


def plan(project: Project, document: Document, corrected: str) -> EditPlan:
    """What correcting ``document`` to the ``corrected`` file (see :func:`render`) does."""
    paragraphs = old_paragraphs(project, document.id)
    blocks = parse(corrected, paragraphs)
    groups = _groups(paragraphs, blocks)
    made = _plan(project, document, paragraphs, groups)
    made.remake = lambda: plan(project, project.document(document.id), corrected)
    return made


def plan_paragraph(project: Project, document: Document, paragraph_id: int,
                   text: str) -> EditPlan:
    """What correcting one paragraph's text does (``e`` in the app): blank lines split
    it, an empty text removes it."""
    paragraphs = old_paragraphs(project, document.id)
    groups: list[Group] = []
    for paragraph in paragraphs:
        if paragraph.id != paragraph_id:
            groups.append(Group("unchanged", [paragraph], [_same(paragraph)]))
            continue
        chunks = [c.strip() for c in _BLANK.split(text.strip()) if c.strip()]
        if text.strip() == paragraph.text.strip():
            chunks = [paragraph.text]
        groups.append(_group([paragraph], chunks))
    made = _plan(project, document, paragraphs, groups)
    made.remake = lambda: plan_paragraph(project, project.document(document.id), paragraph_id,
                                         text)
    return made


def _same(paragraph: OldParagraph) -> NewParagraph:
    return NewParagraph(paragraph.text, paragraph, [paragraph], paragraph.label,
                        paragraph.section, paragraph.speaker, paragraph.time_ms,
                        paragraph.page, paragraph.preceding)


def _plan(project: Project, document: Document, paragraphs: list[OldParagraph],
          groups: list[Group]) -> EditPlan:
    conn = project.conn
    trailing, breaks = conn.execute(
        "SELECT trailing, line_breaks FROM documents WHERE id = ?", (document.id,)).fetchone()
    old_length = (paragraphs[-1].end if paragraphs else 0) + len(trailing)
    news, positions, new_text = _layout(groups, trailing, old_length)
    positions.old_text = join_text(((p.preceding, p.text) for p in paragraphs), trailing)
    positions.new_text = new_text
    counts: dict[str, int] = {}
    for group in groups:
        counts[group.kind] = counts.get(group.kind, 0) + 1
    if not any(g.kind != "unchanged" for g in groups):
        return EditPlan(document, groups, [], [], counts, new_text)
    if not news:
        raise QcodeError(f"the corrected {document.name} has no text left; to remove the "
                         f"document use `qcode documents remove`; nothing changed")
    editor = _Changes(project, document, paragraphs, groups, news, positions)
    changes = editor.build()
    document_after: dict[str, Any] = {"sha256": sha256(new_text)}
    if not fits(new_text, breaks):
        document_after["line_breaks"] = _uniform(breaks)
    changes.append({"op": "update", "table": "documents", "key": {"id": document.id},
                    "before": {"sha256": document.sha256,
                               **({"line_breaks": breaks} if "line_breaks" in document_after
                                  else {})},
                    "after": document_after})
    return EditPlan(document, groups, changes, editor.affected, counts, new_text)


def _uniform(breaks: str | None) -> str | None:
    """Line breaks that fit any text: the kind most of the old ones were."""
    if not breaks:
        return None
    most = max("nwr", key=breaks.count)
    return {"n": None, "w": "crlf", "r": "cr"}[most]


class _Changes:
    """The row changes of a correction, and what it does to codings, spans and memos."""

    def __init__(self, project: Project, document: Document, paragraphs: list[OldParagraph],
                 groups: list[Group], news: list[NewParagraph], positions: PositionMap) -> None:
        self.project, self.document = project, document
        self.paragraphs, self.groups, self.news = paragraphs, groups, news
        self.positions = positions
        self.affected: list[Affected] = []
        self.group_of = {o.id: g for g in groups for o in g.olds}
        self.kept = {n.keeps.id: n for n in news if n.keeps is not None}
        self.refs = {p.id: p.ref for p in paragraphs}
        self.codes = {r[0]: r[1] for r in project.conn.execute("SELECT id, name FROM codes")}
        self.coders = {r[0]: r[1] for r in project.conn.execute("SELECT id, name FROM coders")}

    def _ref(self, new: NewParagraph) -> str:
        return new.label or f"¶{new.ordinal}"

    def build(self) -> list[Change]:
        """The changes, in an order every constraint accepts at every step."""
        conn = self.project.conn
        changes: list[Change] = []
        temporary: list[tuple[int, int]] = []  # (paragraph id, final ordinal)
        # 1. Kept paragraphs take their new text and place (a moved ordinal goes through
        #    a negative one, free by construction, so no two rows ever share one).
        for new in self.news:
            old = new.keeps
            if old is None:
                continue
            after: dict[str, Any] = {}
            for column, value in (("text", new.text), ("start", new.start), ("end", new.end),
                                  ("preceding", new.preceding), ("label", new.label)):
                if getattr(old, column) != value:
                    after[column] = value
            if "text" in after:
                after["text_hash"] = text_hash(new.text)
            if old.ordinal != new.ordinal:
                after["ordinal"] = -new.ordinal
                temporary.append((old.id, new.ordinal))
            if after:
                changes.append({"op": "update", "table": "paragraphs", "key": {"id": old.id},
                                "before": {c: getattr(old, c) for c in after},
                                "after": after})
        # 2. New paragraphs, at negative ordinals for now.
        added = [n for n in self.news if n.keeps is None]
        if added:
            sequence = conn.execute(
                "SELECT seq FROM sqlite_sequence WHERE name = 'paragraphs'").fetchone()
            next_id = (int(sequence[0]) if sequence else 0) + 1
            rows = []
            for offset, new in enumerate(added):
                new_id = next_id + offset
                rows.append({"id": new_id, "document_id": self.document.id,
                             "ordinal": -new.ordinal, "label": new.label,
                             "section": new.section, "speaker": new.speaker,
                             "text": new.text, "start": new.start, "end": new.end,
                             "text_hash": text_hash(new.text), "preceding": new.preceding,
                             "page": new.page, "time_ms": new.time_ms})
                temporary.append((new_id, new.ordinal))
                new.row_id = new_id
            changes.append({"op": "insert", "table": "paragraphs", "rows": rows})
        # 3. Codings and memos follow their text.
        changes += self._codings()
        changes += self._memos()
        # 4. Paragraphs whose text is gone or went into another one.
        gone = [o for g in self.groups for o in g.olds if o.id not in self.kept]
        if gone:
            changes.append({"op": "delete", "table": "paragraphs",
                            "rows": [self._whole(o) for o in gone]})
        # 5. Final ordinals.
        for row_id, ordinal in temporary:
            changes.append({"op": "update", "table": "paragraphs", "key": {"id": row_id},
                            "before": {"ordinal": -ordinal}, "after": {"ordinal": ordinal}})
        return changes

    def _whole(self, old: OldParagraph) -> dict[str, Any]:
        return {"id": old.id, "ordinal": old.ordinal, "text_hash": old.text_hash}

    def _row_id(self, new: NewParagraph) -> int:
        if new.keeps is not None:
            return new.keeps.id
        assert new.row_id is not None
        return new.row_id

    def _codings(self) -> list[Change]:
        conn = self.project.conn
        ids = [p.id for p in self.paragraphs]
        rows: list[dict[str, Any]] = []
        for low in range(0, len(ids), 500):
            chunk = ids[low:low + 500]
            rows += [dict(r) for r in conn.execute(
                f"SELECT * FROM codings WHERE paragraph_id IN ({', '.join('?' * len(chunk))}) "
                "ORDER BY id", chunk)]
        old_by_id = {p.id: p for p in self.paragraphs}
        deletes: list[dict[str, Any]] = []
        updates: list[Change] = []
        moves_to_new: list[Change] = []
        inserts: list[dict[str, Any]] = []
        # Contributions: (new paragraph index, code, coder) -> [(coding row, spans|None)]
        wanted: dict[tuple[int, int, int], list[tuple[dict[str, Any], list[Span] | None]]] = {}
        index_of = {id(n): k for k, n in enumerate(self.news)}
        placed: set[int] = set()
        for row in rows:
            old = old_by_id[row["paragraph_id"]]
            group = self.group_of[old.id]
            spans = load(row["spans"])
            code, coder = self.codes.get(row["code_id"]), self.coders.get(row["coder_id"], "?")
            if group.kind == "removed":
                deletes.append(row)
                self.affected.append(Affected("coding", "removed", code, coder, old.ref, None))
                continue
            if len(group.olds) == 1 and len(group.news) == 1 and not spans:
                placed.add(row["id"])  # a whole coding stays on its paragraph
                continue
            mapped: list[Span] = []
            if spans:
                for span in spans:
                    moved = self.positions.span(span)
                    if moved is None:
                        self.affected.append(Affected(
                            "span", "span gone", code, coder, old.ref,
                            f"{span.start}–{span.end}"))
                    else:
                        mapped.append(moved)
            targets = group.news
            if len(group.olds) == 1 and len(group.news) == 1:
                # Stays on its paragraph; a span that no longer touches it is gone.
                new = group.news[0]
                kept = [s for s in mapped if s.clipped(new.start, new.end)]
                if kept == spans:
                    placed.add(row["id"])
                    continue
                if not kept:
                    continue  # every span's text is gone: so is the coding (listed)
                for span in mapped:
                    if span not in kept:
                        self.affected.append(Affected("span", "span gone", code, coder,
                                                      old.ref, f"{span.start}–{span.end}"))
                key = (index_of[id(new)], row["code_id"], row["coder_id"])
                wanted.setdefault(key, []).append((row, kept if spans else None))
                continue
            if not spans:
                whole = Span(self.positions.start(old.start), self.positions.end(old.end))
                mapped = [whole] if whole.start < whole.end else []
            for new in targets:
                pieces = [Span(low, high, s.selection, s.coding) for s in mapped
                          for low, high in [(max(s.start, new.start),
                                             min(s.end, new.next_start))]
                          if low < high and max(s.start, new.start) < min(s.end, new.end)]
                if pieces:
                    key = (index_of[id(new)], row["code_id"], row["coder_id"])
                    wanted.setdefault(key, []).append((row, pieces if spans else [
                        Span(p.start, min(p.end, new.end)) for p in pieces]))
        claimed: dict[int, tuple[int, int, int]] = {}
        # Each row goes, first, where its own paragraph's text stayed.
        for key, found in wanted.items():
            new = self.news[key[0]]
            for row, _s in found:
                if new.keeps is not None and row["paragraph_id"] == new.keeps.id:
                    claimed.setdefault(row["id"], key)
        for key, found in sorted(wanted.items()):
            new = self.news[key[0]]
            code, coder = self.codes.get(key[1]), self.coders.get(key[2], "?")
            own = next((r for r, _s in found if claimed.get(r["id"]) == key), None)
            if own is None:
                own = next((r for r, _s in found if r["id"] not in claimed
                            and r["id"] not in placed), None)
            spans_after = self._combined(new, found)
            memo = _joined_memos([r["memo"] for r, _s in found])
            sources = {self._old_ref(r) for r, _s in found}
            if own is None:
                template = found[0][0]
                inserts.append({"guid": new_guid(), "paragraph_id": self._row_id(new),
                                "code_id": key[1], "coder_id": key[2], "memo": memo,
                                "created_at": template["created_at"], "spans": spans_after})
                self.affected.append(Affected("coding", "copied", code, coder,
                                              ", ".join(sorted(sources)), self._ref(new)))
                continue
            placed.add(own["id"])
            claimed[own["id"]] = key
            after: dict[str, Any] = {}
            if own["paragraph_id"] != self._row_id(new):
                after["paragraph_id"] = self._row_id(new)
            if own["spans"] != spans_after:
                after["spans"] = spans_after
            if own["memo"] != memo:
                after["memo"] = memo
            if after:
                change = {"op": "update", "table": "codings", "key": {"id": own["id"]},
                          "before": {c: own[c] for c in after}, "after": after}
                (moves_to_new if new.keeps is None else updates).append(change)
            if "paragraph_id" in after or len(found) > 1:
                self.affected.append(Affected("coding", "moved", code, coder,
                                              ", ".join(sorted(sources)), self._ref(new)))
        for row in rows:
            if row["id"] not in placed and self.group_of[row["paragraph_id"]].kind != "removed":
                deletes.append(row)
                if not any(r["id"] == row["id"] for f in wanted.values() for r, _s in f):
                    self.affected.append(Affected(
                        "coding", "removed", self.codes.get(row["code_id"]),
                        self.coders.get(row["coder_id"], "?"), self._old_ref(row), None))
        changes: list[Change] = []
        if deletes:
            changes.append({"op": "delete", "table": "codings",
                            "rows": [{"id": r["id"], "guid": r["guid"]} for r in deletes]})
        changes += moves_to_new + updates
        if inserts:
            changes.append({"op": "insert", "table": "codings", "rows": inserts})
        return changes

    def _old_ref(self, row: dict[str, Any]) -> str:
        return self.refs[row["paragraph_id"]]

    def _combined(self, new: NewParagraph,
                  found: list[tuple[dict[str, Any], list[Span] | None]]) -> str | None:
        """The spans of the one coding a code has on ``new`` from all that land there:
        whole (NULL) when whole codings cover all its text but white space."""
        if any(spans is None for _r, spans in found):
            return None
        spans = [s for _r, found_spans in found for s in (found_spans or [])]
        if all(r["spans"] is None for r, _s in found):
            covered = [False] * len(new.text)
            for span in spans:
                for k in range(max(span.start, new.start) - new.start,
                               min(span.end, new.end) - new.start):
                    covered[k] = True
            if all(c or new.text[k].isspace() for k, c in enumerate(covered)):
                return None
        return dump(spans)

    def _memos(self) -> list[Change]:
        conn = self.project.conn
        moving = [o for g in self.groups for o in g.olds if o.id not in self.kept]
        if not moving:
            return []
        ids = [o.id for o in moving]
        rows = [dict(r) for r in conn.execute(
            "SELECT * FROM memos WHERE target = 'paragraph' AND target_id IN "
            f"({', '.join('?' * len(ids))}) ORDER BY id", ids)]
        changes: list[Change] = []
        by_id = {o.id: o for o in moving}
        # (paragraph, coder) -> (memo id, text) as the changes so far leave them.
        held: dict[tuple[int, int | None], tuple[int, str]] = {}
        for row in rows:
            old = by_id[row["target_id"]]
            group = self.group_of[old.id]
            coder = self.coders.get(row["coder_id"], "?")
            if not group.news:
                changes.append({"op": "delete", "table": "memos",
                                "rows": [{"id": row["id"], "guid": row["guid"]}]})
                self.affected.append(Affected("memo", "removed", None, coder, old.ref, None))
                continue
            target = group.news[0]
            target_id = self._row_id(target)
            slot = (target_id, row["coder_id"])
            if slot not in held:
                found = conn.execute(
                    "SELECT id, text FROM memos WHERE target = 'paragraph' AND target_id = ? "
                    "AND coder_id IS ?", slot).fetchone()
                if found is not None:
                    held[slot] = (int(found[0]), str(found[1]))
            present = held.get(slot)
            if present is None:
                changes.append({"op": "update", "table": "memos", "key": {"id": row["id"]},
                                "before": {"target_id": old.id},
                                "after": {"target_id": target_id}})
                held[slot] = (row["id"], row["text"])
            else:
                joined = _joined_memos([present[1], row["text"]]) or present[1]
                changes.append({"op": "delete", "table": "memos",
                                "rows": [{"id": row["id"], "guid": row["guid"]}]})
                changes.append({"op": "update", "table": "memos", "key": {"id": present[0]},
                                "before": {"text": present[1]}, "after": {"text": joined}})
                held[slot] = (present[0], joined)
            self.affected.append(Affected("memo", "moved", None, coder, old.ref,
                                          self._ref(target)))
        return changes


def _joined_memos(memos: list[str | None]) -> str | None:
    found = list(dict.fromkeys(m for m in memos if m))
    return "\n\n".join(found) if found else None


# -- applying --------------------------------------------------------------------------


def apply(project: Project, edit: EditPlan, *, coder: str) -> int:
    """Write the correction as one event; returns its id. Refuses (changing nothing)
    when the document changed since the plan was made."""
    if not edit.changed:
        raise NothingToDo(f"{edit.document.name}: nothing to change")
    with project.writing():
        # Made again under the write lock: the ids of new rows are handed out now, and
        # what was confirmed must still be what happens.
        fresh = edit.remake() if edit.remake is not None else edit
        if describe(fresh) != describe(edit) or not fresh.changed:
            raise QcodeError(f"{edit.document.name} changed while it was being corrected; "
                             "nothing changed (run the edit again)")
        return project.record(coder, "edit", fresh.summary(), fresh.changes)


def describe(edit: EditPlan) -> list[str]:
    """The plan as lines for a person: what happens to which paragraphs, and to the
    codings, spans and memos on them."""
    lines = [edit.summary()]
    for group in edit.groups:
        if group.kind == "unchanged":
            continue
        old = " + ".join(o.ref for o in group.olds)
        new = " + ".join(n.label or f"¶{n.ordinal}" for n in group.news)
        if group.kind == "added":
            lines.append(f"  added    {new}: {_preview(group.news[0].text)}")
        elif group.kind == "removed":
            lines.append(f"  removed  {old}: {_preview(group.olds[0].text)}")
        else:
            lines.append(f"  {group.kind:<8} {old} -> {new}")
    for item in edit.affected:
        where = f" {item.where}" + (f" -> {item.to}" if item.to else "")
        code = f" {item.code!r}" if item.code else ""
        lines.append(f"  {item.fate}: {item.what}{code} ({item.coder}){where}")
    return lines


def _preview(text: str, width: int = 50) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


__all__ = ["EditPlan", "apply", "describe", "parse", "plan", "plan_paragraph", "render"]
