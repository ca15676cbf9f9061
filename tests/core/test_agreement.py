"""Agreement coefficients against published reference values and hand computations."""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable, Hashable, Sequence
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from qcode.core.agreement import coefficients as ag
from qcode.core.agreement.coefficients import AgreementInputError, AgreementResult

N = None

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C.
EXAMPLE_C: list[list[int | None]] = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]

# Krippendorff (2011), example A: two observers, binary data.
EXAMPLE_A = [[0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]]

# Wikipedia, "Fleiss' kappa": 10 subjects, 14 raters, 5 categories.
FLEISS_COUNTS = [
    [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
]

# Hand example used for kappa, pi, Brennan-Prediger and AC1 (2 coders, 6 units):
#   coder 1: a a b b c c      coder 2: a b b b c a      agree on units 1, 3, 4, 5
#   p_o = 4/6 = 2/3; marginals coder 1 a2 b2 c2, coder 2 a2 b3 c1 (of 6).
HAND = [["a", "a", "b", "b", "c", "c"], ["a", "b", "b", "b", "c", "a"]]


def from_table(table: Sequence[Sequence[int]]) -> list[list[int]]:
    """Expand a 2-coder contingency table (rows: coder 1, columns: coder 2) to a matrix."""
    first: list[int] = []
    second: list[int] = []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            first += [i] * count
            second += [j] * count
    return [first, second]


def from_counts(counts: Sequence[Sequence[int]]) -> list[list[int | None]]:
    """Expand unit-by-category counts to a coders x units matrix (rater j = j-th rating)."""
    columns = [[k for k, c in enumerate(row) for _ in range(c)] for row in counts]
    raters = max(len(col) for col in columns)
    return [[col[j] if j < len(col) else None for col in columns] for j in range(raters)]


def value(result: AgreementResult) -> float:
    assert result.defined, result.reason
    assert result.value is not None
    return result.value


# -- Krippendorff's alpha -------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "expected"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_alpha_krippendorff_2011_example_c(level: ag.Level, expected: float) -> None:
    result = ag.krippendorff_alpha(EXAMPLE_C, level)
    assert round(value(result), 3) == expected
    assert result.format() == f"{expected:.3f}"
    assert result.n_units == 11  # the last unit has a single value, so it is not pairable
    assert result.n_coders == 4


def test_alpha_example_c_nominal_exact() -> None:
    # n = 40 pairable values (marginals 9, 13, 10, 5, 3); off-diagonal coincidences sum
    # to 8; sum over c != k of n_c n_k = 40^2 - 384 = 1216; alpha = 1 - 39 * 8/1216
    assert value(ag.krippendorff_alpha(EXAMPLE_C)) == pytest.approx(113 / 152, abs=1e-12)


def test_alpha_krippendorff_2011_example_a_binary() -> None:
    assert round(value(ag.krippendorff_alpha(EXAMPLE_A, "nominal")), 3) == 0.095


def test_alpha_ordinal_order_comes_from_categories() -> None:
    words = [["low", "mid", "high", "mid", "low"], ["low", "high", "high", "mid", "mid"]]
    numbers = [[{"low": 1, "mid": 2, "high": 3}[w] for w in row] for row in words]
    in_order = ag.krippendorff_alpha(words, "ordinal", categories=["low", "mid", "high"])
    assert value(in_order) == pytest.approx(value(ag.krippendorff_alpha(numbers, "ordinal")))
    # Without categories the strings sort alphabetically (high < low < mid): another scale.
    alphabetical = ag.krippendorff_alpha(words, "ordinal")
    assert value(alphabetical) != pytest.approx(value(in_order))


def test_alpha_ordinal_unused_category_in_the_middle_has_no_weight() -> None:
    data = [[1, 2, 4, 4, 1, 2], [1, 4, 4, 2, 1, 1]]
    plain = value(ag.krippendorff_alpha(data, "ordinal"))
    assert value(ag.krippendorff_alpha(data, "ordinal", categories=[1, 2, 3, 4])) == (
        pytest.approx(plain))
    # ...but the rank distance is not the numeric distance: interval alpha differs.
    assert value(ag.krippendorff_alpha(data, "interval")) != pytest.approx(plain)


# -- kappa, pi, Fleiss ----------------------------------------------------------------


def test_cohen_kappa_wikipedia_example() -> None:
    # p_o = 35/50 = 0.7; p_e = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2/0.5 = 0.4
    result = ag.cohen_kappa(from_table([[20, 5], [10, 15]]))
    assert value(result) == pytest.approx(0.4)
    assert (result.n_units, result.n_coders) == (50, 2)


def test_cohen_kappa_hand_example_sums_chance_over_categories() -> None:
    # p_e = (2*2 + 2*3 + 2*1) / 36 = 1/3; kappa = (2/3 - 1/3) / (2/3) = 1/2
    assert value(ag.cohen_kappa(HAND)) == pytest.approx(0.5)


def test_cohen_kappa_drops_units_with_a_missing_value() -> None:
    data = [["a", "a", "b", "b", "c", "c", "a", None], ["a", "b", "b", "b", "c", "a", None, "c"]]
    result = ag.cohen_kappa(data)
    assert value(result) == pytest.approx(0.5)
    assert result.n_units == 6


def test_scott_pi_hand_example() -> None:
    # pooled a4 b5 c3 of 12: p_e = (16 + 25 + 9) / 144 = 25/72
    # pi = (2/3 - 25/72) / (47/72) = 23/47
    assert value(ag.scott_pi(HAND)) == pytest.approx(23 / 47)


def test_fleiss_kappa_wikipedia_from_counts() -> None:
    result = ag.fleiss_kappa_from_counts(FLEISS_COUNTS)
    assert round(value(result), 3) == 0.210
    assert (result.n_units, result.n_coders) == (10, 14)


def test_fleiss_kappa_wikipedia_from_matrix() -> None:
    matrix = from_counts(FLEISS_COUNTS)
    assert len(matrix) == 14 and len(matrix[0]) == 10
    assert value(ag.fleiss_kappa(matrix)) == pytest.approx(0.20993, abs=1e-5)


def test_fleiss_kappa_varying_raters_per_unit() -> None:
    # units: [a a b], [a a -], [b b b], [a - -] (no pair: left out of P-bar only)
    # P_i = 2/6, 1, 1 -> P-bar = 7/9
    # Gwet: pi_a = (2/3 + 1 + 0 + 1) / 4 = 2/3, pi_b = 1/3 -> p_e = 4/9 + 1/9 = 5/9
    # kappa = (7/9 - 5/9) / (4/9) = 1/2   (the pooled share of ratings gave p_e 1/2, 5/9)
    data: list[list[str | None]] = [["a", "a", "b", "a"], ["a", "a", "b", N], ["b", N, "b", N]]
    result = ag.fleiss_kappa(data)
    assert value(result) == pytest.approx(1 / 2)
    assert result.n_units == 3


def test_fleiss_equals_scott_for_two_coders() -> None:
    assert value(ag.fleiss_kappa(HAND)) == pytest.approx(value(ag.scott_pi(HAND)))


# -- percent agreement, Brennan-Prediger, Gwet ----------------------------------------


def test_percent_agreement_pairwise_mean_over_units() -> None:
    # units [a a b] 1/3 of pairs agree, [a a a] 1, [a - b] 0, [a - -] skipped -> 4/9
    data: list[list[str | None]] = [["a", "a", "a", "a"], ["a", "a", N, N], ["b", "a", "b", N]]
    result = ag.percent_agreement(data)
    assert value(result) == pytest.approx(4 / 9)
    assert result.n_units == 3
    assert value(ag.percent_agreement(HAND)) == pytest.approx(2 / 3)


def test_brennan_prediger_hand_example_and_unused_category() -> None:
    # q = 3 observed: (2/3 - 1/3) / (2/3) = 1/2
    observed = ag.brennan_prediger(HAND)
    assert value(observed) == pytest.approx(0.5)
    assert observed.note is not None and "observed" in observed.note
    # q = 4 when 'd' is a possible but unused code: (2/3 - 1/4) / (3/4) = 5/9
    declared = ag.brennan_prediger(HAND, categories=["a", "b", "c", "d"])
    assert value(declared) == pytest.approx(5 / 9)
    assert declared.note is not None and "categories=" in declared.note


def test_gwet_ac1_hand_example_and_unused_category() -> None:
    # pi_a = (2/6 + 2/6)/2 = 1/3, pi_b = (2/6 + 3/6)/2 = 5/12, pi_c = (2/6 + 1/6)/2 = 1/4
    # sum pi(1 - pi) = 2/9 + 35/144 + 3/16 = 47/72
    # q = 3: p_e = 47/144, AC1 = (96/144 - 47/144) / (97/144) = 49/97
    assert value(ag.gwet_ac1(HAND)) == pytest.approx(49 / 97)
    # q = 4: p_e = 47/216, AC1 = (144/216 - 47/216) / (169/216) = 97/169
    assert value(ag.gwet_ac1(HAND, categories="abcd")) == pytest.approx(97 / 169)


def test_gwet_ac1_single_ratings_count_toward_classification_probabilities() -> None:
    # p_a over units 1-3 = 2/3; pi over all 4 rated units: pi_a = (1 + 1/2 + 0 + 1)/4 = 5/8
    # p_e = 2 * (5/8)(3/8) / 1 = 15/32; AC1 = (2/3 - 15/32) / (17/32) = 19/51
    data: list[list[str | None]] = [["a", "a", "b", "a"], ["a", "b", "b", N]]
    assert value(ag.gwet_ac1(data)) == pytest.approx(19 / 51)


# -- undefined and invalid ------------------------------------------------------------

NO_VARIATION: list[list[int | None]] = [[1, 1, 1, 1], [1, 1, 1, 1], [1, N, 1, 1]]
CHANCE_CORRECTED: list[Callable[..., AgreementResult]] = [
    ag.cohen_kappa, ag.scott_pi, ag.fleiss_kappa, ag.krippendorff_alpha,
]


@pytest.mark.parametrize("coefficient", CHANCE_CORRECTED)
def test_no_variation_is_undefined_not_one(coefficient: Callable[..., AgreementResult]) -> None:
    result = coefficient(NO_VARIATION[:2], categories=[0, 1])
    assert not result.defined
    assert result.value is None
    assert result.reason is not None and "no variation" in result.reason
    assert "every value is 1" in result.reason
    assert result.format().startswith("N/A (no variation")
    with pytest.raises(ValueError, match="undefined"):
        float(result)


def test_no_variation_fleiss_and_alpha_with_three_coders() -> None:
    assert not ag.fleiss_kappa(NO_VARIATION).defined
    assert ag.krippendorff_alpha(NO_VARIATION, "interval").value is None
    assert value(ag.percent_agreement(NO_VARIATION)) == 1.0


def test_no_variation_free_marginal_coefficients_need_categories() -> None:
    for coefficient in (ag.brennan_prediger, ag.gwet_ac1):
        alone = coefficient(NO_VARIATION)
        assert not alone.defined
        assert alone.reason is not None and "only one category" in alone.reason
        # With the full set {0, 1} chance agreement is 1/2 (BP) or 0 (AC1): both give 1.
        assert value(coefficient(NO_VARIATION, categories=[0, 1])) == 1.0


ALL: list[Callable[..., AgreementResult]] = [
    ag.percent_agreement, ag.cohen_kappa, ag.scott_pi, ag.fleiss_kappa,
    ag.krippendorff_alpha, ag.brennan_prediger, ag.gwet_ac1,
]


@pytest.mark.parametrize("coefficient", ALL)
def test_fewer_than_two_pairable_values(coefficient: Callable[..., AgreementResult]) -> None:
    result = coefficient([[1, N, 2, N], [N, 0, N, N]], categories=[0, 1, 2])
    assert not result.defined and result.value is None
    assert result.reason == ag.FEWER_THAN_TWO
    assert result.n_units == 0
    assert result.format() == f"N/A ({ag.FEWER_THAN_TWO})"


def test_result_invariants_and_formatting() -> None:
    assert AgreementResult(0.74342, True, None, 11, 4).format() == "0.743"
    assert AgreementResult(0.74342, True, None, 11, 4).format(digits=1) == "0.7"
    assert AgreementResult(-0.0001, True, None, 3, 2).format() == "0.000"
    assert AgreementResult(-0.25, True, None, 3, 2).format() == "-0.250"
    assert float(AgreementResult(0.5, True, None, 3, 2)) == 0.5
    with pytest.raises(ValueError):
        AgreementResult(None, True, None, 3, 2)
    with pytest.raises(ValueError):
        AgreementResult(0.5, False, "why", 3, 2)
    with pytest.raises(ValueError):
        AgreementResult(math.nan, True, None, 3, 2)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: ag.percent_agreement([]), "empty data"),
        (lambda: ag.krippendorff_alpha([[], []]), "no units"),
        (lambda: ag.fleiss_kappa([[1, 2, 3], [1, 2]]), "ragged"),
        (lambda: ag.cohen_kappa([[1, 2], [1, 2], [2, 1]]), "exactly 2 coders"),
        (lambda: ag.scott_pi([[1, 2]]), "exactly 2 coders"),
        (lambda: ag.krippendorff_alpha(EXAMPLE_A, "cardinal"), "unknown level"),  # type: ignore[arg-type]
        (lambda: ag.cohen_kappa(EXAMPLE_A, categories=[0, 2]), "not among categories"),
        (lambda: ag.gwet_ac1(EXAMPLE_A, categories=[0, 1, 1]), "duplicates"),
        (lambda: ag.krippendorff_alpha([["a", "b"], ["a", "a"]], "interval"), "needs numbers"),
        (lambda: ag.krippendorff_alpha([[-1, 2], [1, 2]], "ratio"), ">= 0"),
        (lambda: ag.krippendorff_alpha([[1, 2]], "ordinal", categories={1, 2}), "in order"),
        (lambda: ag.krippendorff_alpha([[1, "a"], [2, 1]], "ordinal"), "cannot be sorted"),
        (lambda: ag.percent_agreement([[1.0, math.nan], [1.0, 2.0]]), "NaN"),
        (
            lambda: ag.percent_agreement([[[1], 2], [1, 2]]),  # type: ignore[list-item]
            "unhashable",
        ),
        (lambda: ag.percent_agreement(["ab", "ab"]), "not a sequence"),
        (lambda: ag.fleiss_kappa_from_counts([[1, 2], [3]]), "ragged"),
        (lambda: ag.fleiss_kappa_from_counts([[1, -2]]), "not a count"),
        (lambda: ag.krippendorff_alpha_bootstrap(EXAMPLE_C, n=0), "at least 1"),
        (lambda: ag.krippendorff_alpha_bootstrap(EXAMPLE_C, ci=1.0), "between 0 and 1"),
    ],
)
def test_bad_input_raises(call: Callable[[], object], message: str) -> None:
    with pytest.raises(AgreementInputError, match=message):
        call()


# -- bootstrap ------------------------------------------------------------------------


@pytest.mark.parametrize("level", ag.LEVELS)
def test_bootstrap_reproducible_and_contains_estimate(level: ag.Level) -> None:
    first = ag.krippendorff_alpha_bootstrap(EXAMPLE_C, level, n=500, seed=7)
    again = ag.krippendorff_alpha_bootstrap(EXAMPLE_C, level, n=500, seed=7)
    assert first == again
    assert first.interval is not None
    low, high = first.interval
    assert low < value(first.estimate) <= high <= 1.0
    assert first.estimate == ag.krippendorff_alpha(EXAMPLE_C, level)
    assert first.n_resamples == 500


def test_bootstrap_seed_matters_and_undefined_estimate_has_no_interval() -> None:
    one = ag.krippendorff_alpha_bootstrap(EXAMPLE_C, "interval", n=200, seed=1)
    two = ag.krippendorff_alpha_bootstrap(EXAMPLE_C, "interval", n=200, seed=2)
    assert one.interval != two.interval
    flat = ag.krippendorff_alpha_bootstrap(NO_VARIATION, n=50)
    assert flat.interval is None and not flat.estimate.defined


def test_bootstrap_follows_the_documented_method() -> None:
    # Redo it by hand: draw pairable units with random.Random(seed).choices, recompute
    # alpha, take the inclusive-method 2.5% and 97.5% quantiles (statistics module).
    columns = list(zip(*EXAMPLE_C, strict=True))
    pairable = [col for col in columns if sum(v is not None for v in col) >= 2]
    rng = random.Random(11)
    alphas = []
    for _ in range(300):
        drawn = rng.choices(pairable, k=len(pairable))
        resample = [list(row) for row in zip(*drawn, strict=True)]
        alpha = ag.krippendorff_alpha(resample, "ratio").value
        if alpha is not None:
            alphas.append(alpha)
    cuts = statistics.quantiles(alphas, n=40, method="inclusive")
    result = ag.krippendorff_alpha_bootstrap(EXAMPLE_C, "ratio", n=300, seed=11)
    assert result.interval == pytest.approx((cuts[0], cuts[-1]))


def test_bootstrap_skips_resamples_without_variation() -> None:
    # Two pairable units, one all-0 and one all-1: about half the resamples repeat one unit.
    result = ag.krippendorff_alpha_bootstrap([[0, 1], [0, 1]], n=200, seed=3)
    assert 0 < result.n_undefined < 200
    assert result.interval == (1.0, 1.0)


# -- properties -----------------------------------------------------------------------

values = st.integers(min_value=0, max_value=3)


@st.composite
def matrices(draw: st.DrawFn, coders: int | None = None, missing: bool = True
             ) -> list[list[int | None]]:
    n_coders = coders or draw(st.integers(min_value=2, max_value=4))
    n_units = draw(st.integers(min_value=1, max_value=12))
    cell = st.one_of(st.none(), values) if missing else values
    return [[draw(cell) for _ in range(n_units)] for _ in range(n_coders)]


@st.composite
def perfect(draw: st.DrawFn, coders: int) -> list[list[int | None]]:
    truth = draw(st.lists(values, min_size=2, max_size=12))
    assume(len(set(truth)) >= 2)
    return [list(truth) for _ in range(coders)]


def everything(data: Sequence[Sequence[Hashable | None]]) -> list[AgreementResult]:
    cats = [0, 1, 2, 3]
    results = [ag.percent_agreement(data), ag.fleiss_kappa(data), ag.brennan_prediger(data),
               ag.gwet_ac1(data), ag.brennan_prediger(data, cats), ag.gwet_ac1(data, cats)]
    results += [ag.krippendorff_alpha(data, level) for level in ag.LEVELS]
    if len(data) == 2:
        results += [ag.cohen_kappa(data), ag.scott_pi(data)]
    return results


@given(st.integers(min_value=2, max_value=4).flatmap(perfect))
def test_perfect_agreement_is_exactly_one(data: list[list[int | None]]) -> None:
    for result in everything(data):
        assert result.value == 1.0, result


@given(matrices())
def test_no_coefficient_exceeds_one(data: list[list[int | None]]) -> None:
    for result in everything(data):
        assert result.defined == (result.value is not None)
        if result.value is not None:
            assert result.value <= 1.0 + 1e-12


@given(matrices(coders=2))
def test_swapping_coders_changes_nothing(data: list[list[int | None]]) -> None:
    swapped = [data[1], data[0]]
    for left, right in zip(everything(data), everything(swapped), strict=True):
        assert left.defined == right.defined
        if left.value is not None:
            assert left.value == pytest.approx(right.value)


@settings(max_examples=50)
@given(st.data())
def test_permuting_units_changes_nothing(draw: st.DataObject) -> None:
    data = draw.draw(matrices())
    order = draw.draw(st.permutations(range(len(data[0]))))
    shuffled = [[row[i] for i in order] for row in data]
    for left, right in zip(everything(data), everything(shuffled), strict=True):
        assert (left.defined, left.n_units, left.reason) == (
            right.defined, right.n_units, right.reason)
        if left.value is not None:
            assert left.value == pytest.approx(right.value)


def test_exact_arithmetic_keeps_simple_fractions_exact() -> None:
    # kappa is computed with fractions, so 1/2 is exact rather than 0.49999...
    assert value(ag.cohen_kappa(HAND)) == float(Fraction(1, 2))
