"""Inter-coder agreement coefficients, as pure functions over column tallies.

Data comes in one of two shapes:

* a reliability **matrix**: a sequence of rows, one per coder, each holding one value per
  unit (a segment, a paragraph, a code's presence as 0/1 ...);
* a **column tally** (:data:`Columns`): a mapping from a column pattern — a tuple of one
  value per coder, in a fixed coder order — to how many units have exactly that column,
  e.g. ``{(1, 1): 120, (1, 0): 7, (0, None): 40, (0, 0): 900}``.

``None`` marks a missing value: that coder did not code that unit. Values are compared
with ``==``, so ``1`` and ``True`` are the same category. A matrix is tallied with
:func:`tally_columns` (``Counter(zip(*rows))``) and every coefficient is then computed
from the distinct patterns weighted by their counts, so the cost depends on how many
*different* columns there are, not on how many units: 200,000 paragraphs coded 0/1 by
3 coders have at most 27 patterns.

Every coefficient returns an :class:`AgreementResult`. When a coefficient is undefined
(no unit coded twice, or no variation so chance agreement is 1) the result says why
instead of returning NaN or a misleading 1.0. Malformed input raises
:class:`AgreementInputError`.

``categories=`` lists every value a coder could have chosen. Only Brennan-Prediger and
Gwet's AC1 change when a category goes unused (their chance agreement depends on
q = len(categories)); Cohen, Scott, Fleiss and Krippendorff give unused categories zero
weight, so there it only validates the data and, for ordinal alpha, orders the scale.
"""

from __future__ import annotations

import itertools
import math
import numbers
import random
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, TypeAlias

from qcode.core.agreement.input import (
    FEWER_THAN_TWO,
    AgreementInputError,
    Column,
    Columns,
    Data,
    Matrix,
    Table,
    Units,
    pairable_sequence,
    prepare,
    tally_columns,
    units_of,
)
from qcode.core.agreement.resample import percentile, resamples

Level: TypeAlias = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")

# Up to this many pairable units the bootstrap draws units one by one (the textbook
# method, easy to redo by hand); above it, per-pattern counts come from the equivalent
# multinomial so a resample costs O(patterns) instead of O(units).
DRAW_UNITS_MAX = 2_000


@dataclass(frozen=True)
class AgreementResult:
    """One agreement coefficient, or the reason it is undefined.

    ``value`` is None exactly when ``defined`` is False, and then ``reason`` says why.
    ``n_units`` counts the units that entered the computation; ``note`` records choices
    the reader should know about (e.g. where q came from).
    """

    value: float | None
    defined: bool
    reason: str | None
    n_units: int
    n_coders: int
    note: str | None = None

    def __post_init__(self) -> None:
        if self.defined != (self.value is not None):
            raise ValueError("AgreementResult: value must be None exactly when undefined")
        if self.value is not None and not math.isfinite(self.value):
            raise ValueError(f"AgreementResult: value must be finite, got {self.value!r}")

    def __float__(self) -> float:
        if self.value is None:
            raise ValueError(f"agreement coefficient is undefined: {self.reason}")
        return self.value

    def format(self, digits: int = 3) -> str:
        """``"0.743"`` (rounded to ``digits``) or ``"N/A (reason)"``."""
        if self.value is None:
            return f"N/A ({self.reason})"
        text = f"{self.value:.{digits}f}"
        # A tiny negative value would otherwise print as "-0.000".
        return text[1:] if text.startswith("-") and float(text) == 0 else text


@dataclass(frozen=True)
class BootstrapResult:
    """Point estimate of alpha plus a percentile bootstrap interval (None if unavailable)."""

    estimate: AgreementResult
    interval: tuple[float, float] | None
    ci: float
    n_resamples: int
    n_undefined: int


def _defined(value: Fraction | float, n_units: int, n_coders: int,
             note: str | None = None) -> AgreementResult:
    return AgreementResult(float(value), True, None, n_units, n_coders, note)


def _undefined(reason: str, n_units: int, n_coders: int,
               note: str | None = None) -> AgreementResult:
    return AgreementResult(None, False, reason, n_units, n_coders, note)


def _no_variation(value: Hashable, name: str, what: str = "chance agreement is 1") -> str:
    return f"no variation: every value is {value!r}, so {what} and {name} is undefined"


def _weight(units: Units) -> int:
    return sum(w for _, w in units)


def _pairwise(units: Units) -> Fraction:
    """Mean over units of the share of agreeing coder pairs; units have >= 2 values."""
    total = sum((Fraction(sum(c * (c - 1) for c in u.values()) * w, u.total() * (u.total() - 1))
                 for u, w in units), Fraction(0))
    return total / _weight(units)


def _two_coders(data: Data, categories: Iterable[Hashable] | None, name: str
                ) -> dict[tuple[Hashable, Hashable], int]:
    """(value of coder 1, value of coder 2) -> units, for units both coded."""
    table = prepare(data, categories)
    if table.n_coders != 2:
        raise AgreementInputError(f"{name} needs exactly 2 coders (rows), got {table.n_coders}; "
                                  "use fleiss_kappa or krippendorff_alpha for more")
    return {(a, b): w for (a, b), w in table.patterns.items() if a is not None and b is not None}


# -- coefficients ---------------------------------------------------------------------


def percent_agreement(data: Data, categories: Iterable[Hashable] | None = None
                      ) -> AgreementResult:
    """Observed agreement, without chance correction.

    For any number of coders this is *pairwise* agreement averaged over units: for each
    unit with at least 2 values, the proportion of agreeing pairs among all pairs of its
    non-missing values; then the mean over those units. Units with fewer than 2 values
    are skipped. With 2 coders it is the share of jointly coded units they agree on.
    """
    table = prepare(data, categories)
    units = [(u, w) for u, w in units_of(table) if u.total() >= 2]
    if not units:
        return _undefined(FEWER_THAN_TWO, 0, table.n_coders)
    return _defined(_pairwise(units), _weight(units), table.n_coders,
                    "pairwise, mean over units")


def _kappa_like(pairs: dict[tuple[Hashable, Hashable], int], name: str, pooled: bool
                ) -> AgreementResult:
    if not pairs:
        return _undefined(FEWER_THAN_TWO, 0, 2)
    n = sum(pairs.values())
    first: Counter[Hashable] = Counter()
    second: Counter[Hashable] = Counter()
    for (a, b), w in pairs.items():
        first[a] += w
        second[b] += w
    observed = Fraction(sum(w for (a, b), w in pairs.items() if a == b), n)
    if pooled:
        both = first + second
        chance = Fraction(sum(c * c for c in both.values()), 4 * n * n)
    else:
        chance = Fraction(sum(first[k] * second[k] for k in first), n * n)
    if chance == 1:
        return _undefined(_no_variation(next(iter(pairs))[0], name), n, 2)
    return _defined((observed - chance) / (1 - chance), n, 2)


def cohen_kappa(data: Data, categories: Iterable[Hashable] | None = None) -> AgreementResult:
    """Cohen's kappa for exactly 2 coders; units either coder left missing are dropped.

    Chance agreement is the SUM over categories of p1(k) * p2(k), each coder's own
    marginal proportions.
    """
    return _kappa_like(_two_coders(data, categories, "Cohen's kappa"), "Cohen's kappa", False)


def scott_pi(data: Data, categories: Iterable[Hashable] | None = None) -> AgreementResult:
    """Scott's pi for exactly 2 coders: like kappa, but chance uses the pooled marginals.

    Units either coder left missing are dropped.
    """
    return _kappa_like(_two_coders(data, categories, "Scott's pi"), "Scott's pi", True)


def _fleiss(units: Units, n_coders: int) -> AgreementResult:
    used = [(u, w) for u, w in units if u.total() >= 2]
    if not used:
        return _undefined(FEWER_THAN_TWO, 0, n_coders)
    # Gwet's generalisation: pi_k is the mean over rated units of each unit's share of
    # its ratings in k. Pooling the ratings instead weights a unit by how many coders
    # rated it, which is not Fleiss' chance model once that number varies.
    rated = [(u, w) for u, w in units if u.total()]
    n_rated = _weight(rated)
    pi: dict[Hashable, Fraction] = {}
    for u, w in rated:
        for k, c in u.items():
            pi[k] = pi.get(k, Fraction(0)) + Fraction(c * w, u.total() * n_rated)
    chance = sum((p * p for p in pi.values()), Fraction(0))
    n_used = _weight(used)
    if chance == 1:
        return _undefined(_no_variation(next(iter(pi)), "Fleiss' kappa"), n_used, n_coders)
    return _defined((_pairwise(used) - chance) / (1 - chance), n_used, n_coders)


def fleiss_kappa(data: Data, categories: Iterable[Hashable] | None = None) -> AgreementResult:
    """Fleiss' kappa for any number of coders, allowing missing values, as Gwet (2014,
    Handbook of Inter-Rater Reliability) generalises it (irrCAC's ``fleiss.kappa.raw``).

    The number of raters r_i may vary by unit. Observed agreement is the mean, over
    units with at least 2 ratings, of P_i = sum_k r_ik (r_ik - 1) / (r_i (r_i - 1)).
    Chance agreement is sum_k pi_k**2, with pi_k the mean, over units with at least one
    rating, of r_ik / r_i (a unit rated once counts toward pi_k). With a constant
    number of raters this is Fleiss (1971).
    """
    table = prepare(data, categories)
    return _fleiss(units_of(table), table.n_coders)


def fleiss_kappa_from_counts(counts: Sequence[Sequence[int]]) -> AgreementResult:
    """Fleiss' kappa from the classic table: ``counts[i][k]`` raters put unit i in category k.

    Rows may have different totals (see :func:`fleiss_kappa`); ``n_coders`` in the result
    is the largest row total.
    """
    if isinstance(counts, str | bytes) or not isinstance(counts, Sequence) or not counts:
        raise AgreementInputError("empty data: counts needs one row per unit")
    if len({len(row) for row in counts}) != 1 or len(counts[0]) == 0:
        raise AgreementInputError("ragged or empty counts: each row needs a count per category")
    rows: Counter[tuple[int, ...]] = Counter()
    for i, row in enumerate(counts):
        for c in row:
            if isinstance(c, bool) or not isinstance(c, int) or c < 0:
                raise AgreementInputError(f"counts row {i}: {c!r} is not a count (int >= 0)")
        rows[tuple(row)] += 1
    units: Units = [(Counter({k: c for k, c in enumerate(row) if c}), w)
                    for row, w in rows.items()]
    return _fleiss(units, max(sum(row) for row in rows))


def _chance_from_q(data: Data, categories: Iterable[Hashable] | None, name: str
                   ) -> tuple[Units, Units, int, int, str] | AgreementResult:
    """Front half of BP and AC1: (pairable units, rated units, coders, q, note) or N/A."""
    table = prepare(data, categories)
    units = units_of(table)
    used = [(u, w) for u, w in units if u.total() >= 2]
    cats = table.categories
    note = f"q = {len(cats)} from {'categories=' if table.given else 'the observed values'}"
    if not used:
        return _undefined(FEWER_THAN_TWO, 0, table.n_coders, note)
    if len(cats) < 2:
        return _undefined(f"only one category ({cats[0]!r}) is known, so {name} cannot "
                          "correct for chance; pass categories= with every possible value "
                          "(e.g. (0, 1) for a code's presence)", _weight(used), table.n_coders,
                          note)
    rated = [(u, w) for u, w in units if u.total()]
    return used, rated, table.n_coders, len(cats), note


def brennan_prediger(data: Data, categories: Iterable[Hashable] | None = None
                     ) -> AgreementResult:
    """Brennan-Prediger coefficient (free-marginal kappa): chance agreement is 1/q.

    q = len(categories) when given, else the number of distinct observed values (the
    result's ``note`` says which). Observed agreement is :func:`percent_agreement`.
    """
    prepared = _chance_from_q(data, categories, "Brennan-Prediger")
    if isinstance(prepared, AgreementResult):
        return prepared
    used, _, n_coders, q, note = prepared
    chance = Fraction(1, q)
    return _defined((_pairwise(used) - chance) / (1 - chance), _weight(used), n_coders, note)


def gwet_ac1(data: Data, categories: Iterable[Hashable] | None = None) -> AgreementResult:
    """Gwet's AC1 for any number of coders (Gwet 2014, Handbook of Inter-Rater Reliability).

    Observed agreement p_a is :func:`percent_agreement` (units with >= 2 ratings). With
    pi_k the mean, over units with at least one rating, of the share of that unit's
    ratings in category k, chance agreement is p_e = sum_k pi_k (1 - pi_k) / (q - 1),
    q = len(categories) or the number of observed values (see ``note``). For 2 coders
    with complete data this is Gwet's (2008) two-rater formula. Units with a single
    rating count toward pi_k, as in Gwet's handbook.
    """
    prepared = _chance_from_q(data, categories, "Gwet's AC1")
    if isinstance(prepared, AgreementResult):
        return prepared
    used, rated, n_coders, q, note = prepared
    n_rated = _weight(rated)
    pi: dict[Hashable, Fraction] = {}
    for u, w in rated:
        for k, c in u.items():
            pi[k] = pi.get(k, Fraction(0)) + Fraction(c * w, u.total() * n_rated)
    chance = sum((p * (1 - p) for p in pi.values()), Fraction(0)) / (q - 1)
    return _defined((_pairwise(used) - chance) / (1 - chance), _weight(used), n_coders, note)


# -- Krippendorff's alpha -------------------------------------------------------------


def _numeric(v: Hashable, level: str) -> float:
    if not isinstance(v, numbers.Real):
        raise AgreementInputError(f"{level} alpha needs numbers, got {v!r}")
    x = float(v)
    if level == "ratio" and x < 0:
        raise AgreementInputError(f"ratio alpha needs values >= 0, got {v!r}")
    return x


def _prepare_alpha(data: Data, level: str, categories: Iterable[Hashable] | None
                   ) -> tuple[Table, list[Hashable]]:
    """Return (the tally, category order for ordinal)."""
    if level not in LEVELS:
        raise AgreementInputError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    if level == "ordinal" and isinstance(categories, set | frozenset):
        raise AgreementInputError("ordinal categories= must be in order (a list or tuple)")
    table = prepare(data, categories)
    cats = table.categories
    if level in ("interval", "ratio"):
        for v in cats:
            _numeric(v, level)
    if level == "ordinal" and not table.given:
        try:
            cats = sorted(cats)  # type: ignore[type-var]
        except TypeError:
            raise AgreementInputError("ordinal values cannot be sorted; pass categories= "
                                      "from lowest to highest") from None
    return table, cats


def _alpha(units: Units, level: str, order: list[Hashable]) -> tuple[float | None, str | None]:
    """Alpha from the coincidence matrix of pairable units (Krippendorff 2011)."""
    if not units:
        return None, FEWER_THAN_TWO
    coincidences: dict[tuple[Hashable, Hashable], float] = {}
    marginals: Counter[Hashable] = Counter()
    for u, w in units:
        m = u.total()
        for c, nc in u.items():
            marginals[c] += nc * w
            for k, nk in u.items():
                pairs = nc * (nc - 1) if c == k else nc * nk
                coincidences[c, k] = coincidences.get((c, k), 0.0) + w * pairs / (m - 1)
    if len(marginals) < 2:
        return None, _no_variation(next(iter(marginals)), "Krippendorff's alpha",
                                   "expected disagreement is 0")
    if level == "ordinal":
        # delta(c, k) = (sum of marginals from c to k - (n_c + n_k) / 2)^2 over ranks.
        rank = {v: i for i, v in enumerate(order)}
        cumulative = [0, *itertools.accumulate(marginals[v] for v in order)]

        def delta(c: Hashable, k: Hashable) -> float:
            lo, hi = sorted((rank[c], rank[k]))
            between = cumulative[hi + 1] - cumulative[lo]
            return float((between - (marginals[c] + marginals[k]) / 2) ** 2)
    elif level == "nominal":
        def delta(c: Hashable, k: Hashable) -> float:
            return 0.0 if c == k else 1.0
    else:
        def delta(c: Hashable, k: Hashable) -> float:
            x, y = _numeric(c, level), _numeric(k, level)
            if level == "interval":
                return (x - y) ** 2
            return 0.0 if x == y else ((x - y) / (x + y)) ** 2
    n = marginals.total()
    observed = sum(o * delta(c, k) for (c, k), o in coincidences.items())
    expected = sum(marginals[c] * marginals[k] * delta(c, k)
                   for c in marginals for k in marginals)
    return 1 - (n - 1) * observed / expected, None


def krippendorff_alpha(data: Data, level: Level = "nominal",
                       categories: Iterable[Hashable] | None = None) -> AgreementResult:
    """Krippendorff's alpha for any number of coders with missing data.

    Computed via the coincidence matrix as in Krippendorff (2011), "Computing
    Krippendorff's Alpha-Reliability": only units with at least 2 values are pairable;
    alpha = 1 - (n - 1) * sum o_ck delta_ck / sum n_c n_k delta_ck. Metrics: nominal;
    ordinal on category ranks with delta_ck = (sum_{g=c..k} n_g - (n_c + n_k)/2)^2;
    interval (c - k)^2; ratio ((c - k)/(c + k))^2 (values must be >= 0). For ordinal,
    ``categories=`` gives the order from lowest to highest (default: sorted values).
    """
    table, order = _prepare_alpha(data, level, categories)
    units = [(u, w) for u, w in units_of(table) if u.total() >= 2]
    value, reason = _alpha(units, level, order)
    if value is None:
        return _undefined(reason or FEWER_THAN_TWO, _weight(units), table.n_coders)
    return _defined(value, _weight(units), table.n_coders, level)


def krippendorff_alpha_bootstrap(data: Data, level: Level = "nominal", n: int = 1000,
                                 seed: int | None = 0, ci: float = 0.95,
                                 categories: Iterable[Hashable] | None = None
                                 ) -> BootstrapResult:
    """Alpha with a percentile bootstrap interval from resampling units.

    Each of ``n`` resamples draws as many pairable units as the data has, with
    replacement, and recomputes alpha. The units are taken in their given order (matrix
    columns; a tally's patterns in mapping order, each repeated by its count). Up to
    :data:`DRAW_UNITS_MAX` units they are drawn one at a time with
    ``random.Random(seed).choices``; above that, how often each distinct unit is drawn
    comes from the same multinomial distribution via sequential binomial draws
    (:func:`qcode.core.agreement.resample.multinomial`), so a resample costs O(patterns). Either
    way a given seed always gives the same interval. Resamples where alpha is undefined
    (no variation) are skipped and counted in ``n_undefined``. The interval is the
    (1-ci)/2 and (1+ci)/2 percentiles of the remaining values, or None if none remain.
    The ordinal scale order is fixed from the full data.
    """
    if n < 1:
        raise AgreementInputError(f"n must be at least 1, got {n}")
    if not 0 < ci < 1:
        raise AgreementInputError(f"ci must be between 0 and 1, got {ci}")
    table, order = _prepare_alpha(data, level, categories)
    estimate = krippendorff_alpha(data, level, categories)
    if not estimate.defined:
        return BootstrapResult(estimate, None, ci, 0, 0)
    population = pairable_sequence(table)
    values: list[float] = []
    draws = resamples(random.Random(seed), population, one_by_one_up_to=DRAW_UNITS_MAX)
    for resample in itertools.islice(draws, n):
        value, _reason = _alpha(resample, level, order)
        if value is not None:
            values.append(value)
    values.sort()
    interval = ((percentile(values, (1 - ci) / 2), percentile(values, (1 + ci) / 2))
                if values else None)
    return BootstrapResult(estimate, interval, ci, n, n - len(values))


__all__ = [
    "DRAW_UNITS_MAX", "FEWER_THAN_TWO", "LEVELS", "AgreementInputError", "AgreementResult",
    "BootstrapResult", "Column", "Columns", "Data", "Level", "Matrix", "brennan_prediger",
    "cohen_kappa", "fleiss_kappa", "fleiss_kappa_from_counts", "gwet_ac1",
    "krippendorff_alpha", "krippendorff_alpha_bootstrap", "percent_agreement", "scott_pi",
    "tally_columns",
]
