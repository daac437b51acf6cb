"""Non-integer golds. The whole stated answer (never its last integer) is compared:
as canonical text, as exact rationals in-process, else by Math-Verify's `verify` inside our worker
process, where Math-Verify's parser runs under the eval guard."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.grading._symbolic_worker import SymbolicChecker
from evaluator.grading.grade import grade_response

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class GradeCase:
    """One response, its gold, and the verdict a careful grader gives."""

    text: str
    gold: str
    correct: bool
    note: str
    finish_reason: str | None = None


CASES = [
    # fractions and decimals
    GradeCase(r"Thus the probability is $\boxed{\dfrac{7}{4}}$.", r"\frac{7}{4}", True, "dfrac vs frac"),
    GradeCase(r"The ratio is $\boxed{\tfrac74}$.", "7/4", True, "brace-less tfrac vs slash"),
    GradeCase("So the ratio is 7/4.", r"\frac{7}{4}", True, "weak fraction, not its last integer"),
    GradeCase(r"Hence $p = \boxed{0.25}$.", r"\frac{1}{4}", True, "decimal vs fraction"),
    GradeCase(r"Hence $\boxed{\frac{1}{2}}$.", "0.5", True, "fraction vs decimal gold"),
    GradeCase(r"Therefore $\boxed{0.3333333}$.", r"\frac13", True, "decimal rounded at 7 places (Math-Verify rule)"),
    GradeCase(r"Therefore $\boxed{0.33}$.", r"\frac13", False, "two decimals is not one third"),
    GradeCase(r"\boxed{\frac{3}{4}}", r"\frac{4}{3}", False, "reciprocal"),
    GradeCase("The final answer is $-\\frac{1}{2}$.", "-0.5", True, "negative, statement"),
    # radicals and expressions
    GradeCase(r"The side length is $\boxed{\sqrt{5}}$.", r"\sqrt5", True, "sqrt braces"),
    GradeCase(r"\boxed{2\sqrt{2}}", r"\sqrt{8}", True, "simplified radical"),
    GradeCase(r"\boxed{\frac{1}{\sqrt{2}}}", r"\frac{\sqrt{2}}{2}", True, "rationalised denominator"),
    GradeCase(r"\boxed{\sqrt{8}}", r"2\sqrt{3}", False, "different radical"),
    GradeCase(r"The area is $\boxed{2\pi r}$.", r"2r\pi", True, "commuted product, spaces kept for parsing"),
    # tuples, lists, sets, intervals
    GradeCase(r"The point is $\boxed{(3, 8)}$.", "(3,8)", True, "tuple with space"),
    GradeCase(r"The point is $\boxed{\left( 3, 8 \right)}$.", "(3,8)", True, "left/right parentheses"),
    GradeCase(r"The point is $\boxed{(8, 3)}$.", "(3,8)", False, "tuple order matters"),
    GradeCase(r"The even roots are $\boxed{2, 4, 6, 8}$.", "2, 4, 6, 8", True, "list in one box"),
    GradeCase(r"The roots are $\boxed{1}, \boxed{2}$.", "1, 2", True, "answer split over two boxes is one list"),
    GradeCase(r"The roots are $\boxed{1}$ and $\boxed{2}$.", "1, 2", True, "two boxes joined by and"),
    GradeCase(r"First \boxed{1}; wait, no: it is \boxed{2}.", "1, 2", False, "a correction is not a list"),
    GradeCase("The solutions are 2, 4, 6, and 8.", "2, 4, 6, 8", True, "weak list with and"),
    GradeCase(r"\boxed{\{2, 1\}}", r"\{1,2\}", True, "set order does not matter"),
    GradeCase(r"The solution set is $\boxed{(1, 2]}$.", "(1,2]", True, "half-open interval"),
    GradeCase(r"The solution set is $\boxed{[1, 2)}$.", "(1,2]", False, "interval ends differ"),
    GradeCase(r"\boxed{(-\infty, 3)}", r"(-\infty,3)", True, "infinite interval"),
    # equations vs values
    GradeCase(r"So $\boxed{x = 2}$.", "2", True, "equation vs value"),
    GradeCase(r"So $\boxed{x = \frac{1}{2}}$.", "0.5", True, "equation with a fraction vs decimal"),
    GradeCase(r"So $\boxed{y = 2x + 1}$.", "2x+1", True, "equation of a line vs its right side"),
    GradeCase(r"So $\boxed{x^2 + 1}$.", "(x+1)^2", False, "different polynomial"),
    # extraction still think-aware
    GradeCase("<think>\nmaybe \\boxed{\\frac{1}{2}} hmm, let me re", r"\frac12", False,
              "cut off in thinking: no answer", "length"),
    GradeCase("<think>\nso \\boxed{\\frac{1}{3}}\n</think>\n\nThe answer is $\\boxed{\\frac{1}{2}}$.", r"\frac12", True,
              "tentative box in thinking ignored"),
]


@pytest.fixture(scope="module")
def checker() -> Iterator[SymbolicChecker]:
    checker = SymbolicChecker(timeout_s=60.0)  # generous: the machine is shared; this is not a timing test
    yield checker
    checker.close()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.note)
def test_non_integer_golds(checker: SymbolicChecker, case: GradeCase) -> None:
    grade = grade_response(case.text, case.gold, case.finish_reason, checker=checker)
    assert grade.correct is case.correct, grade


RATIONAL = [
    GradeCase(r"\boxed{\tfrac74}", "1.75", True, "fraction vs decimal"),
    GradeCase(r"\boxed{\frac{3}{4}}", r"\frac{4}{3}", False, "different fractions"),
    GradeCase(r"\boxed{(8, 3)}", "(3,8)", False, "tuple order"),
    GradeCase(r"\boxed{\{2, 1\}}", r"\{1,2\}", True, "set order"),
    GradeCase(r"\boxed{[1, 2)}", "(1,2]", False, "interval ends"),
    GradeCase(r"\boxed{(-\infty, \frac{1}{2})}", r"(-\infty,0.5)", True, "infinite interval with a decimal"),
    GradeCase(r"\boxed{2, 6, 4, 8}", "2, 4, 6, 8", True, "bare list read as a set"),
    GradeCase(r"\boxed{x = \frac{1}{2}}", "0.5", True, "single-letter equation"),
]


@pytest.mark.parametrize("case", RATIONAL, ids=lambda c: c.note)
def test_rationals_and_their_collections_are_decided_without_the_worker(case: GradeCase) -> None:
    checker = SymbolicChecker()
    grade = grade_response(case.text, case.gold, checker=checker)
    assert (grade.correct, grade.method) == (case.correct, "exact")
    assert not checker.started


@pytest.mark.parametrize(("text", "gold"), [(r"\boxed{1,000}", r"\{0,1\}"), (r"\boxed{(3, 8)}", r"\{3,8\}")])
def test_ambiguous_collections_go_to_the_worker(checker: SymbolicChecker, text: str, gold: str) -> None:
    """`1,000` is not the list 1, 0; a tuple vs a set is for Math-Verify to decide."""
    assert grade_response(text, gold, checker=checker).method == "symbolic"


def test_decisions_are_cached_but_failures_are_not() -> None:
    checker = SymbolicChecker(timeout_s=60.0)
    try:
        first = checker.compare(r"\sqrt{8}", r"2\sqrt{2}")
        checker.close()  # a cached decision does not need the worker
        assert checker.compare(r"\sqrt{8}", r"2\sqrt{2}") == first and first.equal
        assert not checker.started
        checker.clear_cache()
        assert checker.compare(r"\sqrt{8}", r"2\sqrt{2}").equal and checker.started
    finally:
        checker.close()


def test_math_verify_runs_only_in_the_worker() -> None:
    code = (
        "import sys; from evaluator.grading import grade_response; "
        "g = grade_response(r'\\boxed{\\frac{1}{\\sqrt{2}}}', r'\\frac{\\sqrt{2}}{2}'); "
        "print(g.correct, g.method, 'math_verify' in sys.modules, 'sympy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "symbolic", "False", "False"]


def test_math_verifys_own_default_parse_reaches_eval() -> None:
    """Why the guard exists: Math-Verify's default `parse` (its ExprExtractionConfig) hands plain model
    text to sympy's `parse_expr`, which calls `eval`. We use its LaTeX path only, under the guard."""
    math_verify_parser = pytest.importorskip("math_verify.parser")
    from math_verify import parse

    seen: list[str] = []
    original = math_verify_parser.parse_expr

    def recording(s: str, *args: object, **kwargs: object) -> object:
        seen.append(s)
        return original(s, *args, **kwargs)

    math_verify_parser.parse_expr = recording
    try:
        parse("Final answer: 2 + 3", parsing_timeout=None)
    finally:
        math_verify_parser.parse_expr = original
    assert "2 + 3" in seen


HOSTILE = [
    "__import__('pathlib').Path({marker!r}).touch()",
    "2 + __import__('pathlib').Path({marker!r}).touch()",
    r"\text{{__import__('pathlib').Path({marker!r}).touch()}}",
    r"\operatorname{{exec}}(\text{{__import__('pathlib').Path({marker!r}).touch()}})",
]


def test_math_verify_path_never_evaluates_model_text(tmp_path: Path) -> None:
    from evaluator.grading._sympy_compare import latex_equal, math_verify_parse, numeric_only_parse_expr

    marker = tmp_path / "pwned"
    seen: list[str] = []
    sympy_parser = pytest.importorskip("sympy.parsing.sympy_parser")
    math_verify_parser = pytest.importorskip("math_verify.parser")
    for template in HOSTILE:
        text = template.format(marker=str(marker))
        with contextlib.suppress(Exception):
            latex_equal(text, "x+1")
        with numeric_only_parse_expr():  # what the guard lets through is only ever a decimal literal
            guarded = sympy_parser.parse_expr

            def recording(s: object, *args: object, _g: object = guarded, **kwargs: object) -> object:
                seen.append(str(s))
                return _g(s, *args, **kwargs)  # type: ignore[operator]

            sympy_parser.parse_expr = math_verify_parser.parse_expr = recording
            try:
                with contextlib.suppress(Exception):
                    math_verify_parse(text)
            finally:
                sympy_parser.parse_expr = math_verify_parser.parse_expr = guarded
    assert not marker.exists()
    assert all(s.replace(".", "").strip().isdigit() for s in seen), seen
