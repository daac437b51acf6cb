"""Grading: integer fast path (never starts the worker), several accepted golds, symbolic path in a
worker process with a timeout, and a parser that never hands model text to `eval`."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluator.grading._symbolic_worker import SymbolicChecker
from evaluator.grading.extract import extract_answer
from evaluator.grading.grade import Grade, grade_extraction, grade_response

REPO = Path(__file__).resolve().parents[2]

INTEGER = [
    (r"\boxed{73}", 73, True),
    (r"\boxed{073}", 73, True),
    (r"\boxed{73}", "073", True),
    (r"\boxed{73}", "73", True),
    (r"\boxed{74}", 73, False),
    (r"\boxed{\frac{146}{2}}", 73, True),
    (r"\boxed{73.0}", 73, True),
    (r"\boxed{\frac{1}{2}}", 0, False),
    (r"\boxed{2\sqrt{3}}", 3, False),
    ("no answer here", 0, False),
    ("Final Answer: seventy-three", 73, True),
    (r"\boxed{0}", 0, True),
]


@pytest.mark.parametrize(("text", "gold", "correct"), INTEGER)
def test_integer_fast_path(text: str, gold: int | str, correct: bool) -> None:
    checker = SymbolicChecker()
    grade = grade_response(text, gold, checker=checker)
    assert grade.correct is correct
    assert not checker.started, "integer golds must never start the symbolic worker"


def test_grade_fields() -> None:
    assert grade_response(r"\boxed{073}", 73) == Grade(
        correct=True, extracted="73", status="ok", method="integer", matched="73"
    )
    assert grade_response("cut off", 73, finish_reason="length") == Grade(
        correct=False, extracted=None, status="truncated"
    )


@pytest.mark.parametrize(("answer", "correct"), [("80", True), ("81", True), ("82", False)])
def test_several_accepted_golds(answer: str, correct: bool) -> None:
    text = rf"\boxed{{{answer}}}"
    assert grade_response(text, (80, 81)).correct is correct
    assert grade_response(text, [80, 81]).correct is correct
    extraction = extract_answer(text)
    assert grade_extraction(extraction, (80, 81)).correct is correct


def test_grade_extraction_reuses_one_extraction() -> None:
    extraction = extract_answer(r"\boxed{81}")
    grades = [grade_extraction(extraction, golds) for golds in ((80,), (81,), (80, 81))]
    assert [g.correct for g in grades] == [False, True, True]
    assert grades[2].matched == "81"


def test_importing_grade_does_not_import_sympy() -> None:
    code = (
        "import sys, evaluator.grading.grade as g; g.grade_response(r'\\boxed{5}', 5); "
        "print('sympy' in sys.modules, 'latex2sympy2_extended' in sys.modules, g.default_checker().started)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]


@pytest.fixture(scope="module")
def checker() -> Iterator[SymbolicChecker]:
    checker = SymbolicChecker(timeout_s=30.0)
    yield checker
    checker.close()


SYMBOLIC = [
    (r"\boxed{\frac{1}{2}}", "0.5", True),
    (r"\boxed{0.5}", r"\frac{1}{2}", True),
    (r"\boxed{\dfrac{\sqrt{3}}{2}}", r"\frac{\sqrt3}{2}", True),
    (r"\boxed{2\sqrt{2}}", r"\sqrt{8}", True),
    (r"\boxed{\sqrt{8}}", r"2\sqrt{3}", False),
    (r"\boxed{\frac{\pi}{2}}", r"\pi/2", True),
    (r"\boxed{x^2+2x+1}", r"(x+1)^2", True),
    (r"\boxed{x^2+1}", r"(x+1)^2", False),
    (r"\boxed{\{1,2\}}", r"\{2,1\}", True),
    (r"\boxed{(1,2)}", r"(1, 2)", True),
    (r"\boxed{x=3}", "3", True),
    (r"\boxed{\frac{3}{4}}", r"\frac{4}{3}", False),
    (r"\boxed{\text{(C)}}", "(C)", True),
    (r"\boxed{\sin^2 x + \cos^2 x}", r"\frac{y}{y}", True),
]


@pytest.mark.parametrize(("text", "gold", "correct"), SYMBOLIC)
def test_symbolic(checker: SymbolicChecker, text: str, gold: str, correct: bool) -> None:
    grade = grade_response(text, gold, checker=checker)
    assert grade.correct is correct, grade


def test_mixed_golds_try_integer_then_symbolic(checker: SymbolicChecker) -> None:
    assert grade_response(r"\boxed{\frac{1}{2}}", (7, "0.5"), checker=checker).method == "exact"  # both rationals
    assert grade_response(r"\boxed{\frac{1}{\sqrt{2}}}", (7, r"\frac{\sqrt{2}}{2}"), checker=checker).method == "symbolic"


def test_timeout_is_bounded_and_worker_recovers() -> None:
    checker = SymbolicChecker(timeout_s=2.0)
    try:
        assert checker.compare("1", "1").equal  # start the worker outside the timed part
        began = time.monotonic()
        grade = grade_response(r"\boxed{9^{9^{9}}}", "5.5", checker=checker)
        assert time.monotonic() - began < 10.0
        assert (grade.correct, grade.method) == (False, "timeout")
        assert grade_response(r"\boxed{\frac{2}{4}}", "0.5", checker=checker).correct
    finally:
        checker.close()


def test_long_answers_are_not_parsed(checker: SymbolicChecker) -> None:
    grade = grade_response(r"\boxed{" + "x+" * 200 + "1}", "y", checker=checker)
    assert (grade.correct, grade.method) == (False, "too_long")


def test_hostile_text_is_never_evaluated(tmp_path: Path, checker: SymbolicChecker) -> None:
    marker = tmp_path / "pwned"
    payload = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    for text in (rf"\boxed{{{payload}}}", rf"\boxed{{\text{{{payload}}}}}", f"Final Answer: {payload}"):
        grade = grade_response(text, "x+1", checker=checker)
        assert not grade.correct
    assert not marker.exists()


HOSTILE = [
    "__import__('os').system('true')",
    r"\frac{1}{2} + 0.25",
    r"1,000 + \sqrt{2}",
    r"\text{lambda: 1}",
    r"x = \exec(1)",
    r"10\%",
    r"\mathrm{eval}(3)",
]


def test_only_numeric_literals_reach_sympys_eval_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    sympy_parser = pytest.importorskip("sympy.parsing.sympy_parser")
    from evaluator.grading._sympy_compare import EvalRefused, numeric_only_parse_expr, parse_latex

    seen: list[str] = []
    original = sympy_parser.parse_expr

    def recording(s: str, *args: object, **kwargs: object) -> object:
        seen.append(s)
        return original(s, *args, **kwargs)

    monkeypatch.setattr(sympy_parser, "parse_expr", recording)
    for text in HOSTILE:
        with contextlib.suppress(Exception):  # unparsable is fine; what matters is what reached parse_expr
            parse_latex(text)
    assert seen, "expected latex2sympy2_extended to parse some numbers through sympy"
    assert all(s.replace(".", "").strip().isdigit() for s in seen), seen
    with numeric_only_parse_expr(), pytest.raises(EvalRefused):
        sympy_parser.parse_expr("__import__('os')")
