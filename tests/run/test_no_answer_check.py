"""The no_answer protocol check counts what summary.json's `rates.no_answer` counts: samples whose status
is `no_answer` or `truncated`. A hedge ("5 or 7", "not 7", two boxes for one value) is an answer the model
chose not to commit to, with a status and a rate of its own (`rates.hedged`); it is no sign that the
extractor or the prompt fails, which is what the check warns about. Hedges found while extracting (no
extracted text) and hedges found while grading (the values kept as extracted text) alike stay out of it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.grading.records import regrade
from evaluator.metrics.summary import summarize_run
from evaluator.run.checks import protocol_checks
from evaluator.types import Problem

PROBLEM = Problem(id="aime-2024-I-1", problem="p", answer=204)
CONFIG = {"identity": {"temperature": 0.6, "max_tokens": 100, "model": "m", "dataset": "aime-2024"},
          "backend_config": {"model": "m"}}


@dataclass(frozen=True)
class Case:
    note: str
    response: str
    finish_reason: str
    status: str  # what the grader says (checked, so the table cannot drift from the grader)


CASES = (
    Case("a boxed answer", "<think>t</think> \\boxed{204}", "stop", "ok"),
    Case("finished, states nothing", "<think>t</think> I cannot tell.", "stop", "no_answer"),
    Case("cut inside its thinking", "<think>still going", "length", "truncated"),
    Case("alternatives in the final statement", "<think>t</think> The answer is 5 or 7.", "stop", "hedged"),
    Case("alternatives in two boxes", "<think>t</think> \\boxed{5} or \\boxed{7}", "stop", "hedged"),
    Case("a negation", "<think>t</think> The answer is not 204.", "stop", "hedged"),
    Case("two values boxed for a one-value key (hedged at grading)", "<think>t</think> So \\boxed{3}, \\boxed{5}",
         "stop", "hedged"),
)


def _records() -> list[dict]:
    raw = [{"problem_id": PROBLEM.id, "sample": i, "response": c.response, "finish_reason": c.finish_reason,
            "completion_tokens": 10} for i, c in enumerate(CASES)]
    return [regrade(r, PROBLEM, 100) for r in raw]


@pytest.mark.parametrize(("case", "record"), list(zip(CASES, _records(), strict=True)), ids=[c.note for c in CASES])
def test_the_table_has_the_statuses_it_names(case: Case, record: dict) -> None:
    assert record["status"] == case.status, record


def test_the_no_answer_check_counts_what_the_no_answer_rate_counts() -> None:
    records = _records()
    unanswered = sum(c.status in ("no_answer", "truncated") for c in CASES)
    (check,) = [c for c in protocol_checks(records, CONFIG) if c["name"] == "no_answer"]
    assert check["detail"].startswith(f"{unanswered} of {len(CASES)} samples"), check
    summary = summarize_run(records, [PROBLEM], k=len(CASES))
    assert summary["rates"]["no_answer"] == pytest.approx(unanswered / len(CASES))
    assert summary["rates"]["hedged"] == pytest.approx(4 / len(CASES))


def test_hedges_alone_do_not_fail_the_no_answer_check() -> None:
    """Every sample hedged: the model answered badly, the protocol held; the hedged rate says so."""
    hedge = [r for r, c in zip(_records(), CASES, strict=True) if c.status == "hedged"]
    (check,) = [c for c in protocol_checks(hedge, CONFIG) if c["name"] == "no_answer"]
    assert check["passed"], check
