"""Unpaired pass@1 difference between runs on different problem sets (evaluator/metrics/unpaired.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from evaluator.metrics.estimators import ProblemSamples
from evaluator.metrics.unpaired import unpaired_difference


def run(counts: list[int], n: int = 4, prefix: str = "p") -> list[ProblemSamples]:
    return [ProblemSamples(f"{prefix}{i}", ("1",), tuple("1" if j < c else "2" for j in range(n)),
                           tuple(j < c for j in range(n))) for i, c in enumerate(counts)]


def test_constant_runs_have_a_degenerate_interval() -> None:
    r = unpaired_difference(run([4] * 10), run([0] * 12, prefix="q"), bootstrap=200)
    assert (r.diff, r.ci, r.n_a, r.n_b) == (1.0, (1.0, 1.0), 10, 12)


def test_interval_width_matches_the_normal_approximation() -> None:
    rng = np.random.default_rng(1)
    a, b = run(list(rng.integers(0, 5, 60))), run(list(rng.integers(0, 5, 40)), prefix="q")
    r = unpaired_difference(a, b, bootstrap=4000, seed=2)
    rates_a = np.array([p.n_correct / p.n for p in a])
    rates_b = np.array([p.n_correct / p.n for p in b])
    assert r.diff == pytest.approx(rates_a.mean() - rates_b.mean())
    se = math.sqrt(rates_a.var(ddof=1) / 60 + rates_b.var(ddof=1) / 40)
    assert r.ci is not None and r.ci[0] < r.diff < r.ci[1]
    assert (r.ci[1] - r.ci[0]) == pytest.approx(2 * 1.96 * se, rel=0.15)


def test_needs_samples_on_both_sides() -> None:
    with pytest.raises(ValueError):
        unpaired_difference(run([1]), [ProblemSamples("x", ("1",), (), ())])
