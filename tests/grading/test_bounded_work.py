"""Statements are read only in the last STATEMENT_REGION characters of the final part
and the weak reading only in the last WEAK_WINDOW, so work does not grow with the response length (the
timing figure is in scripts/bench_extract.py, not here); boxes in the last BOX_REGION."""

from __future__ import annotations

import pytest

from evaluator.grading._free_form import WEAK_WINDOW
from evaluator.grading.extract import BOX_REGION, STATEMENT_REGION, THINK_OPEN_WINDOW, extract_answer
from tests.support.case_corpus import Case

LOOP = "Wait, let me recompute the sum once more and check each term again. "
FAR = LOOP * (STATEMENT_REGION // len(LOOP) + 2)

CASES = [
    Case("Final answer: 42\n\n" + FAR, None, "no_answer", tempting="42",
         note="statement before the statement region, then a loop that never ends a sentence"),
    Case("Final answer: 42\n\n" + FAR[: STATEMENT_REGION // 2], "42", "ok", note="statement inside the region"),
    Case(r"So $\boxed{42}$." + "\n\n" + FAR * 10, "42", "ok", note="a box tens of thousands of characters back"),
    Case(r"So $\boxed{42}$." + "\n\n" + LOOP * (BOX_REGION // len(LOOP) + 1), None, "no_answer", tempting="42",
         note="a box before the box region, then a loop that never ends a sentence"),
    Case("It is 42.\n\n" + "More filler words here. " * (WEAK_WINDOW // 10), None, "no_answer", finish_reason="stop",
         tempting="42", note="weak reading looks at the end only"),
    Case("x" * THINK_OPEN_WINDOW + "<think> so \\boxed{5}", "5", "ok",
         note="an opening think marker far from the start is not an unclosed thought"),
    Case("<think> so \\boxed{5}" + " hmm" * 30_000, None, "truncated", note="unclosed thought at the start"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bounded_work(case: Case) -> None:
    got = extract_answer(case.text, case.finish_reason)
    assert (got.answer, got.status) == (case.answer, case.status)
