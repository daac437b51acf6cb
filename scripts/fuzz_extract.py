"""Fuzz the extractor and grader: N seeded inputs, counts crashes, reports worst-case time per input.

Inputs are mutations of realistic responses (the labelled test cases, R1 and Sky-T1 shapes),
LaTeX/marker brace soup, random unicode, and every `--big-every`-th input a ~1 MB one. Input i
is generated from seed + i, so any crash is reproducible from its index.
Usage: python scripts/fuzz_extract.py [-n 1000000] [--seed 0] [--workers 2]
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing as mp
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evaluator.grading._symbolic_worker import default_checker  # noqa: E402
from evaluator.grading.extract import STATUSES, extract_answer  # noqa: E402
from evaluator.grading.grade import grade_extraction  # noqa: E402
from tests.support.case_corpus import long_r1, r1, sky  # noqa: E402

ATOMS = (
    "\\boxed{", "\\boxed", "\\fbox{", "{", "}", "\\{", "\\}", "$", "$$", "\\(", "\\)", "\\[", "\\]",
    "</think>", "<think>", "<|end_of_thought|>", "<|begin_of_thought|>", "<|end_of_solution|>",
    "Final Answer:", "The final answer is", "**Answer:**", "Answer:", "<answer>", "</answer>", "####",
    "\\frac{", "\\dfrac{", "\\text{", "\\sqrt{", "^\\circ", "\\%", "073", "1,000", "-5", "204",
    "thirty-three", "one hundred and four", ".", "\n", " ", "=", "\\", "é", "答案是", "\U0001f600", "\u200b",
)
FINISH = (None, "stop", "length")
SLOWEST = 5  # slowest inputs re-timed alone at the end, to tell input cost from machine noise
CASE_MODULES = ("boxed", "final_statements", "think", "weak", "range_ambiguous")


def seeds_corpus() -> list[str]:
    """Realistic responses to mutate: every labelled case plus generated R1 / Sky-T1 responses."""
    texts = [c.text for m in CASE_MODULES for c in importlib.import_module(f"tests.test_extract_{m}").CASES]
    texts += [r1([rf"\boxed{{{i}}}"], rf"So $\boxed{{{i + 1}}}$.") for i in range(20)]
    texts += [sky([rf"guess \boxed{{{i}}}"], rf"The final answer is \( \boxed{{{i * 7}}} \).") for i in range(20)]
    texts.append(long_r1("204", tokens=3000))
    return texts


def mutate(rng: random.Random, text: str) -> str:
    """Apply 1-6 random edits: insert atoms or unicode, delete, duplicate, truncate, re-case."""
    for _ in range(rng.randint(1, 6)):
        i = rng.randrange(len(text) + 1)
        op = rng.randrange(7)
        if op == 0:
            text = text[:i] + rng.choice(ATOMS) + text[i:]
        elif op == 1:
            text = text[:i] + "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randint(1, 20))) + text[i:]
        elif op == 2:
            text = text[:i] + text[i + rng.randint(1, 200) :]
        elif op == 3:
            j = min(len(text), i + rng.randint(1, 300))
            text = text[:j] + text[i:j] * rng.randint(1, 5) + text[j:]
        elif op == 4:
            text = text[:i]
        elif op == 5:
            text = text[:i] + text[i:].upper()
        else:
            text = text[:i] + rng.choice("{}") * rng.randint(1, 300) + text[i:]
    return text


def make_input(index: int, seed: int, corpus: list[str], big_every: int) -> tuple[str, str | None]:
    """Input number `index` (deterministic in seed + index) and its finish_reason."""
    rng = random.Random(seed + index)
    finish = rng.choice(FINISH)
    if big_every and index % big_every == big_every - 1:
        unit = "".join(rng.choice(ATOMS) for _ in range(rng.randint(1, 40)))
        return (unit * (1_000_000 // len(unit) + 1))[:1_000_000], finish
    kind = rng.randrange(10)
    if kind < 6:
        return mutate(rng, rng.choice(corpus)), finish
    if kind < 9:
        return "".join(rng.choice(ATOMS) for _ in range(rng.randint(0, 400))), finish
    return "".join(chr(rng.randrange(0x0, 0x10FFFF)) for _ in range(rng.randint(0, 500))).encode(
        "utf-8", "replace"
    ).decode("utf-8", "replace"), finish


@dataclass
class Tally:
    """What one worker saw over its share of the inputs."""

    count: int = 0
    seconds: float = 0.0
    worst: float = 0.0
    worst_index: int = -1
    worst_chars: int = 0
    slowest: list[tuple[float, int]] = field(default_factory=list)  # (seconds, index), the top few
    crashes: list[tuple[int, str]] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    symbolic: Counter[str] = field(default_factory=Counter)


def fuzz_range(args: tuple[int, int, int, int, int]) -> Tally:
    """Fuzz inputs [start, stop): extract + grade against an integer gold (timed), sometimes symbolically."""
    start, stop, seed, big_every, symbolic_every = args
    corpus, tally = seeds_corpus(), Tally()
    for index in range(start, stop):
        text, finish = make_input(index, seed, corpus, big_every)
        began = time.perf_counter()
        try:
            extraction = extract_answer(text, finish)
            grade = grade_extraction(extraction, index % 1000)
            if extraction.status not in STATUSES or grade.extracted != extraction.answer:
                raise AssertionError(f"bad result {extraction} / {grade}")
            tally.statuses[extraction.status] += 1
        except Exception as exc:  # a crash is what we are counting
            tally.crashes.append((index, f"{type(exc).__name__}: {exc}"[:200]))
            continue
        elapsed = time.perf_counter() - began
        tally.count += 1
        tally.seconds += elapsed
        if elapsed > tally.worst:
            tally.worst, tally.worst_index, tally.worst_chars = elapsed, index, len(text)
        if len(tally.slowest) < SLOWEST or elapsed > tally.slowest[0][0]:
            tally.slowest = sorted([*tally.slowest, (elapsed, index)])[-SLOWEST:]
        if symbolic_every and index % symbolic_every == 0 and extraction.answer is not None:
            try:  # the process-wide worker: started once per fuzz process, restarted after timeouts
                symbolic = grade_extraction(extraction, r"\frac{1}{2}", default_checker())
                tally.symbolic[symbolic.method] += 1
            except Exception as exc:
                tally.crashes.append((index, f"symbolic {type(exc).__name__}: {exc}"[:200]))
    return tally


def _time_one(text: str, finish: str | None, index: int) -> float:
    """Seconds to extract and grade one input (used to re-time the slowest ones in isolation)."""
    began = time.perf_counter()
    grade_extraction(extract_answer(text, finish), index % 1000)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1_000_000, help="number of inputs")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--big-every", type=int, default=10_000, help="every k-th input is ~1 MB (0: never)")
    parser.add_argument("--symbolic-every", type=int, default=1_000, help="every k-th input also graded symbolically")
    args = parser.parse_args()
    chunk = 5_000
    jobs = [(s, min(args.n, s + chunk), args.seed, args.big_every, args.symbolic_every) for s in range(0, args.n, chunk)]
    began = time.perf_counter()
    total = Tally()
    with mp.get_context("spawn").Pool(args.workers) as pool:
        for part in pool.imap_unordered(fuzz_range, jobs):
            total.count += part.count + len(part.crashes)
            total.seconds += part.seconds
            total.crashes += part.crashes
            total.statuses += part.statuses
            total.symbolic += part.symbolic
            total.slowest = sorted([*total.slowest, *part.slowest])[-SLOWEST:]
            if part.worst > total.worst:
                total.worst, total.worst_index, total.worst_chars = part.worst, part.worst_index, part.worst_chars
    wall = time.perf_counter() - began
    print(f"inputs: {total.count:,}  crashes: {len(total.crashes)}  wall: {wall:.1f} s with {args.workers} workers")
    print(f"extract+grade mean: {total.seconds / max(1, total.count) * 1e6:.1f} us/input")
    print(f"extract+grade worst: {total.worst * 1e3:.1f} ms (input {total.worst_index}, {total.worst_chars:,} chars)")
    print("symbolic grades (untimed, worker process): " + ", ".join(f"{k}={v:,}" for k, v in total.symbolic.items()))
    corpus = seeds_corpus()
    for seconds, index in reversed(total.slowest):
        text, finish = make_input(index, args.seed, corpus, args.big_every)
        alone = min(_time_one(text, finish, index) for _ in range(3))
        print(f"slow input {index} ({len(text):,} chars): {seconds * 1e3:.1f} ms in the run, {alone * 1e3:.2f} ms alone")
    print("statuses: " + ", ".join(f"{k}={v:,}" for k, v in total.statuses.most_common()))
    for index, message in total.crashes[:20]:
        print(f"crash at input {index}: {message}")
    sys.exit(1 if total.crashes else 0)


if __name__ == "__main__":
    main()
