"""Speakers found once per marker (labels._openings) are exactly what opening() finds
paragraph by paragraph, also where a marker recurs with different text around it."""

from __future__ import annotations

import pytest

from qcode.ingest.labels import _openings, opening

TEXTS = [
    "Q: Where were you?", "A: At home.", "Q: And then?", "A: Out.",
    "[00:01:23] Moderator: Welcome.", "[00:01:23] Moderator: Again.",
    "Moderator (1:23): Go on.", "P03: [00:01:23] Yes.", "Speaker 1  0:03\nHello there.",
    "A very long name with many words here: not a speaker.",
    "A very long name with many words here: still not one.",
    "00:01:02 A time alone.", "(1:02) Another.", "However: once in prose.",
    "no label at all", "Ёлка: да.", "Ёлка: нет.",
]


@pytest.mark.parametrize("order", [1, -1])
def test_markers_matched_once_find_what_each_paragraph_would(order: int) -> None:
    texts = [*TEXTS[::order], None, *TEXTS]
    assert _openings(texts) == [None if t is None else opening(t) for t in texts]
