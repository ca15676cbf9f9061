"""Exact binomial and multinomial draws used by the tally bootstrap."""

from __future__ import annotations

import random
import statistics

import pytest

from qcode.core.agreement.resample import binomial, multinomial, percentile


@pytest.mark.parametrize(
    ("n", "p"),
    [(40, 0.1), (1_000, 0.3), (200_000, 0.02), (5_000, 0.9), (12, 0.5)],
    ids=["geometric", "btrs", "btrs-large-n", "symmetry", "small"],
)
def test_binomial_has_the_binomial_mean_and_variance(n: int, p: float) -> None:
    rng = random.Random(42)
    draws = [binomial(rng, n, p) for _ in range(4_000)]
    assert all(0 <= d <= n for d in draws)
    mean, variance = n * p, n * p * (1 - p)
    # 4,000 draws: the sample mean is within 4 standard errors of n p, the variance
    # within 15% of n p (1 - p).
    assert statistics.fmean(draws) == pytest.approx(mean, abs=4 * (variance / 4_000) ** 0.5)
    assert statistics.variance(draws) == pytest.approx(variance, rel=0.15)


def test_binomial_btrs_matches_the_probability_of_each_value() -> None:
    # n = 60, p = 0.4 (n p = 24: BTRS). Compare the frequency of each k with the pmf.
    n, p, draws = 60, 0.4, 20_000
    rng = random.Random(7)
    tally = [0] * (n + 1)
    for _ in range(draws):
        tally[binomial(rng, n, p)] += 1
    for k in range(15, 34):
        pmf = _pmf(n, p, k)
        assert tally[k] / draws == pytest.approx(pmf, abs=5 * (pmf / draws) ** 0.5 + 1e-4)


def _pmf(n: int, p: float, k: int) -> float:
    from math import comb

    return comb(n, k) * p**k * (1 - p) ** (n - k)


def test_binomial_edges_and_bad_arguments() -> None:
    rng = random.Random(0)
    assert binomial(rng, 0, 0.5) == 0
    assert binomial(rng, 10, 0.0) == 0
    assert binomial(rng, 10, 1.0) == 10
    with pytest.raises(ValueError, match="n must be"):
        binomial(rng, -1, 0.5)
    with pytest.raises(ValueError, match="p must be"):
        binomial(rng, 3, 1.5)


def test_binomial_is_reproducible_for_a_seed() -> None:
    first = [binomial(random.Random(3), 10_000, 0.37) for _ in range(3)]
    assert len(set(first)) == 1
    rng_a, rng_b = random.Random(3), random.Random(4)
    assert [binomial(rng_a, 10_000, 0.37) for _ in range(5)] != [
        binomial(rng_b, 10_000, 0.37) for _ in range(5)]


def test_multinomial_counts_add_up_and_follow_the_weights() -> None:
    rng = random.Random(1)
    weights = [30_000, 0, 9_000, 150_000, 6_000, 5_000]
    total = sum(weights)
    sums = [0] * len(weights)
    for _ in range(500):
        counts = multinomial(rng, total, weights)
        assert sum(counts) == total
        assert counts[1] == 0
        sums = [s + c for s, c in zip(sums, counts, strict=True)]
    for s, w in zip(sums, weights, strict=True):
        # Each mean count is w (n draws, probability w / total); 500 resamples.
        assert s / 500 == pytest.approx(w, abs=4 * (w * (1 - w / total) / 500) ** 0.5 + 1e-9)


def test_multinomial_bad_weights() -> None:
    with pytest.raises(ValueError, match=">= 0"):
        multinomial(random.Random(0), 3, [1, -1])
    with pytest.raises(ValueError, match="add up to 0"):
        multinomial(random.Random(0), 3, [0, 0])
    assert multinomial(random.Random(0), 0, [0, 0]) == [0, 0]


def test_percentile_interpolates_like_numpy() -> None:
    ordered = [1.0, 2.0, 4.0, 8.0]
    assert percentile(ordered, 0.0) == 1.0
    assert percentile(ordered, 1.0) == 8.0
    assert percentile(ordered, 0.5) == 3.0  # position 1.5: halfway between 2 and 4
    assert percentile(ordered, 0.9) == pytest.approx(6.8)  # position 2.7: 4 + 0.7 * 4
