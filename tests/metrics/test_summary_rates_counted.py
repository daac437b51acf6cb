"""summary.json's `rates` on seeded random runs, against a count written straight from their definitions
(docs/metrics.md and tests/metrics/test_summary_rates.py): a second, independent check of every rate.

no_answer: status no_answer or truncated; truncated: finish_reason "length" (or, without a finish reason,
status truncated); content_filter: finish_reason
"content_filter"; weak / ambiguous / out_of_range / hedged: that status; undecided_class: none for integer keys. Shares of the samples with index < k.
"""

from __future__ import annotations

import random

import pytest

from evaluator.metrics.summary import summarize_run
from evaluator.types import Problem

STATUSES = ("ok", "from_reasoning", "weak", "ambiguous", "out_of_range", "hedged", "no_answer", "truncated")
FINISH = ("stop", "length", "content_filter", None)
DEFINITIONS = {
    "no_answer": lambda r: r["status"] in ("no_answer", "truncated"),
    # cut at the token limit; a dump without finish reasons counts the grader's `truncated` status instead
    "truncated": lambda r: r["finish_reason"] == "length" or (r["finish_reason"] is None and r["status"] == "truncated"),
    "content_filter": lambda r: r["finish_reason"] == "content_filter",
    "weak": lambda r: r["status"] == "weak",
    "ambiguous": lambda r: r["status"] == "ambiguous",
    "out_of_range": lambda r: r["status"] == "out_of_range",
    "hedged": lambda r: r["status"] == "hedged",
    # answers left in a cons@k class of their own by an undecided comparison: integer keys never have one
    "undecided_class": lambda r: False,
}


def _run(seed: int) -> tuple[list[dict], list[Problem], int]:
    rng = random.Random(seed)
    problems = [Problem(id=f"p{i}", problem="x", answer=i) for i in range(rng.randint(1, 6))]
    k = rng.randint(1, 6)
    records = [{"problem_id": p.id, "sample": s, "status": rng.choice(STATUSES),
                "finish_reason": rng.choice(FINISH), "correct": rng.random() < 0.5, "extracted": None}
               for p in problems for s in range(k + rng.randint(0, 3)) if rng.random() < 0.9]
    rng.shuffle(records)
    return records, problems, k


@pytest.mark.parametrize("seed", range(25))
def test_every_rate_is_the_counted_share_of_the_first_k(seed: int) -> None:
    records, problems, k = _run(seed)
    first = [r for r in records if r["sample"] < k]
    rates = summarize_run(records, problems, k)["rates"]
    assert set(rates) == set(DEFINITIONS)
    for name, counts in DEFINITIONS.items():
        if not first:
            assert rates[name] is None, (name, seed)
            continue
        assert rates[name] == pytest.approx(sum(map(counts, first)) / len(first)), (name, seed)
