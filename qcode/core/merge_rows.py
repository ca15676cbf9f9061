"""The per-coder rows of a project merge: codings, memos and review marks.

A plain merge (``qcode merge``) adds what the other file has and this one lacks, and
changes nothing that is here. A sync (:mod:`qcode.core.sync`) knows more, and says so
with an :class:`Authority`, because there every coder publishes a file of their own:

- the file of a coder speaks for that coder (``owner``): their codings, memos and
  review marks here become what that file holds — what they removed or rewrote there
  is removed or rewritten here — on everything the file knows (its documents, codes);
- it says nothing about coders who publish their own file (``others``): their rows
  come from that file alone, so an old copy never brings back what they removed. The
  coder who syncs is one of them: their own project is the authority on their work.

Rows of coders nobody publishes for (the consensus coder, coders imported from another
tool) are added from any file, as a plain merge adds them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qcode.core.ids import fold, new_guid
from qcode.core.spans import dump, load, merged, shifted
from qcode.core.store.changes import Change
from qcode.core.store.rows import batch


@dataclass(frozen=True)
class Authority:
    """Whose rows a file speaks for: ``owner`` and ``others`` are coder names as ``key``
    gives them (by default :func:`qcode.core.ids.fold`, the name half of the one coder
    identity rule; a sync uses the form its file names carry, which folds the same)."""

    owner: str | None = None
    others: frozenset[str] = frozenset()
    key: Callable[[str], str] = fold


@dataclass
class Placement:
    """Where the other file's rows land: their ids mapped to ours, and the writer."""

    ours: sqlite3.Connection
    theirs: sqlite3.Connection
    coders: dict[int, int]
    codes: dict[int, int]
    documents: dict[int, int]
    paragraphs: dict[int, int]
    apply: Callable[[Change], Change]
    progress: Callable[[int, int], None] | None = None
    # Their coding id -> ours, for each coding copied (what hangs off a coding follows it).
    codings: dict[int, int] = field(default_factory=dict)
    # Their paragraph id -> how far its offsets move here (the same paragraph at another
    # place in the same text): exact selection spans move with it.
    shift: dict[int, int] = field(default_factory=dict)


@dataclass
class RowTally:
    """What came in, what went, and what could not be placed."""

    codings_added: int = 0
    codings_present: int = 0
    codings_removed: int = 0
    codings_updated: int = 0
    # Codings here that gained the exact selections the same coding has there.
    codings_widened: int = 0
    memos_added: int = 0
    memos_updated: int = 0
    memos_removed: int = 0
    reviews_added: int = 0
    reviews_removed: int = 0
    unplaced: list[str] = field(default_factory=list)


class RowMerge:
    """Codings, memos and review marks from their file into ours, under ``authority``."""

    def __init__(self, place: Placement, authority: Authority | None) -> None:
        self.place = place
        self.tally = RowTally()
        self.skip: set[int] = set()
        self.owner: int | None = None  # their id of the coder the file speaks for
        authority = authority or Authority()
        for their_id, name in place.theirs.execute("SELECT id, name FROM coders"):
            folded = authority.key(name)
            if folded == authority.owner:
                self.owner = their_id
            elif folded in authority.others:
                self.skip.add(their_id)
        # Our id of that coder, whose rows here the file may also take away.
        self.owner_here = place.coders.get(self.owner) if self.owner is not None else None

    def run(self) -> RowTally:
        """All three kinds of rows; returns the tally."""
        self.codings()
        self.memos()
        self.reviews()
        return self.tally

    # -- codings ----------------------------------------------------------------------

    def codings(self) -> None:
        """Their codings placed on our paragraphs; the owner's also removed and their
        memos rewritten where the file says so. Only the coders whose codings come in
        are read, on either side, each coder's through the coder index."""
        place, tally = self.place, self.tally
        taken = sorted(t for t in place.coders if t not in self.skip)
        if not taken:
            return
        # (paragraph, code) -> (id, memo, spans) of each incoming coder's codings here.
        here = {ours: {(r[0], r[1]): (r[2], r[3], r[4]) for r in place.ours.execute(
                    "SELECT paragraph_id, code_id, id, memo, spans FROM codings "
                    "WHERE coder_id = ?", (ours,))}
                for ours in {place.coders[t] for t in taken}}
        owned = here.get(self.owner_here, {}) if self.owner_here is not None else {}
        kept: set[tuple[int, int]] = set()
        values: list[list[Any]] = []
        sources: list[int] = []
        unplaced: list[int] = []
        updates: list[Change] = []
        widened: dict[int, tuple[str | None, str | None]] = {}
        marks = ", ".join("?" * len(taken))
        total = place.theirs.execute(
            f"SELECT COUNT(*) FROM codings WHERE coder_id IN ({marks})", taken).fetchone()[0]
        paragraphs, codes, coders, shift = place.paragraphs, place.codes, place.coders, place.shift
        for number, (their_id, guid, their_paragraph, code, coder, memo, created, spans,
                     origin) in enumerate(place.theirs.execute(
                    "SELECT id, guid, paragraph_id, code_id, coder_id, memo, created_at, spans, "
                    f"origin FROM codings WHERE coder_id IN ({marks}) ORDER BY id", taken),
                    start=1):
            if place.progress and (number % 2000 == 0 or number == total):
                place.progress(number, total)
            paragraph = paragraphs.get(their_paragraph)
            if paragraph is None:
                unplaced.append(their_id)
                continue
            if spans is not None and their_paragraph in shift:
                spans = dump(shifted(load(spans), shift[their_paragraph]))
            pair = (paragraph, codes[code])
            mine = here[coders[coder]].get(pair)
            if coder == self.owner:
                kept.add(pair)
                if mine is not None and (mine[1], mine[2]) != (memo, spans):
                    # The owner's file speaks for them: its memo and selections hold.
                    updates.append({"op": "update", "table": "codings", "key": {"id": mine[0]},
                                    "before": {"memo": mine[1], "spans": mine[2]},
                                    "after": {"memo": memo, "spans": spans}})
            elif mine is not None and mine[0] is not None:
                # The same coding with other exact selections: it holds them all.
                before = widened[mine[0]][0] if mine[0] in widened else mine[2]
                both = merged(mine[2], spans)
                if both != mine[2]:
                    widened[mine[0]] = (before, both)
                    here[coders[coder]][pair] = (mine[0], mine[1], both)
            if mine is not None:
                tally.codings_present += 1
                continue
            here[coders[coder]][pair] = (None, memo, spans)
            values.append([guid, pair[0], pair[1], coders[coder], memo, created, spans,
                           origin])
            sources.append(their_id)
        tally.unplaced += self._unplaced(unplaced)
        gone = self._owned_elsewhere(owned, kept)
        if gone:
            place.apply({"op": "delete", "table": "codings", "rows": [{"id": i} for i in gone]})
            tally.codings_removed = len(gone)
        for update in updates:
            place.apply(update)
        tally.codings_updated = len(updates)
        for coding_id, (before, after) in widened.items():
            place.apply({"op": "update", "table": "codings", "key": {"id": coding_id},
                         "before": {"spans": before}, "after": {"spans": after}})
        tally.codings_widened = len(widened)
        self._add_codings(values, sources)

    def _unplaced(self, their_ids: list[int]) -> list[str]:
        """Their codings whose paragraph is not here, described."""
        lines = []
        for start in range(0, len(their_ids), 500):
            chunk = their_ids[start:start + 500]
            lines += [f"{r[0]} {r[1] or f'¶{r[2]}'} '{r[3]}': the paragraph's text differs here"
                      for r in self.place.theirs.execute(
                          "SELECT d.name, p.label, p.ordinal, k.name FROM codings c "
                          "JOIN paragraphs p ON p.id = c.paragraph_id "
                          "JOIN documents d ON d.id = p.document_id "
                          "JOIN codes k ON k.id = c.code_id "
                          f"WHERE c.id IN ({', '.join('?' * len(chunk))}) ORDER BY c.id",
                          chunk)]
        return lines

    def _owned_elsewhere(self, owned: dict[tuple[int, int], tuple[int, str | None, str | None]],
                         kept: set[tuple[int, int]]) -> list[int]:
        """The owner's codings here that their file no longer has, on paragraphs and
        codes their file knows (what it does not know, it cannot speak for)."""
        paragraphs, codes = set(self.place.paragraphs.values()), set(self.place.codes.values())
        return sorted(coding_id for (paragraph, code), (coding_id, _memo, _spans) in owned.items()
                      if (paragraph, code) not in kept and paragraph in paragraphs
                      and code in codes)

    def _add_codings(self, values: list[list[Any]], sources: list[int]) -> None:
        """The one place codings are copied in (``values``: guid, paragraph, code,
        coder, memo, created_at, spans, origin). Rows of a table that hangs off a coding (an exact
        selection span, say) follow here: ``place.codings`` maps each of their coding
        ids to the id the coding has here."""
        if not values:
            return
        # A GUID is kept unless a coding here has it already (an index on it would be
        # the largest on the table; see the schema), so they are looked at only now.
        guids = {r[0] for r in self.place.ours.execute("SELECT guid FROM codings")}
        for row in values:
            if row[0] in guids:
                row[0] = new_guid()
            guids.add(row[0])
        realised = self.place.apply({"op": "insert", "table": "codings", "rows": {
            "same": {}, "values": values,
            "columns": ["guid", "paragraph_id", "code_id", "coder_id", "memo", "created_at",
                        "spans", "origin"]}})
        stored = batch(realised["rows"])
        ids = stored.column("id") if stored is not None else []
        self.place.codings.update(zip(sources, ids, strict=True))
        self.tally.codings_added = len(values)

    # -- memos ------------------------------------------------------------------------

    def memos(self) -> None:
        """Their memos on our documents, paragraphs, codes and the project."""
        place, tally = self.place, self.tally
        guids = {r[0] for r in place.ours.execute("SELECT guid FROM memos")}
        here = {(r["target"], r["target_id"], r["coder_id"]): (r["id"], r["text"])
                for r in place.ours.execute("SELECT id, target, target_id, coder_id, text "
                                            "FROM memos")}
        targets = {"document": place.documents, "paragraph": place.paragraphs,
                   "code": place.codes}
        kept: set[tuple[str, int | None, int]] = set()
        rows: list[dict[str, Any]] = []
        for m in place.theirs.execute("SELECT * FROM memos ORDER BY id"):
            if m["coder_id"] in self.skip:
                continue
            target_id = m["target_id"]
            if m["target"] in targets:
                target_id = targets[m["target"]].get(target_id)
                if target_id is None:
                    tally.unplaced.append(f"memo on {m['target']} #{m['target_id']}")
                    continue
            coder_id = place.coders.get(m["coder_id"]) if m["coder_id"] is not None else None
            key = (m["target"], target_id, coder_id)
            existing = here.get(key)
            if m["coder_id"] is not None and m["coder_id"] == self.owner:
                assert coder_id is not None
                kept.add((m["target"], target_id, coder_id))
                if existing is not None:
                    if existing[1] != m["text"]:
                        place.apply({"op": "update", "table": "memos",
                                     "key": {"id": existing[0]}, "before": {"text": existing[1]},
                                     "after": {"text": m["text"]}})
                        tally.memos_updated += 1
                    continue
            elif m["guid"] in guids:
                continue
            elif existing is not None:
                tally.unplaced.append(
                    f"memo on {m['target']} #{m['target_id']}: that coder already has one here")
                continue
            guid = m["guid"] if m["guid"] not in guids else new_guid()
            guids.add(guid)
            here[key] = (0, m["text"])
            rows.append({"guid": guid, "target": m["target"], "target_id": target_id,
                         "coder_id": coder_id, "text": m["text"], "created_at": m["created_at"]})
        gone = [memo_id for (target, target_id, coder_id), (memo_id, _text) in here.items()
                if memo_id and coder_id == self.owner_here and self.owner_here is not None
                and (target, target_id, coder_id) not in kept
                and self._known(target, target_id)]
        if gone:
            place.apply({"op": "delete", "table": "memos", "rows": [{"id": i} for i in gone]})
            tally.memos_removed = len(gone)
        if rows:
            place.apply({"op": "insert", "table": "memos", "rows": rows})
            tally.memos_added = len(rows)

    def _known(self, target: str, target_id: int | None) -> bool:
        """Whether their file knows what a memo here is on (the project it always does)."""
        mapped = {"document": self.place.documents, "paragraph": self.place.paragraphs,
                  "code": self.place.codes}.get(target)
        return mapped is None or target_id in set(mapped.values())

    # -- review marks -------------------------------------------------------------------

    def reviews(self) -> None:
        """Their "I reviewed this document" marks (which agreement stands on)."""
        place = self.place
        here = {(r[0], r[1]) for r in place.ours.execute(
            "SELECT document_id, coder_id FROM reviews")}
        kept: set[tuple[int, int]] = set()
        rows = []
        for r in place.theirs.execute("SELECT * FROM reviews ORDER BY document_id, coder_id"):
            if r["coder_id"] in self.skip or r["document_id"] not in place.documents:
                continue
            key = (place.documents[r["document_id"]], place.coders[r["coder_id"]])
            kept.add(key)
            if key not in here:
                here.add(key)
                rows.append({"document_id": key[0], "coder_id": key[1],
                             "reviewed_at": r["reviewed_at"]})
        documents = set(place.documents.values())
        gone = [{"document_id": d, "coder_id": k} for d, k in sorted(here)
                if self.owner_here is not None and k == self.owner_here
                and (d, k) not in kept and d in documents]
        if gone:
            place.apply({"op": "delete", "table": "reviews", "rows": gone})
            self.tally.reviews_removed = len(gone)
        if rows:
            place.apply({"op": "insert", "table": "reviews", "rows": rows})
            self.tally.reviews_added = len(rows)
