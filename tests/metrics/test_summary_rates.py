"""summary.json's `rates` against hand-built sample records (the expected shares are counted by hand).

`no_answer` is the share of samples with no usable answer, truncated ones included (a cut-off sample has
no answer either); `truncated` is the share the backend stopped at the token limit (finish_reason
"length"), whatever the grader then found, or, where the finish reason is unknown (an imported dump), that
the grader found cut off; samples with index >= k are not part of the run's k.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.metrics.summary import summarize_run
from evaluator.types import Problem

PROBLEMS = (Problem(id="p1", problem="first", answer=204), Problem(id="p2", problem="second", answer=33))
K = 5

# (problem, sample, status, finish_reason): 2 problems x k=5, then two samples beyond k that must not count
ROWS = (
    ("p1", 0, "ok", "stop"),
    ("p1", 1, "from_reasoning", "length"),  # cut off, but an answer was found in the reasoning
    ("p1", 2, "truncated", "length"),
    ("p1", 3, "no_answer", "stop"),
    ("p1", 4, "weak", "stop"),
    ("p2", 0, "ok", None),  # a backend that reports no finish reason
    ("p2", 1, "truncated", "length"),
    ("p2", 2, "ambiguous", "stop"),
    ("p2", 3, "out_of_range", "stop"),
    ("p2", 4, "hedged", "length"),  # "it is 5 or 7": offered alternatives, no answer
    ("p1", 5, "truncated", "length"),  # beyond k
    ("p2", 7, "no_answer", "stop"),  # beyond k
)


def records() -> list[dict]:
    return [
        {"problem_id": pid, "sample": index, "status": status, "finish_reason": finish,
         "correct": status in ("ok", "from_reasoning"), "extracted": None}
        for pid, index, status, finish in ROWS
    ]


@dataclass(frozen=True)
class Case:
    rate: str
    share: float
    note: str


CASES = (
    Case("no_answer", 3 / 10, "p1:3 no_answer, p1:2 and p2:1 truncated"),
    Case("truncated", 4 / 10, "finish_reason length: p1:1, p1:2, p2:1, p2:4 (stop: 5, None: 1)"),
    Case("weak", 1 / 10, "p1:4"),
    Case("ambiguous", 1 / 10, "p2:2"),
    Case("out_of_range", 1 / 10, "p2:3"),
    Case("hedged", 1 / 10, "p2:4"),
    Case("content_filter", 0.0, "finish_reason content_filter: none of these samples"),
    Case("undecided_class", 0.0, "integer keys: no cons@k class is ever undecided (tests/grading/test_class_bounds.py)"),
)


@pytest.mark.parametrize("case", CASES, ids=[c.rate for c in CASES])
def test_rates_are_shares_of_the_first_k_samples(case: Case) -> None:
    summary = summarize_run(records(), PROBLEMS, k=K)
    assert summary["n_samples"] == 10
    assert summary["rates"][case.rate] == pytest.approx(case.share)


def test_rates_name_exactly_these_shares() -> None:
    assert set(summarize_run(records(), PROBLEMS, k=K)["rates"]) == {c.rate for c in CASES}


def test_an_import_without_finish_reasons_counts_what_the_grader_found_cut_off() -> None:
    rows = [{**r, "finish_reason": None} for r in records()]
    summary = summarize_run(rows, PROBLEMS, k=K)
    assert summary["statuses"]["truncated"] == 2 and summary["rates"]["truncated"] == pytest.approx(2 / 10)


def test_rates_of_a_run_without_samples_are_none() -> None:
    assert set(summarize_run([], PROBLEMS, k=K)["rates"].values()) == {None}
