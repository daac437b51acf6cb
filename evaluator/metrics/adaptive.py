"""Adaptive allocation for pass@1 on a fixed set of problems: fewer samples for the same error bar.

The question is "pass@1 on *these* problems", so only sampling noise counts: with n_i samples of
problem i and true rate p_i, the estimate P = mean_i(c_i / n_i) has variance sum_i p_i(1 - p_i) / n_i / N².
Samples spent on a problem every sample solves (or none does) buy almost nothing, so for a fixed total
the variance is smallest when n_i grows with sqrt(p_i(1 - p_i)) (Neyman allocation).

The sampler works in rounds: every problem first gets a pilot of a few samples, then each round moves each
problem half of the way towards its Neyman target (at most doubling its count per round, so the rates the
target rests on are re-estimated as samples arrive), until the same-problems interval is at most `target` on each side, or
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

import numpy as np

from evaluator.metrics.intervals import (
    pass1_same_problems,
    pass1_same_problems_se,
    rate_prior,
    smoothed_rates,
    z_value,
)

__all__ = ["Allocation", "Expected", "expected_samples", "next_allocation", "simulate"]

#: Samples per problem before any allocation: fewer gives the targets nothing to stand on.
DEFAULT_PILOT = 4
#: A round at most doubles a problem's samples, so targets are re-estimated from fresh rates.
MAX_GROWTH = 2.0
#: A round closes this share of the gap to a problem's Neyman target. Early targets rest on few samples and
#: overshoot; half steps stop closer to the width asked for. Simulated on AIME-like sets (100 each): whole
#: steps spent 569 samples in 4.2 rounds at +-2 points and 1859 in 6.2 at +-1; half steps 528 in 5.8 and
#: 1730 in 8.9. Each round waits for its slowest sample, so fewer samples cost some wall time.
STEP = 0.5


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
    if any(n > k for _, n in counts.values()):
        raise ValueError(f"a problem has more than k={k} samples: count only samples below k")
    if any(n < pilot for _, n in counts.values()):
        targets = {pid: max(n, pilot) for pid, (_, n) in counts.items()}
        return Allocation(targets=targets, done=False, reason=f"pilot: {pilot} sample(s) per problem", halfwidth=math.inf)
    halfwidth = z_value(confidence) * pass1_same_problems_se(list(counts.values()), confidence)
    if halfwidth <= target:
        return Allocation(targets={pid: n for pid, (_, n) in counts.items()}, done=True,
                          reason=f"half-width {halfwidth:.2%} <= {target:.2%}", halfwidth=halfwidth)
    if all(n >= k for _, n in counts.values()):
        return Allocation(targets={pid: n for pid, (_, n) in counts.items()}, done=True,
                          reason=f"every problem has k={k} samples (half-width {halfwidth:.2%})", halfwidth=halfwidth)
    rates = smoothed_rates(list(counts.values()))  # the interval's own rates: targets and stop rule agree
    sigma = {pid: math.sqrt(q * (1 - q)) for pid, q in zip(counts, rates.tolist(), strict=True)}
    scale = (z_value(confidence) / (len(counts) * target)) ** 2 * sum(sigma.values())  # Neyman: n_i = scale * sigma_i
    # every sample right (or wrong): the width is the exact bound's, which only more samples of every problem
    # narrow (it rests on P x the fewest samples), so every problem goes towards the count that reaches it
    floor = _clean_sweep_floor(counts, target, confidence)
    targets = {pid: _step(n, max(math.ceil(scale * sigma[pid]), floor), k) for pid, (_, n) in counts.items()}
    if all(targets[pid] == n for pid, (_, n) in counts.items()):
        # every problem is at its target but the interval is still too wide (the targets rest on smoothed
        # rates): one more sample where it helps most, so the loop always moves
        best = max((pid for pid, (_, n) in counts.items() if n < k), key=lambda pid: sigma[pid] / counts[pid][1])
        targets[best] += 1
    return Allocation(targets=targets, done=False, reason=f"half-width {halfwidth:.2%} > {target:.2%}",
                      halfwidth=halfwidth)


def _clean_sweep_floor(counts: Mapping[str, tuple[int, int]], target: float, confidence: float) -> int:
    """When every sample is right (or every one wrong): the samples per problem at which the exact bound
    (alpha/2)^(1/(P n)) is `target` from the estimate (`intervals._exact_gap`); else 0."""
    right = sum(c for c, _ in counts.values())
    if 0 < right < sum(n for _, n in counts.values()):
        return 0
    return math.ceil(math.log((1.0 - confidence) / 2.0) / (len(counts) * math.log1p(-target)))


def _step(n: int, goal: int, k: int) -> int:
    """A problem's count after one round: STEP of the way to its goal (at least one more sample), at most
    MAX_GROWTH times what it has, never past k, never below n."""
    if goal <= n:
        return n
    return min(k, n + max(1, math.ceil(STEP * (goal - n))), math.ceil(n * MAX_GROWTH))


def _continue(
    held: Mapping[str, tuple[int, int]], future: Mapping[str, np.ndarray], target: float, k: int, pilot: int
) -> tuple[dict[str, int], int, dict[str, tuple[int, int]]]:
    """The rounds from `held` counts, problem i's next outcomes in `future[i]`: (final samples per problem,
    rounds, final counts)."""
    n = {pid: held_n for pid, (_, held_n) in held.items()}
    rounds = 0
    while True:
        counts = {pid: (held[pid][0] + int(np.count_nonzero(future[pid][: n[pid] - held[pid][1]])), n[pid])
                  for pid in n}
        step = next_allocation(counts, target=target, k=k, pilot=pilot)
        if step.done:
            return n, rounds, counts
        n = dict(step.targets)
        rounds += 1


def simulate(
    draws: Sequence[Sequence[bool]], target: float, pilot: int = DEFAULT_PILOT
) -> tuple[int, int, tuple[float, float, float]]:
    """The adaptive rounds on pre-drawn outcomes (row i: problem i's samples in order, their length the cap
    k): (samples spent, rounds including the pilot, the final same-problems (estimate, low, high)). For the
    simulations that check coverage, bias and savings against a known truth (tests/metrics/test_adaptive.py,
    scripts/bench_adaptive.py)."""
    future = {str(i): np.asarray(row, dtype=bool) for i, row in enumerate(draws)}
    n, rounds, counts = _continue({pid: (0, 0) for pid in future}, future, target, len(draws[0]), pilot)
    return sum(n.values()), rounds, pass1_same_problems(list(counts.values()))


@dataclass(frozen=True, kw_only=True)
class Expected:
    """Samples an adaptive run is expected to hold in all when it stops, from simulated continuations:
    the median run's samples per problem (`targets`), the median and 90th percentile of the total, and the
    share of continuations that used k per problem without reaching the width (`short`)."""

    targets: dict[str, int]
    median: int
    p90: int
    runs: int
    short: float


def expected_samples(
    held: Mapping[str, tuple[int, int]], *, target: float, k: int, pilot: int = DEFAULT_PILOT,
    runs: int = 60, seed: int = 0,
) -> Expected:
    """What the adaptive rounds will spend from the per-problem (correct, samples) `held`: `runs` continuations,
    each drawing every problem's rate from the interval's own posterior Beta(c + alpha, n - c + beta) and its
    future samples from that rate. Seeded, so the same held samples give the same forecast. Its accuracy
    against a known truth: tests/metrics/test_adaptive.py."""
    if any(n < 1 for _, n in held.values()):
        raise ValueError("a forecast of the adaptive rounds needs at least one sample of every problem (a pilot)")
    if any(n > k for _, n in held.values()):
        raise ValueError(f"a problem has more than k={k} samples: count only samples below k")
    prior = rate_prior(list(held.values()))
    rng = np.random.default_rng(seed)
    finals, short = [], 0
    for _ in range(runs):
        future = {pid: rng.random(k - n) < rng.beta(c + prior.alpha, n - c + prior.beta) for pid, (c, n) in held.items()}
        final, _, counts = _continue(held, future, target, k, pilot)
        finals.append(final)
        short += z_value(0.95) * pass1_same_problems_se(list(counts.values())) > target
    totals = np.array([sum(n.values()) for n in finals])
    middle = finals[int(np.argsort(totals, kind="stable")[len(totals) // 2])]  # a run whose total is the median
    return Expected(targets=middle, median=sum(middle.values()), p90=int(np.percentile(totals, 90)), runs=runs,
                    short=short / runs)
