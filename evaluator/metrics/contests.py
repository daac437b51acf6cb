"""Per-contest metrics of a collection run (`--dataset aime-2025,aime-2026`): each contest summarised on
its own problems exactly as a run of that set alone would be; the run's main metrics are the overall ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from evaluator.metrics.summary import summarize_run
from evaluator.types import Problem


def contest_summaries(
    records: Sequence[Mapping[str, Any]],
    problems: Sequence[Problem],
    contests: Sequence[tuple[str, Sequence[str]]],
    k: int,
    seed: int = 0,
) -> dict[str, dict[str, Any]]:
    """{contest: {n_problems, n_samples, metrics}} for each contest; empty for a single set."""
    if len(contests) < 2:
        return {}
    by_id = {p.id: p for p in problems}
    out = {}
    for name, ids in contests:
        wanted = set(ids)
        summary = summarize_run([r for r in records if r["problem_id"] in wanted],
                                [by_id[i] for i in ids if i in by_id], k, seed=seed)
        out[name] = {key: summary[key] for key in ("n_problems", "n_samples", "metrics")}
    return out
