"""Input for the agreement coefficients: validating a matrix or a column tally.

Both shapes become one :class:`Table` — distinct column pattern -> count — which is all
the coefficients in :mod:`qcode.core.agreement` look at. See that module for the shapes.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

Matrix: TypeAlias = Sequence[Sequence[Hashable | None]]
Column: TypeAlias = tuple[Hashable | None, ...]
Columns: TypeAlias = Mapping[Column, int]
Data: TypeAlias = Matrix | Columns

# A unit reduced to what the coefficients need: how many coders gave each value, and
# how many units share that profile.
Units: TypeAlias = list[tuple[Counter[Hashable], int]]

FEWER_THAN_TWO = "fewer than 2 pairable values: no unit was coded by at least 2 coders"


class AgreementInputError(ValueError):
    """The reliability matrix or an argument cannot be used (ragged, empty, wrong shape)."""


@dataclass(frozen=True)
class Table:
    """Validated data: distinct columns with their counts (all > 0), in first-seen order.

    ``rows`` keeps a matrix's rows (None for a tally) so the bootstrap can draw units in
    column order; ``categories`` are the given ones, or the observed values in order of
    first appearance, and ``given`` says which.
    """

    n_coders: int
    patterns: dict[Column, int]
    categories: list[Hashable]
    given: bool
    rows: list[list[Hashable | None]] | None = None


def tally_columns(data: Matrix) -> Counter[Column]:
    """A reliability matrix (coder rows) as a column tally: pattern -> number of units."""
    return Counter(zip(*data, strict=True))


def prepare(data: Data, categories: Iterable[Hashable] | None) -> Table:
    """Validate a matrix or a tally and return its :class:`Table`."""
    if isinstance(data, Mapping):
        n_coders, patterns = _from_tally(data)
        rows = None
    else:
        rows = _rows(data)
        n_coders = len(rows)
        try:
            patterns = dict(tally_columns(rows))
        except TypeError:
            _locate(rows, lambda v: not _hashable(v),
                    lambda v, i, j: f"unhashable value {v!r} at coder {i}, unit {j}")
            raise
    seen: dict[Hashable, None] = {}
    for pattern in patterns:
        for v in pattern:
            if v is None:
                continue
            if isinstance(v, float) and math.isnan(v):
                if rows is not None:
                    _locate(rows, _is_nan,
                            lambda _v, i, j: f"NaN at coder {i}, unit {j}: use None for missing")
                raise AgreementInputError(f"NaN in column {pattern!r}: use None for missing")
            seen.setdefault(v)
    if categories is None:
        return Table(n_coders, patterns, list(seen), False, rows)
    cats = list(categories)
    try:
        known = set(cats)
    except TypeError:
        raise AgreementInputError(f"categories= must be hashable values: {cats!r}") from None
    if not cats or len(known) != len(cats):
        raise AgreementInputError(f"categories= is empty or has duplicates: {cats!r}")
    unknown = [v for v in seen if v not in known]
    if unknown:
        raise AgreementInputError(f"values {unknown!r} are not among categories= {cats!r}")
    return Table(n_coders, patterns, cats, True, rows)


def _rows(data: Matrix) -> list[list[Hashable | None]]:
    if isinstance(data, str | bytes) or not isinstance(data, Sequence):
        raise AgreementInputError("data must be a sequence of coder rows (a list of lists) "
                                  "or a mapping {column tuple: count}")
    if len(data) == 0:
        raise AgreementInputError("empty data: the reliability matrix has no coder rows")
    rows: list[list[Hashable | None]] = []
    for i, row in enumerate(data):
        if isinstance(row, str | bytes) or not isinstance(row, Sequence):
            raise AgreementInputError(f"coder row {i} is not a sequence of values")
        rows.append(list(row))
    if len({len(r) for r in rows}) > 1:
        raise AgreementInputError("ragged matrix: every coder row needs one value per unit; "
                                  f"row lengths are {[len(r) for r in rows]}")
    if not rows[0]:
        raise AgreementInputError("empty data: the reliability matrix has no units")
    return rows


def _from_tally(data: Columns) -> tuple[int, dict[Column, int]]:
    widths: set[int] = set()
    patterns: dict[Column, int] = {}
    for pattern, count in data.items():
        if not isinstance(pattern, tuple) or not pattern:
            raise AgreementInputError(
                f"column {pattern!r} is not a tuple of one value per coder")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise AgreementInputError(
                f"column {pattern!r}: {count!r} is not a count (int >= 0)")
        widths.add(len(pattern))
        if count:
            patterns[pattern] = patterns.get(pattern, 0) + count
    if len(widths) > 1:
        raise AgreementInputError("ragged tally: every column needs one value per coder; "
                                  f"column lengths are {sorted(widths)}")
    if not patterns:
        raise AgreementInputError("empty data: the column tally has no units")
    return widths.pop(), patterns


def _hashable(v: object) -> bool:
    try:
        hash(v)
    except TypeError:
        return False
    return True


def _is_nan(v: object) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _locate(rows: list[list[Hashable | None]], bad: Callable[[object], bool],
            describe: Callable[[object, int, int], str]) -> None:
    """Raise naming the first cell where ``bad(value)`` holds (only on the error path)."""
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v is not None and bad(v):
                raise AgreementInputError(describe(v, i, j))


def units_of(table: Table) -> Units:
    """The table's units as (value counts, number of units), equal profiles merged."""
    merged: dict[frozenset[tuple[Hashable, int]], tuple[Counter[Hashable], int]] = {}
    for pattern, w in table.patterns.items():
        profile = Counter(v for v in pattern if v is not None)
        key = frozenset(profile.items())
        unit, before = merged.get(key, (profile, 0))
        merged[key] = (unit, before + w)
    return list(merged.values())


def pairable_sequence(table: Table) -> Units:
    """Pairable units (>= 2 values) in their given order, for resampling.

    A matrix gives one entry per column, left to right; a tally one entry per pattern,
    in mapping order, weighted by its count.
    """
    profiles: dict[Column, Counter[Hashable]] = {}
    for pattern in table.patterns:
        profile = Counter(v for v in pattern if v is not None)
        if profile.total() >= 2:
            profiles[pattern] = profile
    if table.rows is None:
        return [(profiles[p], w) for p, w in table.patterns.items() if p in profiles]
    return [(profiles[c], 1) for c in zip(*table.rows, strict=True) if c in profiles]
