"""HMMT-style answers (radicals, pi, fractions, factorials, intervals, text, lists) graded through the public
`evaluator.grading.grade_response`, each response ending in a boxed answer as a model would write it.

Keys are HMMT February 2025's where the form fits (../shared/data/hmmt_feb_2025.jsonl), else of the same
shape."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from evaluator.grading import grade_response


@dataclass(frozen=True)
class Case:
    label: str
    answer: str  # what the model boxes (the whole final sentence when `sentence` is set)
    gold: str | int
    correct: bool
    note: str = ""
    sentence: bool = False  # `answer` is the model's whole final sentence, not a boxed span


LIST_KEY = "\\frac{-1+\\sqrt{17}}{2}, \\frac{-1-\\sqrt{17}}{2}"  # HMMT Feb 2025 #10 (two values)

CASES = [
    # radicals
    Case("radical-same", "9\\sqrt{15}", "9\\sqrt{15}", True),
    Case("radical-inside", "\\sqrt{1215}", "9\\sqrt{15}", True, "sqrt(1215) = 9 sqrt(15)"),
    Case("radical-rationalised", "\\frac{9}{\\sqrt{23}}", "\\frac{9 \\sqrt{23}}{23}", True),
    Case("radical-reordered", "-2\\sqrt{3}+\\sqrt{23}", "\\sqrt{23}-2 \\sqrt{3}", True),
    Case("radical-nested", "\\frac{\\sqrt{570}}{12}", "\\sqrt{\\frac{95}{24}}", True),
    Case("radical-no-braces", "\\sqrt6", "\\sqrt{6}", True),
    Case("radical-power", "6^{1/2}", "\\sqrt{6}", True),
    Case("radical-wrong", "8\\sqrt{11}", "8\\sqrt{10}", False),
    Case("radical-sum-wrong", "14+4\\sqrt{38}", "14+4\\sqrt{37}", False),
    # pi
    Case("pi-one-fraction", "\\frac{\\pi-2}{\\pi}", "1-\\frac{2}{\\pi}", True),
    Case("pi-slash", "1 - 2/\\pi", "1-\\frac{2}{\\pi}", True),
    Case("pi-decimal-is-not-exact", "0.3634", "1-\\frac{2}{\\pi}", False, "an approximation is not the answer"),
    Case("pi-wrong", "1-\\frac{1}{\\pi}", "1-\\frac{2}{\\pi}", False),
    # fractions
    Case("fraction-slash", "1/576", "\\frac{1}{576}", True),
    Case("fraction-dfrac", "\\dfrac{1}{576}", "\\frac{1}{576}", True),
    Case("fraction-unreduced", "\\frac{2}{1152}", "\\frac{1}{576}", True),
    Case("fraction-short", "\\frac49", "\\frac{4}{9}", True),
    Case("fraction-decimal-to-6-places", "0.001736", "\\frac{1}{576}", True,
         "Math-Verify's rule, kept (docs/grading.md): a decimal equal to the fraction at 6 places counts"),
    Case("fraction-decimal-too-short", "0.0017", "\\frac{1}{576}", False, "2 significant digits: not the answer"),
    Case("fraction-wrong", "\\frac{1311}{2016}", "\\frac{1311}{2017}", False),
    Case("fraction-decimal-exact", "0.5", "\\frac{1}{2}", True, "an exact decimal equals the fraction"),
    Case("fraction-mixed-number", "149\\frac{1}{3}", "\\frac{448}{3}", True),
    Case("fraction-negative", "\\frac{-7}{18}", "-\\frac{7}{18}", True),
    # factorials and powers
    Case("factorial-times", "2^{25}\\times 26!", "2^{25} \\cdot 26!", True),
    Case("factorial-commuted", "26! \\cdot 2^{25}", "2^{25} \\cdot 26!", True),
    Case("factorial-expanded", str(2**25 * math.factorial(26)), "2^{25} \\cdot 26!", True, "the integer itself"),
    Case("factorial-wrong", "2^{24} \\cdot 26!", "2^{25} \\cdot 26!", False),
    # equations and other notations
    Case("equation-lhs", "BC = 8\\sqrt{10}", "8\\sqrt{10}", True, "the right-hand side is the answer"),
    Case("log-change-of-base", "\\log_2 3", "\\frac{\\ln 3}{\\ln 2}", True),
    Case("ordered-pair-order-matters", "(2, 1)", "(1, 2)", False, "a point, not a set"),
    Case("interval-union", "(-\\infty, 0) \\cup (1, \\infty)", "(-\\infty,0)\\cup(1,\\infty)", True),
    # integers that HMMT keys as text
    Case("integer-negative", "-984", -984, True),
    Case("integer-sign", "984", -984, False),
    # lists (the problem asks for all values, comma separated)
    Case("list-same", "\\frac{-1+\\sqrt{17}}{2}, \\frac{-1-\\sqrt{17}}{2}", LIST_KEY, True),
    Case("list-reversed", "\\frac{-1-\\sqrt{17}}{2}, \\frac{-1+\\sqrt{17}}{2}", LIST_KEY, True,
         "a set of values: order does not matter"),
    Case("list-set-braces", "\\left\\{\\frac{-1+\\sqrt{17}}{2}, \\frac{-1-\\sqrt{17}}{2}\\right\\}", LIST_KEY, True),
    Case("list-and", "\\frac{-1+\\sqrt{17}}{2} \\text{ and } \\frac{-1-\\sqrt{17}}{2}", LIST_KEY, True),
    Case("list-two-boxes", "So the values are $\\boxed{\\frac{-1+\\sqrt{17}}{2}}, \\boxed{\\frac{-1-\\sqrt{17}}{2}}$.",
         LIST_KEY, True, "answers split over several boxes are one list", sentence=True),
    Case("list-one-missing", "\\frac{-1+\\sqrt{17}}{2}", LIST_KEY, False),
    Case("list-one-wrong", "\\frac{-1+\\sqrt{17}}{2}, \\frac{1-\\sqrt{17}}{2}", LIST_KEY, False),
    # intervals
    Case("interval-same", "(0,1]", "(0, 1]", True),
    Case("interval-left-right", "\\left(0, 1\\right]", "(0, 1]", True),
    Case("interval-infinity", "(-\\infty,2)", "(-\\infty, 2)", True),
    Case("interval-closed-is-different", "[0,1]", "(0, 1]", False),
    # text answers
    Case("text-plain", "Alice", "\\text{Alice}", True),
    Case("text-bold", "\\textbf{Alice}", "\\text{Alice}", True),
    Case("text-wrong", "\\text{Bob}", "\\text{Alice}", False),
]



@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c.label) for c in CASES],
)
def test_contest_answer(case: Case) -> None:
    text = case.answer if case.sentence else f"Putting it together, the answer is $\\boxed{{{case.answer}}}$."
    grade = grade_response(text, case.gold)
    assert grade.correct is case.correct, (case.note, grade)
