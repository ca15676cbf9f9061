"""Fleiss' kappa with missing ratings is Gwet's generalisation, checked against an
implementation of Gwet's formula written here from the handbook (irrCAC's
``fleiss.kappa.raw``), and cross-checked against the `statsmodels` and `krippendorff`
packages where those apply (dev-only dependencies)."""

from __future__ import annotations

import random

import krippendorff
import numpy as np
import pytest
from statsmodels.stats import inter_rater

from qcode.core.agreement import coefficients as ag

Ratings = list[list[str | None]]  # one row per unit, one column per rater


def gwet_fleiss(ratings: Ratings) -> float:
    """Gwet (2014), Handbook of Inter-Rater Reliability, Fleiss' generalised kappa, as
    irrCAC computes it with matrices: r_ik counts, p_a over units with r_i >= 2, pi_k the
    mean over rated units of r_ik / r_i, p_e = sum pi_k^2."""
    categories = sorted({v for row in ratings for v in row if v is not None})
    counts = np.array([[sum(v == k for v in row) for k in categories] for row in ratings],
                      dtype=float)
    counts = counts[counts.sum(axis=1) > 0]  # "exclude all subjects not rated by any rater"
    r = counts.sum(axis=1)
    two = r >= 2
    pa = float(np.sum((counts * (counts - 1)).sum(axis=1)[two] / (r * (r - 1))[two]) / two.sum())
    pi = (counts / r[:, None]).mean(axis=0)
    pe = float(np.sum(pi * pi))
    return (pa - pe) / (1 - pe)


def as_matrix(ratings: Ratings) -> list[list[str | None]]:
    """Units as rows -> qcode's matrix: one row per coder."""
    return [list(column) for column in zip(*ratings, strict=True)]


def random_ratings(seed: int, units: int = 40, raters: int = 5, missing: float = 0.35,
                   categories: str = "abc") -> Ratings:
    rng = random.Random(seed)
    rows = []
    for _ in range(units):
        truth = rng.choice(categories)
        rows.append([None if rng.random() < missing
                     else truth if rng.random() < 0.6 else rng.choice(categories)
                     for _ in range(raters)])
    return rows


def test_a_hand_example_with_unequal_raters() -> None:
    ratings: Ratings = [["a", "a", "b"], ["a", "a", None], ["b", "b", "b"], ["a", None, None],
                        ["b", "a", None]]
    # p_a over the 4 units with 2+ ratings: (1/3 + 1 + 1 + 0) / 4 = 7/12
    # pi_a = (2/3 + 1 + 0 + 1 + 1/2) / 5 = 19/30, pi_b = 11/30
    # p_e = (361 + 121) / 900 = 241/450; kappa = (7/12 - 241/450) / (209/450) = 43/418
    assert gwet_fleiss(ratings) == pytest.approx(43 / 418)
    assert ag.fleiss_kappa(as_matrix(ratings)).value == pytest.approx(43 / 418)


@pytest.mark.parametrize("seed", range(8))
def test_fleiss_with_missing_ratings_is_gwets_generalisation(seed: int) -> None:
    ratings = random_ratings(seed)
    assert len({sum(v is not None for v in row) for row in ratings}) > 1  # unequal raters
    assert ag.fleiss_kappa(as_matrix(ratings)).value == pytest.approx(gwet_fleiss(ratings))


@pytest.mark.parametrize("seed", range(4))
def test_with_every_rating_present_all_three_agree_with_statsmodels(seed: int) -> None:
    ratings = random_ratings(seed, missing=0.0)
    table, _categories = inter_rater.aggregate_raters(np.array(ratings, dtype=object))
    expected = inter_rater.fleiss_kappa(table, method="fleiss")
    assert gwet_fleiss(ratings) == pytest.approx(expected)
    assert ag.fleiss_kappa(as_matrix(ratings)).value == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval"])
def test_alpha_with_missing_values_agrees_with_the_krippendorff_package(
        seed: int, level: str) -> None:
    ratings = random_ratings(seed, categories="123")
    numbers = [[None if v is None else int(v) for v in row] for row in ratings]
    matrix = np.array([[np.nan if v is None else v for v in column]
                       for column in zip(*numbers, strict=True)], dtype=float)
    expected = krippendorff.alpha(reliability_data=matrix, level_of_measurement=level)
    ours = ag.krippendorff_alpha(as_matrix(numbers), level)  # type: ignore[arg-type]
    assert ours.value == pytest.approx(expected)
