"""Rule 5: the 0-999 range belongs to the AIME-format sets. Their problems are graded with it (an integer
outside gets `out_of_range`); every other contest, and `grade_response(text, gold)` with no set named,
reads integers of any size, negative ones included, with no range check."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.benchmarks.registry import answer_range, registry_set
from evaluator.grading.extract import AIME_RANGE
from evaluator.grading.grade import grade_response
from evaluator.grading.records import regrade
from evaluator.types import Problem


@dataclass(frozen=True)
class Case:
    text: str
    gold: int | str
    answer_range: range | None
    correct: bool
    status: str
    note: str


CASES = [
    Case(r"Summing over all residues, the count is $\boxed{3375}$.", 3375, None, True, "ok", "HMMT key above 999"),
    Case(r"Hence the minimum is $\boxed{-984}$.", -984, None, True, "ok", "HMMT negative key"),
    Case("So the number of tilings is 6300.", 6300, None, True, "weak", "unboxed, above 999"),
    Case(r"Therefore the product is $\boxed{12345678901234567890}$.", 12345678901234567890, None, True, "ok",
         "any size"),
    Case(r"Thus $\boxed{2^{25} \cdot 26!}$.", r"2^{25} \cdot 26!", None, True, "ok", "integer-valued LaTeX key"),
    Case(r"So the answer is $\boxed{1409}$.", 409, AIME_RANGE, False, "out_of_range", "AIME: four digits"),
    Case(r"So the answer is $\boxed{1409}$.", 1409, AIME_RANGE, True, "out_of_range", "AIME: kept and shown"),
    Case(r"So the answer is $\boxed{-1}$.", 1, AIME_RANGE, False, "out_of_range", "AIME: negative"),
    Case(r"So the answer is $\boxed{999}$.", 999, AIME_RANGE, True, "ok", "AIME: upper bound"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.note)
def test_range_is_the_contests(case: Case) -> None:
    grade = grade_response(case.text, case.gold, "stop", answer_range=case.answer_range)
    assert (grade.correct, grade.status) == (case.correct, case.status)


@pytest.mark.parametrize(("name", "expected"), [
    ("aime-2024", AIME_RANGE), ("aime-2025", AIME_RANGE), ("aime-1983-2023", AIME_RANGE), ("demo", AIME_RANGE),
    ("hmmt-feb-2025", None),
])
def test_registry_knows_each_sets_range(name: str, expected: range | None) -> None:
    assert registry_set(name).answer_range == expected


@pytest.mark.parametrize(("problem_id", "expected"), [
    ("2024-I-4", AIME_RANGE), ("1983-7", AIME_RANGE), ("demo-3", AIME_RANGE),
    ("hmmt-feb-2025-2", None), ("my-olympiad-12", None),
])
def test_each_problem_gets_its_sets_range(problem_id: str, expected: range | None) -> None:
    assert answer_range(problem_id) == expected


def test_regrade_passes_the_range_of_the_problems_set() -> None:
    record = {"problem_id": "", "sample": 0, "response": r"The count is $\boxed{3375}$.", "finish_reason": "stop"}
    hmmt = regrade({**record, "problem_id": "hmmt-feb-2025-2"}, Problem("hmmt-feb-2025-2", "p", 3375))
    aime = regrade({**record, "problem_id": "2024-I-4"}, Problem("2024-I-4", "p", 375))
    assert (hmmt["status"], hmmt["correct"]) == ("ok", True)
    assert (aime["status"], aime["correct"]) == ("out_of_range", False)
