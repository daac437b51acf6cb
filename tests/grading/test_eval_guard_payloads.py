"""The eval guard accepts a *whole* text that is a decimal literal, never a text that only starts with one.

While a LaTeX answer is parsed, sympy's `parse_expr` (which `eval`s its input) is replaced by a guard. An
attacker's answer that opens with digits (`1+__import__('os').getpid()`) must be refused like one that
does not: a check of the text's start only would hand the rest of it to `eval`. Each payload below would
create a marker file if it were evaluated, so the test sees an escape even where an exception hides it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Case:
    label: str
    payload: str  # `{marker}` is replaced by the path of a file the payload creates when evaluated
    note: str


PAYLOADS = (
    Case("sum", "1+__import__('pathlib').Path({marker}).touch()", "a number, then a call"),
    Case("getpid", "1+__import__('os').getpid() and __import__('pathlib').Path({marker}).touch()",
         "the payload of the audit: a number and an os call"),
    Case("decimal", "12.5*(__import__('pathlib').Path({marker}).touch() or 1)", "a decimal literal, then a call"),
    Case("padded", "  7  or __import__('pathlib').Path({marker}).touch()", "the spaces the guard allows, then code"),
    Case("newline", "3\n+__import__('pathlib').Path({marker}).touch()", "a number, a line break, then code"),
    Case("conditional", "0 if __import__('pathlib').Path({marker}).touch() else 0", "starts and ends with a digit"),
)


@pytest.mark.parametrize("case", PAYLOADS, ids=[c.label for c in PAYLOADS])
def test_text_that_only_starts_with_a_number_is_refused(case: Case, tmp_path: Path) -> None:
    sympy_parser = pytest.importorskip("sympy.parsing.sympy_parser")
    from evaluator.grading._sympy_compare import EvalRefused, numeric_only_parse_expr

    marker = tmp_path / "evaluated"
    payload = case.payload.replace("{marker}", repr(str(marker)))
    with numeric_only_parse_expr(), pytest.raises(EvalRefused):
        sympy_parser.parse_expr(payload)
    assert not marker.exists(), f"{case.note}: the payload was evaluated"


@pytest.mark.parametrize("case", PAYLOADS, ids=[c.label for c in PAYLOADS])
def test_sympify_of_the_payload_is_refused_too(case: Case, tmp_path: Path) -> None:
    """`sympify(str)` (what `sympy.Number(str)` and the LaTeX parsers reach) goes through the same guard."""
    sympy = pytest.importorskip("sympy")
    from evaluator.grading._sympy_compare import EvalRefused, numeric_only_parse_expr

    marker = tmp_path / "evaluated"
    payload = case.payload.replace("{marker}", repr(str(marker)))
    with numeric_only_parse_expr(), pytest.raises((EvalRefused, sympy.SympifyError)):
        sympy.sympify(payload)
    assert not marker.exists(), f"{case.note}: the payload was evaluated"


@pytest.mark.parametrize("literal", ["7", "0.73", "12.5", " 3 ", "2.", "1" * 400])
def test_whole_decimal_literals_still_parse(literal: str) -> None:
    sympy_parser = pytest.importorskip("sympy.parsing.sympy_parser")
    from evaluator.grading._sympy_compare import numeric_only_parse_expr

    with numeric_only_parse_expr():
        assert sympy_parser.parse_expr(literal) == sympy_parser.parse_expr(literal.strip())


def test_a_boxed_payload_that_starts_with_a_number_is_graded_wrong_and_never_run(tmp_path: Path) -> None:
    """End to end: the payload as a model's boxed answer against a LaTeX key, through the worker."""
    from evaluator.grading._symbolic_worker import SymbolicChecker
    from evaluator.grading.grade import grade_response

    marker = tmp_path / "evaluated"
    payload = f"1+__import__('pathlib').Path({str(marker)!r}).touch()"
    checker = SymbolicChecker(timeout_s=60.0)
    try:
        for text in (rf"\boxed{{{payload}}}", rf"\boxed{{\text{{{payload}}}}}", f"Final Answer: {payload}"):
            assert not grade_response(text, "x+1", checker=checker).correct
    finally:
        checker.close()
    assert not marker.exists()
