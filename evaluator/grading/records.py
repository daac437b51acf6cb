"""Sample records: the samples.jsonl line of a graded completion, re-grading a stored line, and the
errors.jsonl line of a sample that failed for good.

A graded line carries `gold`, `extracted`, `status`, `correct` and `flags` (audit flags,
evaluator.grading.audit); a line with a human override also carries `override` and
`machine_correct` (evaluator.grading.overrides), and re-grading keeps the override on top."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from evaluator.types import Completion, Problem

#: Backend facts kept on the sample line when a backend reports them: the model the API says served the
#: sample (the served_model check) and the token position of the end of thinking (the budget curve).
RECORDED_EXTRA = ("served_model", "think_end_tokens")


def graded_record(completion: Completion, problem: Problem, max_tokens: int | None = None) -> dict[str, Any]:
    """The samples.jsonl line for a finished completion: the response as returned plus our verdict."""
    record: dict[str, Any] = {
        "problem_id": completion.problem_id,
        "sample": completion.sample_index,
        "response": completion.text,
        "reasoning": completion.reasoning,
        "finish_reason": completion.finish_reason,
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
        "reasoning_tokens": completion.reasoning_tokens,
        "latency_s": None if completion.latency_s is None else round(completion.latency_s, 4),
        "attempts": completion.attempts,
        **{key: completion.extra[key] for key in RECORDED_EXTRA if completion.extra.get(key) is not None},
    }
    return regrade(record, problem, max_tokens)


def regrade(record: Mapping[str, Any], problem: Problem, max_tokens: int | None = None) -> dict[str, Any]:
    """The record with `gold`, `extracted`, `status`, `correct` and `flags` recomputed by the current
    grader; a stored human override is re-applied on top (its `machine_correct` is the new verdict)."""
    from evaluator.benchmarks.registry import answer_range
    from evaluator.grading.audit import audit_flags
    from evaluator.grading.grade import grade_response
    from evaluator.grading.overrides import with_override

    text = record.get("response") or ""
    grade = grade_response(text, problem.golds, record.get("finish_reason"), answer_range=answer_range(problem.id))
    tokens = record.get("completion_tokens")
    graded = {
        **record,
        "gold": str(problem.answer),
        "extracted": grade.extracted,
        "status": grade.status,
        "correct": bool(grade.correct),
        "flags": list(audit_flags(text, grade, problem.golds, None if tokens is None else int(tokens), max_tokens,
                                  record.get("finish_reason"))),
    }
    graded.pop("machine_correct", None)
    return with_override(graded, record.get("override"))


def error_record(completion: Completion) -> dict[str, Any]:
    """The errors.jsonl line for a sample that failed for good (retried by the next run)."""
    return {
        "problem_id": completion.problem_id,
        "sample": completion.sample_index,
        "status": "error",
        "error": completion.error,
        "attempts": completion.attempts,
        "latency_s": None if completion.latency_s is None else round(completion.latency_s, 4),
    }
