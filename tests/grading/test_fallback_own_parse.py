"""When Math-Verify cannot read the answer, our own parse decides (`_sympy_compare._same`), and it is as strict
as Math-Verify: a value near the key is wrong (only a difference within 1e-9 of the key's size counts as
equal, so 355/113 is not pi), and a set is not its subset (the sets must have as many elements).

Which answers reach our parse: a box command whose argument is not braced (`\\boxed\\frac{355}{113}`,
`\\boxed\\{1\\}`). The extractor does not read it as a box, so the graded span keeps the command. The worker
hands Math-Verify `\\boxed{<span>}`, and Math-Verify's own box extraction then takes the inner command's
unbraced tail up to the wrapper's closing brace (`\\frac{355}{113}}`), which it cannot parse;
latex2sympy2_extended's normalisation drops the inner command and reads its argument, and `_same` compares.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.grading._symbolic_worker import SymbolicChecker
from evaluator.grading.extract import extract_answer
from evaluator.grading.grade import grade_response


@dataclass(frozen=True)
class Case:
    text: str
    gold: str
    correct: bool
    note: str


NEAR_VALUES = (
    Case(r"The answer is $\boxed\frac{355}{113}$.", r"\pi", False, "355/113 is within 3e-7 of pi"),
    Case(r"The answer is $\boxed\frac{99}{70}$.", r"\sqrt{2}", False, "99/70 is within 8e-5 of sqrt 2"),
    Case(r"The answer is $\boxed\pi$.", r"\pi", True, "the value itself"),
    Case(r"The answer is $\boxed\sqrt{8}$.", r"2\sqrt{2}", True, "an equal value written otherwise"),
)
SUBSETS = (
    Case(r"The answer is $\boxed\{1\}$.", r"\{1, 2\}", False, "a subset of the key"),
    Case(r"The answer is $\boxed\{\frac{1}{2}\}$.", r"\{\frac{1}{2}, 3\}", False,
         "a subset of a key holding a fraction"),
    Case(r"The answer is $\boxed\{1\}$.", "1, 2", False, "a subset of a bare-list key"),
    Case(r"The answer is $\boxed\{1, 2, 3\}$.", r"\{1, 2\}", False, "a superset of the key"),
    Case(r"The answer is $\boxed\{2, 1\}$.", r"\{1, 2\}", True, "the key's elements in another order"),
)


@pytest.mark.parametrize("case", NEAR_VALUES, ids=lambda c: c.note)
def test_near_values_are_wrong_in_our_own_parse(checker: SymbolicChecker, case: Case) -> None:
    grade = grade_response(case.text, case.gold, "stop", checker=checker)
    assert (grade.correct, grade.method) == (case.correct, "symbolic"), grade


@pytest.mark.parametrize("case", SUBSETS, ids=lambda c: c.note)
def test_subsets_are_wrong_in_our_own_parse(checker: SymbolicChecker, case: Case) -> None:
    grade = grade_response(case.text, case.gold, "stop", checker=checker)
    assert (grade.correct, grade.method) == (case.correct, "symbolic"), grade


@pytest.mark.parametrize("case", NEAR_VALUES + SUBSETS, ids=lambda c: c.note)
def test_these_answers_reach_our_own_parse(case: Case) -> None:
    """Math-Verify cannot read the span and our parse can: if a later Math-Verify reads it, these cases
    no longer test our fallback and need replacing."""
    from evaluator.grading._sympy_compare import math_verify_parse, parse_latex

    span = extract_answer(case.text, "stop").span
    assert span is not None and span.startswith("\\boxed\\")
    assert math_verify_parse(span) == []
    assert parse_latex(span) is not None
    assert math_verify_parse(case.gold) != []
