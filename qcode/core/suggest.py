""""Did you mean …?": the closest known name to a mistyped one (rapidfuzz)."""

from __future__ import annotations

from collections.abc import Iterable

# Below this WRatio score a suggestion is noise rather than help.
MIN_SCORE = 60.0


def closest(wanted: str, choices: Iterable[str], *, limit: int = 1) -> list[str]:
    """The best matches for ``wanted`` among ``choices``, best first (maybe none)."""
    # Loaded here, on a miss: every command resolves names, few mistype them.
    from rapidfuzz import fuzz, process, utils

    unique = list(dict.fromkeys(choices))
    found = process.extract(
        wanted, unique, scorer=fuzz.WRatio, processor=utils.default_process, limit=limit,
        score_cutoff=MIN_SCORE,
    )
    return [match for match, _score, _index in found]


def did_you_mean(wanted: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` or an empty string when nothing is close."""
    best = closest(wanted, choices)
    return f" (did you mean {best[0]!r}?)" if best else ""
