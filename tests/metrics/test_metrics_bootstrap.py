"""New-problems intervals and the paired test over problems: coverage and calibration over simulated runs.

Each simulated run draws 30 problems from a finite population of problem types, so the true values
(population pass@1, cons@n, and the A - B difference) are exact averages over the types.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from evaluator.metrics import ProblemSamples, paired_comparison, summarize
from evaluator.metrics._kernels import draw_pass_rate, two_level_bootstrap

CATEGORIES: tuple[str | None, ...] = ("g", "w1", "w2", None)
# P(gold), P(w1), P(w2), P(no answer) per problem type.
TYPES = np.array(
    [
        [0.95, 0.05, 0.00, 0.00],
        [0.70, 0.20, 0.05, 0.05],
        [0.45, 0.40, 0.10, 0.05],
        [0.30, 0.30, 0.30, 0.10],
        [0.15, 0.60, 0.20, 0.05],
        [0.05, 0.30, 0.30, 0.35],
    ]
)
N_PROBLEMS = 30
N_SAMPLES = 8
RUNS = 200


def exact_vote(probs: np.ndarray, k: int) -> float:
    """E[vote credit] of k independent samples by enumerating (gold, w1, w2) vote counts."""
    total = 0.0
    for g in range(k + 1):
        for w1 in range(k + 1 - g):
            for w2 in range(k + 1 - g - w1):
                none = k - g - w1 - w2
                ways = math.factorial(k) / (
                    math.factorial(g) * math.factorial(w1) * math.factorial(w2) * math.factorial(none)
                )
                prob = ways * probs[0] ** g * probs[1] ** w1 * probs[2] ** w2 * probs[3] ** none
                top = max(g, w1, w2)
                if top > 0 and g == top:
                    total += prob / sum(v == top for v in (g, w1, w2))
    return total


def draw_problems(rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, len(TYPES), N_PROBLEMS)


def sample_run(rng: np.random.Generator, types: np.ndarray, kinds: np.ndarray) -> list[ProblemSamples]:
    run = []
    for i, kind in enumerate(kinds):
        picks = rng.choice(len(CATEGORIES), size=N_SAMPLES, p=types[kind])
        answers = tuple(CATEGORIES[j] for j in picks)
        run.append(ProblemSamples(f"p{i}", ("g",), answers, tuple(a == "g" for a in answers)))
    return run


def coverage(intervals: list[tuple[float, float] | None], truth: float) -> float:
    assert all(ci is not None for ci in intervals)
    return float(np.mean([ci[0] <= truth <= ci[1] for ci in intervals if ci is not None]))


def test_exact_vote_helper() -> None:
    assert exact_vote(np.array([1.0, 0.0, 0.0, 0.0]), 4) == pytest.approx(1.0)
    assert exact_vote(np.array([0.5, 0.5, 0.0, 0.0]), 2) == pytest.approx(0.5)
    assert exact_vote(np.array([0.5, 0.0, 0.0, 0.5]), 1) == pytest.approx(0.5)


def test_summarize_new_problem_cis_cover_the_population_value() -> None:
    # Problems are redrawn every run, so the population's value is what the new-problems intervals estimate.
    rng = np.random.default_rng(7)
    true_pass1 = float(TYPES[:, 0].mean())
    true_cons = float(np.mean([exact_vote(t, N_SAMPLES) for t in TYPES]))
    cis: dict[str, list[tuple[float, float] | None]] = {"pass": [], "cons": []}
    se_hits = []
    for run_index in range(RUNS):
        run = sample_run(rng, TYPES, draw_problems(rng))
        m = summarize(run, bootstrap=500, seed=run_index)
        cis["pass"].append(m.pass1_ci_new_problems)
        cis["cons"].append(m.cons_ci_new_problems)
        se_hits.append(abs(m.pass1 - true_pass1) <= 1.96 * m.pass1_se)
    assert 0.90 <= coverage(cis["pass"], true_pass1) <= 0.99
    assert 0.90 <= coverage(cis["cons"], true_cons) <= 0.99
    assert 0.90 <= float(np.mean(se_hits)) <= 0.99


def mean_width(intervals: list[tuple[float, float] | None]) -> float:
    return float(np.mean([ci[1] - ci[0] for ci in intervals if ci is not None]))


def test_paired_comparison_new_problems_calibration_power_and_coverage() -> None:
    rng = np.random.default_rng(8)
    better = TYPES.copy()
    better[:, 0] = np.minimum(TYPES[:, 0] + 0.15, 1.0)  # model A: more gold answers, fewer w1
    better[:, 1] = 1.0 - better[:, 0] - better[:, 2] - better[:, 3]
    assert (better >= 0.0).all()
    true_diff = float((better[:, 0] - TYPES[:, 0]).mean())
    null_p, alt_p = [], []
    cis: list[tuple[float, float] | None] = []
    for run_index in range(RUNS):
        kinds = draw_problems(rng)
        b = sample_run(rng, TYPES, kinds)
        same = paired_comparison(
            sample_run(rng, TYPES, kinds), b, bootstrap=0, seed=run_index, permutations=2000
        )
        a = sample_run(rng, better, kinds)
        diff = paired_comparison(a, b, bootstrap=500, seed=run_index, permutations=2000)
        null_p.append(same.p_value_new_problems)
        alt_p.append(diff.p_value_new_problems)
        cis.append(diff.ci_new_problems)
    assert 0.01 <= float(np.mean(np.array(null_p) < 0.05)) <= 0.10  # false positives near the 5% level
    assert float(np.mean(np.array(alt_p) < 0.05)) >= 0.8  # a 0.15 gain over 30 problems is detected
    assert 0.90 <= coverage(cis, true_diff) <= 0.99


def test_same_problems_interval_is_the_sampling_noise() -> None:
    # One problem: resampling problems alone would give a zero-width interval; the same-problems one is binomial.
    one = [ProblemSamples("x", ("1",), ("1",) * 32 + ("2",) * 32, (True,) * 32 + (False,) * 32)]
    lo, hi = summarize(one, bootstrap=2000).pass1_ci
    assert hi - lo == pytest.approx(2 * 1.96 * math.sqrt(0.25 / 64), rel=0.15)


def test_new_problems_interval_is_the_spread_across_problems() -> None:
    # Every problem always right or always wrong: only resampling problems creates spread.
    run = [
        ProblemSamples(f"p{i}", ("1",), (("1",) if i % 2 else ("2",)) * 8, ((i % 2 == 1),) * 8)
        for i in range(30)
    ]
    m = summarize(run, bootstrap=2000)
    lo, hi = m.pass1_ci_new_problems or (0.0, 0.0)
    assert hi - lo == pytest.approx(2 * 1.96 * math.sqrt(0.25 / 30), rel=0.15)
    assert m.pass1_se == pytest.approx(math.sqrt(0.25 * 30 / 29 / 30))


def test_bootstrap_replicates_center_on_the_estimate() -> None:
    rng = np.random.default_rng(1)
    ns, cs = rng.integers(1, 65, 30), rng.integers(0, 65, 30)
    cs = np.minimum(cs, ns)
    reps = two_level_bootstrap(
        [draw_pass_rate(int(n), int(c)) for n, c in zip(ns, cs, strict=True)], 4000, rng
    )
    assert reps.mean() == pytest.approx(float(np.mean(cs / ns)), abs=0.01)


def big_run(seed: int) -> list[ProblemSamples]:
    rng = np.random.default_rng(seed)
    run = []
    for i in range(30):
        p = rng.uniform()
        answers = tuple("73" if rng.uniform() < p else str(rng.integers(0, 10)) for _ in range(64))
        run.append(ProblemSamples(f"p{i}", ("73",), answers, tuple(a == "73" for a in answers)))
    return run
