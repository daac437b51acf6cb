"""Which samples the judge is asked about, and what it is shown: only stated answers the rules graded wrong on
a key whose value is not an integer; never a sample with no answer, one cut inside its thinking, a hedge, or
an integer-valued key such as `2^{25} \\cdot 26!`. It sees the final section (after the reasoning) and the
whole stated answer as written, never an integer cut from it. Records are graded by the real grader."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.grading.judge import FINAL_PART_CHARS, judge_calls
from evaluator.grading.records import regrade
from evaluator.types import Problem

SURD = Problem("surd", "Find the length of the longest diagonal.", "14+4\\sqrt{37}")
FACTORIAL = Problem("fact", "In how many ways can the cards be arranged?", "2^{25} \\cdot 26!")
HALF = Problem("half", "Compute the probability.", "\\frac{1}{2}")


@dataclass(frozen=True)
class Case:
    note: str
    problem: Problem
    response: str
    finish_reason: str | None
    asked: bool
    shown: tuple[str, ...] = ()  # lines the prompt must hold
    hidden: tuple[str, ...] = ()  # text that must not reach the prompt


CASES = (
    Case("a wrong surd, boxed: the whole span is shown", SURD,
         "<think>The diagonal satisfies d^2 = ... so d = 14 + 4 sqrt 35? Check: yes.</think>\n"
         "Putting it together, the longest diagonal has length $\\boxed{14+4\\sqrt{35}}$.", "stop", True,
         ("Candidate's stated final answer: 14+4\\sqrt{35}\n", "the longest diagonal has length"),
         ("Check: yes",)),
    Case("cut inside its thinking (finish_reason length): a draft box is not an answer", SURD,
         "<think>Maybe the answer is \\boxed{14+4\\sqrt{35}}. Let me double-check by computing the other",
         "length", False),
    Case("stopped inside its thinking, no </think>", SURD,
         "<think>So the diagonal is $\\boxed{14+4\\sqrt{35}}$, wait, I should check", "stop", False),
    Case("finished thinking but stated no answer", SURD,
         "<think>Long computation.</think>\nI was not able to finish the computation of the diagonal.", "stop",
         False),
    Case("an integer-valued key: rules decide, the judge is never asked", FACTORIAL,
         "<think>Count the arrangements.</think>\nThe number of arrangements is $\\boxed{2^{24} \\cdot 26!}$.",
         "stop", False),
    Case("right by rules: nothing to judge", SURD,
         "<think>Work.</think>\nThe length is $\\boxed{4\\sqrt{37}+14}$.", "stop", False),
    Case("the final section is its end, at most FINAL_PART_CHARS characters", HALF,
         "<think>x</think>\n" + "We first set up the states. " * 200 + "Hence the probability is $\\boxed{0.45}$.",
         "stop", True, ("Candidate's stated final answer: 0.45\n", "Hence the probability is")),
    Case("model text holding a placeholder is shown as written", HALF,
         "<think>x</think>\nThe template says <<answer>> here; the probability is $\\boxed{\\frac{1}{3}}$.", "stop",
         True, ("The template says <<answer>> here", "Candidate's stated final answer: \\frac{1}{3}\n")),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_who_is_asked_and_what_is_shown(case: Case) -> None:
    record = regrade({"problem_id": case.problem.id, "sample": 0, "response": case.response,
                      "finish_reason": case.finish_reason}, case.problem)
    calls = judge_calls([record], {case.problem.id: case.problem}, k=1)
    assert bool(calls) == case.asked, record
    if not calls:
        return
    prompt = calls[0].prompt
    for text in case.shown:
        assert text in prompt, prompt
    for text in case.hidden:
        assert text not in prompt, prompt
    final = prompt.split("after its reasoning):\n", 1)[1].split("\n\nCandidate's stated", 1)[0]
    assert len(final) <= FINAL_PART_CHARS


def test_a_hedged_sample_is_never_asked() -> None:
    """A hedge ("5 or 7") is never correct: no judge may make it so, whatever the grader's other fields say."""
    record = {"problem_id": "half", "sample": 0, "correct": False, "status": "hedged", "extracted": "\\frac{1}{2}",
              "finish_reason": "stop",
              "response": "<think>x</think>It is $\\frac{1}{2}$ or $\\frac{1}{3}$: $\\boxed{\\frac{1}{2}}$."}
    assert judge_calls([record], {"half": HALF}, k=1) == []


def test_an_error_line_is_never_asked() -> None:
    record = {"problem_id": "half", "sample": 0, "status": "error", "extracted": None, "correct": False}
    assert judge_calls([record], {"half": HALF}, k=1) == []
