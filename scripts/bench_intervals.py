"""Coverage of every interval the project prints, on simulated runs whose truth is known.

Usage: python scripts/bench_intervals.py [--runs 100] [--seed 0] [--only aime]
Prints a markdown table (interval x scenario: coverage at nominal 95%, mean width in points, runs where
the interval missed its own estimate); the table in docs/metrics.md comes from this script. Target:
93-97% (an interval that never misses is too wide to decide anything). The simulation is
evaluator.metrics.coverage: 30 problems, n = k samples each, wrong answers scattered over 300 values
or 60% of them on one trap answer, easy / hard / mixed / AIME-like difficulty.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evaluator.metrics.coverage import SCENARIOS, coverage  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100, help="simulated runs per scenario")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", help="only scenarios whose name contains this text")
    args = parser.parse_args()
    print(f"| scenario | interval | coverage (%) | mean width (pts) | missed own estimate |  (runs={args.runs})")
    print("|---|---|---:|---:|---:|")
    started = time.perf_counter()
    for scenario in SCENARIOS:
        if args.only not in scenario.name:
            continue
        for cell in coverage(scenario, args.runs, args.seed):
            print(f"| {cell.scenario} | {cell.interval} | {100 * cell.coverage:.0f} | {100 * cell.mean_width:.1f} "
                  f"| {cell.own_estimate_missed} |", flush=True)
    print(f"\n{time.perf_counter() - started:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
