"""cons@k over LaTeX answers votes on equivalence classes: `\\frac12`, `0.5` and `1/2` are one vote, and so
are equal wrong answers written differently. Integer keys are never sent to the symbolic checker."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.grading import equivalence
from evaluator.grading.equivalence import answer_classes
from evaluator.metrics import majority_vote
from evaluator.metrics.summary import problem_table, summarize_run
from evaluator.types import Problem


@dataclass(frozen=True)
class Case:
    label: str
    answers: tuple[str | None, ...]  # canonical extracted answers, as samples.jsonl holds them
    correct: tuple[bool, ...]
    cons_by_string: float  # what a vote on spellings gives (the old behaviour)
    cons: float
    note: str


GOLD = "\\frac{1}{2}"
CASES = [
    Case("right-spellings-unite", ("0.5", "\\frac{1}{2}", "1/2", "\\frac{1}{3}", "\\frac{1}{3}"),
         (True, True, True, False, False), 0.0, 1.0, "3 right spellings beat 2 identical wrong answers"),
    Case("wrong-spellings-unite", ("\\frac{1}{3}", "1/3", "\\dfrac{2}{6}", "0.5", "0.5", None),
         (False, False, False, True, True, False), 1.0, 0.0, "3 spellings of one wrong value beat 2 right"),
    Case("different-wrong-values-stay-apart", ("\\frac{1}{3}", "\\frac{1}{4}", "1/5", "0.5", "0.5"),
         (False, False, False, True, True), 1.0, 1.0, "distinct wrong values do not merge"),
]


def _records(case: Case) -> list[dict]:
    return [{"problem_id": "p", "sample": i, "extracted": a, "correct": ok, "status": "ok" if a else "no_answer"}
            for i, (a, ok) in enumerate(zip(case.answers, case.correct, strict=True))]


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_cons_votes_on_classes(case: Case) -> None:
    k = len(case.answers)
    latex = summarize_run(_records(case), [Problem("p", "x", GOLD)], k)
    assert latex["metrics"]["cons"] == case.cons, case.note
    # the same samples under a key the table does not merge show what a vote on spellings gives
    (row,) = problem_table(_records(case), [Problem("p", "x", GOLD)], k)
    assert row.answers.count(GOLD) == sum(case.correct)
    assert majority_vote(case.answers, [a for a, ok in zip(case.answers, case.correct, strict=True) if ok]) \
        == case.cons_by_string


def test_classes_keep_first_seen_representatives_and_abstentions() -> None:
    classes = answer_classes(("1/3", None, "\\frac{1}{3}", "0.5", "x+1"), (False, False, False, True, False), GOLD)
    assert classes == ("1/3", None, "1/3", GOLD, "x+1")


def test_integer_keys_never_reach_the_checker(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(a: str, b: str) -> bool:
        raise AssertionError(f"symbolic comparison of {a!r} and {b!r} for an integer key")

    monkeypatch.setattr(equivalence, "symbolic_equal", refuse)
    records = [{"problem_id": "p", "sample": i, "extracted": a, "correct": a == "73"}
               for i, a in enumerate(["73", "74", "74", "\\frac{1}{2}", "0.5"])]
    for key in (73, "73"):  # a report reads every key back as text
        (row,) = problem_table(records, [Problem("p", "x", key)], 5)
        assert row.answers == ("73", "74", "74", "\\frac{1}{2}", "0.5")
