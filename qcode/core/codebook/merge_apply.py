"""Turning the accepted proposals of a :class:`MergePlan` into row changes.

:func:`merge_changes` only reads: it works out, on a copy of the code tree, what the
tree will look like after the merge, checks it (no two siblings with one name, no code
under its own sub-code), and returns the row changes that get there, for
:meth:`qcode.Project.merge_codebook` to record as one event. New codes get their ids
here, inside the caller's transaction, so a child can point at a parent added in the
same change list. Because nothing is written, a dry run can call it too and report
exactly what would happen, errors included.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from qcode.core.codebook.match import TreeIndex
from qcode.core.codebook.merge import MergePlan, Proposal, fingerprint
from qcode.core.codebook.model import TEXT_FIELDS, CodeSpec
from qcode.core.errors import ConflictError, QcodeError
from qcode.core.ids import fold, now
from qcode.core.reading import ProjectReader
from qcode.core.spans import folded_spans, merged
from qcode.core.store.changes import Change

_COLUMNS = ("name", "parent_id", "position", "colour", "codable", *TEXT_FIELDS)
# Project setting holding {folded-away GUID: GUID of the code it became}, as JSON.
ALIASES = "codebook_aliases"


@dataclass(frozen=True)
class MergeOutcome:
    """What a merge did (or, from a dry run, would do)."""

    added: int = 0
    renamed: int = 0
    moved: int = 0
    recoloured: int = 0
    fields: int = 0
    merged: int = 0
    folded: int = 0
    codings_reassigned: int = 0
    changed: bool = False
    event_id: int | None = None
    summary: str = ""


def load_aliases(reader: ProjectReader) -> dict[str, str]:
    """GUIDs earlier merges folded away, each with the GUID of the code it became."""
    raw = reader.meta(ALIASES)
    try:
        data = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _clean(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        return value.strip() or None
    return value


class _Tree:
    """The project's code rows as they will be after the merge."""

    def __init__(self, reader: ProjectReader) -> None:
        self.rows: dict[int, dict[str, Any]] = {}
        self.original: dict[int, dict[str, Any]] = {}
        self.by_guid: dict[str, int] = {}
        for code in reader.codes():
            row = {key: _clean(getattr(code, key)) for key in _COLUMNS}
            self.rows[code.id] = row
            self.original[code.id] = dict(row)
            self.by_guid[code.guid] = code.id
        self.deleted: set[int] = set()
        self.inserted: list[dict[str, Any]] = []

    def next_position(self, parent_id: int | None) -> int:
        positions = [row["position"] for key, row in self.rows.items()
                     if row["parent_id"] == parent_id and key not in self.deleted]
        return max(positions, default=-1) + 1

    def place(self, code_id: int, parent_id: int | None) -> bool:
        row = self.rows[code_id]
        if row["parent_id"] == parent_id:
            return False
        row["parent_id"] = parent_id
        row["position"] = self.next_position(parent_id)
        return True

    def children(self, code_id: int) -> list[int]:
        return [key for key, row in self.rows.items()
                if row["parent_id"] == code_id and key not in self.deleted]

    def check(self, source: str) -> None:
        """No two siblings share a (folded) name; no code sits under itself."""
        seen: dict[tuple[int | None, str], str] = {}
        live = {k: r for k, r in self.rows.items() if k not in self.deleted}
        for row in live.values():
            key = (row["parent_id"], fold(row["name"]))
            if key in seen:
                where = ("at the top level" if row["parent_id"] is None
                         else f"under {live[row['parent_id']]['name']!r}")
                raise QcodeError(
                    f"merging {source} would put two codes named {seen[key]!r} and "
                    f"{row['name']!r} {where}; rename one and merge again")
            seen[key] = row["name"]
        for code_id, row in live.items():
            up, steps = row["parent_id"], 0
            while up is not None:
                steps += 1
                if up == code_id or steps > len(live):
                    raise QcodeError(f"merging {source} would put {row['name']!r} under its "
                                     "own sub-code; move it in one of the codebooks first")
                up = live[up]["parent_id"]


def merge_changes(reader: ProjectReader, plan: MergePlan) -> tuple[list[Change], MergeOutcome]:
    """The row changes that apply ``plan``'s accepted proposals, and a tally of them."""
    if fingerprint(reader.codebook()) != plan.ours_fingerprint:
        raise ConflictError("the project's codebook has changed since this merge was "
                            "planned; plan it again")
    return _Merge(reader, plan).run()


class _Merge:
    def __init__(self, reader: ProjectReader, plan: MergePlan) -> None:
        self.reader, self.plan = reader, plan
        self.tree = _Tree(reader)
        self.theirs = TreeIndex(plan.theirs)
        self.tally: dict[str, int] = dict.fromkeys(
            ("added", "renamed", "moved", "recoloured", "fields", "merged", "folded",
             "codings_reassigned"), 0)
        # theirs GUID -> the project code it becomes (None: declined, not added)
        self.target: dict[str, int | None] = {
            t: self.tree.by_guid[o] for t, o in plan.matched.items()}
        self.changes: list[Change] = []

    def run(self) -> tuple[list[Change], MergeOutcome]:
        applied = self.plan.accepted()
        for proposal in self.plan.proposals:
            if proposal.kind == "merge" and proposal.accepted:
                assert proposal.ours is not None and proposal.theirs is not None
                self.target[proposal.theirs.guid] = self.tree.by_guid[proposal.ours.guid]
                self.tally["merged"] += 1
        # a declined merge means their code is new after all
        self._add_codes({p.theirs.guid for p in self.plan.proposals if p.theirs and (
            (p.kind == "add" and p.accepted) or (p.kind == "merge" and not p.accepted))})
        for proposal in applied:
            self._update(proposal)
        codings: tuple[list[dict[str, Any]], list[dict[str, Any]]] = ([], [])
        memos: list[Change] = []
        for proposal in applied:
            if proposal.kind == "duplicate":
                self._fold(proposal, codings, memos)
        self.tree.check(self.plan.source)
        self._collect(codings, memos)
        self._remember_aliases(applied)
        outcome = MergeOutcome(**self.tally, changed=bool(self.changes),
                               summary=self._summary())
        return self.changes, outcome

    def _parent_for(self, theirs_guid: str) -> int | None:
        """The project code that their code's parent becomes (nearest one added)."""
        parent = self.theirs.parent[theirs_guid]
        while parent is not None:
            found = self.target.get(parent)
            if found is not None:
                return found
            parent = self.theirs.parent[parent]
        return None

    def _add_codes(self, wanted: set[str]) -> None:
        next_id = self._next_id()
        stamp = now()
        for guid in self.theirs.order:
            if guid in self.target:
                continue
            if guid not in wanted:
                self.target[guid] = None
                continue
            spec: CodeSpec = self.theirs.spec[guid]
            parent_id = self._parent_for(guid)
            row = {key: _clean(getattr(spec, key)) for key in ("name", "colour", "codable",
                                                                *TEXT_FIELDS)}
            row |= {"parent_id": parent_id, "position": self.tree.next_position(parent_id)}
            self.tree.rows[next_id] = dict(row)
            self.tree.inserted.append({"id": next_id, "guid": guid, **row, "created_at": stamp})
            self.target[guid] = next_id
            next_id += 1
            self.tally["added"] += 1

    def _next_id(self) -> int:
        row = self.reader.conn.execute(
            "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'codes'), 0), "
            "COALESCE((SELECT MAX(id) FROM codes), 0))").fetchone()
        return int(row[0]) + 1

    def _update(self, proposal: Proposal) -> None:
        if proposal.ours is None or proposal.theirs is None or proposal.kind in {
                "add", "merge", "duplicate"}:
            return
        code_id = self.tree.by_guid[proposal.ours.guid]
        row = self.tree.rows[code_id]
        if proposal.kind == "rename":
            row["name"] = _clean(proposal.after)
        elif proposal.kind == "move":
            if self.tree.place(code_id, self._parent_for(proposal.theirs.guid)):
                self.tally["moved"] += 1
            return
        elif proposal.kind == "recolour":
            row["colour"] = proposal.after
        elif proposal.kind == "codable":
            row["codable"] = int(bool(proposal.after))
        elif proposal.kind == "text" and proposal.field in TEXT_FIELDS:
            row[proposal.field] = _clean(proposal.after)
        key = {"rename": "renamed", "recolour": "recoloured"}.get(proposal.kind, "fields")
        self.tally[key] += 1

    def _fold(self, proposal: Proposal, codings: tuple[list[dict[str, Any]],
              list[dict[str, Any]]], memos: list[Change]) -> None:
        """One of our codes becomes another: codings, sub-codes, texts and memos move."""
        assert proposal.ours is not None and proposal.into is not None
        source = self.tree.by_guid[proposal.ours.guid]
        target = self.tree.by_guid[proposal.into.guid]
        name = self.tree.rows[source]["name"]
        for child in self.tree.children(source):
            self.tree.place(child, target)
        survivor, gone = self.tree.rows[target], self.tree.rows[source]
        for key in TEXT_FIELDS:
            if gone[key] and not survivor[key]:
                survivor[key] = gone[key]
            elif gone[key] and gone[key] not in survivor[key]:
                survivor[key] = f"{survivor[key]} / from merged code {name!r}: {gone[key]}"
        deleted, inserted = codings
        conn = self.reader.conn
        on_target = {(r[1], r[2]): (r[0], r[3]) for r in conn.execute(
            "SELECT id, paragraph_id, coder_id, spans FROM codings WHERE code_id = ?",
            (target,))}
        pending = {(r["paragraph_id"], r["coder_id"]): r for r in inserted
                   if r["code_id"] == target}
        collapsed = []
        for row in conn.execute("SELECT * FROM codings WHERE code_id = ?", (source,)):
            deleted.append({"id": row["id"]})
            pair = (row["paragraph_id"], row["coder_id"])
            if pair in pending:
                # Folded into a coding this merge moves too: it takes the spans along.
                pending[pair]["spans"] = merged(pending[pair].get("spans"), row["spans"])
            elif pair in on_target:
                collapsed.append(dict(row))
            else:
                pending[pair] = {**dict(row), "code_id": target}
                inserted.append(pending[pair])
            self.tally["codings_reassigned"] += 1
        memos.extend(folded_spans(collapsed, on_target))
        memos.extend(self._move_memos(source, target, name))
        self.tree.deleted.add(source)
        self.tally["folded"] += 1

    def _move_memos(self, source: int, target: int, name: str) -> list[Change]:
        conn = self.reader.conn
        kept = {r["coder_id"]: r for r in conn.execute(
            "SELECT * FROM memos WHERE target = 'code' AND target_id = ?", (target,))}
        changes: list[Change] = []
        for memo in conn.execute(
                "SELECT * FROM memos WHERE target = 'code' AND target_id = ?", (source,)):
            other = kept.get(memo["coder_id"])
            if other is None:
                changes.append({"op": "update", "table": "memos", "key": {"id": memo["id"]},
                                "before": {"target_id": source}, "after": {"target_id": target}})
                continue
            text = f"{other['text']}\n\nFrom merged code {name!r}: {memo['text']}"
            changes.append({"op": "update", "table": "memos", "key": {"id": other["id"]},
                            "before": {"text": other["text"]}, "after": {"text": text}})
            changes.append({"op": "delete", "table": "memos", "rows": [{"id": memo["id"]}]})
        return changes

    def _collect(self, codings: tuple[list[dict[str, Any]], list[dict[str, Any]]],
                 memos: list[Change]) -> None:
        tree = self.tree
        if tree.inserted:
            self.changes.append({"op": "insert", "table": "codes", "rows": tree.inserted})
        for code_id, before in tree.original.items():
            if code_id in tree.deleted:
                continue
            after = {k: v for k, v in tree.rows[code_id].items() if before[k] != v}
            if after:
                self.changes.append({"op": "update", "table": "codes", "key": {"id": code_id},
                                     "before": {k: before[k] for k in after}, "after": after})
        deleted, inserted = codings
        if deleted:
            self.changes.append({"op": "delete", "table": "codings", "rows": deleted})
        if inserted:
            self.changes.append({"op": "insert", "table": "codings", "rows": inserted})
        self.changes.extend(memos)
        if tree.deleted:
            self.changes.append({"op": "delete", "table": "codes",
                                 "rows": [{"id": i} for i in sorted(tree.deleted)]})

    def _remember_aliases(self, applied: list[Proposal]) -> None:
        """Record which GUIDs now stand for which code, so the next merge of a file
        carrying them pairs them without guessing again."""
        raw = self.reader.meta(ALIASES)
        known = load_aliases(self.reader)
        folded = {p.ours.guid: p.into.guid for p in applied
                  if p.kind == "duplicate" and p.ours and p.into}
        aliases = {k: folded.get(v, v) for k, v in known.items()} | folded
        for p in applied:
            if p.kind == "merge" and p.ours and p.theirs and p.theirs.guid != p.ours.guid:
                aliases[p.theirs.guid] = folded.get(p.ours.guid, p.ours.guid)
        if aliases == known:
            return
        value = json.dumps(aliases, sort_keys=True)
        if raw is None:
            self.changes.append({"op": "insert", "table": "meta",
                                 "rows": [{"key": ALIASES, "value": value}]})
        else:
            self.changes.append({"op": "update", "table": "meta", "key": {"key": ALIASES},
                                 "before": {"value": raw}, "after": {"value": value}})

    def _summary(self) -> str:
        t = self.tally
        parts = [_count(t[key], *words) for key, words in (
            ("added", ("code added", "codes added")), ("renamed", ("renamed", "renamed")),
            ("moved", ("moved", "moved")), ("recoloured", ("recoloured", "recoloured")),
            ("fields", ("field updated", "fields updated")),
            ("merged", ("of theirs merged", "of theirs merged")),
            ("folded", ("duplicate folded", "duplicates folded")),
            ("codings_reassigned", ("coding reassigned", "codings reassigned"))) if t[key]]
        return f"merge codebook from {self.plan.source}: " + (", ".join(parts) or "no changes")


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"
