"""Rule 1: cut at the last end-of-thinking marker; truncation never falls back to a stray number."""

from __future__ import annotations

import pytest

from evaluator.grading.extract import AIME_RANGE, extract_answer
from tests.support.case_corpus import THINK_FILLER, Case, long_r1, r1, sky

CASES = [
    Case(
        r1([r"\boxed{10}", r"\boxed{20}", r"so \boxed{30}"], r"The answer is $\boxed{40}$."),
        "40",
        "ok",
        note="R1 three tentative boxes then final",
    ),
    Case(
        r1([r"\boxed{10}"], r"The answer is $\boxed{40}$.", open_tag=True),
        "40",
        "ok",
        note="R1 with opening tag",
    ),
    Case(r1([r"\boxed{5}"], "Final Answer: 7"), "7", "ok", finish_reason="stop", note="R1 stop"),
    Case(
        r1([r"maybe \boxed{12}", r"no, \boxed{13}"], "**Solution**\n\nWe count the pairs and get"),
        "13",
        "from_reasoning",
        finish_reason="length",
        note="length cut final: last box of reasoning",
    ),
    Case(
        r1(["no boxes here at all, 17"], "**Solution**\n\nWe count"),
        None,
        "truncated",
        finish_reason="length",
        tempting="17",
        note="length cut final no box in reasoning",
    ),
    Case(
        r1([r"\boxed{12}"], r"So $\boxed{14}$."),
        "14",
        "ok",
        finish_reason="length",
        note="length but final part stated its answer",
    ),
    Case(
        "<think>\n" + THINK_FILLER * 20 + r"maybe \boxed{9} wait",
        None,
        "truncated",
        finish_reason="length",
        tempting="9",
        note="never closed thinking: length",
    ),
    Case(
        THINK_FILLER * 20 + "Wait, no, for n=4, the number is 6.\n\nWait, no,",
        None,
        "truncated",
        finish_reason="length",
        tempting="6",
        note="prefilled think never closed: length",
    ),
    Case(
        "<think>\n" + THINK_FILLER * 20 + "the number is 6.\n\nWait, no, it is 7.",
        None,
        "truncated",
        tempting="7",
        note="opened thinking never closed, finish unknown",
    ),
    Case(
        "<|begin_of_thought|>\n\n" + THINK_FILLER * 30 + "So, D = 6.\n\nFrom 2B",
        None,
        "truncated",
        tempting="6",
        note="Sky-T1 thinking never closed",
    ),
    Case(
        "<think>\nshort thought\n" + r"so \boxed{8}",
        None,
        "no_answer",
        finish_reason="stop",
        tempting="8",
        note="opened thinking, model stopped on its own without closing it: the box is a draft",
    ),
    Case(
        sky([r"guess \boxed{1}"], r"Thus, the final answer is \(\boxed{116}\)."),
        "116",
        "ok",
        note="Sky-T1 markers",
    ),
    Case(
        sky([r"guess \boxed{1}", r"guess \boxed{2}"], r"The sum is \( \boxed{294} \). "),
        "294",
        "ok",
        note="Sky-T1 two tentative boxes",
    ),
    Case(
        r1([r"\boxed{3}"], ""),
        None,
        "no_answer",
        finish_reason="stop",
        tempting="3",
        note="empty final part, stopped",
    ),
    Case(r1([], "I think it is 5.") + "</think>" + r"\boxed{6}", "6", "ok", note="last think marker counts"),
    Case(r1([r"\boxed{70}"], r"Hence \boxed{71}." + "<|im_end|>"), "71", "ok", note="chat end token"),
    Case("no thinking here, just \\boxed{64}", "64", "ok", note="no think markers"),
    Case(
        "Plain answer without tags: \\boxed{64}",
        None,
        "truncated",
        finish_reason="length",
        tempting="64",
        note="no think markers and length",
    ),
    Case(long_r1("204"), "204", "ok", note="30k-token R1 response"),
    Case(long_r1("73", tentative=("71", "72", "74", "75")), "73", "ok", note="30k-token many tentative"),
    Case(long_r1("999", tokens=8000), "999", "ok", note="8k-token R1 response"),
    Case(
        r1([r"\boxed{10}"], r"So the answer is \boxed{11}, not \boxed{10}."),
        "11",
        "ok",
        note="final part names a value and rules out another",
    ),
    Case(
        r1([r"\boxed{1}"], "After this, the answer is clearly\n\n$180 + 24 = 204$."),
        "204",
        "weak",
        note="final part with no answer form is weak",
    ),
    Case("<|end_of_thought|>" + r"\boxed{5}", "5", "ok", note="only end marker"),
    Case(
        r1([r"\boxed{12}"], r"**Final Answer**" + "\n\n" + r"\boxed{12} minutes"),
        "12",
        "ok",
        note="agreeing thinking and final",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_think_split(case: Case) -> None:
    got = extract_answer(case.text, case.finish_reason, AIME_RANGE)  # these responses answer AIME problems
    assert (got.answer, got.status) == (case.answer, case.status)


def test_empty_reasoning_box_is_not_an_answer() -> None:
    got = extract_answer(r1([r"\boxed{3} then \boxed{}"], "cut"), finish_reason="length")
    assert (got.answer, got.status) == ("3", "from_reasoning")


def test_reasoning_box_is_labelled_as_from_reasoning() -> None:
    got = extract_answer(r1([r"\boxed{12}"], "cut"), finish_reason="length")
    assert got.source == "reasoning"


@pytest.mark.parametrize("marker", ["</think>", "<|end_of_thought|>"])
def test_boxes_in_thinking_do_not_make_final_ambiguous(marker: str) -> None:
    text = r"\boxed{1} \boxed{2} \boxed{3}" + marker + r"\boxed{4}"
    got = extract_answer(text)
    assert (got.answer, got.status, got.candidates) == ("4", "ok", ("4",))
