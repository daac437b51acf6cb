"""Adaptive allocation for pass@1 on a fixed set of problems: fewer samples for the same error bar.

The question is "pass@1 on *these* problems", so only sampling noise counts: with n_i samples of
problem i and true rate p_i, the estimate P = mean_i(c_i / n_i) has variance sum_i p_i(1 - p_i) / n_i / N².
Samples spent on a problem every sample solves (or none does) buy almost nothing, so for a fixed total
the variance is smallest when n_i grows with sqrt(p_i(1 - p_i)) (Neyman allocation).

The sampler works in rounds: every problem first gets a pilot of a few samples, then each round moves each
problem towards its Neyman target (at most doubling its count per round, so the rates the target rests on
are re-estimated as samples arrive), until the same-problems interval is at most `target` on each side, or
every problem reached the cap `k`. Sample indices stay a prefix 0..n_i-1 of the run, so an adaptive run is
an ordinary run folder with unequal counts: it resumes, re-scores and extends like any other.

The targets and the stopping rule use the rates and the same-problems interval the report prints
(`metrics.intervals`: each rate shrunk towards the run's pooled rate by a prior fitted to the run), so a
problem whose pilot was all right or all wrong still counts as somewhat uncertain, the more so when the
set's other problems are not settled either.
The estimator stays the plain mean of per-problem rates: its bias from the data-dependent n_i, and the
interval's coverage, are measured by simulation (tests/metrics/test_adaptive.py, scripts/bench_adaptive.py, docs/metrics.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from evaluator.metrics.intervals import pass1_same_problems, pass1_same_problems_se, smoothed_rates

__all__ = ["Allocation", "next_allocation", "simulate"]

#: Samples per problem before any allocation: fewer gives the targets nothing to stand on.
DEFAULT_PILOT = 4
#: A round at most doubles a problem's samples, so targets are re-estimated from fresh rates.
MAX_GROWTH = 2.0


def _z(confidence: float) -> float:
    return NormalDist().inv_cdf(0.5 + confidence / 2)


@dataclass(frozen=True, kw_only=True)
class Allocation:
    """The next round: how many samples each problem should have in all (`targets`, never below what it has),
    whether the run can stop (`done`, with `reason`), and the half-width the current samples give."""

    targets: dict[str, int]
    done: bool
    reason: str
    halfwidth: float

    @property
    def total(self) -> int:
        return sum(self.targets.values())


def next_allocation(
    counts: Mapping[str, tuple[int, int]],
    *,
    target: float,
    k: int,
    pilot: int = DEFAULT_PILOT,
    confidence: float = 0.95,
) -> Allocation:
    """The next round for per-problem (correct, samples) `counts` (every problem of the set, zeros allowed),
    aiming at a same-problems half-width of `target` (a fraction, 0.02 = 2 points) with at most `k` samples
    per problem. Pure: the same counts always give the same round, so a resumed run continues where it was."""
    if not 0 < target < 1:
        raise ValueError(f"target half-width must be a fraction in (0, 1), got {target}")
    if k < 1 or pilot < 1:
        raise ValueError("k and the pilot must be at least 1")
    pilot = min(pilot, k)
    if any(n < pilot for _, n in counts.values()):
        targets = {pid: max(n, pilot) for pid, (_, n) in counts.items()}
        return Allocation(targets=targets, done=False, reason=f"pilot: {pilot} sample(s) per problem", halfwidth=math.inf)
    halfwidth = _z(confidence) * pass1_same_problems_se(list(counts.values()))
    if halfwidth <= target:
        return Allocation(targets={pid: n for pid, (_, n) in counts.items()}, done=True,
                          reason=f"half-width {halfwidth:.2%} <= {target:.2%}", halfwidth=halfwidth)
    if all(n >= k for _, n in counts.values()):
        return Allocation(targets={pid: n for pid, (_, n) in counts.items()}, done=True,
                          reason=f"every problem has k={k} samples (half-width {halfwidth:.2%})", halfwidth=halfwidth)
    rates = smoothed_rates(list(counts.values()))  # the interval's own rates: targets and stop rule agree
    sigma = {pid: math.sqrt(q * (1 - q)) for pid, q in zip(counts, rates.tolist(), strict=True)}
    scale = (_z(confidence) / (len(counts) * target)) ** 2 * sum(sigma.values())  # Neyman: n_i = scale * sigma_i
    targets = {pid: min(k, max(n, min(math.ceil(scale * sigma[pid]), math.ceil(n * MAX_GROWTH))))
               for pid, (_, n) in counts.items()}
    if all(targets[pid] == n for pid, (_, n) in counts.items()):
        # every problem is at its target but the interval is still too wide (the targets rest on smoothed
        # rates): one more sample where it helps most, so the loop always moves
        best = max((pid for pid, (_, n) in counts.items() if n < k), key=lambda pid: sigma[pid] / counts[pid][1])
        targets[best] += 1
    return Allocation(targets=targets, done=False, reason=f"half-width {halfwidth:.2%} > {target:.2%}",
                      halfwidth=halfwidth)


def simulate(draws: Sequence[Sequence[bool]], target: float, pilot: int = DEFAULT_PILOT) -> tuple[int, tuple[float, float, float]]:
    """The adaptive rounds on pre-drawn outcomes (row i: problem i's samples in order, their length the cap
    k): (samples spent, the final same-problems (estimate, low, high)). For the simulations that check
    coverage, bias and savings against a known truth (tests/metrics/test_adaptive.py, scripts/bench_adaptive.py)."""
    n = {str(i): 0 for i in range(len(draws))}
    while True:
        counts = {i: (int(np.count_nonzero(draws[int(i)][: n[i]])), n[i]) for i in n}
        step = next_allocation(counts, target=target, k=len(draws[0]), pilot=pilot)
        if step.done:
            return sum(n.values()), pass1_same_problems(list(counts.values()))
        n = dict(step.targets)
