"""Compare an extracted answer with the gold answer(s): integer fast path, symbolic path otherwise.

Integer golds (all of AIME) are compared as integers and never start the symbolic worker, so
importing this module does not import sympy. Non-integer golds are compared with the extraction's
`span` (the whole stated answer, never just its last integer): as canonical text, then as exact
rationals in this process (`7/4` = `1.75` = `\\frac74`), then by Math-Verify's `verify` in the
worker process (`evaluator.grading._symbolic_worker`, with a timeout and a memory cap).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from evaluator.grading._exact_arith import rational_value, split_collection
from evaluator.grading._spans import is_multiple_answer, list_items
from evaluator.grading._symbolic_worker import UNDECIDED, SymbolicChecker, default_checker
from evaluator.grading.extract import HEDGED, Extraction, extract_answer
from evaluator.grading.normalise import as_integer, canonical_answer, clean_latex, integer_value
from evaluator.types import GradeMethod, Status

Gold = int | str
_SYMBOL = re.compile(r"[A-Za-z](?:_\{?\w{1,4}\}?)?")  # `x`, `a_1`: the name in `x = 7/4`


@dataclass(frozen=True, kw_only=True)
class Grade:
    """Verdict for one response. `status` is the extraction's; `method` says how equality was decided."""

    correct: bool
    extracted: str | None
    status: Status
    method: GradeMethod = "none"
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
        return Grade(correct=False, extracted=None, status=extraction.status)
    golds = _golds(golds)
    if all(_single_value(gold) for gold in golds) and is_multiple_answer(clean_latex(extraction.span or answer)):
        return Grade(correct=False, extracted=answer, status=HEDGED)  # `5, 7` or `x=5, x=7` for one value
    value = integer_value(answer)
    span = spelled = answer  # the whole stated answer: only non-integer golds need it
    symbolic: list[tuple[str, str]] = []
    method: GradeMethod = "integer"
    for gold in golds:
        expected = gold_integer(gold)
        if expected is not None:
            if value == expected:
                return Grade(correct=True, extracted=answer, status=extraction.status, method="integer",
                             matched=str(expected))
            continue  # an integer gold is never compared symbolically
        if method == "integer" and extraction.span:
            span = clean_latex(extraction.span)
            spelled = canonical_answer(span) or answer
        method = "exact"
        raw = clean_latex(str(gold))
        text = canonical_answer(raw) or raw
        if text in (answer, spelled):
            return Grade(correct=True, extracted=spelled, status=extraction.status, method="exact", matched=text)
        decided = _rational_equal(span, raw)
        if decided is not None:
            if decided:
                return Grade(correct=True, extracted=spelled, status=extraction.status, method="exact", matched=text)
            continue
        symbolic.append((raw, text))
    if symbolic:
        checker = checker or default_checker()
        method = "symbolic"
        for raw, text in symbolic:
            result = checker.compare(span, raw)
            if result.equal:
                return Grade(correct=True, extracted=spelled, status=extraction.status, method="symbolic",
                             matched=text)
            if result.equal is None and result.reason in UNDECIDED:
                method = result.reason  # timeout | unparsable | too_long | worker_error
    return Grade(correct=False, extracted=answer if method == "integer" else spelled, status=extraction.status,
                 method=method)


def _single_value(gold: Gold) -> bool:
    """True for a key that is one value (`7`, `\\frac{1}{2}`); False for a list, tuple, interval or set,
    which an answer of several values may match."""
    if gold_integer(gold) is not None:
        return True
    text = clean_latex(str(gold))
    return list_items(text) is None and not text.startswith(("(", "[", "\\{", "\\left"))


def _rational_equal(answer: str, gold: str) -> bool | None:
    """Both sides exact rationals (`7/4`, `1.75`, `\\frac{7}{4}`, `x = 0.5`), or the same kind of
    tuple/interval/set/list of them: are they equal? None when a side is anything else, or when a
    decimal differs (Math-Verify's rounding rules then decide, in the worker)."""
    a, b = _rational(answer), _rational(gold)
    if a is not None and b is not None:
        if a == b:
            return True
        return None if "." in answer or "." in gold else False
    sa, sb = split_collection(answer), split_collection(gold)
    if sa is None or sb is None:
        return None  # not collections of rationals: the worker decides
    if sa[0] != sb[0]:  # `[1, 2)` vs `(1, 2]` differ; a tuple vs a set is for the worker to judge
        return False if "set" not in (sa[0], sb[0]) else None
    kind, xs, ys = sa[0], sa[1], sb[1]
    same = set(xs) == set(ys) if kind == "set" else xs == ys
    if same:
        return True
    return None if "." in answer or "." in gold else False


def _rational(text: str) -> Fraction | None:
    """Exact value of a rational answer, reading `x = 7/4` as its right-hand side."""
    lhs, eq, rhs = text.rpartition("=")
    if eq and _SYMBOL.fullmatch(lhs.strip()):
        text = rhs
    return rational_value(text.replace(" ", ""))


def grade_response(
    text: str,
    gold: Gold | Sequence[Gold],
    finish_reason: str | None = None,
    checker: SymbolicChecker | None = None,
    answer_range: range | None = None,
) -> Grade:
    """Extract the final answer of `text` and grade it against one gold or a sequence of accepted golds.

    `answer_range`: the contest's integer answers (`extract.AIME_RANGE` for the AIME sets), else None:
    with no set named, integers of any size are read and no range is checked."""
    return grade_extraction(extract_answer(text, finish_reason, answer_range), gold, checker)
