"""Audit flags on a graded sample: which samples a human should read (MathArena flags these too).

- `gold_in_text_not_extracted`: the gold appears in the final part (after the last end-of-thinking
  marker, its last AUDIT_REGION characters) but a different answer, or none, was taken.
- `length_at_cap`: the completion used exactly `max_tokens` tokens, or a count that looks like a cap
  (a power of two or a round thousand, from 1,000 up): the response was probably cut off, which
  matters most for imports that do not record a finish reason.
Flags never change a verdict; `summarize_run` counts them and the report shows the counts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from evaluator.grading.extract import THINK_END
from evaluator.grading.grade import Gold, Grade, gold_integer
from evaluator.grading.normalise import canonical_answer

GOLD_IN_TEXT = "gold_in_text_not_extracted"
LENGTH_AT_CAP = "length_at_cap"
FLAGS = (GOLD_IN_TEXT, LENGTH_AT_CAP)
AUDIT_REGION = 4_000  # characters at the end of the final part searched for the gold
MIN_CAP = 1_000  # smaller token counts are never read as a cap


def audit_flags(
    text: str, grade: Grade, golds: Sequence[Gold], completion_tokens: int | None, max_tokens: int | None = None
) -> tuple[str, ...]:
    """The flags (a subset of FLAGS, in that order) for one graded response."""
    flags = []
    if not grade.correct and _gold_in_final_part(text, golds):
        flags.append(GOLD_IN_TEXT)
    if completion_tokens is not None and looks_capped(completion_tokens, max_tokens):
        flags.append(LENGTH_AT_CAP)
    return tuple(flags)


def looks_capped(tokens: int, max_tokens: int | None = None) -> bool:
    """True when `tokens` equals the cap, or is a power of two or a multiple of 1,000 (from MIN_CAP)."""
    if max_tokens is not None and tokens == max_tokens:
        return True
    return tokens >= MIN_CAP and (tokens & (tokens - 1) == 0 or tokens % 1_000 == 0)


def _gold_in_final_part(text: str, golds: Sequence[Gold]) -> bool:
    cut = max((i + len(m) if (i := text.rfind(m)) >= 0 else 0) for m in THINK_END)
    final = text[max(cut, len(text) - AUDIT_REGION) :]
    for gold in golds:
        value = gold_integer(gold)
        if value is not None:
            if re.search(rf"(?<![\d.,]){value}(?!\d|[.,]\d)", final):
                return True
            continue
        spelled = canonical_answer(str(gold))
        if spelled and len(spelled) > 1 and spelled in final.replace(" ", ""):
            return True
    return False
