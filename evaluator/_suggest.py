"""Close matches for a mistyped name, the "did you mean" part of an "unknown X" error.

Every refusal of a name from a closed list (`--model`, `--dataset`, `score --import --format`,
`export --format`) puts `did_you_mean(given, known)` right after "unknown X 'given': " and before the
list it gives today, so the likely fix is read first:

    unknown dataset 'aime-2O24': did you mean: aime-2024, aime-2026, aime-2025? choose one of aime-2024, ...

Pure and cheap (difflib over a few dozen names), so it can run in any stage's error path.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

#: At most this many suggestions: more would repeat the full list that follows.
MAX_SUGGESTIONS = 3
#: difflib's similarity ratio a name needs to be suggested (its default: typos and case slips, not guesses).
CUTOFF = 0.6


def did_you_mean(given: str, known: Iterable[str]) -> str:
    """`"did you mean: a, b? "` (with the trailing space) for the names in `known` closest to `given`,
    best first; `""` when none is close, so the caller's message reads the same as without it.

    >>> did_you_mean("deepseek-r2", ["mock", "deepseek-r1", "o1"])
    'did you mean: deepseek-r1? '
    >>> did_you_mean("xyz", ["csv", "json"])
    ''
    """
    by_lower = {name.lower(): name for name in known}  # a case slip ("CSV") is a typo too
    close = get_close_matches(given.lower(), list(by_lower), n=MAX_SUGGESTIONS, cutoff=CUTOFF)
    return f"did you mean: {', '.join(by_lower[m] for m in close)}? " if close else ""
