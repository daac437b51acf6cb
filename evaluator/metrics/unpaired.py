"""Unpaired difference of pass@1 between two runs on *different* problem sets (e.g. AIME 2024 vs 2025).

Nothing pairs a 2024 problem with a 2025 problem, so each run's problems are resampled independently:
replicate b is mean(resample of A's pass rates) - mean(resample of B's). Used by the compare page's
contamination view: a model much better on an older set than on a newer one of the same contest is a
signal (not a proof: the sets may differ in difficulty) that the older problems were in its training data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from evaluator.metrics._kernels import draw_fixed, percentile_ci, two_level_bootstrap
from evaluator.metrics.estimators import ProblemSamples, _ToDict


@dataclass(frozen=True)
class UnpairedDifference(_ToDict):
    """pass@1 of A minus pass@1 of B over their own problems, with a percentile bootstrap CI."""

    mean_a: float
    mean_b: float
    diff: float
    ci: tuple[float, float] | None
    n_a: int  # problems with samples in A
    n_b: int
    confidence: float
    bootstrap: int
    seed: int


def unpaired_difference(
    a: Sequence[ProblemSamples],
    b: Sequence[ProblemSamples],
    *,
    bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> UnpairedDifference:
    """pass@1(A) - pass@1(B); the CI resamples A's problems and B's problems independently."""
    rates_a = [p.n_correct / p.n for p in a if p.n > 0]
    rates_b = [p.n_correct / p.n for p in b if p.n > 0]
    if not rates_a or not rates_b:
        raise ValueError("unpaired_difference: both runs need at least one problem with samples")
    diff = float(np.mean(rates_a) - np.mean(rates_b))
    ci = None
    if bootstrap > 0:
        rng = np.random.default_rng(seed)
        reps_a = two_level_bootstrap([draw_fixed(r) for r in rates_a], bootstrap, rng)
        reps_b = two_level_bootstrap([draw_fixed(r) for r in rates_b], bootstrap, rng)
        ci = percentile_ci(reps_a - reps_b, confidence)
    return UnpairedDifference(float(np.mean(rates_a)), float(np.mean(rates_b)), diff, ci, len(rates_a),
                              len(rates_b), confidence, bootstrap, seed)
