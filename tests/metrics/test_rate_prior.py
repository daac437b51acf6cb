"""The Beta prior the same-problems intervals shrink each problem's rate towards, fitted to the run
(evaluator.metrics._rate_prior): its mean, its strength, and recovery of a known population."""

from __future__ import annotations

import math

import numpy as np
import pytest

from evaluator.metrics._rate_prior import STRENGTH_CENTRE, STRENGTH_SPREAD
from evaluator.metrics.intervals import rate_prior

GRID_STEP = (1000 / 0.05) ** (1 / 120)  # ratio between neighbouring strengths of the fit's grid


def _penalised_loglik(counts: list[tuple[int, int]], mean: float, s: float) -> float:
    """The beta-binomial log-likelihood as a product of ratios (no log-gamma), plus the hyperprior."""
    a, b = s * mean, s * (1 - mean)
    total = 0.0
    for c, n in counts:
        total += sum(math.log(a + j) for j in range(c)) + sum(math.log(b + j) for j in range(n - c))
        total -= sum(math.log(a + b + j) for j in range(n))
    return total - (math.log(s) - math.log(STRENGTH_CENTRE)) ** 2 / (2 * STRENGTH_SPREAD**2)


def test_the_mean_is_the_pooled_rate_kept_off_0_and_1() -> None:
    assert rate_prior([(3, 4), (10, 40)]).mean == pytest.approx(14 / 46)
    assert rate_prior([(8, 8)] * 5).mean == pytest.approx(41 / 42)
    assert rate_prior([(0, 8)] * 5).mean == pytest.approx(1 / 42)


def test_one_sample_per_problem_says_nothing_about_the_strength() -> None:
    rng = np.random.default_rng(3)
    counts = [(int(x), 1) for x in rng.random(40) < 0.6]
    assert STRENGTH_CENTRE / GRID_STEP <= rate_prior(counts).strength <= STRENGTH_CENTRE * GRID_STEP


@pytest.mark.parametrize(("label", "counts"), [
    ("AIME-like at k=64", [(62, 64)] * 18 + [(32, 64)] * 6 + [(8, 64)] * 6),
    ("exact 0/1 after a pilot of 4", [(4, 4)] * 14 + [(0, 4)] * 7 + [(2, 4)] * 9),
    ("every problem at 70%", [(45, 64)] * 30),
    ("coin flips in 10", [(5, 10)] * 30),
    ("unequal n", [(3, 4), (10, 40), (0, 7), (7, 7)]),
])
def test_the_strength_is_the_mode_of_an_independent_likelihood(label: str, counts: list[tuple[int, int]]) -> None:
    prior = rate_prior(counts)
    fine = np.exp(np.linspace(math.log(0.05), math.log(1000), 2001))
    scores = [_penalised_loglik(counts, prior.mean, float(s)) for s in fine]
    best = float(fine[int(np.argmax(scores))])
    assert best / GRID_STEP <= prior.strength <= best * GRID_STEP, label


def test_settled_sets_get_a_light_prior_and_even_sets_a_heavy_one() -> None:
    u_shaped = rate_prior([(64, 64)] * 14 + [(0, 64)] * 7 + [(32, 64)] * 9).strength
    even = rate_prior([(45, 64)] * 30).strength
    assert u_shaped < 1.0 < STRENGTH_CENTRE < 50.0 < even


@pytest.mark.parametrize(("alpha", "beta"), [(3.0, 1.0), (0.4, 0.3), (20.0, 10.0)])
def test_recovers_a_known_population(alpha: float, beta: float) -> None:
    """Rates drawn from Beta(alpha, beta) on 400 problems, 16 samples each: the fitted strength is within a
    factor 1.6 of alpha + beta and the mean within 2 points of the drawn rates' mean."""
    rng = np.random.default_rng(11)
    rates = rng.beta(alpha, beta, 400)
    counts = [(int(c), 16) for c in rng.binomial(16, rates)]
    prior = rate_prior(counts)
    assert (alpha + beta) / 1.6 <= prior.strength <= (alpha + beta) * 1.6
    assert prior.mean == pytest.approx(rates.mean(), abs=0.02)
