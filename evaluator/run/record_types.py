"""The types of the records a run directory holds on disk: one samples.jsonl line (`SampleRecord`) and
summary.json (`Summary`), field for field as docs/results-format.md describes them.

These are `TypedDict`s, not classes: the JSON is read and written as plain dicts, so typing them
changes nothing on disk. Fields are optional (`total=False`) unless every file has them:
- a samples.jsonl line always names its sample (`problem_id`, `sample`: `store.check_record` refuses a
  line without them); everything else may be missing from an imported run (a dump without token
  counts) or a run written before the field existed (`flags`, `served_model`);
- summary.json always has the fields `summarize_run` has written since `summary_version` 1 and that
  readers index directly; what later code or other commands add (`stability`, `checks`,
  `served_models`, `flags`, `overrides`, `contests`, `judge`, `verdict`, `imported`) may be missing.
Readers still use `.get()` for optional fields; a field outside these lists (an imported dump's own
columns) is kept on disk and ignored by the types.
"""

from typing import Any, Required, TypedDict

from evaluator.grading.disagreements import Disagreement  # re-exported: it is a summary.json row too

__all__ = ["Disagreement", "ImportedSection", "Override", "SampleRecord", "Summary"]


class Override(TypedDict):
    """A human verdict applied on top of the grader's (`evaluate score RUN --override FILE`)."""

    correct: bool
    reason: str


class SampleRecord(TypedDict, total=False):
    """One line of samples.jsonl: the response, how it was produced, and how it was graded."""

    problem_id: Required[str]
    sample: Required[int]
    response: str | None
    reasoning: str | None
    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None
    reasoning_tokens: int | None
    latency_s: float | None
    attempts: int
    gold: str
    extracted: str | None
    status: str
    correct: bool
    flags: list[str]
    machine_correct: bool  # overridden samples only
    override: Override  # overridden samples only
    served_model: str  # API backend
    think_end_tokens: int  # vLLM backend
    reported_correct: bool | None  # imported runs only
    reported_extracted: str | None  # imported runs only
    source_row: str  # imported runs only: `file:line` in the dump


class ImportedSection(TypedDict):
    """summary.json's `imported` section (imported runs only): the dump's accuracy and every verdict that differs."""

    source_file: str | None
    format: str | None
    reported_accuracy: float | None
    reported_samples: int
    disagreements: list[Disagreement]


class Summary(TypedDict, total=False):
    """summary.json (`summary_version` 1). `metrics` is `RunMetrics.to_dict()`, None before any sample;
    `per_problem` holds `ProblemRow.to_dict()` rows in benchmark order."""

    summary_version: Required[int]
    k: Required[int]
    n_problems: Required[int]
    n_samples: Required[int]
    expected_samples: Required[int]
    complete: Required[bool]
    errors: Required[int]
    metrics: Required[dict[str, Any] | None]
    rates: Required[dict[str, float | None]]
    statuses: Required[dict[str, int]]
    tokens: Required[dict[str, Any]]
    cost_usd: Required[float | None]
    per_problem: Required[list[dict[str, Any]]]
    stability: dict[str, Any] | None
    flags: dict[str, int]
    overrides: int
    checks: list[dict[str, Any]]
    served_models: dict[str, int]
    contests: dict[str, dict[str, Any]]  # collection runs: one summary per contest
    judge: dict[str, Any]  # runs graded with --judge
    adaptive: dict[str, Any]  # runs sampled with --target-halfwidth: the stopping rule and samples per problem
    verdict: dict[str, Any]  # after `evaluate report --reference/--target`
    imported: ImportedSection  # imported runs
