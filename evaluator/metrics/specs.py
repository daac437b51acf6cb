"""The metrics a paired comparison can be asked for, declared once as a table of `MetricSpec`s.

`paired_comparison(a, b, "pass@8")` looks the family (`pass`) up in `METRIC_SPECS` and asks its spec for
each problem's value and same-problems variance at k = 8 (`cons@n` means k = the fewest samples of any
problem). `maj` is another name of `cons` (results are labelled `cons@k`). `PAIRED_METRICS` is what
`evaluate compare` pairs runs on: each family at its `compared_at`.

Adding a metric family (pass^k and G-Pass@k belong here next): a kernel with a brute-force test in
tests/metrics/, its two functions below, one `MetricSpec` in `METRICS`; specs are frozen, never
configured by mutation.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from evaluator.metrics._kernels import Clusters, MajEstimate, expected_majority_curve, pass_at_k
from evaluator.metrics.intervals import cons_variances, pass_at_k_variances

if TYPE_CHECKING:
    from evaluator.metrics.samples import ProblemSamples

__all__ = ["METRICS", "METRIC_SPECS", "PAIRED_METRICS", "MetricSpec", "problem_majorities"]


@dataclass(frozen=True, kw_only=True)
class MetricSpec:
    """One metric family, measured per problem at a given k.

    `per_problem(problem, k, seed)` is the problem's value (its mean over problems is the metric);
    `variances(problems, k, seed)` the sampling variance of each problem's value (the same-problems
    question, evaluator.metrics.intervals); `compared_at` is the k `evaluate compare` uses ("n": every
    sample the runs share)."""

    name: str
    per_problem: Callable[[ProblemSamples, int, int], float]
    variances: Callable[[Sequence[ProblemSamples], int, int], np.ndarray]
    higher_is_better: bool
    compared_at: str


def problem_majorities(cl: Clusters, problem_id: str, ks: Sequence[int], seed: int) -> dict[int, MajEstimate]:
    """Expected maj@k of one problem; a Monte Carlo fallback is seeded per (seed, problem id, k)."""
    return expected_majority_curve(cl, ks, seed=(seed, zlib.crc32(problem_id.encode())))


def _pass_value(p: ProblemSamples, k: int, seed: int) -> float:
    return pass_at_k(p.n, p.n_correct, k)


def _cons_value(p: ProblemSamples, k: int, seed: int) -> float:
    return problem_majorities(p.clusters(), p.problem_id, [k], seed)[k].value


PASS = MetricSpec(name="pass", per_problem=_pass_value, variances=pass_at_k_variances, higher_is_better=True, compared_at="1")
CONS = MetricSpec(name="cons", per_problem=_cons_value, variances=cons_variances, higher_is_better=True, compared_at="n")

METRICS: tuple[MetricSpec, ...] = (PASS, CONS)
"""Every metric family, in the order `evaluate compare` shows them."""

METRIC_SPECS: dict[str, MetricSpec] = {**{spec.name: spec for spec in METRICS}, "maj": CONS}
"""The family names `paired_comparison` accepts before `@k`; `maj` is a synonym of `cons`."""

PAIRED_METRICS: tuple[str, ...] = tuple(f"{spec.name}@{spec.compared_at}" for spec in METRICS)
"""What `evaluate compare` pairs runs on: ("pass@1", "cons@n")."""
