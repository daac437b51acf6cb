"""Robustness: arbitrary text, 1 MB inputs and deeply nested or unbalanced braces never raise and
finish in bounded time (the scans are linear; see the MAX_* caps in evaluator/grading/extract.py)."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluator.grading._symbolic_worker import SymbolicChecker
from evaluator.grading.extract import STATUSES, extract_answer
from evaluator.grading.grade import grade_response

TIME_LIMIT_S = 2.0  # per input, generous for a loaded CI machine; typical figures are milliseconds
FINISH = st.sampled_from([None, "stop", "length"])
ATOMS = st.sampled_from(
    [
        "\\boxed{",
        "\\boxed",
        "\\fbox{",
        "{",
        "}",
        "\\{",
        "\\}",
        "$",
        "$$",
        "\\(",
        "\\)",
        "\\[",
        "\\]",
        "</think>",
        "<think>",
        "<|end_of_thought|>",
        "<|begin_of_thought|>",
        "Final Answer:",
        "Answer:",
        "**Answer:**",
        "<answer>",
        "</answer>",
        "####",
        "\\frac{",
        "\\text{",
        "073",
        "1,000",
        "-5",
        "thirty-three",
        ".",
        "\n",
        " ",
        "=",
        "^\\circ",
        "\\%",
        "\\",
        "é",
        "答案",
        "\U0001f600",
    ]
)
SOUP = st.lists(st.one_of(ATOMS, st.text(max_size=8)), max_size=200).map("".join)


def _check(text: str, finish_reason: str | None) -> None:
    began = time.perf_counter()
    got = extract_answer(text, finish_reason)
    grade = grade_response(text, 73, finish_reason, checker=_NEVER_STARTED)
    assert time.perf_counter() - began < TIME_LIMIT_S
    assert got.status in STATUSES
    assert got.answer is None or (0 < len(got.answer) <= 1000)
    assert grade.extracted == got.answer and grade.correct is (got.answer == "73")


_NEVER_STARTED = SymbolicChecker()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=3000), finish_reason=FINISH)
def test_arbitrary_text(text: str, finish_reason: str | None) -> None:
    _check(text, finish_reason)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=SOUP, finish_reason=FINISH)
def test_latex_and_marker_soup(text: str, finish_reason: str | None) -> None:
    _check(text, finish_reason)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(unit=SOUP.filter(bool), finish_reason=FINISH)
def test_one_megabyte_inputs(unit: str, finish_reason: str | None) -> None:
    text = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    _check(text, finish_reason)


ADVERSARIAL = {
    "deep nesting": "\\boxed{" + "{" * 500_000 + "7" + "}" * 500_000 + "}",
    "unclosed boxes": "\\boxed{" * 150_000,
    "unclosed nested": ("\\boxed{\\frac{" + "{" * 2000) * 300,
    "closing soup": "}" * 1_000_000,
    "many boxes": "\\boxed{1}" * 110_000,
    "statement spam": "Final Answer: " * 70_000,
    "spaces after marker": "final answer" + " " * 1_000_000,
    "answer lines": "Answer:\n" * 125_000,
    "digits": "9" * 1_000_000,
    "dollars": "$" * 1_000_000,
    "think tags": "<think></think>" * 60_000,
    "backslashes": "\\" * 1_000_000,
    "math spans": "$1$ " * 250_000 + ".",
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
@pytest.mark.parametrize("finish_reason", [None, "stop", "length"])
def test_adversarial_megabyte_inputs(name: str, finish_reason: str | None) -> None:
    _check(ADVERSARIAL[name], finish_reason)


def test_deeply_nested_box_is_not_read_past_the_cap() -> None:
    assert extract_answer(ADVERSARIAL["deep nesting"]).answer is None
    assert extract_answer("\\boxed{" + "{" * 5 + "7" + "}" * 5 + "}").answer == "7"
