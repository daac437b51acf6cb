"""The token-budget curve: accuracy as if every sample had been stopped at a budget of B tokens.

With a fixed seed, a run at max_tokens=B is a prefix of the same run at a larger limit (the sampler
draws the same tokens until it is stopped), so one run gives the whole curve. At budget B a sample
counts as it would have been graded had it stopped at B:
- it finished within B (tokens <= B): its own grade;
- it was cut before its thinking ended (the end of thinking lies after B, or never came): no answer;
- its thinking ended within B but the text after it was cut: the answer of the reasoning alone
  (`cut_answer`: the grader's reading of a response cut right after `</think>`, i.e. the reasoning's
  last box).
Pure numbers over `BudgetSample`s; reading the text (where `</think>` is, the reasoning's box) is done
by evaluator.reports.budget. Definition and assumptions: docs/metrics.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from evaluator.metrics.estimators import ProblemSamples, _ToDict, summarize

METHODS = ("tokens", "estimate")  # where the end of thinking is known in tokens, or estimated from characters


@dataclass(frozen=True)
class BudgetSample:
    """One sample, reduced to what the budget curve needs.

    `think_end`: completion tokens up to and including the end of thinking; None when the thinking
    never ended (cut inside it); 0 when the sample has no thinking at all.
    """

    problem_id: str
    tokens: int  # completion tokens the sample spent
    think_end: int | None
    answer: str | None  # canonical answer as graded at full length
    correct: bool
    cut_answer: str | None  # the reasoning's answer, used when the text after the thinking is cut
    cut_correct: bool

    def at(self, budget: int) -> tuple[str | None, bool, bool, int]:
        """(answer, correct, still thinking, tokens spent) had the sample been stopped at `budget`."""
        if self.tokens <= budget:  # stopped on its own (or at max_tokens): still thinking if it never ended
            return self.answer, self.correct, self.think_end is None, self.tokens
        if self.think_end is None or self.think_end > budget:
            return None, False, True, budget
        return self.cut_answer, self.cut_correct, False, budget


@dataclass(frozen=True)
class BudgetPoint(_ToDict):
    """The run's metrics at one budget (fractions in [0, 1], as in summary.json)."""

    budget: int
    pass1: float
    pass1_ci: tuple[float, float] | None
    cons: float
    cons_ci: tuple[float, float] | None
    thinking_share: float  # samples whose thinking had not ended where they stopped (at `budget` or before)
    mean_tokens: float  # mean of min(tokens, budget)


def default_budgets(max_tokens: int, lowest: int = 64) -> list[int]:
    """Powers of two from `lowest` up to max_tokens, plus max_tokens itself."""
    if max_tokens < 1:
        raise ValueError(f"max_tokens must be >= 1, got {max_tokens}")
    budgets = [1 << i for i in range(max_tokens.bit_length()) if lowest <= 1 << i <= max_tokens]
    return budgets if budgets and budgets[-1] == max_tokens else [*budgets, max_tokens]


def budget_curve(
    samples: Sequence[BudgetSample],
    golds: Mapping[str, Sequence[str]],
    budgets: Sequence[int],
    k: int | None = None,
    *,
    bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> list[BudgetPoint]:
    """pass@1 and cons@k (with the same bootstrap CIs as summary.json) at each budget, in increasing order.

    `golds` maps every problem id to its gold answers (problems without samples count as in `summarize`);
    `k` is the cons@k vote size (default: the fewest samples of any problem).
    """
    if not samples:
        raise ValueError("no samples: nothing to put on a budget curve")
    if any(b < 1 for b in budgets):
        raise ValueError(f"budgets must be >= 1 token, got {sorted(budgets)}")
    by_problem: dict[str, list[BudgetSample]] = {pid: [] for pid in golds}
    for s in samples:
        by_problem.setdefault(s.problem_id, []).append(s)
    points = []
    for budget in sorted(set(budgets)):
        table, thinking, spent = [], 0, 0
        for pid, group in by_problem.items():
            cut = [s.at(budget) for s in group]
            thinking += sum(c[2] for c in cut)
            spent += sum(c[3] for c in cut)
            table.append(ProblemSamples(pid, tuple(golds.get(pid, ())), tuple(c[0] for c in cut),
                                        tuple(c[1] for c in cut)))
        m = summarize(table, k, bootstrap=bootstrap, seed=seed, confidence=confidence)
        points.append(BudgetPoint(budget=budget, pass1=m.pass1, pass1_ci=m.pass1_ci, cons=m.cons, cons_ci=m.cons_ci,
                                  thinking_share=thinking / len(samples), mean_tokens=spent / len(samples)))
    return points
