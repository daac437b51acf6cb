"""Every graded sample carries audit flags (`gold_in_text_not_extracted`,
`length_at_cap`), and summary.json counts them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.grading.audit import GOLD_IN_TEXT, LENGTH_AT_CAP, audit_flags, looks_capped
from evaluator.grading.grade import grade_response
from evaluator.grading.records import regrade
from evaluator.metrics.summary import summarize_run
from evaluator.types import Problem
from tests.support.case_corpus import r1


@dataclass(frozen=True)
class FlagCase:
    text: str
    gold: int | str
    tokens: int | None
    flags: tuple[str, ...]
    note: str
    max_tokens: int | None = None


CASES = [
    FlagCase(r"So $x = 204$, but I will answer $\boxed{210}$.", 204, 812, (GOLD_IN_TEXT,),
             "gold stated, another answer boxed"),
    FlagCase("We found 204 earlier, but the count is unclear", 204, 900, (GOLD_IN_TEXT,),
             "gold in the text, no answer taken"),
    FlagCase(r"So the answer is $\boxed{204}$.", 204, 700, (), "correct: no flag"),
    FlagCase(r"Checking 2040 and 1204 gives $\boxed{5}$.", 204, 700, (), "gold only inside longer numbers"),
    FlagCase(r1(["the value 204 appears only in thinking"], r"So $\boxed{5}$."), 204, 700, (),
             "gold only in the thinking: not in the final part"),
    FlagCase(r"We have $\frac{1}{2}$ so far, answer $\boxed{\frac{1}{3}}$.", r"\frac{1}{2}", 500, (GOLD_IN_TEXT,),
             "non-integer gold in the text"),
    FlagCase(r"\boxed{5}", 204, 32768, (LENGTH_AT_CAP,), "power-of-two token count"),
    FlagCase(r"\boxed{5}", 204, 30000, (LENGTH_AT_CAP,), "round thousand"),
    FlagCase(r"\boxed{5}", 204, 12345, (LENGTH_AT_CAP,), "equal to max_tokens", 12345),
    FlagCase(r"\boxed{5}", 204, 12346, (), "one over a non-round cap", 12345),
    FlagCase(r"\boxed{5}", 204, 512, (), "small powers of two are ordinary lengths"),
    FlagCase(r"\boxed{5}", 204, None, (), "unknown token count"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.note)
def test_audit_flags(case: FlagCase) -> None:
    grade = grade_response(case.text, case.gold)
    assert audit_flags(case.text, grade, (case.gold,), case.tokens, case.max_tokens) == case.flags


@pytest.mark.parametrize(("tokens", "capped"), [(1024, True), (4096, True), (5000, True), (4097, False), (999, False)])
def test_looks_capped(tokens: int, capped: bool) -> None:
    assert looks_capped(tokens) is capped


def test_flags_are_on_every_record_and_counted_in_the_summary() -> None:
    problem = Problem(id="p1", problem="?", answer=204)
    texts = [(r"So $x = 204$, but $\boxed{210}$.", 800), (r"\boxed{204}", 32768), (r"\boxed{204}", 700)]
    records = [regrade({"problem_id": "p1", "sample": i, "response": t, "completion_tokens": n}, problem)
               for i, (t, n) in enumerate(texts)]
    assert [r["flags"] for r in records] == [[GOLD_IN_TEXT], [LENGTH_AT_CAP], []]
    summary = summarize_run(records, [problem], k=3)
    assert summary["flags"] == {GOLD_IN_TEXT: 1, LENGTH_AT_CAP: 1}
    assert summary["overrides"] == 0
