"""A hedge states no answer (docs/grading.md, rule 7), so it never votes in cons@k: whether the hedge was
found while extracting ("5 or 7": no extracted answer) or while grading (`\\boxed{3}, \\boxed{5}` against
an integer key keeps "3,5" for the report, status `hedged`)."""

from __future__ import annotations

import pytest

from evaluator.metrics.summary import problem_table, summarize_run
from evaluator.types import Problem

PROBLEM = Problem("p", "Find x.", 3)


def _records(hedge: dict[str, object], hedges: int) -> list[dict[str, object]]:
    right = {"extracted": "3", "correct": True, "status": "ok"}
    wrong = {"extracted": "8", "correct": False, "status": "ok"}
    rows = [right, right, wrong] + [hedge] * hedges
    return [{"problem_id": "p", "sample": i, **row} for i, row in enumerate(rows)]


@pytest.mark.parametrize("hedge", [
    {"extracted": "3,5", "correct": False, "status": "hedged"},  # found while grading: several values
    {"extracted": None, "correct": False, "status": "hedged"},   # found while extracting: "5 or 7"
], ids=["grading", "extraction"])
def test_three_hedges_do_not_outvote_two_right_answers(hedge: dict[str, object]) -> None:
    records = _records(hedge, 3)
    (row,) = problem_table(records, [PROBLEM])
    assert row.vote_keys().count(None) == 3
    summary = summarize_run(records, [PROBLEM], k=6)
    assert summary["metrics"]["cons"] == pytest.approx(1.0)  # "3" twice beats "8" once; hedges abstain
    assert summary["metrics"]["pass1"] == pytest.approx(2 / 6)
