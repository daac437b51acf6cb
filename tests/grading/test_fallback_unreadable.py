"""Text neither Math-Verify nor latex2sympy2_extended can read is never equal to anything in our own
parse: latex2sympy2_extended returns None for some of it (`\\langle 1 \\rangle`) instead of raising, and
None == None once graded `\\langle 1 \\rangle` correct against `\\langle 2 \\rangle`, and would have put
the two answers in one cons@k class."""

from __future__ import annotations

import pytest

from evaluator.grading._symbolic_worker import SymbolicChecker
from evaluator.grading._sympy_compare import latex_equal, math_verify_parse, parse_latex
from evaluator.grading.grade import grade_response


@pytest.mark.parametrize(("text", "gold"), [
    (r"Final answer: $\langle 1 \rangle$", r"\langle 2 \rangle"),
    (r"The answer is $\boxed{\langle 3, 4 \rangle}$.", r"\langle 1, 2 \rangle"),
])
def test_two_unreadable_answers_are_not_equal(checker: SymbolicChecker, text: str, gold: str) -> None:
    grade = grade_response(text, gold, "stop", checker=checker)
    assert grade.correct is not True, grade


def test_the_same_unreadable_answer_as_the_key_is_still_right(checker: SymbolicChecker) -> None:
    grade = grade_response(r"Final answer: $\langle 1 \rangle$", r"\langle 1 \rangle", "stop", checker=checker)
    assert (grade.correct, grade.method) == (True, "exact"), grade


def test_a_none_parse_is_unparsable() -> None:
    assert math_verify_parse(r"\langle 1 \rangle") == []  # else this case no longer reaches our parse
    with pytest.raises(ValueError, match="no parse"):
        parse_latex(r"\langle 1 \rangle")
    assert latex_equal(r"\langle 1 \rangle", r"\langle 2 \rangle")[0] is not True
