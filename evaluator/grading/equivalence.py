"""Equivalence classes of a problem's extracted answers, so cons@k votes on values, not spellings.

With a LaTeX key, `\\frac12` and `0.5` are one answer: every sample the grader marked correct joins the
gold's class, and the wrong answers are merged with each other when the symbolic checker (the same
bounded worker process that grades, `_symbolic_worker`) says they are equal. Integer keys need none of
this: their answers are already canonical integers, so callers skip it.

Bounded: at most MAX_CLASSES classes are compared against per problem (later distinct answers keep
their own class), and each comparison has the checker's timeout. Results are cached per pair, since a
run's table is rebuilt for the summary, the report and comparisons.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

MAX_CLASSES = 64
"""Classes a new wrong answer is compared with; k=64 samples can have at most 64 distinct answers."""


@lru_cache(maxsize=65536)
def equivalent(a: str, b: str) -> bool:
    """True when the symbolic checker proves the two answers equal (unparsable or timed out: False)."""
    from evaluator.grading._symbolic_worker import default_checker

    return a == b or default_checker().compare(a, b).equal is True


def answer_classes(
    answers: Sequence[str | None], correct: Sequence[bool], gold: str
) -> tuple[str | None, ...]:
    """Each answer replaced by its class representative: `gold` for correct answers, else the first-seen
    wrong answer it is equivalent to. None (no answer) stays None."""
    mapping: dict[str, str] = {}
    representatives: list[str] = []
    for answer, ok in zip(answers, correct, strict=True):
        if answer is None or answer in mapping:
            continue
        if ok:
            mapping[answer] = gold
            continue
        match = next((r for r in representatives[:MAX_CLASSES] if equivalent(answer, r)), None)
        if match is None:
            representatives.append(answer)
        mapping[answer] = match or answer
    return tuple(None if a is None else mapping[a] for a in answers)
