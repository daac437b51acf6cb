"""Rule 7: hedges and negations are not answers. "A or B", "not N", "cannot be N", "rule out N" and
alternatives inside one box get status `hedged` and are never correct; several values stated for a
single-value key (`x=5, x=7`, `\\boxed{-2} and \\boxed{1}`) are `hedged` at grading. A value that is
stated and another that is ruled out ("\\boxed{11}, not \\boxed{10}") is an answer."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.grading.extract import extract_answer
from evaluator.grading.grade import grade_response
from tests.support.case_corpus import Case, r1

CASES = [
    Case("After checking every case, the answer is not 7.", None, "hedged", tempting="7", note="not N"),
    Case("Hmm, so it must be 5 or 7.", None, "hedged", tempting="7", note="A or B in prose"),
    Case(r"So the answer is $5$ or $7$.", None, "hedged", tempting="7", note="A or B in math"),
    Case(r"Therefore $x = 5$ or $x = 7$.", None, "hedged", tempting="7", note="two equations"),
    Case(r"Thus $\boxed{x = 5 \text{ or } x = 7}$.", None, "hedged", tempting="7", note="or inside one box"),
    Case(r"The answer is $\boxed{5}$ or $\boxed{7}$.", None, "hedged", tempting="7", note="boxes offered as alternatives"),
    Case("By the parity argument the sum cannot be 7.", None, "hedged", tempting="7", note="cannot be N"),
    Case("The total isn't 204.", None, "hedged", tempting="204", note="isn't N"),
    Case("The modular condition lets us rule out 7.", None, "hedged", tempting="7", note="rule out N"),
    Case("Final answer: 5 or 7", None, "hedged", tempting="7", note="final answer statement with alternatives"),
    Case(r"**Final Answer:** $12$ or $13$", None, "hedged", tempting="13", note="bold statement with alternatives"),
    Case(r1([r"maybe \boxed{12}"], "So the count is 12 or 13."), None, "hedged", tempting="13", note="R1 final part"),
    Case(r"So the answer is \boxed{11}, not \boxed{10}.", "11", "ok", note="a value stated, another ruled out"),
    Case("It is not hard to see that the answer is 42.", "42", "weak", note="a negation elsewhere in the sentence"),
    Case("Therefore the answer is 7 (not 8).", "7", "weak", note="a stated value with another ruled out"),
    Case("So there are 12 or more such paths; in fact the count is 15.", "15", "weak", note="or more is no alternative"),
    Case("We can check whether or not 3 divides it: the answer is 27.", "27", "weak", note="whether or not"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_hedges_are_not_answers(case: Case) -> None:
    got = extract_answer(case.text, case.finish_reason)
    assert (got.answer, got.status) == (case.answer, case.status)
    if case.tempting is not None:
        grade = grade_response(case.text, int(case.tempting), case.finish_reason)
        assert (grade.correct, grade.status) == (False, "hedged")


@dataclass(frozen=True)
class GradeCase:
    text: str
    gold: int | str
    correct: bool
    status: str
    note: str


GRADES = [
    GradeCase(r"\boxed{x=5, x=7}", 7, False, "hedged", "two values of x against one integer key"),
    GradeCase(r"The solutions are $\boxed{-2}$ and $\boxed{1}$.", -2, False, "hedged", "two boxes, one key"),
    GradeCase(r"The solutions are $\boxed{-2}$ and $\boxed{1}$.", "-2, 1", True, "ok", "two boxes, a list key"),
    GradeCase(r"So $\boxed{3}, \boxed{5}$.", 5, False, "hedged", "a list against an integer key"),
    GradeCase(r"\boxed{x = 1, y = 2}", r"\frac{1}{1}", False, "ok", "a solution of two variables is no hedge"),
    GradeCase(r"\boxed{\frac{1}{2}, \frac{1}{3}}", r"\frac{1}{2}", False, "hedged", "list against a fraction key"),
    GradeCase(r"\boxed{\frac{1}{3}, \frac{1}{2}}", r"\frac{1}{2}, \frac{1}{3}", True, "ok", "list key, any order"),
    GradeCase(r"\boxed{1,024}", 1024, True, "ok", "a thousands comma is one value"),
]


@pytest.mark.parametrize("case", GRADES, ids=lambda c: c.note)
def test_several_values_for_one_value_key_are_hedged(case: GradeCase) -> None:
    grade = grade_response(case.text, case.gold, "stop")
    assert (grade.correct, grade.status) == (case.correct, case.status)
