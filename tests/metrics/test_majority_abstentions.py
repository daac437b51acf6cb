"""A draw of k samples that all abstained is a wrong vote on every path: the exact maj@k sum, the Monte
Carlo estimate it falls back to when exact is too costly, and the brute force over every k-subset agree.

A problem where most samples have no answer (truncated runs) makes such draws common: crediting them
(every empty cluster "tied" at zero votes) would lift maj@k towards 1 for a model that mostly says nothing.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import pytest

from evaluator.metrics import expected_maj_at_k


def _brute(answers: tuple[str | None, ...], gold: str, k: int) -> float:
    """Average over every k-subset of the tie-sharing vote, abstentions not voting, nobody voting = 0."""
    total = Fraction(0)
    subsets = list(itertools.combinations(answers, k))
    for subset in subsets:
        counts = Counter(a for a in subset if a is not None)
        if counts:
            top = max(counts.values())
            tied = [a for a, c in counts.items() if c == top]
            total += Fraction(sum(a == gold for a in tied), len(tied))
    return float(total / len(subsets))


@dataclass(frozen=True)
class Case:
    label: str
    answers: tuple[str | None, ...]
    k: int
    note: str


CASES = (
    Case("one-right-nine-silent", ("1", *[None] * 9), 3, "70% of 3-subsets are all silent"),
    Case("right-and-wrong-among-silent", ("1", "2", *[None] * 8), 3, "silent draws, single votes, and ties"),
    Case("mostly-silent-pairs", ("1", "1", "2", *[None] * 9), 2, "two right, one wrong, nine silent"),
)


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_silent_draws_are_wrong_exactly_and_by_monte_carlo(case: Case) -> None:
    expected = _brute(case.answers, "1", case.k)
    exact = expected_maj_at_k(case.answers, "1", case.k)
    assert exact.exact and exact.value == pytest.approx(expected), case.note
    sampled = expected_maj_at_k(case.answers, "1", case.k, seed=7, max_exact_cost=0)  # force Monte Carlo
    assert not sampled.exact
    assert abs(sampled.value - expected) <= 5 * sampled.se + 1e-9, (case.note, sampled, expected)
