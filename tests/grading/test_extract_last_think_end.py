"""A response that thinks more than once (`<think>...</think> text <think>...</think> answer`) is read after its
*last* `</think>`: boxes in a later thinking block are drafts like those in the first, so they neither
become the answer nor make the final one ambiguous."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.grading.extract import extract_answer


@dataclass(frozen=True)
class Case:
    label: str
    text: str
    answer: str
    note: str


CASES = (
    Case("two-blocks", "<think>draft \\boxed{5}</think>Hmm, wait.<think>recheck \\boxed{6}</think> So the answer is "
         "\\boxed{7}.", "7", "the second block's draft 6 is not a candidate"),
    Case("three-blocks", "<think>\\boxed{1}</think> <think>\\boxed{2}</think> <think>\\boxed{3}</think> \\boxed{4}",
         "4", "only the text after the third block counts"),
    Case("statement-after-second", "<think>\\boxed{10}</think> so far. <think>no: \\boxed{12}</think>\n"
         "Final Answer: 11", "11", "a final statement after the last block"),
)


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_the_answer_region_starts_after_the_last_think_end(case: Case) -> None:
    extraction = extract_answer(case.text, "stop")
    assert (extraction.answer, extraction.status) == (case.answer, "ok"), (case.note, extraction)
    assert extraction.candidates in ((), (case.answer,)), case.note
