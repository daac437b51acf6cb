"""The token-budget curve (evaluator/metrics/budget.py) against a hand-computed example."""

from __future__ import annotations

import itertools

import pytest

from evaluator.metrics.budget import BudgetSample, budget_curve, default_budgets


def s(pid: str, tokens: int, think_end: int | None, answer: str | None, gold: str, cut: str | None) -> BudgetSample:
    return BudgetSample(pid, tokens, think_end, answer, answer == gold, cut, cut == gold)


# Problem p (gold 5) and q (gold 9), four samples each; max_tokens = 400.
SAMPLES = (
    s("p", 100, 60, "5", "5", "5"),     # thinking ends at 60, done at 100
    s("p", 300, 250, "5", "5", None),   # its reasoning has no box
    s("p", 400, None, None, "5", None),  # cut at max_tokens inside its thinking
    s("p", 50, 0, "7", "5", None),      # no thinking at all, wrong
    s("q", 200, 150, "9", "9", "9"),
    s("q", 400, 380, "9", "9", "3"),    # finishes exactly at max_tokens
    s("q", 120, 100, "9", "9", "9"),
    s("q", 250, 100, "9", "9", None),
)
GOLDS = {"p": ("5",), "q": ("9",)}

# (budget, pass@1, cons@4, still thinking, mean tokens), worked out by hand sample by sample:
#  64: p = [cut 5 ok, thinking, thinking, own 7] -> 1/4;  q = all thinking -> 0
# 128: p = [own ok, thinking, thinking, own 7] -> 1/4;    q = [thinking, thinking, own ok, cut none] -> 1/4
# 256: p = [own ok, cut none, thinking, own 7] -> 1/4;    q = [own ok, thinking, own ok, own ok] -> 3/4
# 400: p = [ok, ok, own none (still thinking), 7] -> 2/4; q = all own ok -> 1
EXPECTED = (
    (64, 0.125, 0.25, 6 / 8, (64 * 3 + 50 + 64 * 4) / 8),
    (128, 0.25, 0.75, 4 / 8, (100 + 128 + 128 + 50 + 128 + 128 + 120 + 128) / 8),
    (256, 0.5, 0.75, 2 / 8, (100 + 256 + 256 + 50 + 200 + 256 + 120 + 250) / 8),
    (400, 0.75, 1.0, 1 / 8, (100 + 300 + 400 + 50 + 200 + 400 + 120 + 250) / 8),
)


def test_curve_matches_the_hand_computed_example() -> None:
    points = budget_curve(SAMPLES, GOLDS, [400, 64, 256, 128], k=4, bootstrap=200)
    assert [p.budget for p in points] == [64, 128, 256, 400]
    for point, (budget, pass1, cons, thinking, tokens) in zip(points, EXPECTED, strict=True):
        assert point.budget == budget
        assert point.pass1 == pytest.approx(pass1), budget
        assert point.cons == pytest.approx(cons), budget  # p's vote at 64-256 is a 5/7 tie: credit 1/2
        assert point.thinking_share == pytest.approx(thinking), budget
        assert point.mean_tokens == pytest.approx(tokens), budget
        assert point.pass1_ci is not None and point.pass1_ci[0] <= point.pass1 <= point.pass1_ci[1]
    assert all(a.pass1 <= b.pass1 for a, b in itertools.pairwise(points))  # monotone in B here


def test_at_max_tokens_the_curve_is_the_run_itself() -> None:
    from evaluator.metrics.estimators import ProblemSamples, summarize

    table = [ProblemSamples(pid, GOLDS[pid], tuple(x.answer for x in SAMPLES if x.problem_id == pid),
                            tuple(x.correct for x in SAMPLES if x.problem_id == pid)) for pid in GOLDS]
    run = summarize(table, 4, bootstrap=300, seed=7)
    (last,) = budget_curve(SAMPLES, GOLDS, [400], k=4, bootstrap=300, seed=7)
    assert (last.pass1, last.pass1_ci, last.cons, last.cons_ci) == (run.pass1, run.pass1_ci, run.cons, run.cons_ci)


def test_not_monotone_when_the_reasoning_box_is_right_but_the_final_answer_wrong() -> None:
    """The definition is not monotone in general (docs/metrics.md): stopped after its thinking, this sample
    answers with its reasoning's last box (right); left to finish, it writes a wrong final answer."""
    sample = s("p", 300, 100, "7", "5", "5")
    low, high = budget_curve([sample], {"p": ("5",)}, [200, 300], k=1, bootstrap=0)
    assert (low.pass1, high.pass1) == (1.0, 0.0)


@pytest.mark.parametrize(("limit", "budgets", "note"), [
    (32768, [64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768], "powers of two from 64"),
    (3000, [64, 128, 256, 512, 1024, 2048, 3000], "max_tokens itself ends the list"),
    (50, [50], "below the lowest power: max_tokens alone"),
])
def test_default_budgets(limit: int, budgets: list[int], note: str) -> None:
    assert default_budgets(limit) == budgets, note


def test_rejects_empty_and_nonpositive() -> None:
    with pytest.raises(ValueError):
        budget_curve([], GOLDS, [64])
    with pytest.raises(ValueError):
        budget_curve(SAMPLES, GOLDS, [0, 64])
