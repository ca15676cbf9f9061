"""The codebook side of a project merge (``qcode merge``, ``qcode sync``): which of their
codes is which of ours, and whose edit of a code wins.

Codes pair as the codebook merge pairs them (:func:`qcode.core.codebook.match.sure_pairs`:
by GUID, by a GUID an earlier codebook merge folded away, by the same name at the same
place, by a name unique on both sides); a code of theirs without a partner is added,
unless a code of ours by that name already sits where it would go (then it is that
code: a code renamed on one machine and created under the new name on another ends as
one). Name-similarity guesses are never made here: a project merge does not ask.

A paired code whose name, place, colour, folder flag or texts differ is settled by its
history on either side, read from each file's event log (every change to a code is an
event, including the ones earlier merges brought in). For each field, the values it
has had, oldest first:

- one history continues the other (ours ``[A]``, theirs ``[A, B]``): the longer one is
  newer — theirs is taken, or ours kept;
- otherwise, when one side has been through the other's current value and not the
  other way round, that side moved on from it and is newer;
- otherwise both changed it since they last agreed: a conflict, reported in words and
  never guessed — ours is kept until someone settles it by hand.

A change that would put two codes of one name side by side, or a code under its own
sub-code, is reported the same way and not made.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from qcode.core.codebook.match import TreeIndex, sure_pairs
from qcode.core.codebook.merge_apply import load_aliases
from qcode.core.codebook.model import TEXT_FIELDS
from qcode.core.controls import check_name
from qcode.core.ids import fold, new_guid, now
from qcode.core.project_file import ProjectFile
from qcode.core.store.changes import Change
from qcode.core.store.rows import unpack

# The fields a merge settles, "parent" being the parent's GUID (positions are not:
# siblings may sit in a different order on each machine).
FIELDS = ("name", "parent", "colour", "codable", *TEXT_FIELDS)
_WORDS = {"parent": "place", "codable": "folder flag", "when_to_use": "when to use",
          "when_not_to_use": "when not to use", "example_ref": "example source"}

History = dict[str, dict[str, list[Any]]]


@dataclass
class CodeOutcome:
    """What the codebook side of a merge did: their code ids mapped to ours, and lines
    for the report."""

    codes: dict[int, int] = field(default_factory=dict)
    matched: int = 0
    added: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def histories(conn: sqlite3.Connection) -> History:
    """For each code GUID, each field's values over time from the event log, oldest
    first, repeats in a row collapsed. Only events that touch codes are parsed."""
    found: History = {}
    guid_of: dict[int, str] = {}
    for (text,) in conn.execute(
            "SELECT changes FROM events WHERE changes LIKE '%\"codes\"%' ORDER BY id"):
        for change in json.loads(text):
            if change.get("table") != "codes":
                continue
            if change["op"] == "insert":
                rows = unpack(change["rows"])
                # Ids first: a parent may come in the same change as its children.
                guid_of.update((row["id"], row["guid"]) for row in rows if "id" in row)
                for row in rows:
                    _record(found.setdefault(row["guid"], {}), row, guid_of)
            elif change["op"] == "update":
                guid = guid_of.get(change["key"].get("id"))
                if guid is not None:
                    _record(found.setdefault(guid, {}), change["after"], guid_of)
    return found


def _record(history: dict[str, list[Any]], values: dict[str, Any],
            guid_of: dict[int, str]) -> None:
    for name in FIELDS:
        column = "parent_id" if name == "parent" else name
        if column not in values:
            continue
        value = values[column]
        if name == "parent":
            value = guid_of.get(value) if value is not None else None
        _push(history.setdefault(name, []), _clean(name, value))


def _push(values: list[Any], value: Any) -> None:
    if not values or values[-1] != value:
        values.append(value)


def _clean(name: str, value: Any) -> Any:
    if name == "codable":
        return int(bool(value)) if value is not None else 1
    if isinstance(value, str):
        return value.strip() or None
    return value


def settle(ours: list[Any], theirs: list[Any]) -> str:
    """Whose value of one field is newer: "same", "ours", "theirs" or "conflict".
    Both histories end with the current value."""
    if ours[-1] == theirs[-1]:
        return "same"
    if theirs[:len(ours)] == ours:
        return "theirs"
    if ours[:len(theirs)] == theirs:
        return "ours"
    ours_moved_on, theirs_moved_on = theirs[-1] in ours, ours[-1] in theirs
    if theirs_moved_on and not ours_moved_on:
        return "theirs"
    if ours_moved_on and not theirs_moved_on:
        return "ours"
    return "conflict"


class CodeMerge:
    """Maps and settles their codebook into ours inside the merge's transaction;
    ``apply`` performs a change (and keeps it for the merge's event)."""

    def __init__(self, ours: ProjectFile, theirs: ProjectFile, label: str,
                 apply: Callable[[Change], Change]) -> None:
        self.ours, self.theirs, self.label, self.apply = ours, theirs, label, apply
        self.conn = ours.conn
        self.outcome = CodeOutcome()

    def run(self) -> CodeOutcome:
        """Pair, add, then settle every paired code's fields."""
        mine, theirs = TreeIndex(self.ours.codebook()), TreeIndex(self.theirs.codebook())
        pairs = {p.theirs: p.ours for p in sure_pairs(mine, theirs,
                                                      load_aliases(self.ours)).pairs}
        our_rows = {r["guid"]: dict(r) for r in self.conn.execute("SELECT * FROM codes")}
        their_rows = {r["guid"]: dict(r) for r in self.theirs.conn.execute(
            "SELECT * FROM codes")}
        their_guid = {row["id"]: guid for guid, row in their_rows.items()}
        for guid in theirs.order:  # parents first
            check_name(theirs.spec[guid].name, "code", str(self.theirs.path))
            partner = pairs.get(guid)
            if partner is None:
                partner = self._add(guid, their_rows[guid], their_guid, pairs)
                pairs[guid] = partner
            else:
                self.outcome.matched += 1
            self.outcome.codes[their_rows[guid]["id"]] = self._id(partner)
        ours_history, theirs_history = histories(self.conn), histories(self.theirs.conn)
        our_guid = {row["id"]: guid for guid, row in our_rows.items()}
        for guid in theirs.order:
            partner = pairs[guid]
            if partner not in our_rows:
                continue  # added just now: nothing to settle
            ours_now = _values(our_rows[partner], our_guid)
            theirs_now = _values(their_rows[guid], their_guid, pairs)
            ours_past = ours_history.get(partner, {})
            theirs_past = {name: [pairs.get(v, v) if name == "parent" else v for v in values]
                           for name, values in theirs_history.get(guid, {}).items()}
            self._settle(partner, ours_now, theirs_now, ours_past, theirs_past)
        return self.outcome

    # -- adding ---------------------------------------------------------------------

    def _add(self, guid: str, row: dict[str, Any], their_guid: dict[int, str],
             pairs: dict[str, str]) -> str:
        """Their code with no partner: added under its parent's counterpart, or, when
        a code of that name is already there, taken to be that code."""
        parent = pairs.get(their_guid[row["parent_id"]]) if row["parent_id"] else None
        parent_id = self._id(parent) if parent else None
        same_name = self._named(row["name"], parent_id)
        if same_name is not None:
            self.outcome.matched += 1
            return same_name
        given = guid
        if self.conn.execute("SELECT 1 FROM codes WHERE guid = ?", (guid,)).fetchone():
            # (Codes pair by GUID first, so this is another code's: never share one.)
            given = new_guid()
        position = self.conn.execute(
            "SELECT COALESCE(MAX(position) + 1, 0) FROM codes WHERE parent_id IS ?",
            (parent_id,)).fetchone()[0]
        values = {k: row[k] for k in ("name", "colour", "codable", *TEXT_FIELDS)}
        self.apply({"op": "insert", "table": "codes", "rows": [{
            "guid": given, **values, "parent_id": parent_id, "position": position,
            "created_at": now()}]})
        self.outcome.added.append(self.theirs.code_path(self.theirs.code(guid)))
        return given

    def _id(self, guid: str) -> int:
        return int(self.conn.execute("SELECT id FROM codes WHERE guid = ?",
                                     (guid,)).fetchone()[0])

    def _named(self, name: str, parent_id: int | None,
               besides: int | None = None) -> str | None:
        for row in self.conn.execute("SELECT id, guid, name FROM codes WHERE parent_id IS ?",
                                     (parent_id,)):
            if row["id"] != besides and fold(row["name"]) == fold(name):
                return str(row["guid"])
        return None

    # -- settling -------------------------------------------------------------------

    def _settle(self, guid: str, ours: dict[str, Any], theirs: dict[str, Any],
                ours_past: dict[str, list[Any]], theirs_past: dict[str, list[Any]]) -> None:
        code_id = self._id(guid)
        taken: dict[str, Any] = {}
        for name in FIELDS:
            if ours[name] == theirs[name]:
                continue
            verdict = settle(_ending(ours_past.get(name), ours[name]),
                             _ending(theirs_past.get(name), theirs[name]))
            if verdict == "theirs":
                problem = self._blocked(code_id, name, theirs, ours)
                if problem is None:
                    taken[name] = theirs[name]
                    continue
                self.outcome.conflicts.append(
                    f"{ours['name']!r}: {self.label} {_describe(name, theirs[name])}, but "
                    f"{problem} (kept ours)")
            elif verdict == "conflict":
                self.outcome.conflicts.append(self._conflict(name, ours, theirs))
        if not taken:
            return
        after = {("parent_id" if k == "parent" else k): v for k, v in taken.items()}
        if "parent" in taken:
            after["parent_id"] = self._id(taken["parent"]) if taken["parent"] else None
            after["position"] = self.conn.execute(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM codes WHERE parent_id IS ?",
                (after["parent_id"],)).fetchone()[0]
        current = dict(self.conn.execute("SELECT * FROM codes WHERE id = ?",
                                          (code_id,)).fetchone())
        self.apply({"op": "update", "table": "codes", "key": {"id": code_id},
                    "before": {k: current[k] for k in after}, "after": after})
        if "name" in taken:
            self.outcome.renamed.append(f"{ours['name']!r} to {taken['name']!r}")
        others = [_WORDS.get(k, k) for k in taken if k != "name"]
        if others:
            self.outcome.updated.append(f"{taken.get('name', ours['name'])!r}: "
                                        f"{', '.join(others)} from {self.label}")

    def _blocked(self, code_id: int, name: str, theirs: dict[str, Any],
                 ours: dict[str, Any]) -> str | None:
        """Why taking their value would break the tree, or None."""
        if name == "name":
            parent = self._id(ours["parent"]) if ours["parent"] else None
            clash = self._named(theirs["name"], parent, besides=code_id)
            return None if clash is None else "another code here already has that name"
        if name != "parent":
            return None
        parent = self._id(theirs["parent"]) if theirs["parent"] else None
        up = parent
        while up is not None:
            if up == code_id:
                return "that would put it under its own sub-code"
            up = self.conn.execute("SELECT parent_id FROM codes WHERE id = ?",
                                   (up,)).fetchone()[0]
        if self._named(ours["name"], parent, besides=code_id) is not None:
            return "a code of that name is already there"
        return None

    def _conflict(self, name: str, ours: dict[str, Any], theirs: dict[str, Any]) -> str:
        if name == "name":
            return (f"{ours['name']!r} is {theirs['name']!r} in {self.label}: renamed on "
                    f"both sides (kept {ours['name']!r}; rename one of them to settle it)")
        return (f"{ours['name']!r}: its {_WORDS.get(name, name)} was changed on both sides, "
                f"differently in {self.label} (kept ours; edit it to settle it)")


def _values(row: dict[str, Any], guid_of: dict[int, str],
            pairs: dict[str, str] | None = None) -> dict[str, Any]:
    values = {name: _clean(name, row[name]) for name in FIELDS if name != "parent"}
    parent = guid_of.get(row["parent_id"]) if row["parent_id"] is not None else None
    values["parent"] = (pairs or {}).get(parent, parent) if parent else None
    return values


def _ending(past: list[Any] | None, current: Any) -> list[Any]:
    """A field's history ending with its current value (an edit made outside the log,
    or a file whose log does not reach back, still counts as the latest value)."""
    values = list(past or [])
    _push(values, current)
    return values


def _describe(name: str, value: Any) -> str:
    if name == "name":
        return f"renamed it {value!r}"
    return f"changed its {_WORDS.get(name, name)}"
