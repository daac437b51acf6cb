"""Check rows against the registry and build the `Benchmark`: duplicate, unknown and missing ids are
errors; every key must agree with the official one (in any equivalent spelling); known defects of
popular copies are warnings. A problem that circulates in two wordings with different keys (2026-II-10)
is graded against the key of the wording that was loaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from evaluator.benchmarks.benchmark import Benchmark, content_hash
from evaluator.benchmarks.registry import Key, RegistryEntry, RegistrySet, id_sort_key
from evaluator.benchmarks.rows import Row
from evaluator.errors import DatasetError
from evaluator.grading._exact_arith import rational_value
from evaluator.types import Problem

# Known defects of popular copies (docs/provenance.md): id, test on the text, warning.
_TEXT_DEFECTS: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    (
        "2024-II-8",
        lambda text: text.count("outside") >= 2 and "inside" not in text,
        "2024-II-8 has the AI-MO typo (both cases 'outside'): the problem is ill-posed as written; "
        "the official text says 'inside ... internally tangent' for r_i",
    ),
    (
        "2026-I-10",
        lambda text: "perpendicular $\\overline{BC}" in text or "${}\\overline{AC}$" in text,
        "2026-I-10 has the math-ai/aime26 transcription slip ('AC is perpendicular BC'; official: "
        "A'C' is perpendicular to BC); the answer (156) is unaffected",
    ),
    (
        "2026-I-13",
        lambda text: "502n+r" in text.replace(" ", "") or "positive integer $r$" in text,
        "2026-I-13 has the math-ai/aime26 transcription slips ('positive integer r', sum index m with term "
        "502n+r; official: nonnegative r, 502m+r); the answer (39) is unaffected",
    ),
)


def build(name: str, rows: list[Row], origin: str, registry: RegistrySet | None, strict_set: bool) -> Benchmark:
    if not rows:
        raise DatasetError(f"{origin}: the dataset is empty")
    warnings: list[str] = []
    seen: dict[str, str] = {}
    for row in rows:
        if row.id in seen:
            raise DatasetError(f"{row.where}: duplicate id {row.id!r} (first at {seen[row.id]})")
        seen[row.id] = row.where
    known = registry.by_id() if registry else {}
    missing = [e.id for e in registry.entries if e.id not in seen] if registry else []
    if missing and registry and not strict_set:
        warnings.append(f"{origin}: has {len(seen)} of the {len(known)} problems of {registry.name} "
                        f"(missing: {', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}); "
                        "the metrics cover only the problems in the file")
    if strict_set and registry:
        unknown = [r for r in rows if r.id not in known]
        if unknown:
            raise DatasetError(f"{unknown[0].where}: id {unknown[0].id!r} is not in {registry.name}")
        if missing:
            raise DatasetError(f"{origin}: {len(missing)} problem(s) of {registry.name} missing: {', '.join(missing[:5])}")
    problems = []
    for row in rows:
        entry = known.get(row.id)
        aime = _looks_aime(row.id) or (entry is not None and isinstance(entry.answer, int) and registry is not None
                                       and registry.answer_type == "integer")
        answer = _answer(row.answer, row.where, aime=aime)
        accepted = tuple(_answer(a, row.where, aime=isinstance(answer, int)) for a in row.accepted)
        if entry is not None and entry.answer is not None:
            key, key_accepted, note = _key_for_text(entry, row)
            if not any(same_key(answer, k) for k in (key, *key_accepted)):
                raise DatasetError(f"{row.where}: answer {row.answer!r} for {row.id} disagrees with the official "
                                   f"answer {key} (registry {registry.name if registry else ''}); fix the file")
            answer, accepted = key, key_accepted
            if note:
                warnings.append(f"{origin}: {note}")
        problems.append(Problem(row.id, row.problem, answer, accepted, origin))
        warnings += [f"{row.where}: answer {a!r} is neither a number nor LaTeX math; check the answer key "
                     "(it is compared as written)" for a in (answer, *accepted) if _odd_answer(a)]
        for defect_id, test, message in _TEXT_DEFECTS:
            if row.id == defect_id and test(row.problem):
                warnings.append(f"{origin}: {message}")
    ids = [p.id for p in problems]
    official = sorted(ids, key=id_sort_key)
    if registry and ids != official and ids == sorted(ids):
        warnings.append(f"{origin}: rows are in lexicographic (URL-sorted) order, not official order; "
                        "mapped by id, not by position")
    if registry:
        problems.sort(key=lambda p: id_sort_key(p.id))
    contests = ((name, tuple(p.id for p in problems)),)
    return Benchmark(name, tuple(problems), origin, content_hash(problems), tuple(warnings), contests)


def _key_for_text(entry: RegistryEntry, row: Row) -> tuple[Key, tuple[Key, ...], str]:
    """(key, accepted, warning) for the wording actually loaded: a problem with circulating wordings is
    graded against the key of the one whose marker phrase its text contains. Only a wording other than
    the registry's own is worth a warning (it fails the run's dataset check): the official text is the
    expected case, and warning about it would fail every run on it."""
    if not entry.wordings:
        return entry.answer if entry.answer is not None else "", entry.accepted, ""
    text = " ".join(row.problem.split())
    for wording in entry.wordings:
        if wording.marker in text and wording.answer == entry.answer:
            return wording.answer, (), ""  # the wording the registry's key belongs to: nothing to say
        if wording.marker in text:
            others = ", ".join(f"{w.answer} for '{w.marker}...'" for w in entry.wordings if w is not wording)
            return wording.answer, (), (f"{row.id} is the {wording.label} ('{wording.marker}...'): graded against "
                                        f"key {wording.answer} (the other wording in circulation: {others})")
    for wording in entry.wordings:  # unknown wording: trust the file's own key only if it is one of ours
        if same_key(_answer(row.answer, row.where, aime=False), wording.answer):
            return wording.answer, (), (f"{row.id}: wording not recognised; graded against the file's key "
                                        f"{wording.answer} ({wording.label}); check the text")
    keys = " or ".join(f"{w.answer} ({w.label})" for w in entry.wordings)
    raise DatasetError(f"{row.where}: {row.id} has neither known wording and its answer {row.answer!r} is not "
                       f"{keys}; fix the file")


# Spellings of one LaTeX key that copies of a set use interchangeably: (pattern, replacement), applied
# in order before two keys are compared as text.
_KEY_SPELLINGS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\\[,;:! ]"), ""),  # thin, negative and forced spaces
    (re.compile(r"\s+"), ""),  # spaces carry no meaning in a key
    (re.compile(r"\\[dt]frac"), r"\\frac"),  # display and text fractions are fractions
    (re.compile(r"\\(?:left|right)(?![A-Za-z])"), ""),  # sizing of brackets
    (re.compile(r"^\$+|\$+$"), ""),  # inline math delimiters around the whole key
    (re.compile(r"^\\boxed\{(.*)\}$"), r"\1"),  # a key written as the boxed answer
    (re.compile(r"\^\{?\\circ\}?$"), ""),  # degrees after an angle
    (re.compile(r"\.$"), ""),  # a full stop after the key
)


def _spelled(key: str) -> str:
    for pattern, replacement in _KEY_SPELLINGS:
        key = pattern.sub(replacement, key)
    return key


def same_key(value: Key, key: Key) -> bool:
    """Equal keys: integers as integers; LaTeX keys equal once spelled alike (`\\dfrac{1}{576}` is
    `\\frac{1}{576}`, spaces ignored), or when both are arithmetic with the same exact value (`1/576`).
    A copy of a set is judged by what its keys mean, not by how it typesets them."""
    if isinstance(key, int) and isinstance(value, int):
        return value == key
    a, b = _spelled(str(value)), _spelled(str(key))
    if a == b:
        return True
    exact = rational_value(a), rational_value(b)
    return exact[0] is not None and exact[0] == exact[1]


_WORD = re.compile(r"[A-Za-z]{2,}")


def _odd_answer(answer: int | str) -> bool:
    """A string answer that looks like a typo rather than math: unbalanced braces, or a word of two or
    more letters with no digit and no LaTeX command (`abc`, `yes`); `x`, `\\pi`, `2^{25}` are fine."""
    if not isinstance(answer, str):
        return False
    if answer.count("{") != answer.count("}"):
        return True
    return "\\" not in answer and not any(c.isdigit() for c in answer) and bool(_WORD.search(answer))


def _looks_aime(problem_id: str) -> bool:
    return id_sort_key(problem_id)[0] < 10**6


def _answer(value: Any, where: str, aime: bool) -> int | str:
    """An integer (leading zeros dropped) where the value is one; AIME answers must be integers 0-999."""
    text = str(value).strip()
    if isinstance(value, bool):
        text = ""
    if isinstance(value, int) or re.fullmatch(r"[+-]?\d+", text):
        number = int(text)
        if aime and not 0 <= number <= 999:
            raise DatasetError(f"{where}: AIME answer {value!r} is outside 0-999")
        return number
    if isinstance(value, float) and value.is_integer():
        return _answer(int(value), where, aime)
    if aime:
        raise DatasetError(f"{where}: AIME answer {value!r} is not an integer")
    if not text:
        raise DatasetError(f"{where}: empty answer")
    return text


