"""Samples needed for a ±h-point same-problems pass@1 interval: adaptive allocation against uniform k.

Each replicate draws 30 true per-problem rates from a scenario, then runs both samplers on the same
random draws until the same-problems interval (metrics.intervals.pass1_same_problems, the one the report
prints) is at most h on each side:
- uniform: one more sample for every problem at a time (k = 4, 5, ...; the baseline a user would run);
- adaptive: `next_allocation` rounds (pilot, then Neyman targets).
Both stop by the same rule, so the comparison is samples spent for the same error bar. Coverage is the
share of replicates whose final interval holds the true mean rate; bias is the mean estimate minus truth.
Rounds count the pilot; the uniform sampler needs one round. The last column is the same question with the
true rates known: the fewest samples whose true standard error gives the half-width, uniform k against
Neyman allocation with at least the pilot per problem (`oracle_totals`). Savings are ratios of mean totals.

    python3 scripts/bench_adaptive.py --reps 300
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evaluator.metrics.adaptive import DEFAULT_PILOT, simulate  # noqa: E402
from evaluator.metrics.intervals import pass1_same_problems  # noqa: E402

N_PROBLEMS = 30
K_MAX = 512

Scenario = Callable[[np.random.Generator], np.ndarray]


def _aime_strong(rng: np.random.Generator) -> np.ndarray:
    """Shaped like a strong reasoning model on AIME: about half the problems solved by (nearly) every
    sample, a quarter by (nearly) none, the rest in between."""
    kind = rng.choice(3, size=N_PROBLEMS, p=[0.45, 0.25, 0.30])
    return np.where(kind == 0, rng.uniform(0.97, 1.0, N_PROBLEMS),
                    np.where(kind == 1, rng.uniform(0.0, 0.03, N_PROBLEMS), rng.uniform(0.05, 0.95, N_PROBLEMS)))


def _aime_exact(rng: np.random.Generator) -> np.ndarray:
    """Like `_aime_strong`, but the solved and unsolved problems are exactly 1 and 0 (64/64 and 0/64 in a run)."""
    kind = rng.choice(3, size=N_PROBLEMS, p=[0.45, 0.25, 0.30])
    return np.where(kind == 0, 1.0, np.where(kind == 1, 0.0, rng.uniform(0.05, 0.95, N_PROBLEMS)))


def _nearly_all_solved(rng: np.random.Generator) -> np.ndarray:
    """A strong model on an easy set: every problem solved 98-100% of the time, most runs all right."""
    return rng.uniform(0.98, 1.0, N_PROBLEMS)


def _uniform(rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(0.0, 1.0, N_PROBLEMS)


SCENARIOS: dict[str, Scenario] = {"aime-like": _aime_strong, "aime-like, exact 0/1": _aime_exact,
                                  "uniform spread": _uniform, "nearly all solved": _nearly_all_solved}


def uniform(draws: np.ndarray, target: float) -> tuple[int, tuple[float, float, float]]:
    for k in range(4, draws.shape[1] + 1):
        interval = pass1_same_problems([(int(row[:k].sum()), k) for row in draws])
        if (interval[2] - interval[1]) / 2 <= target:
            break
    return k * len(draws), interval


def oracle_totals(rates: np.ndarray, target: float, floor: int) -> tuple[float, float]:
    """Samples uniform k and Neyman allocation need when the true rates are known: the fewest whose true
    standard error gives the half-width, every problem at least `floor` (the sampler's pilot)."""
    sigma = np.sqrt(rates * (1.0 - rates))
    scale = (1.959964 / (rates.size * target)) ** 2
    uniform_total = rates.size * max(float(floor), np.ceil(scale * float((sigma**2).sum())))
    neyman_total = float(np.maximum(float(floor), np.ceil(scale * sigma * sigma.sum())).sum())
    return uniform_total, neyman_total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", help="only scenarios whose name contains this text")
    args = parser.parse_args()
    print("| scenario | ± points | uniform samples (coverage) | adaptive samples (coverage, bias) | saved | rounds "
          "| rates known: uniform, Neyman (saved) |")
    print("|---|---|---|---|---|---|---|")
    for name, scenario in SCENARIOS.items():
        if args.only not in name:
            continue
        for points in (2.0, 1.0):
            rng = np.random.default_rng(args.seed)
            rows = []
            for _ in range(args.reps):
                rates = scenario(rng)
                draws = rng.random((N_PROBLEMS, K_MAX)) < rates[:, None]
                truth = rates.mean()
                spent_u, (_, lo_u, hi_u) = uniform(draws, points / 100)
                spent_a, rounds, (est_a, lo_a, hi_a) = simulate(draws, points / 100)
                rows.append((spent_u, lo_u <= truth <= hi_u, spent_a, lo_a <= truth <= hi_a, est_a - truth,
                             *oracle_totals(rates, points / 100, DEFAULT_PILOT), rounds))
            table = np.array(rows, dtype=float)
            mean = table.mean(axis=0)
            print(f"| {name} | {points:g} | {mean[0]:,.0f} ({mean[1]:.1%}) | {mean[2]:,.0f} ({mean[3]:.1%}, "
                  f"{100 * mean[4]:+.2f} pt) | {1 - mean[2] / mean[0]:.0%} | {mean[7]:.1f} | {mean[5]:,.0f}, {mean[6]:,.0f} "
                  f"({1 - mean[6] / mean[5]:.0%}) |", flush=True)


if __name__ == "__main__":
    main()
