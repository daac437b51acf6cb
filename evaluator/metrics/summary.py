"""A run's summary (summary.json) from its graded sample records: metrics, rates, statuses, tokens.

Re-scoring a run is re-grading its records (evaluator.grading.records) and calling `summarize_run` again."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from evaluator.types import Problem

if TYPE_CHECKING:  # estimators imports numpy: loaded only when a table is built
    from evaluator.grading.equivalence import ClassStore
    from evaluator.metrics.estimators import ProblemSamples
    from evaluator.run.record_types import Summary

SUMMARY_VERSION = 1
_INTEGER_TEXT = re.compile(r"-?\d{1,400}")


def problem_table(
    records: Iterable[Mapping[str, Any]], problems: Sequence[Problem], k: int | None = None,
    classes: ClassStore | None = None,
) -> list[ProblemSamples]:
    """Per-problem samples for the metrics (samples with index >= k are left out), in problem order.
    For a non-integer key, answers are replaced by their equivalence class (grading.equivalence), from
    `classes` (a run's stored classes) when given, else built in memory."""
    from evaluator.grading.equivalence import ClassStore
    from evaluator.metrics.estimators import ProblemSamples
    from evaluator.metrics.samples import vote_answer

    classes = classes if classes is not None else ClassStore()
    by_problem: dict[str, list[Mapping[str, Any]]] = {p.id: [] for p in problems}
    for r in records:
        if r["problem_id"] in by_problem and (k is None or int(r["sample"]) < k):
            by_problem[r["problem_id"]].append(r)
    table: list[ProblemSamples] = []
    for p in problems:
        rows = sorted(by_problem[p.id], key=lambda r: int(r["sample"]))
        answers = tuple(vote_answer(r) for r in rows)
        correct = tuple(bool(r.get("correct")) for r in rows)
        # LaTeX key: vote on equivalence classes, not spellings (a report reads every key back as text:
        # "73" is still an integer key, whose answers are canonical integers already)
        if not isinstance(p.answer, int) and not _INTEGER_TEXT.fullmatch(str(p.answer)):
            answers = classes.classes(p.id, answers, correct, str(p.answer))
        table.append(ProblemSamples(problem_id=p.id, golds=tuple(str(g) for g in p.golds), answers=answers,
                                    correct=correct))
    return table


def summarize_run(
    records: Sequence[Mapping[str, Any]],
    problems: Sequence[Problem],
    k: int,
    errors: int = 0,
    cost_usd: float | None = None,
    seed: int = 0,
    classes: ClassStore | None = None,
) -> Summary:
    """summary.json: all metrics (see docs/metrics.md) plus counts of statuses, tokens and errors.
    `classes`: the run's stored cons@k classes (grading.equivalence.ClassStore), else built in memory."""
    from evaluator.grading.equivalence import ClassStore
    from evaluator.metrics.estimators import per_problem, summarize
    from evaluator.metrics.stability import stability

    used = [r for r in records if int(r["sample"]) < k]
    classes = classes if classes is not None else ClassStore()
    table = problem_table(used, problems, k, classes)
    # cons@k over the fewest samples any problem has (k once the run is complete); None before any sample
    metrics = summarize(table, seed=seed) if any(p.n for p in table) else None
    statuses = Counter(str(r.get("status")) for r in used)
    n = len(used)
    tokens = [int(r["completion_tokens"]) for r in used if r.get("completion_tokens") is not None]
    return {
        "summary_version": SUMMARY_VERSION,
        "k": k,
        "n_problems": len(problems),
        "n_samples": n,
        "expected_samples": k * len(problems),
        "complete": n == k * len(problems) and errors == 0,
        "errors": errors,
        "metrics": metrics.to_dict() if metrics else None,
        "stability": stability(table).to_dict() if metrics else None,  # pass^k, G-Pass@k (docs/metrics.md)
        "rates": {
            "no_answer": _share(statuses, ("no_answer", "truncated"), n),
            # cut off at max_tokens; where the finish reason is unknown (imported dumps), as the grader saw it
            "truncated": (sum(1 for r in used if r.get("finish_reason") == "length"
                              or (r.get("finish_reason") is None and r.get("status") == "truncated")) / n) if n else None,
            "content_filter": _share(Counter(str(r.get("finish_reason")) for r in used), ("content_filter",), n),
            "weak": _share(statuses, ("weak",), n),
            "ambiguous": _share(statuses, ("ambiguous",), n),
            "out_of_range": _share(statuses, ("out_of_range",), n),
            "hedged": _share(statuses, ("hedged",), n),
            # answers left in a cons@k class of their own: a comparison undecided, or the time cap
            "undecided_class": (sum(classes.undecided.get(p.id, 0) for p in problems) / n) if n else None,
        },
        "statuses": dict(sorted(statuses.items())),
        "flags": dict(sorted(Counter(str(f) for r in used for f in r.get("flags") or ()).items())),
        "overrides": sum(1 for r in used if r.get("override")),
        "tokens": {
            "completion_total": sum(tokens),
            "completion_mean": (sum(tokens) / len(tokens)) if tokens else None,
            "prompt_total": sum(int(r["prompt_tokens"]) for r in used if r.get("prompt_tokens") is not None),
            "reasoning_total": sum(int(r["reasoning_tokens"]) for r in used if r.get("reasoning_tokens") is not None),
        },
        "cost_usd": cost_usd,
        "per_problem": [row.to_dict() for row in per_problem(table)],
    }


def _share(counts: Counter, keys: tuple[str, ...], n: int) -> float | None:
    return (sum(counts[k] for k in keys) / n) if n else None
