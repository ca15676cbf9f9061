"""Rows as changes carry them and the event log keeps them.

A change's ``rows`` is either a list of dicts, one per row (what small changes and
older events hold), or, for many rows, one object: the values every row shares once
(``same``), then the other ``columns`` and one list of ``values`` per row::

    {"same": {"coder_id": 2, "memo": null, "created_at": "…"},
     "columns": ["id", "guid", "paragraph_id", "code_id"],
     "values": [[81, "6F1C…", 1204, 7], [82, "0A9E…", 1205, 7]]}

A merge of a million codings logs in a third of the space of a million dicts, and goes
into SQLite with one ``executemany``. :class:`Batch` is the in-memory form of both.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]
Rows = list[Row] | dict[str, Any]


@dataclass
class Batch:
    """Rows of one table: shared values, then per-row values of the other columns."""

    same: dict[str, Any] = field(default_factory=dict)
    columns: list[str] = field(default_factory=list)
    values: list[list[Any]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.values)

    @property
    def all_columns(self) -> list[str]:
        """Every column, shared ones first."""
        return [*self.same, *self.columns]

    def params(self) -> Iterator[list[Any]]:
        """Each row's values in :attr:`all_columns` order (for ``executemany``)."""
        shared = list(self.same.values())
        for row in self.values:
            yield shared + row

    def row(self, index: int) -> Row:
        """One row as a dict."""
        return {**self.same, **dict(zip(self.columns, self.values[index], strict=True))}

    def dicts(self) -> list[Row]:
        """Every row as a dict (for small batches; a big one is cheaper as it is)."""
        return [self.row(i) for i in range(len(self))]

    def column(self, name: str) -> list[Any]:
        """One column's value in every row."""
        if name in self.same:
            return [self.same[name]] * len(self)
        index = self.columns.index(name)
        return [row[index] for row in self.values]

    def with_first(self, name: str, values: Sequence[Any]) -> Batch:
        """The batch with a column put in front (the ids the database gave)."""
        return Batch(dict(self.same), [name, *self.columns],
                     [[value, *row] for value, row in zip(values, self.values, strict=True)])


def batch(rows: Rows) -> Batch | None:
    """Rows in either stored form as a :class:`Batch`; None for a list whose rows do not
    all have the same columns (kept as they are, and applied one by one)."""
    if isinstance(rows, dict):
        return Batch(dict(rows.get("same") or {}), list(rows["columns"]), rows["values"])
    if not rows:
        return Batch()
    columns = list(rows[0])
    if any(list(row) != columns for row in rows):
        return None
    return Batch({}, columns, [[row[c] for c in columns] for row in rows])


def unpack(rows: Rows) -> list[Row]:
    """Rows in either stored form as dicts."""
    if isinstance(rows, dict):
        found = batch(rows)
        return found.dicts() if found is not None else []
    return list(rows)


def stored(rows: Batch) -> Rows:
    """How the log keeps a batch: one row as a dict (readable), many as columns with
    the values every row shares hoisted into ``same``."""
    if len(rows) <= 1:
        return rows.dicts()
    same = dict(rows.same)
    keep: list[int] = []
    for index, name in enumerate(rows.columns):
        first = rows.values[0][index]
        if all(row[index] == first for row in rows.values):
            same[name] = first
        else:
            keep.append(index)
    if len(keep) == len(rows.columns):
        return {"same": same, "columns": list(rows.columns), "values": rows.values}
    columns = [rows.columns[i] for i in keep]
    values = [[row[i] for i in keep] for row in rows.values]
    return {"same": same, "columns": columns, "values": values}
