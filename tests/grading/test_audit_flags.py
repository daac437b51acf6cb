"""Every graded sample carries audit flags (`gold_in_text_not_extracted`,
`length_at_cap`), and summary.json counts them. `length_at_cap` means the completion stopped at its limit
(finish_reason "length", or exactly max_tokens tokens), never a round count that finished on its own."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.grading.audit import GOLD_IN_TEXT, LENGTH_AT_CAP, at_cap, audit_flags
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
    finish_reason: str | None = "stop"


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
    FlagCase(r"\boxed{5}", 204, 4096, (), "finished on its own at a power of two", 32768),
    FlagCase(r"\boxed{5}", 204, 30000, (), "finished on its own at a round thousand", 32768),
    FlagCase(r"\boxed{5}", 204, 4096, (), "round count, cap and finish reason unknown (an import)", None, None),
    FlagCase(r"Let me check the case n = 3 again", 204, 32768, (LENGTH_AT_CAP,), "cut at the cap", 32768,
             "length"),
    FlagCase(r"Let me check the case", 204, 7311, (LENGTH_AT_CAP,), "the backend says length", 32768, "length"),
    FlagCase(r"\boxed{5}", 204, 12345, (LENGTH_AT_CAP,), "exactly max_tokens, no finish reason", 12345, None),
    FlagCase(r"\boxed{5}", 204, 12344, (), "one under the cap", 12345),
    FlagCase(r"\boxed{5}", 204, None, (), "unknown token count"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.note)
def test_audit_flags(case: FlagCase) -> None:
    grade = grade_response(case.text, case.gold)
    flags = audit_flags(case.text, grade, (case.gold,), case.tokens, case.max_tokens, case.finish_reason)
    assert flags == case.flags


@pytest.mark.parametrize(("finish_reason", "tokens", "max_tokens", "capped"), [
    ("stop", 1024, 32768, False), ("stop", 5000, None, False), ("length", 4097, 32768, True),
    (None, 32768, 32768, True), ("stop", 32768, 32768, True), (None, None, 32768, False)])
def test_at_cap(finish_reason: str | None, tokens: int | None, max_tokens: int | None, capped: bool) -> None:
    assert at_cap(finish_reason, tokens, max_tokens) is capped


def test_flags_are_on_every_record_and_counted_in_the_summary() -> None:
    problem = Problem(id="p1", problem="?", answer=204)
    texts = [(r"So $x = 204$, but $\boxed{210}$.", 800, "stop"), ("Now try n = 4: then", 32768, "length"),
             (r"\boxed{204}", 4096, "stop"), (r"\boxed{204}", 700, "stop")]
    records = [regrade({"problem_id": "p1", "sample": i, "response": t, "completion_tokens": n, "finish_reason": f},
                       problem, 32768) for i, (t, n, f) in enumerate(texts)]
    assert [r["flags"] for r in records] == [[GOLD_IN_TEXT], [LENGTH_AT_CAP], [], []]
    summary = summarize_run(records, [problem], k=4)
    assert summary["flags"] == {GOLD_IN_TEXT: 1, LENGTH_AT_CAP: 1}
    assert summary["overrides"] == 0
