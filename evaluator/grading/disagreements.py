"""Where our grader and an imported dump's grader disagree: one rule, for the import summary and the report.

A disagreement is a sample whose dump verdict (`reported_correct`) is known and differs from ours
(`correct`). That is exactly the set of samples that makes the dump's accuracy differ from ours, so
summary.json's `imported.disagreements`, the count `evaluate import` prints and the report's
"Disagreements" section always list the same samples.

Samples whose verdicts agree are not listed even when the two extracted answers are written
differently (`\\frac{1}{2}` and `0.5`, `070` and `70`, or no answer against a wrong one): those
differences change no verdict, and a textual rule cannot tell an equivalent form from a different
answer for non-integer golds. A sample without a dump verdict is never a disagreement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

from evaluator.benchmarks.registry import id_sort_key

__all__ = ["Disagreement", "disagreements"]


class Disagreement(TypedDict):
    """One row of summary.json's `imported.disagreements` (made by `disagreements` below): a sample
    whose dump verdict differs from ours, with both verdicts and both extracted answers."""

    problem_id: str
    sample: int
    gold: str | None
    reported_correct: bool
    reported_extracted: str | None
    correct: bool
    extracted: str | None
    status: str | None


def disagreements(records: Iterable[Mapping[str, Any]]) -> list[Disagreement]:
    """The samples.jsonl records whose dump verdict is known and differs from ours, as `Disagreement`
    rows sorted by (problem id in contest order, sample). A missing `correct` counts as wrong."""
    rows: list[Disagreement] = [
        {
            "problem_id": r["problem_id"],
            "sample": r["sample"],
            "gold": r.get("gold"),
            "reported_correct": r["reported_correct"],
            "reported_extracted": r.get("reported_extracted"),
            "correct": bool(r.get("correct")),
            "extracted": r.get("extracted"),
            "status": r.get("status"),
        }
        for r in records
        if r.get("reported_correct") is not None and bool(r["reported_correct"]) != bool(r.get("correct"))
    ]
    return sorted(rows, key=lambda row: (id_sort_key(str(row["problem_id"])), int(row["sample"])))
