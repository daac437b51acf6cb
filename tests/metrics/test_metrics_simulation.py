"""Simulation: estimates over many seeded runs of a synthetic model are unbiased for the exact expectations.

The synthetic model answers each problem type with known probabilities: the gold "g", wrong answers
"w1".."w3", or no answer. The expectations are computed here by binomial / multinomial enumeration,
independently of evaluator.metrics.estimators.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from evaluator.metrics import ProblemSamples, summarize

CATEGORIES: tuple[str | None, ...] = ("g", "w1", "w2", "w3", None)
# P(gold), P(w1), P(w2), P(w3), P(no answer) per problem type; several are built to tie often.
TYPES = np.array(
    [
        [0.90, 0.05, 0.00, 0.00, 0.05],
        [0.50, 0.30, 0.10, 0.00, 0.10],
        [0.35, 0.35, 0.20, 0.00, 0.10],
        [0.20, 0.25, 0.15, 0.10, 0.30],
        [0.05, 0.50, 0.30, 0.10, 0.05],
        [0.30, 0.10, 0.10, 0.10, 0.40],
    ]
)
N_SAMPLES = 8
RUNS = 400


def exact_pass_at_k(p: float, k: int) -> float:
    """P(at least one of k independent samples is correct)."""
    return 1.0 - (1.0 - p) ** k


def exact_maj_at_k(probs: np.ndarray, k: int) -> float:
    """E[vote credit] of k independent samples, summing over every multinomial outcome.

    Credit: 0 if nobody answers, else 1/(number of answers tied at the top) when the gold is among them.
    """
    total = 0.0
    for votes in itertools.product(range(k + 1), repeat=len(probs) - 1):
        abstain = k - sum(votes)
        if abstain < 0:
            continue
        counts = (*votes, abstain)
        ways = math.factorial(k) / math.prod(math.factorial(c) for c in counts)
        prob = ways * math.prod(p**c for p, c in zip(probs, counts, strict=True))
        top = max(votes)
        if top > 0 and votes[0] == top:
            total += prob / sum(v == top for v in votes)
    return total


def simulate_run(rng: np.random.Generator, types: np.ndarray, n: int) -> list[ProblemSamples]:
    """One run: n samples of every problem type, graded by string equality with the gold."""
    run = []
    for i, probs in enumerate(types):
        answers = tuple(CATEGORIES[j] for j in rng.choice(len(CATEGORIES), size=n, p=probs))
        run.append(ProblemSamples(f"t{i}", ("g",), answers, tuple(a == "g" for a in answers)))
    return run


def ties_as_wins(answers: tuple[str | None, ...]) -> float:
    """A wrong tie rule (credit 1 whenever the gold is among the top answers), for the negative control."""
    votes = [answers.count(a) for a in ("g", "w1", "w2", "w3")]
    return float(votes[0] > 0 and votes[0] == max(votes))


def simulate_estimates() -> dict[str, np.ndarray]:
    """Per-run estimates from RUNS seeded runs."""
    rng = np.random.default_rng(20240601)
    rows: dict[str, list[float]] = {}
    for _ in range(RUNS):
        run = simulate_run(rng, TYPES, N_SAMPLES)
        m = summarize(run, bootstrap=0)
        m5 = summarize(run, k=5, bootstrap=0)
        values = {"pass@1": m.pass1, "cons@8": m.cons, "cons@5": m5.cons}
        values.update({f"pass@{k}": v for k, v in m.pass_at_k.items()})
        values.update({f"maj@{k}": v for k, v in m.maj_at_k.items()})
        values["plugin pass@4"] = float(np.mean([1.0 - (1.0 - p.n_correct / p.n) ** 4 for p in run]))
        values["ties-as-wins cons@8"] = float(np.mean([ties_as_wins(p.answers) for p in run]))
        for key, value in values.items():
            rows.setdefault(key, []).append(value)
    return {key: np.array(values) for key, values in rows.items()}


@pytest.fixture(scope="module")
def estimates() -> dict[str, np.ndarray]:
    return simulate_estimates()


def exact_expectation(metric: str) -> float:
    kind, k = metric.split("@")
    if kind == "pass":
        return float(np.mean([exact_pass_at_k(t[0], int(k)) for t in TYPES]))
    return float(np.mean([exact_maj_at_k(t, int(k)) for t in TYPES]))


def z_score(values: np.ndarray, expected: float) -> float:
    return abs(values.mean() - expected) / (values.std(ddof=1) / math.sqrt(values.size))


def test_exact_multinomial_helper_against_simple_cases() -> None:
    assert exact_maj_at_k(np.array([1.0, 0, 0, 0, 0]), 3) == pytest.approx(1.0)
    assert exact_maj_at_k(np.array([0.5, 0.5, 0, 0, 0]), 2) == pytest.approx(0.25 + 0.5 * 0.5)
    assert exact_maj_at_k(np.array([0.5, 0, 0, 0, 0.5]), 2) == pytest.approx(0.75)
    assert exact_maj_at_k(TYPES[2], 1) == pytest.approx(TYPES[2][0])


@pytest.mark.parametrize(
    "metric", ["pass@1", "pass@2", "pass@4", "pass@8", "maj@1", "maj@2", "maj@4", "cons@5", "cons@8"]
)
def test_estimates_are_unbiased(estimates: dict[str, np.ndarray], metric: str) -> None:
    key = metric if metric in estimates else metric.replace("cons", "maj")
    assert z_score(estimates[key], exact_expectation(metric)) < 3.0


def test_simulation_detects_a_biased_estimator(estimates: dict[str, np.ndarray]) -> None:
    # The plug-in 1 - (1 - c/n)^k underestimates pass@k; the same check must reject it.
    assert z_score(estimates["plugin pass@4"], exact_expectation("pass@4")) > 3.0
    # Crediting a tie in full overestimates cons@k; the tie-aware check must reject it too.
    assert z_score(estimates["ties-as-wins cons@8"], exact_expectation("cons@8")) > 3.0


def test_cons_at_n_differs_from_pass1_for_this_model(estimates: dict[str, np.ndarray]) -> None:
    # Sanity of the setup: voting changes the number, so the cons checks test something pass@1 does not.
    assert abs(exact_expectation("cons@8") - exact_expectation("pass@1")) > 0.03
    assert abs(estimates["cons@8"].mean() - estimates["pass@1"].mean()) > 0.03
