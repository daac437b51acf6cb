"""One disagreement rule for the import summary and the report (evaluator.grading.disagreements).

Before, `imports.runs.disagreements` listed samples whose verdicts differ, while
`reports.report.disagreements` also listed samples whose extracted answers differ as text (up to
whitespace, `$` and leading zeros of integers). The verdict rule is the one kept; the table covers
every case where the two old rules gave different answers, plus the ones where they agreed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from evaluator.grading.disagreements import disagreements


@dataclass(frozen=True)
class Case:
    label: str
    ours: tuple[bool, str | None]  # (correct, extracted)
    dump: tuple[bool | None, str | None]  # (reported_correct, reported_extracted)
    listed: bool
    note: str


CASES = [
    # the old rules agreed here
    Case("verdicts-differ", (True, "70"), (False, "999"), True, "both old rules listed it"),
    Case("we-wrong-dump-right", (False, "54"), (True, "54"), True,
         "same answer, other verdict (the dump's grader is lenient or its gold differs): both old rules listed it"),
    Case("same-integer-padded", (True, "70"), (True, "070"), False, "both old rules ignored leading zeros"),
    Case("same-answer-dollars", (False, "$12$"), (False, " 12 "), False, "both old rules ignored $ and spaces"),
    Case("no-dump-fields", (True, "70"), (None, None), False, "a dump with neither verdict nor answer: never listed"),
    # the old rules differed here; the report's rule listed each one, the import summary's did not
    Case("both-right-other-integer", (True, "70"), (True, "71"), False,
         "verdicts agree, so no grade differs; the dump's answer column is its own extraction (was: report listed it)"),
    Case("both-wrong-other-answers", (False, "12"), (False, "13"), False,
         "two wrong answers change no accuracy (was: report listed it)"),
    Case("we-none-dump-wrong", (False, None), (False, "12"), False,
         "we found no answer, the dump found a wrong one: no verdict differs (was: report listed it, as 'None' != '12')"),
    Case("equivalent-forms", (True, "\\frac{1}{2}"), (True, "0.5"), False,
         "a text rule cannot tell an equivalent form from another answer; the verdicts can (was: report listed it)"),
    Case("no-dump-verdict-other-answer", (True, "70"), (None, "71"), False,
         "without the dump's verdict there is nothing to disagree with (was: report listed it)"),
]


def _record(case: Case) -> dict[str, Any]:
    record: dict[str, Any] = {"problem_id": "2024-I-1", "sample": 0, "gold": "70", "status": "ok",
                              "correct": case.ours[0], "extracted": case.ours[1]}
    if case.dump != (None, None):
        record["reported_correct"], record["reported_extracted"] = case.dump
    return record


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_disagreement_rule(case: Case) -> None:
    found = disagreements([_record(case)])
    assert (len(found) == 1) is case.listed, case.note


def test_rows_carry_both_verdicts_and_answers_in_contest_order() -> None:
    records = [
        {"problem_id": "2024-I-10", "sample": 0, "gold": "5", "correct": False, "extracted": "4",
         "reported_correct": True, "reported_extracted": "4", "status": "ok", "response": "long text"},
        {"problem_id": "2024-I-2", "sample": 1, "gold": "7", "correct": True, "extracted": "7",
         "reported_correct": False, "reported_extracted": None, "status": "ok"},
        {"problem_id": "2024-I-2", "sample": 0, "gold": "7", "correct": True, "extracted": "7",
         "reported_correct": False, "reported_extracted": "8", "status": "ok"},
    ]
    found = disagreements(records)
    assert [(r["problem_id"], r["sample"]) for r in found] == [("2024-I-2", 0), ("2024-I-2", 1), ("2024-I-10", 0)]
    assert found[-1] == {"problem_id": "2024-I-10", "sample": 0, "gold": "5", "reported_correct": True,
                         "reported_extracted": "4", "correct": False, "extracted": "4", "status": "ok"}


def test_a_record_without_our_verdict_counts_as_wrong() -> None:
    record = {"problem_id": "p1", "sample": 0, "reported_correct": True}
    (row,) = disagreements([record])
    assert row["correct"] is False and row["extracted"] is None
    # and a dump that also said wrong agrees with it: nothing to list
    assert disagreements([{**record, "reported_correct": False}]) == []
