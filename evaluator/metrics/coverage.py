"""Coverage of the printed intervals on simulated runs whose truth is known.

A scenario is a set of problems drawn once from a population (difficulty: easy, hard, mixed or
AIME-like; wrong answers scattered over many values or concentrated on one trap answer) and a vote
size k (every problem gets n = k samples, as in a finished run). Each simulated run redraws the
samples only (the *same-problems* question) or the problems too (*new problems*); an interval covers
when it contains the truth: the problems' mean success rate, their exact-in-the-limit cons@k, or the
population's. scripts/bench_intervals.py prints the table; tests/metrics pin a few cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from evaluator.metrics._kernels import draw_fixed, percentile_ci, two_level_bootstrap, vote_credit
from evaluator.metrics.estimators import paired_comparison
from evaluator.metrics.intervals import (
    bayes_at_n,
    cons_same_problems_se,
    normal_interval,
    pass1_same_problems,
)
from evaluator.metrics.samples import ProblemSamples

#: Beta(a, b) of the per-problem success rate; "aime": a third near 0.05, a third near 0.5, a third near 0.95.
DIFFICULTY: dict[str, tuple[float, float]] = {"easy": (6.0, 1.5), "hard": (1.2, 5.0), "mixed": (0.6, 0.6)}
POOL = 300  # distinct wrong answers a scattered wrong sample is drawn from, uniformly
ABSTAIN = 0.04  # share of samples with no answer
TRUTH_VOTES = 4000  # votes per problem behind a problem's true cons@k


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A population of problems and a vote size; `trap` is the wrong mass's share on one trap answer."""

    difficulty: str
    trap: float  # 0: wrong answers scattered; e.g. 0.6: concentrated
    k: int
    problems: int = 30

    @property
    def name(self) -> str:
        wrong = "scattered" if self.trap == 0 else f"concentrated ({self.trap:.0%} on one)"
        return f"{self.difficulty}, {wrong}, k={self.k}"


@dataclass(frozen=True)
class Problems:
    """Per-problem answer probabilities: correct, trap, abstain; the rest is spread over POOL values."""

    correct: np.ndarray
    trap: np.ndarray

    @property
    def pool(self) -> np.ndarray:
        return np.clip(1.0 - ABSTAIN - self.correct - self.trap, 0.0, None)


def draw_problems(s: Scenario, rng: np.random.Generator, size: int | None = None) -> Problems:
    """`size` problems (default: the scenario's count) from the scenario's population."""
    size = s.problems if size is None else size
    if s.difficulty == "aime":
        rate = rng.choice([0.05, 0.5, 0.95], size) + rng.uniform(-0.04, 0.04, size)
    else:
        rate = rng.beta(*DIFFICULTY[s.difficulty], size)
    rate = np.clip(rate, 1e-4, 1 - 1e-4)
    correct = rate * (1.0 - ABSTAIN)
    return Problems(correct, s.trap * (1.0 - ABSTAIN - correct))


def shifted(p: Problems, shift: float) -> Problems:
    """The same problems with every success rate moved on the logit scale (a better or worse model)."""
    rate = p.correct / (1.0 - ABSTAIN)
    rate = 1.0 / (1.0 + np.exp(-(np.log(rate / (1 - rate)) + shift)))
    correct = rate * (1.0 - ABSTAIN)
    share = np.where(p.correct < 1 - ABSTAIN, p.trap / np.maximum(1 - ABSTAIN - p.correct, 1e-12), 0.0)
    return Problems(correct, share * (1.0 - ABSTAIN - correct))


def _counts(p: Problems, i: int, k: int, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Vote counts (draws, 2 + POOL): column 0 correct, 1 the trap, then each pool value; abstentions dropped."""
    probs = np.array([p.correct[i], p.trap[i], ABSTAIN, p.pool[i]])
    kind = rng.choice(4, size=(draws, k), p=probs / probs.sum())
    column = np.where(kind == 3, 3 + rng.integers(0, POOL, size=(draws, k)), kind)
    flat = (column + (3 + POOL) * np.arange(draws)[:, None]).ravel()
    counts = np.bincount(flat, minlength=draws * (3 + POOL)).reshape(draws, 3 + POOL)
    return np.delete(counts, 2, axis=1)


def true_cons(p: Problems, k: int, rng: np.random.Generator, votes: int = TRUTH_VOTES) -> float:
    """Mean over the problems of P(a k-vote is correct), by Monte Carlo (k = 1: exact)."""
    if k == 1:
        return float(p.correct.mean())
    accepted = np.zeros(2 + POOL, dtype=bool)
    accepted[0] = True
    return float(np.mean([vote_credit(_counts(p, i, k, votes, rng), accepted).mean() for i in range(p.correct.size)]))


def sample_run(p: Problems, n: int, rng: np.random.Generator) -> list[ProblemSamples]:
    """One run: n samples per problem, graded against the key "0" (trap "1", pool values "2".. )."""
    run = []
    for i in range(p.correct.size):
        probs = np.concatenate(([p.correct[i], p.trap[i], ABSTAIN], np.full(POOL, p.pool[i] / POOL)))
        picks = rng.choice(probs.size, size=n, p=probs / probs.sum())
        answers = tuple(None if c == 2 else str(c) for c in picks)
        run.append(ProblemSamples(problem_id=f"p{i}", golds=("0",), answers=answers,
                                  correct=tuple(a == "0" for a in answers)))
    return run


@dataclass(frozen=True)
class Cell:
    """Coverage of one interval on one scenario: share of runs covering, mean width, runs where it missed its estimate."""

    interval: str
    scenario: str
    coverage: float
    mean_width: float
    runs: int
    own_estimate_missed: int


Measured = tuple[float, tuple[float, float]]  # (estimate, interval)


def _cons(run: list[ProblemSamples], k: int, seed: int) -> Measured:
    estimate = float(np.mean([vote_credit(p.clusters().sizes[None, :], p.clusters().accepted)[0] for p in run]))
    return estimate, normal_interval(estimate, cons_same_problems_se(run, k, seed=seed), 0.95)


def _new(values: list[float], rng: np.random.Generator) -> Measured:
    ci = percentile_ci(two_level_bootstrap([draw_fixed(v) for v in values], 1000, rng), 0.95)
    return float(np.mean(values)), ci


def same_problem_intervals(run: list[ProblemSamples], k: int, seed: int, cons: bool = True
                           ) -> dict[str, tuple[Measured, str]]:
    """Every same-problems interval of one run, keyed by its name, with the truth it estimates."""
    counts = [(p.n_correct, p.n) for p in run]
    est, lo, hi = pass1_same_problems(counts)
    bayes = bayes_at_n(counts)
    out: dict[str, tuple[Measured, str]] = {
        "pass@1, same problems": ((est, (lo, hi)), "pass1"),
        "Bayes@N credible interval": ((bayes.mean, bayes.ci), "pass1"),
    }
    if k > 1 and cons:
        out[f"cons@{k}, same problems"] = (_cons(run, k, seed), "cons")
    return out


def coverage(s: Scenario, runs: int, seed: int = 0, *, new_problems: bool = True, paired: bool = True,
             cons: bool = True) -> list[Cell]:
    """Coverage of every printed interval on `runs` simulated runs of scenario `s` (cons=False: pass@1 ones only)."""
    cons = cons and s.k > 1
    rng = np.random.default_rng([seed, s.k, int(1000 * s.trap), len(s.difficulty)])
    fixed = draw_problems(s, rng)
    truth = {"pass1": float(fixed.correct.mean()), "cons": true_cons(fixed, s.k, rng) if cons else math.nan}
    hits: dict[str, list[tuple[bool, float, bool]]] = {}

    def record(name: str, measured: Measured, target: float) -> None:
        est, (lo, hi) = measured
        hits.setdefault(name, []).append((lo <= target <= hi, hi - lo, not lo <= est <= hi))

    better = shifted(fixed, 0.4)
    diff_truth = {"pass1": float((fixed.correct - better.correct).mean()),
                  "cons": truth["cons"] - true_cons(better, s.k, rng) if cons and paired else math.nan}
    for r in range(runs):
        run = sample_run(fixed, s.k, rng)
        for name, (measured, what) in same_problem_intervals(run, s.k, seed + r, cons).items():
            record(name, measured, truth[what])
        if paired:
            other = sample_run(better, s.k, rng)
            for metric, what in (("pass@1", "pass1"), ("cons@n", "cons")):
                if what == "cons" and not cons:
                    continue
                cmp = paired_comparison(run, other, metric, bootstrap=0, seed=seed + r)
                record(f"{cmp.metric} paired difference, same problems", (cmp.diff, cmp.ci), diff_truth[what])
    if new_problems:
        population = draw_problems(s, rng, size=4000)
        pop_truth = {"pass1": float(population.correct.mean()),
                     "cons": true_cons(Problems(population.correct[:1500], population.trap[:1500]), s.k, rng, 200)
                     if cons else math.nan}
        for _ in range(runs):
            run = sample_run(draw_problems(s, rng), s.k, rng)
            record("pass@1, new problems", _new([p.n_correct / p.n for p in run], rng), pop_truth["pass1"])
            if cons:
                values = [float(vote_credit(p.clusters().sizes[None, :], p.clusters().accepted)[0]) for p in run]
                record(f"cons@{s.k}, new problems", _new(values, rng), pop_truth["cons"])
    return [Cell(name, s.name, float(np.mean([h for h, _, _ in rows])), float(np.mean([w for _, w, _ in rows])),
                 len(rows), sum(m for _, _, m in rows)) for name, rows in hits.items()]


#: The scenarios of the table in docs/metrics.md.
SCENARIOS: tuple[Scenario, ...] = tuple(
    Scenario(difficulty=d, trap=t, k=k)
    for d in ("aime", "easy", "hard", "mixed") for t in (0.0, 0.6) for k in (1, 8, 64)
    if not (k == 1 and t > 0)  # at k = 1 the wrong answers' shape does not matter
)
