"""Find which benchmark problem a piece of foreign question text is (importing other harnesses' dumps).

Dumps identify problems by position (`idx`), by a wrapped prompt, or by a copy of the text that
differs from ours in wording or LaTeX spacing (AI-MO's 2024 text vs the official one). Position is
never trusted: each question is matched on its own text. The text is cut into tokens (words,
numbers, LaTeX commands, single symbols), so whitespace and LaTeX spacing commands do not matter.
The score of a candidate is the share of tokens the two texts have in common (multiset overlap, over
the shorter text), so a prompt wrapped in instructions, or a copy without the figure code, still
matches; near ties are settled by difflib's ratio, and a match
that is weak or still tied is refused rather than guessed.

A shared vocabulary is not enough: an unrelated problem of another contest shares up to 80% of an
AIME problem's tokens ("find", "the", "positive integers", small numbers), so a dump of AIME 2025 was
scored against 2024 problems. So the winner must also be *confident*, by one of three signs:
- in order: at least IN_ORDER (60%) of its tokens appear in the question in the same order (difflib's
  matching blocks); a copy, wrapped in an instruction or not, has 100%;
- its numbers: it has at least two numbers of two or more digits and the question holds all of them
  (a reworded copy keeps its data: AB = 107, BC = 16, EF = 184, FG = 17);
- a strong lead: the shared-token score is at least STRONG_SCORE (0.85), STRONG_MARGIN (0.2) ahead of
  the runner-up.
Measured on the files in PROVENANCE.md (scripts/measure_text_match.py): the problems of AIME 2024 and
2025 in the other wording of their data file (official / AI-MO), bare or inside two instruction wrappers,
map to themselves in 357 of 360 cases and are refused (an error naming the row) in 3, never mapped to
another problem; none of the 150 problems of the other contests there (AIME 2022, 2023, 2025 or 2024,
2026, HMMT February 2025), bare or wrapped (450 questions), maps to a problem of AIME 2024 or of AIME
2025: in order they reach at most 54%.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MIN_SCORE = 0.6  # below this share of a problem's tokens the question is not that problem
IN_ORDER = 0.6  # share of the problem's tokens the question holds in order: confident (see the docstring)
STRONG_SCORE, STRONG_MARGIN = 0.85, 0.2  # a shared-token score this high and this far ahead: confident
_MIN_NUMBERS = 2  # numbers of 2+ digits a problem needs for "all its numbers are there" to count
MIN_MARGIN = 0.08  # the best candidate must beat the runner-up by this much (or win on difflib)
_TIE_RATIO_GAP = 0.05
_SHORTLIST = 8  # candidates scored in full after the token-set pre-selection

# LaTeX that changes spacing or size but not meaning, and equivalent spellings.
_SPACING = re.compile(
    r"\\(?:[,;:! ]|(?:quad|qquad|left|right|displaystyle|textstyle|big|Big|bigg|Bigg)(?![a-zA-Z]))"
)
_SYNONYMS = (
    ("\\dfrac", "\\frac"),
    ("\\tfrac", "\\frac"),
    ("\\le ", "\\leq "),
    ("\\ge ", "\\geq "),
    ("\\cdot", "*"),
)
_FIGURE = re.compile(
    r"\[asy\].*?\[/asy\]|<asy>.*?</asy>|\\begin\{(asy|tikzpicture|center)\}.*?\\end\{\1\}",
    re.DOTALL | re.IGNORECASE,
)
_TOKEN = re.compile(r"\\[a-z]+|[a-z]+|\d+|[^\sa-z\d$]")


def tokens(text: str) -> list[str]:
    """The tokens of `text`: lower-cased words, numbers, LaTeX commands and single symbols.
    Figure code (asy, TikZ), dollar signs, whitespace and spacing commands are dropped."""
    text = _FIGURE.sub(" ", f"{text} ")
    for old, new in _SYNONYMS:
        text = text.replace(old, new)
    text = _SPACING.sub(" ", text)
    return _TOKEN.findall(text.replace("\\$", "$").lower())


@dataclass(frozen=True)
class TextMatch:
    """The best candidate for a question, its score (0-1) and the runner-up, for error messages."""

    problem_id: str | None
    score: float
    runner_up: str | None = None
    runner_up_score: float = 0.0
    reason: str = ""


class TextIndex:
    """Problem texts by id (several wordings per problem allowed); `match` finds a question's problem."""

    def __init__(self, texts: Mapping[str, Iterable[str]]) -> None:
        self._entries: list[tuple[str, str, Counter[str], frozenset[str]]] = []
        self._tokens: dict[str, list[list[str]]] = {}
        self._numbers: dict[str, list[frozenset[str]]] = {}
        for problem_id, variants in texts.items():
            for text in variants:
                toks = tokens(text)
                if toks:
                    self._entries.append((problem_id, "".join(toks), Counter(toks), frozenset(toks)))
                    self._tokens.setdefault(problem_id, []).append(toks)
                    self._numbers.setdefault(problem_id, []).append(_numbers(toks))
        self._cache: dict[str, TextMatch] = {}

    def match(self, question: str) -> TextMatch:
        """The problem `question` is, or a TextMatch with problem_id None and the reason."""
        if question not in self._cache:
            found = self._match(question)
            if found.problem_id is not None and not self.confident(question, found):
                found = TextMatch(None, found.score, found.problem_id, found.score, reason=(
                    f"not confidently a problem of this set: the closest, {found.problem_id}, shares {found.score:.0%} "
                    f"of its tokens but only {self.coverage(question, found.problem_id):.0%} in order (needs "
                    f"{IN_ORDER:.0%}) and not all its numbers"))
            self._cache[question] = found
        return self._cache[question]

    def confident(self, question: str, found: TextMatch) -> bool:
        """Whether `question` is surely `found.problem_id`, by one of the three signs of the module docstring."""
        problem_id = found.problem_id
        if problem_id is None:
            return False
        if found.score >= STRONG_SCORE and found.score - found.runner_up_score >= STRONG_MARGIN:
            return True
        asked = _numbers(tokens(question))
        if any(len(numbers) >= _MIN_NUMBERS and numbers <= asked for numbers in self._numbers.get(problem_id, ())):
            return True
        return self.coverage(question, problem_id) >= IN_ORDER

    def coverage(self, question: str, problem_id: str) -> float:
        """The largest share of one of `problem_id`'s texts (its tokens) that `question` holds in the same
        order: 1.0 for a copy, wrapped in instructions or not; 0.0 for an unknown id."""
        asked = tokens(question)
        best = 0.0
        for toks in self._tokens.get(problem_id, ()):
            if f" {' '.join(toks)} " in f" {' '.join(asked)} ":
                return 1.0
            blocks = difflib.SequenceMatcher(None, asked, toks, autojunk=False).get_matching_blocks()
            best = max(best, sum(block.size for block in blocks) / len(toks))
        return best

    def _match(self, question: str) -> TextMatch:
        toks = tokens(question)
        if not toks:
            return TextMatch(None, 0.0, reason="the question text is empty")
        joined, counts = "".join(toks), Counter(toks)
        vocabulary = set(counts)
        # Cheap pre-selection on token sets (C speed), then the multiset score on the few best.
        rough = sorted(
            range(len(self._entries)),
            key=lambda i: (
                -len(vocabulary & self._entries[i][3])
                / max(1, min(len(vocabulary), len(self._entries[i][3])))
            ),
        )[:_SHORTLIST]
        best: dict[str, tuple[float, str]] = {}
        for i in rough:
            problem_id, text, text_counts, _ = self._entries[i]
            score = 1.0 if (text in joined or joined in text) else _overlap(counts, text_counts)
            if score > best.get(problem_id, (-1.0, ""))[0]:
                best[problem_id] = (score, text)
        ranked = sorted(best.items(), key=lambda item: item[1][0], reverse=True)
        if not ranked:
            return TextMatch(None, 0.0, reason="no problem text to match against")
        top_id, (top_score, top_text) = ranked[0]
        second_id, (second_score, second_text) = ranked[1] if len(ranked) > 1 else (None, (0.0, ""))
        if top_score < MIN_SCORE:
            return TextMatch(
                None,
                top_score,
                top_id,
                top_score,
                reason=f"best match {top_id} shares only {top_score:.0%} of its text",
            )
        if top_score - second_score >= MIN_MARGIN:
            return TextMatch(top_id, top_score, second_id, second_score)
        ratio_top = difflib.SequenceMatcher(None, joined, top_text, autojunk=False).ratio()
        ratio_second = difflib.SequenceMatcher(None, joined, second_text, autojunk=False).ratio()
        if ratio_top - ratio_second >= _TIE_RATIO_GAP:
            return TextMatch(top_id, top_score, second_id, second_score)
        if ratio_second - ratio_top >= _TIE_RATIO_GAP:
            return TextMatch(second_id, second_score, top_id, top_score)
        return TextMatch(
            None,
            top_score,
            second_id,
            second_score,
            reason=f"ambiguous: {top_id} ({top_score:.0%}) and {second_id} ({second_score:.0%})",
        )


def _numbers(toks: Iterable[str]) -> frozenset[str]:
    """The numbers of two or more digits among `toks` (a problem's data; 1 and 2 are everywhere)."""
    return frozenset(t for t in toks if len(t) >= 2 and t.isdigit())


def _overlap(a: Counter[str], b: Counter[str]) -> float:
    """Shared tokens (with multiplicity) over the shorter text's token count: 1.0 when one text
    holds the other (a prompt wrapped in instructions, or a copy without the figure code)."""
    shared = sum(min(count, b[token]) for token, count in a.items() if token in b)
    return shared / max(1, min(sum(a.values()), sum(b.values())))
