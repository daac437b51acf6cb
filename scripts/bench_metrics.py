"""Time evaluator.metrics.estimators.summarize on a 30 problems x 64 samples run against naive pure-Python baselines.

Usage: python scripts/bench_metrics.py [--problems 30] [--samples 64] [--bootstrap 1000] [--repeat 5]
Prints wall and CPU time (best of --repeat) and the ratios; figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evaluator.metrics import ProblemSamples, summarize  # noqa: E402
from evaluator.metrics._kernels import (  # noqa: E402
    draw_pass_rate,
    draw_vote,
    majority_vote,  # noqa: E402
    two_level_bootstrap,
)


def synthetic_run(problems: int, samples: int, seed: int = 0) -> list[ProblemSamples]:
    """A run with per-problem accuracy spread over [0, 1], 10% abstentions and a few wrong answers."""
    rng = np.random.default_rng(seed)
    run = []
    for i in range(problems):
        p = rng.uniform()
        answers: list[str | None] = []
        for _ in range(samples):
            u = rng.uniform()
            answers.append("73" if u < p else None if u < p + 0.1 * (1 - p) else str(rng.integers(0, 6)))
        run.append(ProblemSamples(f"p{i}", ("73",), tuple(answers), tuple(a == "73" for a in answers)))
    return run


def naive_points(run: list[ProblemSamples]) -> dict[str, float]:
    """Point estimates with plain loops: pass@1, pass@k via math.comb, cons@n, no-answer rate."""
    n_min = min(p.n for p in run)
    ks = [k for k in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024) if k <= n_min]
    if ks[-1] != n_min:
        ks.append(n_min)
    out: dict[str, float] = {}
    out["pass@1"] = sum(sum(p.correct) / p.n for p in run) / len(run)
    for k in ks:
        total = 0.0
        for p in run:
            c = sum(p.correct)
            total += 1.0 - math.comb(p.n - c, k) / math.comb(p.n, k)
        out[f"pass@{k}"] = total / len(run)
    cons = sum(majority_vote(list(p.answers), p.golds) for p in run)
    out["cons"] = cons / len(run)
    out["no_answer"] = sum(p.answers.count(None) for p in run) / sum(p.n for p in run)
    return out


def naive_bootstrap(run: list[ProblemSamples], reps: int, seed: int) -> tuple[list[float], list[float]]:
    """Two-level bootstrap of pass@1 and cons@n with Python loops: resample problems, then samples."""
    rnd = random.Random(seed)
    pass1, cons = [], []
    for _ in range(reps):
        total = 0.0
        for p in rnd.choices(run, k=len(run)):
            total += sum(rnd.choices(p.correct, k=p.n)) / p.n
        pass1.append(total / len(run))
        total = 0.0
        for p in rnd.choices(run, k=len(run)):
            total += majority_vote(rnd.choices(p.answers, k=p.n), p.golds)
        cons.append(total / len(run))
    return pass1, cons


def naive_summary(run: list[ProblemSamples], reps: int) -> dict[str, float]:
    """Point estimates plus percentile CIs from the naive bootstrap (no maj@k curve)."""
    out = naive_points(run)
    pass1, cons = naive_bootstrap(run, reps, 0)
    for name, values in (("pass1", sorted(pass1)), ("cons", sorted(cons))):
        out[f"{name}_lo"] = values[int(0.025 * reps)]
        out[f"{name}_hi"] = values[int(0.975 * reps) - 1]
    return out


def best_of(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Best wall and best CPU seconds over `repeat` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=30)
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    run = synthetic_run(args.problems, args.samples)
    metrics = summarize(run, bootstrap=args.bootstrap)
    points = naive_points(run)
    assert math.isclose(points["pass@1"], metrics.pass1, abs_tol=1e-12)
    assert all(math.isclose(points[f"pass@{k}"], v, abs_tol=1e-9) for k, v in metrics.pass_at_k.items())
    assert math.isclose(points["cons"], metrics.cons, abs_tol=1e-12)

    full = best_of(lambda: summarize(run, bootstrap=args.bootstrap), args.repeat)
    no_boot = best_of(lambda: summarize(run, bootstrap=0), args.repeat)
    naive_full = best_of(lambda: naive_summary(run, args.bootstrap), max(1, args.repeat // 2))
    naive = best_of(lambda: naive_points(run), args.repeat)
    rng = np.random.default_rng(0)
    pass_draws = [draw_pass_rate(p.n, p.n_correct) for p in run]
    vote_draws = [draw_vote(p.clusters(), metrics.cons_k) for p in run]
    boot = best_of(
        lambda: (
            two_level_bootstrap(pass_draws, args.bootstrap, rng),
            two_level_bootstrap(vote_draws, args.bootstrap, rng),
        ),
        args.repeat,
    )

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, load avg {load:.2f}"
    )
    print(f"run: {args.problems} problems x {args.samples} samples, bootstrap={args.bootstrap}")
    print("| what | wall s (best) | CPU s (best) |")
    print("|---|---|---|")
    rows = [
        (f"summarize(), bootstrap={args.bootstrap} (also exact maj@k curve)", full),
        ("summarize(), bootstrap=0", no_boot),
        (
            f"naive pure-Python: points + two-level bootstrap of pass@1 and cons@n, {args.bootstrap} resamples",
            naive_full,
        ),
        ("naive pure-Python: points only (pass@1, pass@k, cons@n)", naive),
        (f"numpy two-level bootstrap alone, pass@1 + cons@n, {args.bootstrap} resamples", boot),
    ]
    for name, (wall, cpu) in rows:
        print(f"| {name} | {wall:.4f} | {cpu:.4f} |")
    print(
        f"speed-up of summarize() over the naive loop version: {naive_full[0] / full[0]:.1f}x wall, "
        f"{naive_full[1] / full[1]:.1f}x CPU"
    )


if __name__ == "__main__":
    main()
