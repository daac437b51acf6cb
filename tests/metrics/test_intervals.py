"""Same-problems intervals, Bayes@N and their coverage on seeded simulations (evaluator.metrics.intervals)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pytest

from evaluator.metrics import ProblemSamples, paired_comparison, summarize
from evaluator.metrics.coverage import Scenario, coverage, draw_problems, sample_run
from evaluator.metrics.intervals import bayes_at_n, bayes_decision, pass1_same_problems, rate_prior


@dataclass(frozen=True)
class Case:
    label: str
    counts: list[tuple[int, int]]
    estimate: float
    se: float


def _se_by_hand(counts: list[tuple[int, int]]) -> float:
    """sqrt(sum q(1 - q)/n) / P with q = (c + s mu)/(n + s): mu the pooled rate (sum c + 1)/(sum n + 2), s the
    fitted strength (its fit has its own tests in test_rate_prior.py)."""
    mu = (sum(c for c, _ in counts) + 1) / (sum(n for _, n in counts) + 2)
    s = rate_prior(counts).strength
    q = [(c + s * mu) / (n + s) for c, n in counts]
    return math.sqrt(sum(qi * (1 - qi) / n for qi, (_, n) in zip(q, counts, strict=True))) / len(counts)


CASES = [
    Case("one problem, half right", [(32, 64)], 0.5, math.sqrt(0.25 / 64)),
    Case("unequal n", [(3, 4), (10, 40)], (0.75 + 0.25) / 2, _se_by_hand([(3, 4), (10, 40)])),
    Case("all solved: the exact bound, 0.025^(1/16) below 1", [(8, 8), (8, 8)], 1.0,
         (1 - 0.025 ** (1 / 16)) / 1.959964),
    Case("all solved, unequal n: the bound counts P x the fewest samples", [(8, 8), (2, 2), (64, 64)], 1.0,
         (1 - 0.025 ** (1 / 6)) / 1.959964),
    Case("all wrong: the same bound above 0", [(0, 8), (0, 8)], 0.0, (1 - 0.025 ** (1 / 16)) / 1.959964),
    Case("solved everywhere but one: the solved ones still carry variance", [(8, 8), (0, 8)], 0.5,
         _se_by_hand([(8, 8), (0, 8)])),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_pass1_same_problems_by_hand(case: Case) -> None:
    estimate, lo, hi = pass1_same_problems(case.counts)
    assert estimate == pytest.approx(case.estimate)
    assert lo == pytest.approx(max(0.0, case.estimate - 1.959964 * case.se), abs=1e-6)
    assert hi == pytest.approx(min(1.0, case.estimate + 1.959964 * case.se), abs=1e-6)
    assert hi > lo  # settled problems still carry variance


def test_pass1_same_problems_rejects_bad_counts() -> None:
    with pytest.raises(ValueError, match="n >= 1"):
        pass1_same_problems([(3, 2)])
    with pytest.raises(ValueError, match="at least one problem"):
        pass1_same_problems([])


def test_bayes_at_n_by_hand() -> None:
    b = bayes_at_n([(3, 4), (0, 4)])
    posts = [4 / 6, 1 / 6]
    assert b.mean == pytest.approx(sum(posts) / 2)
    assert b.sd == pytest.approx(math.sqrt(sum(p * (1 - p) / 7 for p in posts)) / 2)
    assert b.ci[0] < b.mean < b.ci[1]


def test_bayes_at_n_matches_scorio() -> None:
    scorio_eval = pytest.importorskip("scorio.eval", reason="scorio (the Bayes@N authors' package) is not installed")
    rng = np.random.default_rng(4)
    outcomes = (rng.random((30, 16)) < rng.random((30, 1))).astype(int)
    counts = [(int(row.sum()), row.size) for row in outcomes]
    mu, sigma, lo, hi = scorio_eval.bayes_ci(outcomes, confidence=0.95)
    ours = bayes_at_n(counts, 0.95)
    assert ours.mean == pytest.approx(mu, abs=1e-12)
    assert ours.sd == pytest.approx(sigma, abs=1e-12)
    assert ours.ci == pytest.approx((lo, hi), abs=1e-9)


def test_bayes_decision_is_interval_overlap() -> None:
    strong, weak = bayes_at_n([(60, 64)] * 30), bayes_at_n([(20, 64)] * 30)
    assert bayes_decision(strong, weak) == "A better"
    assert bayes_decision(weak, strong) == "B better"
    assert bayes_decision(strong, strong) == "no difference"


def random_run(seed: int, problems: int = 30, n: int = 16) -> list[ProblemSamples]:
    return sample_run(draw_problems(Scenario(difficulty="aime", trap=0.3, k=n, problems=problems),
                                    np.random.default_rng(seed)), n, np.random.default_rng(seed + 1))


def test_cons_at_1_interval_equals_pass_at_1() -> None:
    m = summarize(random_run(3), k=1)
    assert m.cons == pytest.approx(m.pass1)
    assert m.cons_ci == pytest.approx(m.pass1_ci)
    assert m.cons_ci_new_problems == pytest.approx(m.pass1_ci_new_problems)
    assert m.maj_at_k == {} and m.pass_at_k[1] == pytest.approx(m.pass1)


@pytest.mark.parametrize("seed", range(6))
def test_every_interval_contains_its_own_estimate(seed: int) -> None:
    run = random_run(seed, problems=10 + 5 * seed, n=1 + 3 * seed)
    m = summarize(run, bootstrap=300, seed=seed)
    pairs = [(m.pass1, m.pass1_ci), (m.cons, m.cons_ci), (m.bayes_mean, m.bayes_ci),
             (m.pass1, m.pass1_ci_new_problems), (m.cons, m.cons_ci_new_problems)]
    for estimate, ci in pairs:
        assert ci is not None and ci[0] <= estimate <= ci[1]
    other = random_run(seed + 50, problems=10 + 5 * seed, n=1 + 3 * seed)
    for metric in ("pass@1", "cons@n"):
        c = paired_comparison(run, other, metric, bootstrap=300, seed=seed)
        assert c.ci[0] <= c.diff <= c.ci[1]
        assert c.ci_new_problems is not None and c.ci_new_problems[0] <= c.diff <= c.ci_new_problems[1]


def test_summary_intervals_are_the_public_functions() -> None:
    run = random_run(9)
    m = summarize(run)
    estimate, lo, hi = pass1_same_problems([(p.n_correct, p.n) for p in run])
    assert (m.pass1, *m.pass1_ci) == pytest.approx((estimate, lo, hi))
    assert (m.bayes_mean, *m.bayes_ci) == pytest.approx((bayes_at_n([(p.n_correct, p.n) for p in run]).mean,
                                                          *bayes_at_n([(p.n_correct, p.n) for p in run]).ci))


@dataclass(frozen=True)
class CoverageCase:
    label: str
    scenario: Scenario
    interval: str
    low: float
    high: float


# Bounds are wide enough for 40 seeded runs (binomial SE ~3.5 points) and narrow enough to catch the old
# bootstrap, which covered 2% on scattered k = 8 and 0% on hard k = 64 (k = 64 runs ~20 s here: the bench has it).
COVERAGE = [
    CoverageCase("cons@8, AIME-like, scattered", Scenario(difficulty="aime", trap=0.0, k=8), "cons@8, same problems",
                 0.88, 1.0),
    CoverageCase("cons@16, hard, scattered", Scenario(difficulty="hard", trap=0.0, k=16), "cons@16, same problems",
                 0.85, 1.0),
    CoverageCase("cons@8, mixed, concentrated", Scenario(difficulty="mixed", trap=0.6, k=8), "cons@8, same problems",
                 0.85, 1.0),
    CoverageCase("pass@1, AIME-like, k=64", Scenario(difficulty="aime", trap=0.0, k=64), "pass@1, same problems",
                 0.85, 1.0),
    CoverageCase("paired pass@1, mixed, k=16", Scenario(difficulty="mixed", trap=0.0, k=16),
                 "pass@1 paired difference, same problems", 0.85, 1.0),
    CoverageCase("pass@1 new problems, mixed, k=8", Scenario(difficulty="mixed", trap=0.0, k=8),
                 "pass@1, new problems", 0.85, 1.0),
]


@pytest.mark.parametrize("case", COVERAGE, ids=lambda c: c.label)
def test_coverage_on_seeded_simulations(case: CoverageCase) -> None:
    new = "new problems" in case.interval
    paired = "paired" in case.interval
    cells = {c.interval: c for c in coverage(case.scenario, 40, seed=1, new_problems=new, paired=paired,
                                             cons=case.interval.startswith("cons"))}
    cell = cells[case.interval]
    assert case.low <= cell.coverage <= case.high, (cell.coverage, cell.mean_width)
    assert all(c.own_estimate_missed == 0 for c in cells.values())


def test_same_problems_pass1_is_narrow_at_k64_on_30_problems() -> None:
    # AIME 2024-sized run near 70%: 18 problems nearly always solved, 6 half the time, 6 rarely
    rates = [0.97] * 18 + [0.5] * 6 + [0.12] * 6
    counts = [(round(64 * r), 64) for r in rates]
    estimate, lo, hi = pass1_same_problems(counts)
    assert 0.65 <= estimate <= 0.75
    assert 0.01 <= (hi - lo) / 2 <= 0.02  # about ±1.4 points: the paper's 71.0 can be told from 67 or 75
    flat = pass1_same_problems([(45, 64)] * 30)  # every problem at 70%: the widest case, about ±2 points
    assert 0.018 <= (flat[2] - flat[1]) / 2 <= 0.023


@pytest.mark.parametrize(("label", "rate", "k", "problems"), [
    ("solved 99% of the time, k=4", 0.99, 4, 30),
    ("solved 99.5% of the time, k=8", 0.995, 8, 30),
    ("solved 99.9% of the time, k=4, 500 problems", 0.999, 4, 500),
    ("every problem at 70%, k=1", 0.7, 1, 30),
    ("every problem at 10%, k=1", 0.1, 1, 30),
])
def test_coverage_where_shrinking_alone_fails(label: str, rate: float, k: int, problems: int) -> None:
    """Nearly always solved (most runs all right: the normal interval covered 69-86% there) and equal
    problems seen once (shrunk rates invent a spread: 88-92%). 400 seeded runs each."""
    rng = np.random.default_rng(17)
    covered = 0
    for _ in range(400):
        counts = [(int(c), k) for c in rng.binomial(k, rate, problems)]
        _, lo, hi = pass1_same_problems(counts)
        covered += lo <= rate <= hi
    assert covered / 400 >= 0.93, (label, covered / 400)
