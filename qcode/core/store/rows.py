"""Rows as changes carry them and the event log keeps them.

A change's ``rows`` is either a list of dicts, one per row (what small changes and
older events hold), or, for many rows, one object: the values every row shares once
(``same``), then the other ``columns`` and one list of ``values`` per row::

    {"same": {"coder_id": 2, "memo": null, "created_at": "…"},
     "columns": ["id", "guid", "paragraph_id", "code_id"],
     "values": [[81, "6F1C…", 1204, 7], [82, "0A9E…", 1205, 7]]}

A merge of a million codings logs in a third of the space of a million dicts, and goes
into SQLite with one ``executemany``. :class:`Batch` is the in-memory form of both.

A batch of at least :data:`PACK_AT` rows is kept *packed*: column by column, each in
the smallest form that gives its values back exactly (:func:`pack_column`)::

    {"same": {"coder_id": 2, "memo": null, "created_at": "…"}, "count": 3,
     "packed": {"id": ["range", 81],                     # 81, 82, 83
                "guid": ["guids", "5F0B…"],              # ids.seeded_guids(seed, 3)
                "paragraph_id": ["ints", 1204, "b", 1, "…"],  # first, then deltas
                "code_id": ["values", [7, 7, 9]]}}

Ids handed out in order are a range, the GUIDs of a bulk insert are drawn from one
seed, and paragraph ids in order differ by a few: a million codings log in a few
megabytes where they took sixty. :class:`Columns` is the in-memory form.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import field
from itertools import accumulate, repeat
from operator import sub
from typing import Any

from qcode.core.ids import seeded_guids
from qcode.core.record import record

Row = dict[str, Any]
Rows = list[Row] | dict[str, Any]


@record
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


# Batches this big are logged packed; smaller ones stay readable in the log.
PACK_AT = 64
# Per-row values that pack into machine integers (by the largest delta) and what they
# hold: signed 1, 2, 4 and 8 bytes.
_INT_TYPES = (("b", 1 << 7), ("h", 1 << 15), ("i", 1 << 31), ("q", 1 << 63))


@record
class Columns:
    """Rows of one table column by column: the in-memory form of a packed batch, and
    what the bulk path hands to :func:`qcode.core.store.changes.apply` (no object per
    row). ``known`` holds a stored form already known for a column (the seed its GUIDs
    were drawn from), so storing does not have to look for one."""

    same: dict[str, Any]
    data: dict[str, list[Any]]
    known: dict[str, list[Any]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(next(iter(self.data.values()))) if self.data else 0

    @property
    def all_columns(self) -> list[str]:
        """Every column, shared ones first."""
        return [*self.same, *self.data]

    def params(self) -> Iterator[tuple[Any, ...]]:
        """Each row's values in :attr:`all_columns` order (for ``executemany``); the
        tuples are made by ``zip``, in C."""
        return zip(*(repeat(v, len(self)) for v in self.same.values()), *self.data.values(),
                   strict=True)

    def column(self, name: str) -> list[Any]:
        """One column's value in every row."""
        if name in self.same:
            return [self.same[name]] * len(self)
        return self.data[name]

    def with_first(self, name: str, values: Sequence[Any], known: list[Any] | None = None
                   ) -> Columns:
        """The columns with one put in front (the ids the database gave)."""
        data = {name: list(values), **self.data}
        return Columns(dict(self.same), data, {**self.known, **({name: known} if known else {})})

    def stored(self) -> dict[str, Any]:
        """The packed form the log keeps (see the module's docstring)."""
        packed = {name: self.known.get(name) or pack_column(values)
                  for name, values in self.data.items()}
        return {"same": dict(self.same), "count": len(self), "packed": packed}

    def batch(self) -> Batch:
        """The same rows as a :class:`Batch` (one list per row: for small work)."""
        return Batch(dict(self.same), list(self.data),
                     [list(row) for row in zip(*self.data.values(), strict=True)])


def pack_column(values: list[Any]) -> list[Any]:
    """One column's values in the smallest stored form that gives them back exactly:
    a run of consecutive integers as its first; other integers as their first value,
    then the differences as machine integers, compressed (paragraph ids in order take
    under a byte each); anything else as they are."""
    if not values or set(map(type, values)) != {int}:  # in C: no bools, floats or None
        return ["values", values]
    first, last = values[0], values[-1]
    if last - first == len(values) - 1 and values == list(range(first, last + 1)):
        return ["range", first]
    deltas = list(map(sub, values[1:], values[:-1]))
    wide = max(max(deltas, default=0), -min(deltas, default=0))
    code = next((kind for kind, limit in _INT_TYPES if wide < limit), None)
    if code is None:
        return ["values", values]
    # Here, not at the top: a one-row change (`qcode tag`) never packs, and these three
    # took a millisecond of its start.
    import base64
    import zlib
    from array import array

    packed = array(code, deltas)
    if sys.byteorder == "big":
        packed.byteswap()  # stored little-endian, whoever reads it
    text = base64.b64encode(zlib.compress(packed.tobytes(), 6)).decode("ascii")
    return ["ints", first, code, len(values), text]


def unpack_column(form: list[Any], count: int) -> list[Any]:
    """A column's ``count`` values back from :func:`pack_column`'s form (or a
    ``["guids", seed]``: :func:`qcode.core.ids.seeded_guids`)."""
    kind = form[0]
    if kind == "values":
        return list(form[1])
    if kind == "range":
        return list(range(form[1], form[1] + count))
    if kind == "guids":
        return seeded_guids(bytes.fromhex(form[1]), count)
    if kind == "ints":
        _kind, first, code, length, text = form
        import base64
        import zlib
        from array import array

        deltas = array(code, zlib.decompress(base64.b64decode(text)))
        if sys.byteorder == "big":
            deltas.byteswap()
        if length != count or len(deltas) != count - 1:
            raise ValueError("a packed column does not have the rows its batch has")
        return list(accumulate(deltas, initial=first))
    raise ValueError(f"unknown packed column {kind!r}")


def as_columns(rows: Rows) -> Columns | None:
    """A packed stored batch as :class:`Columns`; None for rows in another form."""
    if not isinstance(rows, dict) or "packed" not in rows:
        return None
    count = int(rows["count"])
    return Columns(dict(rows.get("same") or {}),
                   {name: unpack_column(form, count) for name, form in rows["packed"].items()},
                   {name: form for name, form in rows["packed"].items() if form[0] == "guids"})


def batch(rows: Rows) -> Batch | None:
    """Rows in any stored form as a :class:`Batch`; None for a list whose rows do not
    all have the same columns (kept as they are, and applied one by one)."""
    found = as_columns(rows)
    if found is not None:
        return found.batch()
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
    the values every row shares hoisted into ``same``, and from :data:`PACK_AT` rows
    on, packed (:class:`Columns`)."""
    if len(rows) <= 1:
        return rows.dicts()
    if len(rows) >= PACK_AT:
        data = {name: [row[i] for row in rows.values] for i, name in enumerate(rows.columns)}
        same = dict(rows.same)
        for name in list(data):
            first = data[name][0]
            # At least one column stays per row: it is what says how many rows there are.
            if len(data) > 1 and all(v == first for v in data[name]):
                same[name] = data.pop(name)[0]
        return Columns(same, data).stored()
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
