"""Votes read each sample's final verdict (grader or human override), not the golds."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from evaluator.metrics import ProblemSamples, per_problem, summarize


@dataclass(frozen=True)
class Case:
    label: str
    answers: tuple[str | None, ...]
    correct: tuple[bool, ...]
    cons: float  # the vote over all samples


CASES = [
    Case("a 'wrong' override on the key's text votes wrong", ("73", "73", "5"), (False, False, False), 0.0),
    Case("a 'correct' override credits that sample only", ("5", "5", "9", "9", "9"), (True, False, False, False,
                                                                                    False), 0.0),
    Case("same text, different verdicts: two classes", ("73", "73", "73", "5", "5"), (True, True, False, False,
                                                                                       False), 0.5),
    Case("an overridden sample without an answer still votes", (None, None, "5"), (True, True, False), 1.0),
    Case("plain agreement with the key", ("73", "73", "5"), (True, True, False), 1.0),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_vote_uses_final_verdicts(case: Case) -> None:
    problem = ProblemSamples(problem_id="p", golds=("73",), answers=case.answers, correct=case.correct)
    m = summarize([problem], bootstrap=0)
    assert m.cons == pytest.approx(case.cons)
    assert per_problem([problem])[0].majority_credit == pytest.approx(case.cons)


@pytest.mark.parametrize("seed", range(5))
def test_maj_at_1_is_pass_at_1_whatever_the_verdicts(seed: int) -> None:
    rng = np.random.default_rng(seed)
    problems = []
    for i in range(8):
        answers = tuple(None if x == 0 else str(x) for x in rng.integers(0, 4, 12))
        correct = tuple(bool(c) for c in rng.random(12) < 0.4)  # verdicts independent of the text: overrides
        problems.append(ProblemSamples(problem_id=str(i), golds=("1",), answers=answers, correct=correct))
    m = summarize(problems, bootstrap=0)
    assert m.maj_at_k[1] == pytest.approx(m.pass1)
    assert summarize(problems, k=1, bootstrap=0).cons == pytest.approx(m.pass1)
