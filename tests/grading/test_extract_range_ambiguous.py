"""Rule 5: on the AIME sets, integers outside 0-999 are `out_of_range`; competing final boxes are
`ambiguous`, last wins (boxes offered as alternatives, `\\boxed{12} or \\boxed{13}`, are a hedge:
tests/grading/test_hedges_and_negations.py)."""

from __future__ import annotations

import pytest

from evaluator.grading.extract import AIME_RANGE, extract_answer
from evaluator.grading.grade import grade_response
from tests.support.case_corpus import Case, r1, sky

CASES = [
    Case(r"\boxed{1409}", "1409", "out_of_range", note="four digits"),
    Case(r"\boxed{1000}", "1000", "out_of_range", note="just above"),
    Case(r"\boxed{999}", "999", "ok", note="upper bound"),
    Case(r"\boxed{0}", "0", "ok", note="lower bound"),
    Case(r"\boxed{-1}", "-1", "out_of_range", note="negative"),
    Case(r"\boxed{-0}", "0", "ok", note="minus zero"),
    Case(r"\boxed{2,024}", "2024", "out_of_range", note="thousands comma"),
    Case(r"\boxed{\frac{4000}{2}}", "2000", "out_of_range", note="integral fraction out of range"),
    Case("Final Answer: 12345", "12345", "out_of_range", note="statement out of range"),
    Case(r1([r"\boxed{5}"], "cut"), "5", "from_reasoning", finish_reason="length", note="reasoning in range"),
    Case(
        r1([r"\boxed{5000}"], "cut"),
        "5000",
        "out_of_range",
        finish_reason="length",
        note="reasoning out of range",
    ),
    Case(
        sky([], r"Thus, the final answer is \( \boxed{2929} \)."), "2929", "out_of_range", note="Sky-T1 2929"
    ),
    Case(r"\boxed{12} then \boxed{13}", "13", "ambiguous", note="two boxes"),
    Case(r"\boxed{1} \boxed{2} \boxed{3}", "3", "ambiguous", note="three boxes"),
    Case(r"\boxed{12} and again \boxed{012}", "12", "ok", note="same canonical value"),
    Case(r"\boxed{12} then \boxed{1300}", "1300", "out_of_range", note="out of range wins over ambiguous"),
    Case(
        r"\boxed{\frac{1}{2}} then \boxed{0.5}",
        "0.5",
        "ambiguous",
        note="non-integer candidates differ in text",
    ),
    Case(r1([r"\boxed{7}", r"\boxed{8}"], r"\boxed{9}"), "9", "ok", note="thinking boxes are not candidates"),
    Case(
        r"Case 1 gives \boxed{4}; case 2 gives \boxed{6}. The final answer is 10.",
        "10",
        "ok",
        note="statement chooses after boxes",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_range_and_ambiguity(case: Case) -> None:
    got = extract_answer(case.text, case.finish_reason, AIME_RANGE)  # these responses answer AIME problems
    assert (got.answer, got.status) == (case.answer, case.status)


def test_ambiguous_records_candidates_in_order() -> None:
    assert extract_answer(r"\boxed{12} then \boxed{13}").candidates == ("12", "13")


@pytest.mark.parametrize("gold", [409, 140, 999, 0])
def test_out_of_range_is_incorrect_for_aime_gold(gold: int) -> None:
    grade = grade_response(r"\boxed{1409}", gold, answer_range=AIME_RANGE)
    assert (grade.correct, grade.status, grade.extracted) == (False, "out_of_range", "1409")


def test_out_of_range_status_kept_when_a_custom_gold_is_large() -> None:
    grade = grade_response(r"\boxed{1409}", 1409, answer_range=AIME_RANGE)
    assert (grade.correct, grade.status) == (True, "out_of_range")


def test_ambiguous_last_box_is_graded() -> None:
    assert grade_response(r"\boxed{12} then \boxed{13}", 13).correct
    assert not grade_response(r"\boxed{12} then \boxed{13}", 12).correct
