"""Agreement from column tallies: the same figures as the matrix, at any number of units."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Callable, Hashable
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qcode.core.agreement import coefficients as ag
from qcode.core.agreement.coefficients import AgreementInputError, AgreementResult, Column

N = None


def expand(tally: dict[Column, int]) -> list[list[Hashable | None]]:
    """A tally back to a matrix, patterns in mapping order, each repeated by its count."""
    columns = [pattern for pattern, count in tally.items() for _ in range(count)]
    return [list(row) for row in zip(*columns, strict=True)]


def everything(data: ag.Data, n_coders: int) -> list[AgreementResult]:
    cats = [0, 1, 2, 3]
    results = [ag.percent_agreement(data), ag.fleiss_kappa(data), ag.brennan_prediger(data),
               ag.gwet_ac1(data), ag.brennan_prediger(data, cats), ag.gwet_ac1(data, cats)]
    results += [ag.krippendorff_alpha(data, level) for level in ag.LEVELS]
    if n_coders == 2:
        results += [ag.cohen_kappa(data), ag.scott_pi(data)]
    return results


@st.composite
def matrices(draw: st.DrawFn) -> list[list[int | None]]:
    n_coders = draw(st.integers(min_value=2, max_value=4))
    n_units = draw(st.integers(min_value=1, max_value=14))
    cell = st.one_of(st.none(), st.integers(min_value=0, max_value=3))
    return [[draw(cell) for _ in range(n_units)] for _ in range(n_coders)]


@settings(max_examples=150)
@given(matrices(), st.randoms(use_true_random=False))
def test_matrix_and_tally_give_identical_results(data: list[list[int | None]],
                                                  rnd: random.Random) -> None:
    tally = ag.tally_columns(data)
    assert sum(tally.values()) == len(data[0])
    reordered = list(tally.items())
    rnd.shuffle(reordered)
    for left, middle, right in zip(everything(data, len(data)),
                                   everything(tally, len(data)),
                                   everything(dict(reordered), len(data)), strict=True):
        # Same tally in the same order: exactly the same result, reason and counts.
        assert left == middle
        # Pattern order only changes float summation order.
        assert (left.defined, left.reason, left.n_units, left.n_coders) == (
            right.defined, right.reason, right.n_units, right.n_coders)
        if left.value is not None:
            assert left.value == pytest.approx(right.value, abs=1e-12)


def test_a_tally_is_read_as_its_expanded_matrix() -> None:
    # 2 coders, binary: a=both 1, b=(1,0), c=(0,1), d=both 0, plus 3 units coder 2 missed.
    tally: dict[Column, int] = {(1, 1): 20, (1, 0): 5, (0, 1): 10, (0, 0): 15, (1, N): 3}
    matrix = expand(tally)
    assert len(matrix[0]) == 53
    for left, right in zip(everything(tally, 2), everything(matrix, 2), strict=True):
        assert left == right
    # Cohen's kappa over the 50 jointly coded units (the 3 with coder 2 missing dropped):
    # p_o = (20 + 15)/50; coder 1 says 1 on 20 + 5 = 25 units, coder 2 on 20 + 10 = 30.
    n, agree = 50, 35
    ones_1, ones_2 = 25, 30
    chance = Fraction(ones_1 * ones_2 + (n - ones_1) * (n - ones_2), n * n)
    expected = (Fraction(agree, n) - chance) / (1 - chance)
    kappa = ag.cohen_kappa(tally)
    assert kappa.value == float(expected)
    assert kappa.n_units == 50


def test_huge_binary_tally_computes_from_its_counts() -> None:
    # The same 2x2 table scaled by 10,000 (500,000 units): kappa, pi, Fleiss and percent
    # agreement are ratios of the counts, so they do not move; alpha's small-sample
    # factor (n - 1)/n vanishes, so alpha tends to Scott's pi.
    small: dict[Column, int] = {(1, 1): 20, (1, 0): 5, (0, 1): 10, (0, 0): 15}
    big = {pattern: count * 10_000 for pattern, count in small.items()}
    assert sum(big.values()) == 500_000
    for coefficient in (ag.percent_agreement, ag.cohen_kappa, ag.scott_pi, ag.fleiss_kappa,
                        ag.gwet_ac1, ag.brennan_prediger):
        scaled, plain = coefficient(big, categories=[0, 1]), coefficient(small, categories=[0, 1])
        assert scaled.value == plain.value
        assert scaled.n_units == 500_000
    alpha_big = ag.krippendorff_alpha(big).value
    pi = ag.scott_pi(big).value
    assert alpha_big is not None and pi is not None
    # alpha = 1 - (2n - 1) D_o / D_e', pi = 1 - 2n D_o / D_e'  (Krippendorff 2011, 2 coders)
    assert alpha_big == pytest.approx(pi + (1 - pi) / (2 * 500_000), abs=1e-12)
    assert ag.krippendorff_alpha(small).value != pytest.approx(alpha_big, abs=1e-4)


def test_three_coders_with_missing_values_as_a_tally() -> None:
    # 200,000 paragraphs, 3 coders, a code present (1) or absent (0), one coder absent
    # from a quarter of the documents. Fleiss and alpha from the tally equal the figures
    # of a 1/10,000-size matrix with the same proportions (Fleiss exactly).
    shape: dict[Column, int] = {(1, 1, 1): 3, (1, 1, 0): 1, (0, 0, 0): 12, (0, 1, 0): 1,
                                (1, 1, N): 1, (0, 0, N): 2}
    big = {pattern: count * 10_000 for pattern, count in shape.items()}
    assert sum(big.values()) == 200_000
    assert ag.fleiss_kappa(big).value == ag.fleiss_kappa(expand(shape)).value
    assert ag.percent_agreement(big).value == ag.percent_agreement(expand(shape)).value
    alpha = ag.krippendorff_alpha(big)
    assert alpha.n_units == 200_000 and alpha.n_coders == 3
    assert alpha.value == pytest.approx(ag.krippendorff_alpha(expand(shape)).value, abs=0.01)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "no units"),
        ({(1, 1): 0}, "no units"),
        ({1: 3}, "not a tuple"),
        ({(): 3}, "not a tuple"),
        ({(1, 1): 2, (1,): 1}, "ragged tally"),
        ({(1, 0): -1}, "not a count"),
        ({(1, 0): True}, "not a count"),
        ({(1, 0): 2.0}, "not a count"),
        ({(1.0, float("nan")): 2}, "NaN"),
        ({(1, 2): 1}, "not among categories"),
    ],
)
def test_bad_tallies_are_refused(data: dict[object, object], message: str) -> None:
    with pytest.raises(AgreementInputError, match=message):
        ag.percent_agreement(data, categories=[0, 1] if message.startswith("not among") else None)  # type: ignore[arg-type]


def test_two_coder_coefficients_check_the_tally_width() -> None:
    with pytest.raises(AgreementInputError, match="exactly 2 coders"):
        ag.cohen_kappa({(1, 1, 0): 4})


# -- bootstrap over tallies -----------------------------------------------------------

SMALL_TALLY: dict[Column, int] = {(1, 1, 1): 9, (2, 2, N): 6, (1, 2, 2): 4, (3, 3, 3): 5,
                                  (1, N, N): 2, (2, 3, 3): 3}


@pytest.mark.parametrize("level", ["nominal", "interval"])
def test_bootstrap_of_a_tally_draws_its_expanded_units(level: ag.Level) -> None:
    from_tally = ag.krippendorff_alpha_bootstrap(SMALL_TALLY, level, n=300, seed=5)
    from_matrix = ag.krippendorff_alpha_bootstrap(expand(SMALL_TALLY), level, n=300, seed=5)
    assert from_tally.interval is not None and from_matrix.interval is not None
    assert from_tally.interval == pytest.approx(from_matrix.interval, abs=1e-12)
    assert from_tally.n_undefined == from_matrix.n_undefined


def hand_bootstrap(tally: dict[Column, int], n: int, seed: int) -> tuple[float, float]:
    """Draw expanded pairable units one by one with choices; 2.5% and 97.5% quantiles."""
    units = [p for p, c in tally.items() for _ in range(c) if sum(v is not None for v in p) >= 2]
    rng = random.Random(seed)
    alphas = []
    for _ in range(n):
        drawn = Counter(rng.choices(units, k=len(units)))
        value = ag.krippendorff_alpha(dict(drawn)).value
        if value is not None:
            alphas.append(value)
    cuts = statistics.quantiles(alphas, n=40, method="inclusive")
    return cuts[0], cuts[-1]


def test_large_tally_bootstrap_matches_unit_draws_in_distribution() -> None:
    # Above DRAW_UNITS_MAX the counts per pattern come from a multinomial: a different
    # random stream, the same distribution. With 400 resamples each way the 95% limits
    # agree to well within their Monte Carlo error.
    tally: dict[Column, int] = {(1, 1): 1500, (1, 0): 250, (0, 1): 350, (0, 0): 2900, (1, N): 80}
    assert sum(tally.values()) > ag.DRAW_UNITS_MAX
    result = ag.krippendorff_alpha_bootstrap(tally, n=400, seed=1)
    assert result.interval is not None
    low, high = result.interval
    hand_low, hand_high = hand_bootstrap(tally, 400, seed=2)
    assert low == pytest.approx(hand_low, abs=0.01)
    assert high == pytest.approx(hand_high, abs=0.01)
    assert low < float(result.estimate) < high
    assert result == ag.krippendorff_alpha_bootstrap(tally, n=400, seed=1)
    assert result.interval != ag.krippendorff_alpha_bootstrap(tally, n=400, seed=3).interval


def test_bootstrap_of_hundreds_of_thousands_of_units() -> None:
    tally: dict[Column, int] = {(1, 1, 1): 30_000, (1, 1, 0): 9_000, (0, 0, 0): 150_000,
                                (0, 1, 0): 6_000, (1, N, 1): 5_000}
    result = ag.krippendorff_alpha_bootstrap(tally, n=200, seed=0)
    assert result.estimate.n_units == 200_000
    assert result.interval is not None
    low, high = result.interval
    # With 200,000 units the interval is narrow: a half-width of about 2 standard errors.
    assert low < float(result.estimate) < high
    assert 0 < high - low < 0.01


# Not Fleiss' kappa: in Gwet's generalisation a unit rated once still counts toward the
# classification probabilities (tests/core/test_agreement_gwet.py).
COEFFICIENTS: list[Callable[..., AgreementResult]] = [
    ag.percent_agreement, ag.krippendorff_alpha,
]


@pytest.mark.parametrize("coefficient", COEFFICIENTS)
def test_units_with_a_single_value_do_not_count(coefficient: Callable[..., AgreementResult]
                                                ) -> None:
    with_singles: dict[Column, int] = {(1, 1, N): 4, (0, 0, 0): 5, (1, 0, 1): 2, (N, N, 1): 900}
    without: dict[Column, int] = {(1, 1, N): 4, (0, 0, 0): 5, (1, 0, 1): 2}
    assert coefficient(with_singles) == coefficient(without)
    assert coefficient(with_singles).n_units == 11
