"""`ProblemSamples`: the graded samples of one problem, the row every metric reads.

Its own module so that the estimators and the metric table (`specs`) both take it without importing
each other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from evaluator.metrics._kernels import Clusters

#: A vote class: (answer text, final verdict). None is an abstention (no answer and not graded correct).
VoteKey = tuple[str | None, bool] | None


def vote_answer(record: Mapping[str, Any]) -> str | None:
    """The answer a stored sample votes with: its extracted answer, except that a hedge (status `hedged`)
    states none, also when grading found several values in it (`\\boxed{3}, \\boxed{5}` is kept as "3,5"
    for the report): hedges found while extracting already have no answer, and the two must vote alike."""
    return None if record.get("status") == "hedged" else record.get("extracted")


@dataclass(frozen=True)
class ProblemSamples:
    """The graded samples of one problem. Samples with an error status are left out by the caller.

    `answers[i]` is sample i's canonical extracted answer (None: no answer); `correct[i]` is the grader's
    final verdict (the grader's, or a human override's): the vote reads it, never the golds, so a sample
    whose text equals the key but was overridden to wrong votes wrong, and maj@1 equals pass@1. Golds and answers are coerced to str, so `golds=(73,)` or a bare `golds="73"` also work.
    """

    problem_id: str
    golds: tuple[str, ...]
    answers: tuple[str | None, ...]
    correct: tuple[bool, ...]

    def __post_init__(self) -> None:
        golds = (self.golds,) if isinstance(self.golds, (str, int)) else self.golds
        object.__setattr__(self, "golds", tuple(str(g) for g in golds))
        object.__setattr__(self, "answers", tuple(None if a is None else str(a) for a in self.answers))
        object.__setattr__(self, "correct", tuple(bool(c) for c in self.correct))
        if len(self.answers) != len(self.correct):
            raise ValueError(
                f"problem {self.problem_id!r}: {len(self.answers)} answers but {len(self.correct)} verdicts"
            )

    @property
    def n(self) -> int:
        return len(self.answers)

    @property
    def n_correct(self) -> int:
        return sum(self.correct)

    @property
    def accepted(self) -> frozenset[str]:
        """Answers the vote counts as correct: the golds plus any answer the grader marked correct."""
        graded = (a for a, ok in zip(self.answers, self.correct, strict=True) if ok and a is not None)
        return frozenset(self.golds).union(graded)

    def vote_keys(self) -> tuple[VoteKey, ...]:
        """Each sample's vote class: identical texts with different final verdicts are different classes.
        A sample graded correct without an extracted answer (a human override) still votes, as correct."""
        return tuple(None if a is None and not ok else (a, ok) for a, ok in zip(self.answers, self.correct, strict=True))

    def clusters(self) -> Clusters:
        """Vote classes grouped by key (first-seen order); a class is accepted when its verdict is correct."""
        keys = self.vote_keys()
        counts = Counter(key for key in keys if key is not None)
        return Clusters(sizes=np.array(list(counts.values()), dtype=np.int64),
                        accepted=np.array([key[1] for key in counts], dtype=bool), abstain=keys.count(None))
