"""Rule 2: explicit final-answer statements; one after the last box wins, without a box they count."""

from __future__ import annotations

import pytest

from evaluator.grading.extract import AIME_RANGE, extract_answer
from tests.support.case_corpus import Case, r1

CASES = [
    Case("So the final answer is 73.", "73", "ok", note="final answer is"),
    Case("The final answer is: 116", "116", "ok", note="final answer is colon"),
    Case("Final Answer: 45", "45", "ok", note="Final Answer colon"),
    Case("FINAL ANSWER: 45", "45", "ok", note="upper case"),
    Case("**Final Answer**\n\\[\n\\boxed{33}\n\\]", "33", "ok", note="Qwen final answer heading"),
    Case("**Final Answer:** 204", "204", "ok", note="bold final answer"),
    Case("**Answer:** 321", "321", "ok", note="bold answer"),
    Case("**Answer**: 321", "321", "ok", note="bold answer colon outside"),
    Case("Answer: 601", "601", "ok", note="Answer line"),
    Case("Work...\n\nAnswer: $601$", "601", "ok", note="Answer line with math"),
    Case("Answer: \\(211\\)", "211", "ok", note="Answer with paren math"),
    Case("Answer: \\[ 211 \\]", "211", "ok", note="Answer with display math"),
    Case("<answer>80</answer>", "80", "ok", note="R1-Zero answer tag"),
    Case("<think>reasoning 5</think> <answer> 080 </answer>", "80", "ok", note="answer tag leading zero"),
    Case("<answer>\\frac{7}{2}</answer>", r"\frac{7}{2}", "ok", note="answer tag fraction"),
    Case("Natalia sold 48 clips.\n#### 72", "72", "ok", note="GSM8K hashes"),
    Case("#### 1,000", "1000", "out_of_range", note="hashes thousands"),
    Case("Final Answer: The final answer is $33$. I hope it is correct.", "33", "ok", note="Minerva"),
    Case("The final answer is $\\boxed{116}$.", "116", "ok", note="statement with box"),
    Case(r"I got \boxed{12}. Checking again... The final answer is 13.", "13", "ok", note="statement after box wins"),
    Case(r"Answer: 13. But recounting, \boxed{14}", "14", "ok", note="box after statement wins"),
    Case(r"\boxed{12} and \boxed{13}. Final Answer: 12", "12", "ok", note="statement resolves ambiguity"),
    Case(r"\boxed{12} then Final Answer: \boxed{13}", "13", "ok", note="statement names the last box"),
    Case("Final answer: 33 minutes", "33", "ok", note="unit after statement"),
    Case("Final answer: thirty-three", "33", "ok", note="words after statement"),
    Case("Answer: there are 12 ways in total", "12", "ok", note="loose phrase one integer"),
    Case("The final answer is $m+n = 25 + 8 = 33$.", "33", "ok", note="equation chain"),
    Case("The final answer is 1,024", "1024", "out_of_range", note="comma thousands out of range"),
    Case("Final Answer: (073)", "73", "ok", note="paren wrapper"),
    Case("Final answer: $\\dfrac{14}{2}$", "7", "ok", note="dfrac integral"),
    Case("final answer is \\(\\frac{\\sqrt{2}}{2}\\).", r"\frac{\sqrt{2}}{2}", "ok", note="non-integer"),
    Case("Before giving the final answer, let me recheck.\n\nIt is 41.", "41", "weak", note="final answer in prose"),
    Case("#### Step 3\nWe have n = 5 and so on:", None, "no_answer", note="markdown heading not hashes", tempting="3"),
    Case(
        r1([r"maybe \boxed{100}"], "**Answer:** 104"),
        "104",
        "ok",
        note="R1 thinking box then answer line",
    ),
    Case(
        r1(["Final Answer: 5"], "After all that, we have\n\nFinal Answer: 6"),
        "6",
        "ok",
        note="R1 statement in thinking ignored",
    ),
    Case("Answer: see above.\n\n\\boxed{8}", "8", "ok", note="unreadable statement before box"),
    Case("The final answer is 27.\n\nAnswer: I think so.", "27", "ok", note="unreadable later statement skipped"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_final_statement(case: Case) -> None:
    got = extract_answer(case.text, case.finish_reason, AIME_RANGE)  # these responses answer AIME problems
    assert (got.answer, got.status) == (case.answer, case.status)


def test_statement_source_is_recorded() -> None:
    assert extract_answer(r"\boxed{1}. Final Answer: 2").source == "statement"
    assert extract_answer(r"Final Answer: \boxed{2}").source == "box"
