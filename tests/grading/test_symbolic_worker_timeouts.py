"""A timeout in the symbolic worker: its late reply never answers a later question, and a timeout is never a
verdict (a repeat of the same pair is undecided again, or decided afresh, never "equal"/"different" by default).

Every comparison here goes to `SymbolicChecker.compare`, so it really reaches the worker process (nothing
is decided by exact fractions on the way). The slow pair is two spellings of one integer with about 760,000
digits: equal, and slow to decide (seconds), but finite, so a worker kept after its timeout would answer
it late, into the next question.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from evaluator.grading._symbolic_worker import UNDECIDED, SymbolicChecker, SymbolicResult

SLOW_EQUAL = (r"3^{3^{13}}", r"27^{3^{12}}")  # equal; seconds of big-integer work, far over TINY_S
TINY_S = 0.2
GENEROUS_S = 120.0  # a fresh worker imports sympy and Math-Verify on a busy machine


@dataclass(frozen=True)
class Case:
    answer: str
    gold: str
    equal: bool
    note: str


# after the timeout, in this order: the first is "different", the opposite of the slow pair's late "equal"
AFTER = (
    Case(r"\sqrt{8}", r"2\sqrt{3}", False, "the question right after the timeout"),
    Case(r"\tan^2 x + 1", r"\sec^2 x", True, "an equal pair next"),
    Case(r"\frac{3}{4}", r"\frac{4}{3}", False, "then a different one again"),
)


@pytest.fixture()
def checker() -> Iterator[SymbolicChecker]:
    checker = SymbolicChecker(timeout_s=GENEROUS_S)
    # start the worker and load every parser outside the timed part
    assert checker.compare(r"\frac{1}{\sqrt{2}}", r"\frac{\sqrt{2}}{2}").equal is True
    yield checker
    checker.close()


def _time_out(checker: SymbolicChecker) -> SymbolicResult:
    checker.timeout_s = TINY_S
    began = time.monotonic()
    result = checker.compare(*SLOW_EQUAL)
    checker.timeout_s = GENEROUS_S
    assert (result.equal, result.reason) == (None, "timeout")
    assert time.monotonic() - began < 10.0, "the timeout did not bound the wait"
    return result


def test_a_late_reply_never_answers_the_next_question(checker: SymbolicChecker) -> None:
    _time_out(checker)
    for case in AFTER:
        result = checker.compare(case.answer, case.gold)
        assert (result.equal, result.reason) == (case.equal, "equal" if case.equal else "different"), case.note


def test_a_timeout_is_never_remembered_as_a_verdict(checker: SymbolicChecker) -> None:
    _time_out(checker)
    again = checker.compare(*SLOW_EQUAL)  # now with time enough to decide
    # remembered as undecided, or decided afresh: both are honest; a verdict the timeout made up is not
    assert (again.equal, again.reason) in ((None, "timeout"), (True, "equal")), again
    assert checker.compare(AFTER[0].answer, AFTER[0].gold).equal is False  # and the worker still answers its own questions


def test_undecided_results_carry_no_verdict(checker: SymbolicChecker) -> None:
    """Whatever the reason a check could not finish, `equal` is None (grading reads None as 'not shown')."""
    results = [_time_out(checker), checker.compare("x =", "y ="), checker.compare("1" * 300, "1")]
    for result in results:
        assert (result.equal is None) == (result.reason in UNDECIDED), result
    assert [r.reason for r in results[1:]] == ["unparsable", "too_long"]
