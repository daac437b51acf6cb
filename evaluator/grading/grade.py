"""Compare an extracted answer with the gold answer(s): integer fast path, symbolic path otherwise.

Integer golds (all of AIME) are compared as integers and never start the symbolic worker, so
importing this module does not import sympy. Non-integer golds are compared first as canonical
text, then by `evaluator.grading._symbolic_worker` in a worker process with a timeout.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from evaluator.grading._symbolic_worker import SymbolicChecker, default_checker
from evaluator.grading.extract import Extraction, extract_answer
from evaluator.grading.normalise import as_integer, canonical_answer, integer_value

Gold = int | str


@dataclass(frozen=True)
class Grade:
    """Verdict for one response. `status` is the extraction's; `method` says how equality was decided."""

    correct: bool
    extracted: str | None
    status: str
    method: str = "none"  # integer | exact | symbolic | timeout | unparsable | too_long | worker_error | none
    matched: str | None = None  # the gold that matched, as canonical text


def _golds(gold: Gold | Sequence[Gold]) -> tuple[Gold, ...]:
    """A single gold or a sequence of accepted golds, as a tuple."""
    if isinstance(gold, int | str):
        return (gold,)
    return tuple(gold)


def gold_integer(gold: Gold) -> int | None:
    """The integer a gold denotes (`73`, `"073"`, `"\\frac{8}{4}"`), or None for a non-integer gold."""
    if isinstance(gold, bool):
        raise TypeError("a gold answer cannot be a bool")
    if isinstance(gold, int):
        return gold
    return as_integer(gold)


def grade_extraction(
    extraction: Extraction, golds: Gold | Sequence[Gold], checker: SymbolicChecker | None = None
) -> Grade:
    """Grade an answer already extracted against every accepted gold (correct if any matches)."""
    answer = extraction.answer
    if answer is None:
        return Grade(False, None, extraction.status)
    value = integer_value(answer)
    symbolic: list[str] = []
    method = "integer"
    for gold in _golds(golds):
        expected = gold_integer(gold)
        if expected is not None:
            if value == expected:
                return Grade(True, answer, extraction.status, "integer", str(expected))
            continue  # an integer gold is never compared symbolically
        text = canonical_answer(str(gold)) or str(gold)
        if text == answer:
            return Grade(True, answer, extraction.status, "exact", text)
        symbolic.append(text)
    if symbolic:
        checker = checker or default_checker()
        method = "symbolic"
        for text in symbolic:
            result = checker.compare(answer, text)
            if result.equal:
                return Grade(True, answer, extraction.status, "symbolic", text)
            if result.equal is None:
                method = result.reason  # timeout | unparsable | too_long | worker_error
    return Grade(False, answer, extraction.status, method)


def grade_response(
    text: str,
    gold: Gold | Sequence[Gold],
    finish_reason: str | None = None,
    checker: SymbolicChecker | None = None,
) -> Grade:
    """Extract the final answer of `text` and grade it against one gold or a sequence of accepted golds."""
    return grade_extraction(extract_answer(text, finish_reason), gold, checker)
