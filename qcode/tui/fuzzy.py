"""Fuzzy matching of code names as a researcher types them (rapidfuzz).

A name scores by how well each typed word matches one of its words — whole, or as
the start of it ("gen" → "generational"), typos forgiven ("regnal" → "regional") —
with rapidfuzz's WRatio on the whole string to break ties.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz import fuzz, utils

# Below this a name is not offered at all.
CUTOFF = 62.0


def _word_score(typed: str, word: str) -> float:
    whole = fuzz.ratio(typed, word)
    start = fuzz.ratio(typed, word[: len(typed)]) * 0.95 if len(word) > len(typed) else 0.0
    return max(whole, start)


def score(query: str, name: str) -> float:
    """0–100: how well ``name`` matches what was typed."""
    typed = utils.default_process(query).split()
    words = utils.default_process(name).split()
    if not typed or not words:
        return 0.0
    per_word = sum(max(_word_score(t, w) for w in words) for t in typed) / len(typed)
    return 0.75 * per_word + 0.25 * fuzz.WRatio(query, name, processor=utils.default_process)


def rank(query: str, names: Sequence[str], cutoff: float = CUTOFF) -> list[int]:
    """Indexes of ``names`` that match ``query``, best first (stable for ties)."""
    scored = [(score(query, name), index) for index, name in enumerate(names)]
    return [index for value, index in sorted(scored, key=lambda s: (-s[0], s[1]))
            if value >= cutoff]
