"""Exact random draws for resampling tallies: binomial, multinomial, percentiles.

The bootstrap of :mod:`qcode.core.agreement` resamples units. When the units are held as
a tally (distinct column pattern -> how many units), drawing N units one by one costs
O(N) per resample; the counts of each pattern in such a draw follow a multinomial
distribution, which :func:`multinomial` samples exactly in O(number of patterns) with
sequential binomial draws. Everything takes a :class:`random.Random`, so a seed fixes
the result.
"""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from collections.abc import Hashable, Iterator, Sequence

# A unit as the coefficients see it (value -> how many coders gave it), with a weight.
Weighted = list[tuple[Counter[Hashable], int]]


def binomial(rng: random.Random, n: int, p: float) -> int:
    """One draw from Binomial(n, p), exact, in O(1) expected time for large n * p.

    Uses Devroye's geometric-gap method when n * min(p, 1-p) < 10 and otherwise the
    BTRS transformed-rejection-with-squeeze method of Hörmann (1993), "The generation
    of binomial random variates" (J. Statist. Comput. Simul. 46) — the same pair of
    algorithms as Python 3.12's ``random.binomialvariate``, which 3.11 lacks.
    """
    if n < 0:
        raise ValueError(f"binomial: n must be >= 0, got {n}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"binomial: p must be in [0, 1], got {p}")
    if n == 0 or p == 0.0:
        return 0
    if p == 1.0:
        return n
    if p > 0.5:
        return n - binomial(rng, n, 1.0 - p)
    if n * p < 10.0:
        return _binomial_geometric(rng, n, p)
    return _binomial_btrs(rng, n, p)


def _binomial_geometric(rng: random.Random, n: int, p: float) -> int:
    """Count successes by jumping geometric gaps between them: O(n p) draws."""
    log_q = math.log1p(-p)
    successes = position = 0
    while True:
        # 1 - random() lies in (0, 1], so the logarithm is finite.
        position += math.floor(math.log(1.0 - rng.random()) / log_q) + 1
        if position > n:
            return successes
        successes += 1


def _binomial_btrs(rng: random.Random, n: int, p: float) -> int:
    """Hörmann's BTRS for n * p >= 10 and p <= 1/2."""
    spq = math.sqrt(n * p * (1.0 - p))
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    alpha = (2.83 + 5.1 / b) * spq
    log_odds = math.log(p / (1.0 - p))
    mode = math.floor((n + 1) * p)
    h = math.lgamma(mode + 1) + math.lgamma(n - mode + 1)
    while True:
        u = rng.random() - 0.5
        us = 0.5 - abs(u)
        if us <= 0.0:
            continue
        k = math.floor((2.0 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        v = rng.random()
        # The squeeze accepts most candidates without evaluating the density.
        if us >= 0.07 and v <= v_r:
            return k
        v *= alpha / (a / (us * us) + b)
        if v > 0.0 and math.log(v) <= (
            h - math.lgamma(k + 1) - math.lgamma(n - k + 1) + (k - mode) * log_odds
        ):
            return k


def multinomial(rng: random.Random, n: int, weights: Sequence[int]) -> list[int]:
    """Counts of ``n`` draws with replacement from categories with these weights.

    Exact: category i gets Binomial(remaining draws, w_i / remaining weight), in turn.
    The counts always add up to ``n``; a weight of 0 always gets 0.
    """
    if any(w < 0 for w in weights):
        raise ValueError("multinomial: weights must be >= 0")
    remaining_weight = sum(weights)
    if remaining_weight <= 0 and n:
        raise ValueError("multinomial: weights add up to 0")
    counts: list[int] = []
    remaining = n
    for w in weights:
        if remaining == 0 or w == 0:
            counts.append(0)
            remaining_weight -= w
            continue
        drawn = remaining if w >= remaining_weight else binomial(
            rng, remaining, w / remaining_weight)
        counts.append(drawn)
        remaining -= drawn
        remaining_weight -= w
    return counts


def resamples(rng: random.Random, population: Weighted, *, one_by_one_up_to: int
              ) -> Iterator[Weighted]:
    """Endless bootstrap resamples of ``population`` (units with weights, in order).

    Each resample draws as many units as the population holds (the sum of weights),
    with replacement, as (unit, times drawn) pairs. Up to ``one_by_one_up_to`` units the
    draws are made one at a time, exactly as ``rng.choices(expanded units, k=total)``
    would (bisecting cumulative weights picks the unit floor(random() * total) does);
    above it, equal units are merged and the counts come from :func:`multinomial`.
    """
    total = sum(w for _, w in population)
    if total <= one_by_one_up_to:
        cumulative = list(itertools.accumulate(w for _, w in population))
        indices = range(len(population))
        while True:
            drawn = Counter(rng.choices(indices, cum_weights=cumulative, k=total))
            yield [(population[i][0], c) for i, c in drawn.items()]
    merged: dict[frozenset[tuple[Hashable, int]], tuple[Counter[Hashable], int]] = {}
    for unit, w in population:
        key = frozenset(unit.items())
        first, before = merged.get(key, (unit, 0))
        merged[key] = (first, before + w)
    kinds = list(merged.values())
    weights = [w for _, w in kinds]
    while True:
        counts = multinomial(rng, total, weights)
        yield [(unit, c) for (unit, _), c in zip(kinds, counts, strict=True) if c]


def percentile(ordered: Sequence[float], p: float) -> float:
    """Linear interpolation between order statistics (numpy's default method)."""
    position = p * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
