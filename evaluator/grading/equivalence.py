"""Equivalence classes of a problem's extracted answers, so cons@k votes on values, not spellings.

With a LaTeX key, `\\frac12` and `0.5` are one answer: every sample the grader marked correct joins the
gold's class, and wrong answers are merged with each other only when that is proved. Integer keys need
none of this: their answers are already canonical integers, so callers skip it.

Bounded, cheapest first, because one hostile answer (`(n^{n^{n^{n}}})!`, `9^{9^{9^{9}}}`) costs the
symbolic checker seconds and a k=64 vote compared pairwise is 2,016 comparisons:
1. answers with the same canonical form are one class without any comparison: the same exact rational
   value (`0.5`, `1/2`, `\\frac{2}{4}`), or the same text once spacing, `\\dfrac`/`\\tfrac` and
   `\\left`/`\\right` are read alike;
2. only one representative per canonical form is compared with the classes found so far, by the
   symbolic checker (the bounded worker process of `_symbolic_worker`, its timeout per comparison);
3. a time cap per problem (CLASS_BUDGET_S): once spent, the remaining forms are not compared and each
   keeps a class of its own.
A pair the checker cannot decide (timeout, unparsable, over the cap) is never merged: an answer left
alone for that reason is *undecided* (counted per problem, and as summary.json `rates.undecided_class`).

Every comparison result is remembered, undecided ones included (as undecided, never as a verdict): in
this process, and with the run in `answer_classes.json` (`ClassStore.open(directory)`), which also keeps
each problem's classes with the answers they were built from, so re-summarising or reporting a run
reuses them instead of comparing again; answers that changed (a re-grade) are classified afresh. The same
file keeps the grading comparisons (answer against key) the checker made, handed back to it before a
resumed run or a re-score grades (`lend_to_checker`).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluator._files import atomic_write
from evaluator.grading._exact_arith import rational_value

MAX_CLASSES = 64
"""Classes a new wrong answer is compared with; k=64 samples can have at most 64 distinct answers."""
CLASS_BUDGET_S = 20.0
"""Seconds of symbolic comparisons per problem; the rest of its answers stay undecided, in classes of their own."""
CLASSES_FILE = "answer_classes.json"
FILE_VERSION = 1

Compare = Callable[[str, str], "bool | None"]
"""Are two answers equal? True / False, or None when it could not be decided."""

_SPACING = re.compile(r"\s+|\\[,;:! ]|\\q?quad\b")
_SIZING = re.compile(r"\\(?:left|right|big|Big|bigg|Bigg)(?![A-Za-z])")
_FRAC = re.compile(r"\\[dt]frac(?![A-Za-z])")

_memo: dict[tuple[str, str], bool | None] = {}
_memo_lock = threading.Lock()


def canonical_form(answer: str) -> str:
    """A form equal answers often share, computed without the symbolic checker: `=p/q` for an exact
    rational value, else the text with spacing, `\\dfrac`/`\\tfrac` and sizing commands read alike."""
    value = rational_value(answer)
    if value is not None:
        return f"={value}"
    return _FRAC.sub(r"\\frac", _SIZING.sub("", _SPACING.sub("", answer)))


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)  # equality is symmetric: one entry per unordered pair


def symbolic_equal(a: str, b: str) -> bool | None:
    """The symbolic checker's answer for two answers (None: undecided), remembered in this process."""
    key = _pair(a, b)
    with _memo_lock:
        if key in _memo:
            return _memo[key]
    from evaluator.grading._symbolic_worker import default_checker

    result = default_checker().compare(a, b).equal
    with _memo_lock:
        _memo[key] = result
    return result


def clear_memo() -> None:
    """Forget the comparisons remembered in this process (benchmarks time cold comparisons)."""
    with _memo_lock:
        _memo.clear()


def equivalent(a: str, b: str) -> bool:
    """True when the two answers are the same canonical form or the symbolic checker proves them equal."""
    return a == b or canonical_form(a) == canonical_form(b) or symbolic_equal(a, b) is True


@dataclass(frozen=True, kw_only=True)
class Classes:
    """One problem's answers replaced by their class representative (None stays None), and how the
    classes were settled: `compared` symbolic comparisons, `undecided` distinct answers left in a class
    of their own because a comparison could not be decided or the time cap stopped them."""

    representatives: tuple[str | None, ...]
    undecided: frozenset[str] = frozenset()
    compared: int = 0
    capped: bool = False


def classify(
    answers: Sequence[str | None], correct: Sequence[bool], gold: str, *, compare: Compare = symbolic_equal,
    budget_s: float = CLASS_BUDGET_S, clock: Callable[[], float] = time.monotonic,
) -> Classes:
    """Classes of one problem's answers: `gold` for correct answers, else the first-seen wrong answer proved
    equal (same canonical form, or `compare` says True). See the module docstring for the bounds."""
    mapping: dict[str, str] = {}
    by_form: dict[str, str] = {}
    representatives: list[str] = []
    undecided: set[str] = set()
    compared, capped, start = 0, False, clock()
    for answer, ok in zip(answers, correct, strict=True):
        if answer is None or answer in mapping:
            continue
        if ok:
            mapping[answer] = gold
            continue
        form = canonical_form(answer)
        if form in by_form:
            mapping[answer] = by_form[form]
            continue
        match, unsure = None, False
        for representative in representatives[:MAX_CLASSES]:
            if clock() - start > budget_s:
                capped = unsure = True
                break
            compared += 1
            equal = compare(answer, representative)
            if equal is True:
                match = representative
                break
            unsure = unsure or equal is None
        if match is None:
            representatives.append(answer)
            if unsure:
                undecided.add(answer)
        by_form[form] = mapping[answer] = match or answer
    return Classes(representatives=tuple(None if a is None else mapping[a] for a in answers),
                   undecided=frozenset(undecided), compared=compared, capped=capped)


def answer_classes(answers: Sequence[str | None], correct: Sequence[bool], gold: str) -> tuple[str | None, ...]:
    """Each answer replaced by its class representative (`classify`, bounded, remembered in this process)."""
    return classify(answers, correct, gold).representatives


class ClassStore:
    """Classes of a run's problems, kept with the run in `answer_classes.json` together with every
    comparison result (undecided ones as null). `classes()` returns the stored classes when a problem's
    answers are the ones they were built from, else classifies them (through the stored comparisons
    first) and remembers the result; `save()` writes what changed, atomically."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self._problems: dict[str, dict[str, Any]] = {}
        self._pairs: dict[tuple[str, str], bool | None] = {}
        self._grading: dict[tuple[str, str], tuple[bool | None, str]] = {}  # (answer, gold) -> (equal, reason)
        self._dirty = False
        self.undecided: dict[str, int] = {}  # problem -> samples whose answer is undecided
        self.capped: set[str] = set()

    @classmethod
    def open(cls, directory: Path, *, read_only: bool = False) -> ClassStore:
        """The store of a run directory (an unreadable or foreign file counts as empty: it is rebuilt)."""
        store = cls(Path(directory) / CLASSES_FILE, read_only=read_only)
        try:
            data = json.loads(store.path.read_text(encoding="utf-8"))  # type: ignore[union-attr]
            if data.get("version") == FILE_VERSION:
                store._problems = {str(pid): entry for pid, entry in dict(data["problems"]).items()
                                   if isinstance(entry, dict)}
                store._pairs = {_pair(str(a), str(b)): (None if eq is None else bool(eq))
                                for a, b, eq in data["comparisons"]}
                store._grading = {(str(a), str(g)): (None if eq is None else bool(eq), str(reason))
                                  for a, g, eq, reason in data.get("grading", [])}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            pass
        return store

    def classes(self, problem_id: str, answers: Sequence[str | None], correct: Sequence[bool],
                gold: str) -> tuple[str | None, ...]:
        """The class representative of each answer of one problem (see the class docstring)."""
        built_from = {"answers": list(answers), "correct": [bool(c) for c in correct], "gold": gold}
        key = f"{problem_id}|{len(answers)}"  # a run summarised at two k (`--k` lowered) keeps both
        stored = self._problems.get(key)
        if (stored is not None and all(stored.get(key) == value for key, value in built_from.items())
                and isinstance(stored.get("representatives"), list) and len(stored["representatives"]) == len(answers)):
            representatives = tuple(stored["representatives"])
            undecided = set(stored.get("undecided") or ())
            capped = bool(stored.get("capped"))
        else:
            result = classify(answers, correct, gold, compare=self._compare)
            representatives, undecided, capped = result.representatives, set(result.undecided), result.capped
            # a problem without answers has nothing to keep (a failed start must leave its run folder empty)
            if any(a is not None for a in answers):
                self._problems[key] = {**built_from, "representatives": list(representatives),
                                       "undecided": sorted(undecided), "capped": capped}
                self._dirty = True
                self.save()  # per problem: a run stopped halfway keeps the comparisons already paid for
        self.undecided[problem_id] = sum(1 for a in answers if a is not None and a in undecided)
        if capped:
            self.capped.add(problem_id)
        return representatives

    def _compare(self, a: str, b: str) -> bool | None:
        key = _pair(a, b)
        if key not in self._pairs:
            self._pairs[key] = symbolic_equal(a, b)
            self._dirty = True
        return self._pairs[key]

    def lend_to_checker(self) -> None:
        """Give the process's symbolic checker the grading comparisons kept with the run (answer against
        key, undecided ones included), so re-grading pays for none of them again."""
        from evaluator.grading._symbolic_worker import SymbolicResult, default_checker

        default_checker().remember({key: SymbolicResult(eq, reason)  # type: ignore[arg-type]
                                    for key, (eq, reason) in self._grading.items()})

    def keep_checker_results(self) -> None:
        """Keep with the run what the process's symbolic checker remembers (written by `save`)."""
        from evaluator.grading._symbolic_worker import existing_checker

        checker = existing_checker()
        if checker is None:  # no symbolic comparison in this process: nothing new
            return
        for key, result in checker.remembered().items():
            if result.reason != "worker_error" and self._grading.get(key) != (result.equal, result.reason):
                self._grading[key] = (result.equal, result.reason)
                self._dirty = True

    def save(self) -> None:
        """Write the file if anything changed (temp file + rename: a crash leaves the old file whole)."""
        if self.path is None or self.read_only or not self._dirty:
            return
        data = {"version": FILE_VERSION, "problems": self._problems,
                "comparisons": [[a, b, eq] for (a, b), eq in self._pairs.items()],
                "grading": [[a, g, eq, reason] for (a, g), (eq, reason) in self._grading.items()]}
        atomic_write(self.path, json.dumps(data, ensure_ascii=False))  # never through a link planted in a run
        self._dirty = False
