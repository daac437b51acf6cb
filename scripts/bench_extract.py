"""Accuracy and speed of our grader vs Math-Verify vs a naive last-`\\boxed` baseline, in one run.

Corpus: the labelled extraction cases of tests/metrics/test_extract_*.py with an integer verdict, the 180
real Sky-T1 responses in ../shared (verdicts: the reported ones, which a careful grader confirms,
see docs/grading.md), and synthetic ~30k-token R1-style responses (finished and truncated).
Usage: python scripts/bench_extract.py [--synthetic 40] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evaluator.grading.grade import grade_response  # noqa: E402
from evaluator.grading.normalise import integer_value  # noqa: E402
from tests.support.case_corpus import THINK_FILLER, long_r1  # noqa: E402

CASE_MODULES = ("boxed", "final_statements", "think", "weak", "range_ambiguous")
NAIVE_BOX = re.compile(r"\\boxed\{([^{}]*)\}")


@dataclass(frozen=True)
class Item:
    """One response to grade, its integer gold, and the verdict a careful grader gives."""

    group: str
    text: str
    gold: int
    expected: bool
    finish_reason: str | None = None


def case_items() -> list[Item]:
    """Labelled test cases that have an integer verdict (non-integer answers are out of scope here)."""
    items = []
    for name in CASE_MODULES:
        for case in importlib.import_module(f"tests.test_extract_{name}").CASES:
            value = integer_value(case.answer)
            if value is not None and case.status != "out_of_range":
                items.append(Item("cases", case.text, value, True, case.finish_reason))
            elif value is not None:
                items.append(Item("cases", case.text, abs(value) % 1000, False, case.finish_reason))
            elif case.answer is None and case.tempting is not None:
                items.append(Item("cases", case.text, int(case.tempting), False, case.finish_reason))
    return items


def real_items() -> list[Item]:
    """The 180 real responses with the reported verdicts, if ../shared is present."""
    shared = REPO.parent / "shared"
    data, gens = shared / "data" / "aime_2024.jsonl", shared / "generations" / "skythought_sky-t1-32b-ablations.jsonl"
    if not (data.exists() and gens.exists()):
        return []
    golds = {json.loads(line)["id"]: json.loads(line)["answer"] for line in data.read_text().splitlines()}
    rows = [json.loads(line) for line in gens.read_text().splitlines()]
    return [Item("real", r["response"], golds[r["problem_id"]], r["reported_correct"]) for r in rows]


def synthetic_items(n: int) -> list[Item]:
    """~30k-token responses: half finished with a boxed answer, half cut off mid-thought (tempting box)."""
    items = []
    for i in range(n):
        answer = (i * 37 + 11) % 1000
        if i % 2 == 0:
            items.append(Item("synthetic", long_r1(str(answer)), answer, True, "stop"))
        else:
            cut = "<think>\n" + THINK_FILLER * 850 + rf"so maybe \boxed{{{answer}}} but wait, let me re"
            items.append(Item("synthetic", cut, answer, False, "length"))
    return items


def ours(item: Item) -> bool:
    return grade_response(item.text, item.gold, item.finish_reason).correct


def naive(item: Item) -> bool:
    boxes = NAIVE_BOX.findall(item.text)
    return bool(boxes) and boxes[-1].strip() == str(item.gold)


def make_math_verify() -> Callable[[Item], bool]:
    from math_verify import parse, verify

    def math_verify(item: Item) -> bool:
        try:
            return bool(verify(parse(f"${item.gold}$"), parse(item.text)))
        except Exception:
            return False

    return math_verify


def run(grader: Callable[[Item], bool], items: list[Item], repeat: int) -> tuple[float, float]:
    """(accuracy against the expected verdicts, best-of-`repeat` mean seconds per response)."""
    correct = sum(grader(item) == item.expected for item in items)
    timings = []
    for _ in range(repeat):
        began = time.perf_counter()
        for item in items:
            grader(item)
        timings.append((time.perf_counter() - began) / len(items))
    return correct / len(items), min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, default=40, help="number of ~30k-token responses")
    parser.add_argument("--repeat", type=int, default=3, help="timing repetitions (best is kept)")
    args = parser.parse_args()
    groups = {"cases": case_items(), "real": real_items(), "synthetic": synthetic_items(args.synthetic)}
    groups["all"] = [item for group in ("cases", "real", "synthetic") for item in groups[group]]
    graders = {"ours": ours, "math-verify": make_math_verify(), "naive last box": naive}
    print(f"{'group':<10} {'n':>5} {'grader':<15} {'accuracy':>9} {'ms/response':>12} {'responses/s':>12}")
    results: dict[tuple[str, str], tuple[float, float]] = {}
    for group, items in groups.items():
        if not items:
            continue
        for name, grader in graders.items():
            acc, sec = run(grader, items, args.repeat)
            results[group, name] = (acc, sec)
            print(f"{group:<10} {len(items):>5} {name:<15} {acc:>9.3f} {sec * 1e3:>12.3f} {1 / sec:>12.0f}")
    print()
    for group in groups:
        if (group, "ours") in results:
            mv, us = results[group, "math-verify"][1], results[group, "ours"][1]
            print(f"throughput ours / math-verify on {group}: {mv / us:.1f}x")
    ratios = [results[g, "math-verify"][1] / results[g, "ours"][1] for g in groups if (g, "ours") in results]
    print(f"median ratio over groups: {statistics.median(ratios):.1f}x")


if __name__ == "__main__":
    main()
