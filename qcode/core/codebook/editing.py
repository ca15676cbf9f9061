"""Editing the codebook: load, add, rename, move, merge, delete codes — each one
undoable event; merging a shared codebook from a reviewed plan."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.controls import check_name
from qcode.core.errors import QcodeError
from qcode.core.ids import fold, now
from qcode.core.model import Code
from qcode.core.project_file import ProjectFile
from qcode.core.record import record
from qcode.core.spans import folded_spans
from qcode.core.store.changes import Change
from qcode.core.store.changes import apply as apply_change

if TYPE_CHECKING:
    from qcode.core.codebook.merge import MergePlan
    from qcode.core.codebook.merge_apply import MergeOutcome

CODE_FIELDS = (
    "name", "colour", "short", "definition", "when_to_use", "when_not_to_use", "example",
    "example_ref", "codable",
)


@record(frozen=True)
class CodebookLoad:
    """What loading a codebook did."""

    added: int
    updated: int
    unchanged: int
    event_id: int | None
    # The codes added and updated, by path ("foreign funding/grants"), for reports.
    added_paths: tuple[str, ...] = ()
    updated_paths: tuple[str, ...] = ()


class CodebookEditing(ProjectFile):
    """The codebook-changing methods of :class:`qcode.Project`."""

    def load_codebook(self, codebook: Codebook, *, coder: str) -> CodebookLoad:
        """Add the codebook's codes (matched by GUID) and update changed ones, as one event.

        Codes in the project but not in the file are left alone; so are codings.
        """
        existing = {c.guid: c for c in self.codes()}
        added = updated = unchanged = 0
        added_paths: list[str] = []
        updated_paths: list[str] = []
        paths: dict[str, str] = {}
        with self.writing():
            changes: list[Change] = []
            # Codes are inserted parents first so children can point at them.
            ids: dict[str, int] = {g: c.id for g, c in existing.items()}
            for spec, parent, _depth in codebook.walk():
                parent_id = ids[parent.guid] if parent else None
                paths[spec.guid] = f"{paths[parent.guid]}/{spec.name}" if parent else spec.name
                position = (parent.children if parent else codebook.codes).index(spec)
                values = _spec_values(spec) | {"parent_id": parent_id, "position": position}
                current = existing.get(spec.guid)
                if current is None:
                    row = {"guid": spec.guid, **values, "created_at": now()}
                    self._check_sibling_name(spec.name, parent_id, None)
                    realised = apply_change(self.conn, {"op": "insert", "table": "codes",
                                                      "rows": [row]})
                    ids[spec.guid] = realised["rows"][0]["id"]
                    changes.append(realised)
                    added += 1
                    added_paths.append(paths[spec.guid])
                    continue
                before = {k: _db_value(getattr(current, k)) for k in values}
                diff = {k: v for k, v in values.items() if before[k] != v}
                if not diff:
                    unchanged += 1
                    continue
                if "name" in diff or "parent_id" in diff:
                    self._check_sibling_name(spec.name, parent_id, current.id)
                changes.append(apply_change(self.conn, {
                    "op": "update", "table": "codes", "key": {"id": current.id},
                    "before": {k: before[k] for k in diff}, "after": diff}))
                updated += 1
                updated_paths.append(paths[spec.guid])
            # The project's codebook keeps its name and version when codes arrive from
            # another codebook (a .qdpx import, a colleague's file); loading a new
            # version of the same codebook, or a first one, updates them.
            book_name = self.meta("codebook_name")
            if book_name is None or fold(book_name) == fold(codebook.name):
                changes.extend(apply_change(self.conn, c) for c in self._meta_changes({
                    "codebook_name": codebook.name, "codebook_version": codebook.version,
                    "codebook_description": codebook.description,
                    "codebook_source": codebook.source,
                }))
            if not (added or updated):
                return CodebookLoad(0, 0, unchanged, None)
            summary = f"load codebook {codebook.name!r} ({added} added, {updated} updated)"
            event = self.record_applied(coder, "codebook", summary, changes)
        return CodebookLoad(added, updated, unchanged, event, tuple(added_paths),
                            tuple(updated_paths))

    def _check_sibling_name(self, name: str, parent_id: int | None, own_id: int | None) -> None:
        for row in self.conn.execute(
            "SELECT id, name FROM codes WHERE parent_id IS ?", (parent_id,)
        ):
            if row["id"] != own_id and fold(row["name"]) == fold(name):
                where = "at the top level" if parent_id is None else "under the same parent"
                raise QcodeError(f"a code named {row['name']!r} already exists {where}")

    def add_code(
        self, name: str, *, coder: str, parent: Code | None = None, **fields: Any
    ) -> Code:
        """Create a code (at the end of its parent's children)."""
        name = check_name(name.strip(), "code")
        spec = CodeSpec(name=name, **fields)
        with self.writing():
            parent_id = parent.id if parent else None
            self._check_sibling_name(name, parent_id, None)
            position = self.conn.execute(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM codes WHERE parent_id IS ?",
                (parent_id,),
            ).fetchone()[0]
            row = {"guid": spec.guid, **_spec_values(spec), "parent_id": parent_id,
                   "position": position, "created_at": now()}
            self.record(coder, "add-code", f"add code {name!r}",
                         [{"op": "insert", "table": "codes", "rows": [row]}])
        return self.code(spec.guid)

    def update_code(self, code: Code, *, coder: str, **fields: Any) -> Code:
        """Change a code's name, colour or definitions (one event)."""
        unknown = set(fields) - set(CODE_FIELDS)
        if unknown:
            raise QcodeError(f"codes have no field {', '.join(sorted(unknown))}")
        after = {k: _db_value(v) for k, v in fields.items()
                 if _db_value(v) != _db_value(getattr(code, k))}
        if not after:
            return code
        with self.writing():
            if "name" in after:
                check_name(str(after["name"] or ""), "code")
                self._check_sibling_name(after["name"], code.parent_id, code.id)
            before = {k: _db_value(getattr(code, k)) for k in after}
            what = "rename" if set(after) == {"name"} else "edit"
            summary = (f"rename code {code.name!r} to {after['name']!r}" if what == "rename"
                       else f"edit code {code.name!r} ({', '.join(after)})")
            self.record(coder, f"{what}-code", summary, [
                {"op": "update", "table": "codes", "key": {"id": code.id},
                 "before": before, "after": after}])
        return self.code_by_id(code.id)

    def move_code(self, code: Code, parent: Code | None, *, coder: str) -> Code:
        """Move a code (with its sub-codes) under another parent, or to the top level."""
        parent_id = parent.id if parent else None
        if parent_id == code.parent_id:
            return code
        ancestor = parent
        while ancestor is not None:
            if ancestor.id == code.id:
                raise QcodeError(f"cannot move {code.name!r} under its own sub-code")
            ancestor = self.code_by_id(ancestor.parent_id) if ancestor.parent_id else None
        with self.writing():
            self._check_sibling_name(code.name, parent_id, code.id)
            position = self.conn.execute(
                "SELECT COALESCE(MAX(position) + 1, 0) FROM codes WHERE parent_id IS ?",
                (parent_id,),
            ).fetchone()[0]
            where = repr(parent.name) if parent else "the top level"
            self.record(coder, "move-code", f"move code {code.name!r} to {where}", [
                {"op": "update", "table": "codes", "key": {"id": code.id},
                 "before": {"parent_id": code.parent_id, "position": code.position},
                 "after": {"parent_id": parent_id, "position": position}}])
        return self.code_by_id(code.id)

    def affected_codings(self, code: Code) -> int:
        """How many codings a delete or merge of ``code`` would touch."""
        return int(self.conn.execute(
            "SELECT COUNT(*) FROM codings WHERE code_id = ?", (code.id,)).fetchone()[0])

    def merge_codes(self, source: Code, target: Code, *, coder: str) -> int:
        """Fold ``source`` into ``target``: its codings move over (duplicates collapse),
        its sub-codes move under ``target``, and ``source`` is removed. One event."""
        if source.id == target.id:
            raise QcodeError("cannot merge a code into itself")
        with self.writing():
            rows = [dict(r) for r in self.conn.execute(
                "SELECT * FROM codings WHERE code_id = ?", (source.id,))]
            on_target = {(r[1], r[2]): (r[0], r[3]) for r in self.conn.execute(
                "SELECT id, paragraph_id, coder_id, spans FROM codings WHERE code_id = ?",
                (target.id,))}
            moved = [r for r in rows if (r["paragraph_id"], r["coder_id"]) not in on_target]
            changes: list[Change] = []
            if rows:
                changes.append({"op": "delete", "table": "codings",
                                "rows": [{"id": r["id"]} for r in rows]})
            if moved:
                changes.append({"op": "insert", "table": "codings",
                                "rows": [{**r, "code_id": target.id} for r in moved]})
            changes.extend(folded_spans(
                [r for r in rows if (r["paragraph_id"], r["coder_id"]) in on_target], on_target))
            changes.extend(self._reparent_children(source, target.id))
            changes.append({"op": "delete", "table": "codes", "rows": [{"id": source.id}]})
            self.record(coder, "merge-codes",
                         f"merge code {source.name!r} into {target.name!r} "
                         f"({len(rows)} codings reassigned)", changes)
        return len(rows)

    def delete_code(self, code: Code, *, coder: str) -> int:
        """Delete a code and its codings; its sub-codes move up to its parent. Undoable."""
        with self.writing():
            ids = [r[0] for r in self.conn.execute(
                "SELECT id FROM codings WHERE code_id = ?", (code.id,))]
            changes: list[Change] = []
            if ids:
                changes.append({"op": "delete", "table": "codings",
                                "rows": [{"id": i} for i in ids]})
            changes.extend(self._reparent_children(code, code.parent_id))
            changes.append({"op": "delete", "table": "codes", "rows": [{"id": code.id}]})
            self.record(coder, "delete-code",
                         f"delete code {code.name!r} ({len(ids)} codings removed)", changes)
        return len(ids)

    def _reparent_children(self, code: Code, new_parent: int | None) -> list[Change]:
        changes: list[Change] = []
        for child in self.conn.execute(
            "SELECT id, name, position FROM codes WHERE parent_id = ?", (code.id,)
        ).fetchall():
            self._check_sibling_name(child["name"], new_parent, child["id"])
            changes.append({"op": "update", "table": "codes", "key": {"id": child["id"]},
                            "before": {"parent_id": code.id},
                            "after": {"parent_id": new_parent}})
        return changes

    # -- merging a shared codebook ---------------------------------------------------

    def merge_codebook(self, plan: MergePlan, *, coder: str) -> MergeOutcome:
        """Apply the accepted proposals of a codebook merge plan as one undoable event
        (see :mod:`qcode.core.codebook.merge`); refuses a plan made before the project's
        codebook last changed."""

        from qcode.core.codebook.merge_apply import merge_changes

        with self.writing():
            changes, outcome = merge_changes(self, plan)
            if not changes:
                return outcome
            event = self.record(coder, "merge-codebook", outcome.summary, changes)
        return replace(outcome, event_id=event)



def _db_value(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        return value.strip() or None
    return value


def _spec_values(spec: CodeSpec) -> dict[str, Any]:
    return {k: _db_value(getattr(spec, k)) for k in CODE_FIELDS}
