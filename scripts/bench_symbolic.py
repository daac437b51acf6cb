"""Symbolic work of one run of hostile LaTeX answers: grading, cons@k classes, and a report, before and after.

The answers a model gives when it goes astray on a LaTeX key: factorials of power towers
(`(n^{n^{n^{n}}})!`, `(n^{n^{n}})!`) and bare towers (`9^{9^{9^{9}}}`, `9^{9^{9}}`), each a few seconds for
sympy or a timeout plus a worker restart, mixed
with repeats, rewrites of one wrong value (`\\dfrac{9}{23}` for `\\frac{9}{23}`) and right answers. One problem,
k samples (seeded).

- baseline (before): the previous cons@k rule in this file, `baseline_classes`: every new wrong answer compared
  pairwise with every class so far by the symbolic checker, decided results remembered in this process only,
  timeouts never (so asked again), nothing kept with the run: a report rebuilt the classes from scratch;
- ours (after): `grading.equivalence.ClassStore`: canonical forms first, one comparison per representative,
  a time cap per problem, every result (timeouts too, as undecided) kept with the run in answer_classes.json,
  which the report reads back.
Both run the same grading pass first (each sample against the key, through the same worker). The baseline
is run at --baseline-k (it grows with k^2; at k=64 it takes hours) and its k=64 cost is projected from
the pairs it needs and its measured seconds per pair, labelled as a projection.

Usage: python scripts/bench_symbolic.py [--k 64] [--baseline-k 8] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evaluator.grading._symbolic_worker import (  # noqa: E402
    MAX_SYMBOLIC_CHARS,
    SymbolicChecker,
    SymbolicResult,
    default_checker,
)
from evaluator.grading.equivalence import CLASSES_FILE, ClassStore, clear_memo  # noqa: E402
from evaluator.grading.grade import grade_response  # noqa: E402
from evaluator.metrics.summary import problem_table, summarize_run  # noqa: E402
from evaluator.types import Problem  # noqa: E402

GOLD = "\\frac{9\\sqrt{23}}{23}"
PROBLEM = Problem("hostile", "Find the ratio.", GOLD)
LETTERS = "nmkpqrstuvwxyzabcdefghij"
RIGHT = ("\\frac{9}{\\sqrt{23}}", "\\frac{9\\sqrt{23}}{23}", "\\dfrac{9\\sqrt{23}}{23}")


def hostile_answers(k: int, seed: int) -> list[str]:
    """k answers: 60% hostile (drawn with repeats from k/2 distinct forms), 20% spellings of one wrong value,
    20% spellings of the key."""
    rng = random.Random(seed)
    forms = []
    for i, letter in enumerate(LETTERS):  # towers four high (refused at once) and three high (seconds each)
        forms.append(f"({letter}^{{{letter}^{{{letter}^{{{letter}}}}}}})!")
        forms.append(f"{i + 2}^{{{i + 2}^{{{i + 2}^{{{i + 2}}}}}}}")
        forms.append(f"({letter}^{{{letter}^{{{letter}}}}})!")
        forms.append(f"{i + 3}^{{{i + 3}^{{{i + 3}}}}}")
    rewrites = ["\\frac{9}{23}", "\\dfrac{9}{23}", "9/23", "\\frac{9}{ 23}"]
    pool = rng.sample(forms, min(len(forms), max(4, k // 2)))  # distinct hostile forms; drawn with repeats
    answers = []
    for _ in range(k):
        roll = rng.random()
        answers.append(rng.choice(pool) if roll < 0.6 else rng.choice(rewrites) if roll < 0.8 else rng.choice(RIGHT))
    return answers


class BaselineChecker(SymbolicChecker):
    """The checker as it was: no tower screen, decided pairs remembered, undecided ones (timeouts) asked
    again every time."""

    def compare(self, answer: str, gold: str) -> SymbolicResult:
        if len(answer) > MAX_SYMBOLIC_CHARS or len(gold) > MAX_SYMBOLIC_CHARS:
            return SymbolicResult(None, "too_long")
        with self._cache_lock:
            cached = self._cache.get((answer, gold))
        if cached is not None:
            return cached
        result = self._compare(answer, gold)
        if result.equal is not None:
            with self._cache_lock:
                self._cache[answer, gold] = result
        return result


def records_of(answers: Sequence[str], checker: SymbolicChecker) -> tuple[list[dict], float]:
    """The graded sample lines (the real grader, through `checker`) and the seconds grading took."""
    began = time.perf_counter()
    records = []
    for i, answer in enumerate(answers):
        grade = grade_response(f"<think>...</think>\nThe ratio is $\\boxed{{{answer}}}$.", GOLD, "stop", checker)
        records.append({"problem_id": PROBLEM.id, "sample": i, "extracted": grade.extracted, "status": grade.status,
                        "correct": grade.correct, "finish_reason": "stop"})
    return records, time.perf_counter() - began


class BaselineCompare:
    """The previous comparison policy: decided pairs remembered in this process, timeouts asked again."""

    def __init__(self, checker: BaselineChecker) -> None:
        self.checker = checker
        self.decided: dict[tuple[str, str], bool] = {}
        self.calls = 0

    def __call__(self, a: str, b: str) -> bool:
        if a == b:
            return True
        if (a, b) not in self.decided:
            self.calls += 1
            result = self.checker.compare(a, b).equal
            if result is None:
                return False
            self.decided[a, b] = result
        return self.decided[a, b]


def baseline_classes(answers: Sequence[str | None], correct: Sequence[bool], compare: BaselineCompare,
                     max_classes: int = 64) -> tuple[str | None, ...]:
    """The previous rule: first-seen wrong answers are representatives; each new one compared with all."""
    mapping: dict[str, str] = {}
    representatives: list[str] = []
    for answer, ok in zip(answers, correct, strict=True):
        if answer is None or answer in mapping:
            continue
        if ok:
            mapping[answer] = GOLD
            continue
        match = next((r for r in representatives[:max_classes] if compare(answer, r)), None)
        if match is None:
            representatives.append(answer)
        mapping[answer] = match or answer
    return tuple(None if a is None else mapping[a] for a in answers)


def run_baseline(k: int, seed: int) -> dict[str, float]:
    checker = BaselineChecker()
    try:
        checker.compare("1", "2")  # start its worker outside the timed part
        records, grading_s = records_of(hostile_answers(k, seed), checker)
        answers = tuple(r["extracted"] for r in records)
        correct = tuple(r["correct"] for r in records)
        compare = BaselineCompare(checker)
        began = time.perf_counter()
        baseline_classes(answers, correct, compare)
        summary_s, pairs = time.perf_counter() - began, compare.calls
        compare.decided.clear()  # the report was another process: nothing remembered
        checker.clear_cache()
        began = time.perf_counter()
        baseline_classes(answers, correct, compare)
        report_s = time.perf_counter() - began
    finally:
        checker.close()
    return {"grading_s": grading_s, "summary_s": summary_s, "report_s": report_s, "pairs": pairs,
            "per_pair_s": summary_s / max(1, pairs)}


def run_ours(k: int, seed: int) -> dict[str, float]:
    default_checker().clear_cache()  # cold: nothing remembered from an earlier measurement
    clear_memo()
    records, grading_s = records_of(hostile_answers(k, seed), default_checker())
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        store = ClassStore.open(directory)
        began = time.perf_counter()
        summary = summarize_run(records, [PROBLEM], k, classes=store)
        summary_s = time.perf_counter() - began
        again = ClassStore.open(directory)  # a second `evaluate` / `score` of the same run
        began = time.perf_counter()
        summarize_run(records, [PROBLEM], k, classes=again)
        rescore_s = time.perf_counter() - began
        began = time.perf_counter()  # what `evaluate report` does: RunView.table
        problem_table(records, [PROBLEM], k, ClassStore.open(directory, read_only=True))
        report_s = time.perf_counter() - began
        size = (directory / CLASSES_FILE).stat().st_size
    return {"grading_s": grading_s, "summary_s": summary_s, "rescore_s": rescore_s, "report_s": report_s,
            "undecided_share": summary["rates"]["undecided_class"] or 0.0,
            "capped": float(PROBLEM.id in store.capped), "file_bytes": size,
            "cons": summary["metrics"]["cons"] if summary["metrics"] else float("nan")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--k", type=int, default=64)
    parser.add_argument("--baseline-k", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    default_checker().compare("1", "2")  # start the worker (sympy import) outside every timed part

    ours_by_k = {}
    for k in sorted({args.baseline_k, args.k}):
        ours = ours_by_k[k] = run_ours(k, args.seed)
        print(f"ours      k={k:<3} grading {ours['grading_s']:6.1f} s | classes {ours['summary_s']:6.1f} s "
              f"(capped: {bool(ours['capped'])}, undecided {100 * ours['undecided_share']:.0f}% of samples) | "
              f"re-score {ours['rescore_s']:.3f} s | report {ours['report_s']:.3f} s | "
              f"answer_classes.json {ours['file_bytes'] / 1024:.1f} KiB", flush=True)
    base = run_baseline(args.baseline_k, args.seed)
    print(f"baseline  k={args.baseline_k:<3} grading {base['grading_s']:6.1f} s | classes {base['summary_s']:6.1f} s "
          f"({base['pairs']:.0f} pairs, {base['per_pair_s']:.2f} s each) | report {base['report_s']:6.1f} s", flush=True)
    same = ours_by_k[args.baseline_k]
    total_base = base["grading_s"] + base["summary_s"]
    total_ours = same["grading_s"] + same["summary_s"]
    print(f"k={args.baseline_k}: run (grading + classes) baseline / ours = {total_base:.1f} s / {total_ours:.1f} s = "
          f"{total_base / max(total_ours, 1e-9):.0f}x; report {base['report_s']:.1f} s / {same['report_s']:.3f} s")
    distinct = len(set(hostile_answers(args.k, args.seed)) - set(RIGHT))  # distinct wrong answers
    pairs = distinct * (distinct - 1) / 2
    print(f"baseline  k={args.k:<3} projected: {distinct} distinct wrong answers, up to {pairs:.0f} pairs x "
          f"{base['per_pair_s']:.2f} s = {pairs * base['per_pair_s'] / 60:.0f} min for the classes, again at every "
          "report (projection, not run)")

if __name__ == "__main__":
    main()
