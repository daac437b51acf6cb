"""Metrics: pass@1, unbiased pass@k, cons@k / maj@k with error bars, paired comparison, run summary.

Pure functions over a per-problem table (`ProblemSamples`), built from graded sample records by
`problem_table`; `summarize_run` turns a run's records into summary.json. Numeric kernels (pass@k,
voting, bootstrap) live in `_kernels`. Formulas: docs/metrics.md. `evaluator.metrics.pass_at_k` and
`evaluator.metrics.majority_vote` are public paths that notebooks use.
"""

from evaluator.metrics._kernels import expected_maj_at_k, majority_vote, pass_at_k
from evaluator.metrics.estimators import (
    PairedComparison,
    ProblemRow,
    ProblemSamples,
    RunMetrics,
    paired_comparison,
    per_problem,
    summarize,
)
from evaluator.metrics.summary import problem_table, summarize_run

__all__ = [
    "PairedComparison",
    "ProblemRow",
    "ProblemSamples",
    "RunMetrics",
    "expected_maj_at_k",
    "majority_vote",
    "paired_comparison",
    "pass_at_k",
    "per_problem",
    "problem_table",
    "summarize",
    "summarize_run",
]
