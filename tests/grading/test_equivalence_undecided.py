"""cons@k's equivalence classes merge two wrong answers only when the checker *proves* them equal: a pair it
cannot decide (unparsable, too long to parse, timed out) keeps its answers in separate vote classes.

Were undecided pairs merged, every unreadable answer of a problem would pool into one class and outvote
the right answer, so cons@k would fall for a model whose answers the parser cannot read.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.grading.equivalence import answer_classes
from evaluator.metrics.summary import summarize_run
from evaluator.types import Problem

GOLD = "\\frac{1}{2}"
LONG = "x+" * 120  # well past the length the checker parses


@dataclass(frozen=True)
class Case:
    label: str
    wrong: tuple[str, str, str]  # three distinct wrong answers no checker can prove equal
    note: str


CASES = (
    Case("unparsable", ("x =", "\\frac{1}{", "1,2,,"), "LaTeX no parser reads"),
    Case("too-long", (LONG + "1", LONG + "2", LONG + "3"), "answers over the checker's length bound"),
    Case("mixed", ("\\left(", LONG + "4", "\\frac{}{}"), "one unreadable, one too long, one empty fraction"),
)


def _records(answers: tuple[str | None, ...], correct: tuple[bool, ...]) -> list[dict]:
    return [{"problem_id": "p", "sample": i, "extracted": a, "correct": ok, "status": "ok"}
            for i, (a, ok) in enumerate(zip(answers, correct, strict=True))]


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_undecidable_wrong_answers_keep_their_own_classes(case: Case) -> None:
    answers = (*case.wrong, "0.5", "\\frac{1}{2}")
    correct = (False, False, False, True, True)
    assert answer_classes(answers, correct, GOLD) == (*case.wrong, GOLD, GOLD), case.note
    # two right answers against three unreadable wrong ones: the right class is the largest
    summary = summarize_run(_records(answers, correct), [Problem("p", "x", GOLD)], k=len(answers))
    assert summary["metrics"]["cons"] == 1.0, case.note


def test_a_timed_out_pair_is_not_merged() -> None:
    """A tower of powers (about 10^8 digits) against a decimal: the checker runs out of time on the pair."""
    slow = ("5.5", "9^{9^{9}}")
    assert answer_classes((*slow, None), (False, False, False), GOLD) == (*slow, None)
