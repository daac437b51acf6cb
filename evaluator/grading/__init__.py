"""Grading: find the final answer in a response, normalise it, and compare it with the gold.

parse → normalise → verify, as Math-Verify does:
- `extract_answer(text, finish_reason)` → `Extraction` (pure, bounded; think-aware);
- `grade_extraction(extraction, golds)` / `grade_response(text, golds, finish_reason)` → `Grade`
  (integer fast path; non-integer golds compared symbolically in a worker process, never with `eval`);
- `graded_record` / `regrade` / `error_record`: the samples.jsonl and errors.jsonl lines.
Rules and examples: docs/grading.md.
"""

from evaluator.grading.extract import (
    AMBIGUOUS,
    FROM_REASONING,
    HEDGED,
    NO_ANSWER,
    OK,
    OUT_OF_RANGE,
    STATUSES,
    TRUNCATED,
    WEAK,
    Extraction,
    extract_answer,
)
from evaluator.grading.grade import Grade, grade_extraction, grade_response
from evaluator.grading.records import error_record, graded_record, regrade

__all__ = [
    "AMBIGUOUS",
    "FROM_REASONING",
    "HEDGED",
    "NO_ANSWER",
    "OK",
    "OUT_OF_RANGE",
    "STATUSES",
    "TRUNCATED",
    "WEAK",
    "Extraction",
    "Grade",
    "error_record",
    "extract_answer",
    "grade_extraction",
    "grade_response",
    "graded_record",
    "regrade",
]
