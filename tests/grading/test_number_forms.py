"""An integer written with separators, signs, units, percent or currency is that integer."""

from __future__ import annotations

import pytest

from evaluator.grading.extract import AIME_RANGE, extract_answer
from evaluator.grading.grade import grade_response
from tests.support.case_corpus import Case

CASES = [
    Case(r"The population is $\boxed{12,\! 345,\! 678}$.", "12345678", "out_of_range", note="thousands ,\\! with a space"),
    Case(r"so the count is $\boxed{31 {, }416}$", "31416", "out_of_range", note="braced comma with spaces"),
    Case(r"Total: $\boxed{2,\,500}$ people", "2500", "out_of_range", note="comma then thin space"),
    Case(r"The area is \boxed{2 500}.", "2500", "out_of_range", note="space as thousands separator"),
    Case(r"The answer is $\boxed{2,000.0}$.", "2000", "out_of_range", note="thousands with a zero decimal"),
    Case(r"Hence the remainder is $\boxed{+045}$.", "45", "ok", note="leading plus and zero"),
    Case(r"The distance is $\boxed{12\textnormal{ km}}$.", "12", "ok", note="unit in textnormal"),
    Case(r"The distance is $\boxed{12\mbox{ km}}$.", "12", "ok", note="unit in mbox"),
    Case(r"The increase is \boxed{35 pct}.", "35", "ok", note="pct"),
    Case("Final Answer: 35 percent", "35", "ok", note="percent word in a statement"),
    Case(r"The share is $\boxed{35\text{ percentage}}$", "35", "ok", note="percentage word"),
    Case(r"She paid $\boxed{\$45}$ in total.", "45", "ok", note="dollar-prefixed amount"),
    Case(r"Der Preis beträgt $\boxed{45\,€}$.", "45", "ok", note="euro sign after the number"),
    Case(r"المبلغ هو $\boxed{45 \text{ ريالاً}}$", "45", "ok", note="currency word in Arabic"),
    Case("The final answer is #### 456", "456", "ok", note="hashes after the final-answer phrase"),
    Case("The final answer is\n#### 456", "456", "ok", note="hashes on the next line"),
    Case(r"\boxed{1{,}024}", "1024", "out_of_range", note="LaTeX {,} separator still works"),
    Case(r"\boxed{7,5}", "7.5", "ok", note="comma without three digits is a decimal comma"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_number_forms(case: Case) -> None:
    got = extract_answer(case.text, case.finish_reason, AIME_RANGE)  # these responses answer AIME problems
    assert (got.answer, got.status) == (case.answer, case.status)


@pytest.mark.parametrize(
    ("text", "gold", "correct"),
    [
        (r"\boxed{12,\! 345}", 12345, True),
        (r"\boxed{+045}", 45, True),
        (r"\boxed{45\,€}", 45, True),
        (r"\boxed{7,5}", 75, False),  # a list or a decimal comma, never 75
    ],
)
def test_number_forms_grade(text: str, gold: int, correct: bool) -> None:
    assert grade_response(text, gold).correct is correct
