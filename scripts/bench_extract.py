"""Accuracy and speed of our grader vs Math-Verify vs a naive last-`\\boxed` baseline, in one run.

Groups (each item: a response, its gold, the verdict a careful grader gives, a finish_reason or None):
- int-cases: the labelled Case tables of tests/grading/ with an integer verdict (no-answer cases are
  graded against the tempting number in their text, out-of-range ones against another gold);
- nonint-cases: tests/grading/test_non_integer_golds.py (fractions, decimals, radicals, tuples, lists,
  sets, intervals, equations) and the graded tables of test_stated_whole_expression.py and
  test_hedges_and_negations.py;
- unboxed-int / unboxed-nonint: keys stated without a box, the ways models write them ("the answer is $K$",
  "**Final answer:** $K$", a display-math last line, a bare last line, "Therefore, $x = K$", plain "the
  answer is K"): every hmmt_feb_2025 key (../shared; its integer keys of any size go to unboxed-int) and
  every 20th AIME integer key, each as written (credit), as an equivalent rewrite (credit), as a wrong
  variant (no credit) and hedged ("K or W", "not K": no credit);
- real: the 180 Sky-T1 responses in ../shared (finish_reason unknown; verdicts: the reported ones);
- long-int / long-nonint: ~100k-character responses, a third each finished with a box, cut off inside
  the thinking (`length`), and looping with finish_reason unknown (the gold appears in the loop; the
  right verdict is "no answer");
- flat: looping text of 10k and 1M characters (ours and naive only), to show time is flat in length.
Usage: python scripts/bench_extract.py [--long 24] [--repeat 3]
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evaluator.grading._symbolic_worker import default_checker  # noqa: E402
from evaluator.grading.extract import THINK_END  # noqa: E402
from evaluator.grading.grade import gold_integer, grade_response  # noqa: E402
from evaluator.grading.normalise import integer_value  # noqa: E402
from tests.support.case_corpus import THINK_FILLER  # noqa: E402

CASE_MODULES = (
    "test_extract_boxed", "test_extract_final_statements", "test_extract_think", "test_extract_weak",
    "test_extract_range_ambiguous", "test_number_forms", "test_integer_expressions", "test_free_form_endings",
    "test_unknown_finish_reason", "test_bounded_work", "test_hedges_and_negations",
)  # fmt: skip
UNBOXED_FORMS = (
    "Therefore, the answer is ${k}$.", "**Final answer:** ${k}$", "Putting everything together, we obtain\n\\[\n{k}\n\\]",
    "So the final value is:\n\n{k}", "Therefore, $x = {k}$.", "Combining the cases, the answer is {k}.",
)  # fmt: skip
HEDGED_FORMS = ("So the answer is ${k}$ or ${k}+1$.", "After checking every case, the answer is not ${k}$.")
NAIVE_BOX = re.compile(r"\\boxed\{([^{}]*)\}")
LOOP = "Wait, let me recompute: 9/s + t/60 = 4 gives s = 2.5, so is it {gold}? Hmm, let me check again.\n"


@dataclass(frozen=True)
class Item:
    """One response to grade, its gold, and the verdict a careful grader gives."""

    text: str
    gold: int | str
    expected: bool
    finish_reason: str | None = None


def int_case_items() -> list[Item]:
    """Labelled extraction cases with an integer verdict."""
    items = []
    for name in CASE_MODULES:
        for case in importlib.import_module(f"tests.grading.{name}").CASES:
            value = integer_value(case.answer)
            if value is not None and case.status != "out_of_range":
                items.append(Item(case.text, value, True, case.finish_reason))
            elif value is not None:
                items.append(Item(case.text, abs(value) % 1000 + 1, False, case.finish_reason))
            elif case.answer is None and case.tempting is not None:
                items.append(Item(case.text, int(case.tempting), False, case.finish_reason))
    return items


def nonint_case_items() -> list[Item]:
    cases = importlib.import_module("tests.grading.test_non_integer_golds").CASES
    items = [Item(c.text, c.gold, c.correct, c.finish_reason) for c in cases]
    return items + [item for item in stated_items() if gold_integer(item.gold) is None]


def stated_items() -> list[Item]:
    """The graded tables of the whole-expression and hedge test modules (non-integer and integer keys)."""
    items = []
    for name in ("test_stated_whole_expression", "test_hedges_and_negations"):
        for case in importlib.import_module(f"tests.grading.{name}").GRADES:
            items.append(Item(case.text, case.gold, case.correct, "stop"))
    return items


def unboxed_items(integer: bool) -> list[Item]:
    """Keys stated without a box in the forms above: as written, rewritten, wrong, hedged."""
    from tests.grading.test_stated_keys_property import AIME_KEYS, HMMT_KEYS, rewrite, wrong

    keys: list[int | str] = [k for k in HMMT_KEYS if (gold_integer(k) is not None) == integer]
    if integer:
        keys += AIME_KEYS[::20]
    items = []
    for key in keys:
        text = str(key)
        value = gold_integer(key)
        variants = [(text, True), (rewrite(text) if value is None else f"\\frac{{{2 * value}}}{{2}}", True),
                    (wrong(text), False)]
        for form in UNBOXED_FORMS:
            for stated, credited in variants:
                items.append(Item("Checking the boundary cases confirms it.\n\n" + form.format(k=stated), key,
                                  credited, "stop"))
        items += [Item(form.format(k=text), key, False, "stop") for form in HEDGED_FORMS]
    return items


def real_items() -> list[Item]:
    """The 180 real responses with the reported verdicts, if ../shared is present."""
    shared = REPO.parent / "shared"
    data, gens = shared / "data" / "aime_2024.jsonl", shared / "generations" / "skythought_sky-t1-32b-ablations.jsonl"
    if not (data.exists() and gens.exists()):
        return []
    golds = {json.loads(line)["id"]: json.loads(line)["answer"] for line in data.read_text().splitlines()}
    rows = [json.loads(line) for line in gens.read_text().splitlines()]
    return [Item(r["response"], golds[r["problem_id"]], r["reported_correct"]) for r in rows]


def long_items(n: int, integer: bool, chars: int = 100_000) -> list[Item]:
    """~`chars`-character responses: finished with a box, cut off in thinking, looping with no finish reason."""
    items = []
    for i in range(n):
        gold: int | str = (i * 37 + 11) % 1000 if integer else rf"\frac{{{2 * i + 3}}}{{{i + 7}}}"
        shown = str(gold)
        thinking = (THINK_FILLER * (chars // len(THINK_FILLER) + 1))[:chars]
        kind = i % 3
        if kind == 0:
            text = "<think>\n" + thinking + r"</think>" + f"\n\nSo the answer is $\\boxed{{{shown}}}$."
            items.append(Item(text, gold, True, "stop"))
        elif kind == 1:
            text = "<think>\n" + thinking + rf"so maybe \boxed{{{shown}}} but wait, let me re"
            items.append(Item(text, gold, False, "length"))
        else:
            loop = LOOP.format(gold=shown)
            items.append(Item((loop * (chars // len(loop) + 1))[:chars], gold, False, None))
    return items


def ours(item: Item) -> bool:
    return grade_response(item.text, item.gold, item.finish_reason).correct


def naive(item: Item) -> bool:
    boxes = NAIVE_BOX.findall(item.text)
    if not boxes:
        return False
    gold = gold_integer(item.gold)
    return boxes[-1].strip() == (str(gold) if gold is not None else str(item.gold))


def make_math_verify() -> Callable[[Item], bool]:
    import logging

    from math_verify import parse, verify

    logging.getLogger("math_verify").setLevel(logging.CRITICAL)  # it logs whole responses on parse timeouts

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
        default_checker().clear_cache()  # time cold symbolic comparisons, not our cache
        began = time.perf_counter()
        for item in items:
            grader(item)
        timings.append((time.perf_counter() - began) / len(items))
    return correct / len(items), min(timings)


def flat_figure(repeat: int) -> None:
    """Time per response for looping text of 10k, 100k and 1M characters (finish_reason unknown and
    length), split into the C-level scan for the end-of-thinking markers (linear by design: whether
    thinking ever finished needs the whole text) and everything else (bounded)."""
    print("\ntime per response vs length (looping text, no think markers; best of repeat)")
    for finish in (None, "length"):
        rest = []
        for size in (10_000, 100_000, 1_000_000):
            loop = LOOP.format(gold=204)
            item = Item((loop * (size // len(loop) + 1))[:size], 204, False, finish)
            total = min(_time_n(lambda item=item: ours(item), 20) for _ in range(repeat))
            scan = min(_time_n(lambda text=item.text: [text.rfind(m) for m in THINK_END], 20) for _ in range(repeat))
            rest.append(max(total - scan, 1e-9))
            print(f"  finish_reason={finish!s:<7} {size:>9,} chars: ours {total * 1e6:8.1f} µs, of which "
                  f"end-marker scan {scan * 1e6:7.1f} µs, rest {(total - scan) * 1e6:7.1f} µs")
        print(f"  finish_reason={finish!s:<7} rest at 1M / rest at 10k: {rest[2] / rest[0]:.1f}x (length grew 100x)")


def _time_n(call: Callable[[], object], n: int) -> float:
    began = time.perf_counter()
    for _ in range(n):
        call()
    return (time.perf_counter() - began) / n


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--long", type=int, default=24, help="number of ~100k-character responses per gold type")
    parser.add_argument("--repeat", type=int, default=3, help="timing repetitions (best is kept)")
    args = parser.parse_args()
    groups = {
        "int-cases": int_case_items(),
        "nonint-cases": nonint_case_items(),
        "unboxed-int": unboxed_items(True),
        "unboxed-nonint": unboxed_items(False),
        "real": real_items(),
        "long-int": long_items(args.long, True),
        "long-nonint": long_items(args.long, False),
    }
    graders = {"ours": ours, "math-verify": make_math_verify(), "naive last box": naive}
    ours(Item(r"\boxed{\frac{1}{\sqrt2}}", r"\frac{\sqrt{2}}{2}", True))  # start our worker outside the timing
    print(f"{'group':<13} {'n':>5} {'grader':<15} {'accuracy':>9} {'ms/response':>12} {'responses/s':>12}")
    results: dict[tuple[str, str], tuple[float, float]] = {}
    for group, items in groups.items():
        if not items:
            continue
        for name, grader in graders.items():
            acc, sec = run(grader, items, args.repeat)
            results[group, name] = (acc, sec)
            print(f"{group:<13} {len(items):>5} {name:<15} {acc:>9.3f} {sec * 1e3:>12.3f} {1 / sec:>12.0f}")
    print()
    for group in groups:
        if (group, "ours") in results:
            mv, us = results[group, "math-verify"][1], results[group, "ours"][1]
            print(f"throughput ours / math-verify on {group}: {mv / us:.1f}x")
    flat_figure(args.repeat)


if __name__ == "__main__":
    main()
