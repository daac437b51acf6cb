"""Audit flags on a graded sample: which samples a human should read (MathArena flags these too).

- `gold_in_text_not_extracted`: the gold appears in the final part (after the last end-of-thinking
  marker, its last AUDIT_REGION characters) but a different answer, or none, was taken.
- `length_at_cap`: the backend said the completion stopped at its length limit (`finish_reason`
  "length"), or it used exactly the run's `max_tokens`. Round counts (4,096, 30,000) are not read as
  a cap: responses that finish on their own at such counts are common, and flagging them buried the
  samples really cut off.
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


def audit_flags(
    text: str, grade: Grade, golds: Sequence[Gold], completion_tokens: int | None, max_tokens: int | None = None,
    finish_reason: str | None = None,
) -> tuple[str, ...]:
    """The flags (a subset of FLAGS, in that order) for one graded response."""
    flags = []
    if not grade.correct and _gold_in_final_part(text, golds):
        flags.append(GOLD_IN_TEXT)
    if at_cap(finish_reason, completion_tokens, max_tokens):
        flags.append(LENGTH_AT_CAP)
    return tuple(flags)


def at_cap(finish_reason: str | None, tokens: int | None, max_tokens: int | None) -> bool:
    """True when the completion stopped at its length limit: `finish_reason` "length", or exactly
    `max_tokens` tokens (imports that record the cap but not the finish reason)."""
    return finish_reason == "length" or (tokens is not None and max_tokens is not None and tokens == max_tokens)


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
