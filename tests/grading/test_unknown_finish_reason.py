"""Imports without a finish reason. Thinking finished, the final part was cut off
without a box or an end marker: the reasoning's last box is committed (`from_reasoning`), as with
`finish_reason="length"`. Cut off inside the thinking: still no answer."""

from __future__ import annotations

import pytest

from evaluator.grading.extract import extract_answer
from tests.support.case_corpus import Case, r1, sky

CASES = [
    Case(r1([r"So $x = 12$ and the answer is \boxed{204}."], "To summarise the solution: first we set up the"),
         "204", "from_reasoning", note="R1: final part cut mid-sentence"),
    Case(sky([r"Therefore \boxed{33}."], "Each step:\n\n1. We compute the sum of")
         .replace("\n\n<|end_of_solution|>", ""), "33", "from_reasoning", note="Sky-T1: solution cut, no end marker"),
    Case(r1([r"\boxed{12} hmm", r"no, \boxed{13}"], "We need to count the cases where"),
         "13", "from_reasoning", note="the reasoning's last box"),
    Case(r1([r"\boxed{204}"], "To summarise, the walk takes 204 minutes.<|im_end|>"), "204", "weak",
         note="end marker present: the final part finished, read it"),
    Case(r1([r"\boxed{204}"], "So the walk takes 210 minutes."), "210", "weak",
         note="a finished sentence is not a cut; the final part is read"),
    Case(r1(["no box in the reasoning"], "We need to count the cases where"), None, "truncated",
         note="cut off and nothing committed"),
    Case("<think>\nLet me try \\boxed{5} first, then check whether", None, "truncated",
         note="cut off inside the thinking"),
    Case(r1([r"\boxed{7}"], r"Hence $\boxed{8}$ and we are done with the"), "8", "ok",
         note="a box in the final part wins"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_unknown_finish_reason(case: Case) -> None:
    got = extract_answer(case.text, None)
    assert (got.answer, got.status) == (case.answer, case.status)


@pytest.mark.parametrize("case", CASES[:3], ids=lambda c: c.id)
def test_same_answer_as_with_length(case: Case) -> None:
    unknown, length = extract_answer(case.text, None), extract_answer(case.text, "length")
    assert (unknown.answer, unknown.status) == (length.answer, length.status)


def test_stop_is_never_read_as_cut_off() -> None:
    got = extract_answer(r1([r"\boxed{204}"], "To summarise the solution: first we set up the"), "stop")
    assert got.status != "from_reasoning"
