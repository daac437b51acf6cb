"""A wrong answer joins the earlier wrong class it equals, whichever it is: not only the first one seen.

cons@k counts votes per class, so `\\frac{1}{4}` after `1/3` and `1/4` must join `1/4`'s class; compared
with the first class alone it would open a class of its own and split the vote.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.grading.equivalence import answer_classes
from evaluator.metrics.summary import summarize_run
from evaluator.types import Problem

GOLD = "\\frac{1}{2}"


@dataclass(frozen=True)
class Case:
    label: str
    answers: tuple[str, ...]  # all wrong
    classes: tuple[str, ...]
    note: str


CASES = (
    Case("second-class", ("1/3", "1/4", "\\frac{1}{4}"), ("1/3", "1/4", "1/4"), "joins the second class"),
    Case("third-class", ("1/3", "1/5", "0.25", "\\dfrac{2}{8}", "\\frac{1}{5}"),
         ("1/3", "1/5", "0.25", "0.25", "1/5"), "joins the third, then the second"),
    Case("checker-second-class", ("\\sqrt{3}", "\\sqrt{8}", "2\\sqrt{2}"), ("\\sqrt{3}", "\\sqrt{8}", "\\sqrt{8}"),
         "no shared canonical form: only the symbolic checker can put 2sqrt(2) with sqrt(8), the second class"),
)


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_a_wrong_answer_joins_whichever_earlier_class_it_equals(case: Case) -> None:
    assert answer_classes(case.answers, (False,) * len(case.answers), GOLD) == case.classes, case.note


def test_a_split_vote_would_hand_cons_to_the_right_answer() -> None:
    """Two right answers against three spellings of 1/4 behind another wrong value: the 1/4 class wins."""
    answers = ("1/3", "1/4", "\\frac{1}{4}", "0.25", "0.5", "\\frac{1}{2}")
    correct = (False, False, False, False, True, True)
    records = [{"problem_id": "p", "sample": i, "extracted": a, "correct": ok, "status": "ok"}
               for i, (a, ok) in enumerate(zip(answers, correct, strict=True))]
    assert summarize_run(records, [Problem("p", "x", GOLD)], k=len(answers))["metrics"]["cons"] == 0.0
