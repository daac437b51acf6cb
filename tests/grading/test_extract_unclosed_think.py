"""An unclosed <think> with finish_reason "stop": the model ended inside its thinking, so a
box there is a draft and never the answer, whatever else the text holds."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.grading import grade_response
from evaluator.grading.extract import extract_answer


@dataclass(frozen=True)
class Case:
    text: str
    finish_reason: str | None
    answer: str | None
    status: str
    note: str


CASES = [
    Case("<think>\nlet me try \\boxed{8}", "stop", None, "no_answer", "one box inside an unclosed think"),
    Case("<think>\nfirst \\boxed{3}, then The final answer is \\boxed{5}.", "stop", None, "no_answer",
         "a final-answer statement inside the thinking is still thinking"),
    Case("<|begin_of_thought|>\nso \\boxed{12}", "stop", None, "no_answer", "Sky-T1 markers"),
    Case("<think>\nso \\boxed{8}", "length", None, "truncated", "cut off by max_tokens: unchanged"),
    Case("<think>\nso \\boxed{8}", None, None, "truncated", "finish unknown: unchanged"),
    Case("<think>\nhmm \\boxed{1}\n</think>\n\nSo \\boxed{8}.", "stop", "8", "ok", "closed think: the answer after it"),
    Case("No thinking here, \\boxed{8}.", "stop", "8", "ok", "no think tag at all: unchanged"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_unclosed_think_never_gives_a_box(case: Case) -> None:
    got = extract_answer(case.text, case.finish_reason)
    assert (got.answer, got.status) == (case.answer, case.status)


def test_a_draft_box_equal_to_the_gold_is_not_graded_correct() -> None:
    grade = grade_response("<think>\nmaybe \\boxed{204}", 204, "stop")
    assert not grade.correct and grade.extracted is None
