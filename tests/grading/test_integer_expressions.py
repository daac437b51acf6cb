"""An answer written as an expression whose value is an integer is that integer,
computed exactly (fractions.Fraction on a parsed tree; never eval, never sympy), and bounded."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from evaluator.grading._exact_arith import exact_value
from evaluator.grading._symbolic_worker import SymbolicChecker
from evaluator.grading.extract import AIME_RANGE, extract_answer
from evaluator.grading.grade import grade_response
from tests.support.case_corpus import Case

CASES = [
    Case(r"So the number of handshakes is $\boxed{(7+5)}$.", "12", "ok", note="parenthesised sum"),
    Case(r"The ratio simplifies to $\boxed{\frac8{4}}$.", "2", "ok", note="brace-less numerator"),
    Case(r"Thus $AB = \boxed{\frac{146}{2}}$.", "73", "ok", note="integral fraction"),
    Case(r"The hypotenuse is $\boxed{\sqrt{5^2+12^2}}$.", "13", "ok", note="root of a perfect square"),
    Case(r"Removing the bad subsets leaves $\boxed{2^{10}-24}$.", "1000", "out_of_range", note="power minus"),
    Case(r"so we get $\boxed{3 \cdot 7 \times 2}$", "42", "ok", note="cdot and times"),
    Case(r"Choosing gives $\boxed{\binom{10}{3}}$ committees.", "120", "ok", note="binomial"),
    Case(r"There are $\boxed{5!}$ orders.", "120", "ok", note="factorial"),
    Case(r"The side is $\boxed{\sqrt[3]{343}}$.", "7", "ok", note="cube root"),
    Case("Answer: 3*5 + 2*4 + 0 = 23", "23", "ok", note="equation chain: last right-hand side"),
    Case("Adding the cases, $120+35+2=157$.", "157", "weak", note="weak equation chain"),
    Case("Multiplying, the count is $6 \\cdot 7$.", "42", "weak", note="weak product is evaluated"),
    Case(r"\boxed{2\sqrt{3}}", r"2\sqrt{3}", "ok", note="irrational stays LaTeX"),
    Case(r"\boxed{3\frac{1}{2}}", r"3\frac{1}{2}", "ok", note="mixed number is not 3 times one half"),
    Case(r"\boxed{\frac{7}{4}}", r"\frac{7}{4}", "ok", note="non-integer fraction stays LaTeX"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_integer_expressions(case: Case) -> None:
    got = extract_answer(case.text, case.finish_reason, AIME_RANGE)  # these responses answer AIME problems
    assert (got.answer, got.status) == (case.answer, case.status)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("(7+5)", Fraction(12)),
        (r"\frac{\frac{1}{2}}{3}", Fraction(1, 6)),
        (r"2(3+4)", Fraction(14)),
        (r"-\frac{12}{4}", Fraction(-3)),
        ("4^{1/2}", Fraction(2)),
        ("2^{-2}", Fraction(1, 4)),
        (r"\sqrt{2}", None),  # irrational
        ("x+1", None),  # a variable
        ("1/0", None),
        (r"9^{9^{9}}", None),  # refused before it is computed (MAX_BITS)
        ("(" * 40 + "1" + ")" * 40, None),  # deeper than MAX_DEPTH
        ("1+" * 150 + "1", None),  # longer than MAX_EXPR_CHARS
        ("__import__('os')", None),  # not in the grammar: nothing is executed
    ],
)
def test_exact_value(text: str, value: Fraction | None) -> None:
    assert exact_value(text) == value


def test_integer_gold_never_starts_the_worker() -> None:
    checker = SymbolicChecker()
    assert grade_response(r"\boxed{\sqrt{5^2+12^2}}", 13, checker=checker).correct
    assert grade_response(r"\boxed{2^{10}-24}", 1000, checker=checker).method == "integer"
    assert not checker.started


def test_a_payload_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    assert extract_answer(rf"\boxed{{({payload})+1}}").answer is not None
    assert exact_value(f"({payload})+1") is None
    assert not marker.exists()
