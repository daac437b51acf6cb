"""Does the cost of a sample grow with the samples already written? 100k samples of ~100 KB each.

A synthetic backend keeps 64 producers in flight and hands `evaluator.run.runner.execute` R1-style
responses of about --kb KB (a long <think> block with tentative boxes, then a boxed answer), as
fast as the loop takes them. The loop does what `evaluate` does: grade each response, append it to
samples.jsonl (flush per sample, fsync once a second) and update the progress bar (rich, rendered to
/dev/null on a forced terminal, so every refresh really draws). Wall and CPU time are taken per
window of --window samples; the ratio of the last window to the first (the baseline, same run) shows
any growth with the file's size. Peak RSS is printed too. The run directory is deleted at the end.

    python scripts/bench_store.py [--problems 100 --k 1000 --kb 100 --window 10000 --dir /tmp]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rich.console import Console  # noqa: E402

from evaluator.backends._openai_support import BackendStats  # noqa: E402
from evaluator.benchmarks.loader import Benchmark  # noqa: E402
from evaluator.reports.progress import sampling_progress  # noqa: E402
from evaluator.run.prompts import PRESETS  # noqa: E402
from evaluator.run.runner import RunConfig, execute  # noqa: E402
from evaluator.run.store import SAMPLES, RunStore  # noqa: E402
from evaluator.types import BackendConfig, Completion, Problem, Request, SamplingParams  # noqa: E402

IN_FLIGHT = 64
_FILLER = (
    "Let me set up the equations carefully and check the case n = {i} again. ",
    "Wait, if the remainder is {i} then the sum changes sign, so I should recount. ",
    "Hmm, so tentatively the count is \\boxed{{{i}}} but the boundary needs care. ",
    "Substituting back gives {i} + {i} = {j}, which is consistent. ",
)


def response_text(kb: int, salt: int, answer: int) -> str:
    """About `kb` KB of R1-style text: thinking with tentative boxes, then the final boxed answer."""
    parts, size, i = ["<think>\n"], 0, salt
    while size < kb * 1000:
        piece = _FILLER[i % len(_FILLER)].format(i=i % 997, j=2 * (i % 997))
        parts.append(piece)
        size += len(piece)
        i += 7
    parts.append(f"</think>\nSo the answer is $\\boxed{{{answer}}}$.")
    return "".join(parts)


@dataclass
class Window:
    samples: int
    wall_s: float
    cpu_s: float


class SyntheticBackend:
    """64 producers put finished completions on a queue; `generate` yields them (as the API backend does)."""

    name = "synthetic"

    def __init__(self, kb: int, window: int) -> None:
        self.stats = BackendStats()
        self.texts = [response_text(kb, salt, answer) for salt, answer in ((1, 73), (2, 73), (3, 12), (4, 73))]
        self.window = window
        self.windows: list[Window] = []

    async def generate(self, requests: Sequence[Request], params: SamplingParams) -> AsyncIterator[Completion]:
        jobs = [(r.problem_id, i) for r in requests for i in r.sample_indices]
        queue: asyncio.Queue[Completion] = asyncio.Queue(maxsize=IN_FLIGHT)

        async def producer(offset: int) -> None:
            for pid, index in jobs[offset::IN_FLIGHT]:
                text = self.texts[index % len(self.texts)] + f" (sample {index})"
                await queue.put(Completion(pid, index, text, finish_reason="stop", prompt_tokens=80,
                                           completion_tokens=len(text) // 4, latency_s=1.0))  # fmt: skip

        tasks = [asyncio.create_task(producer(offset)) for offset in range(IN_FLIGHT)]
        self.stats.in_flight = IN_FLIGHT
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            for done in range(1, len(jobs) + 1):
                yield await queue.get()
                if done % self.window == 0:
                    now_wall, now_cpu = time.perf_counter(), time.process_time()
                    self.windows.append(Window(done, now_wall - wall, now_cpu - cpu))
                    wall, cpu = now_wall, now_cpu
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def aclose(self) -> None:
        return None


def load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


async def run(args: argparse.Namespace, directory: Path) -> SyntheticBackend:
    problems = tuple(Problem(f"p{i:03d}", f"Problem {i}: compute it.", 73) for i in range(args.problems))
    config = RunConfig(
        model_name="bench", backend=BackendConfig(kind="mock"), dataset="bench", dataset_origin="synthetic",
        dataset_hash="0", template=PRESETS["r1"], sampling=SamplingParams(), k=args.k,
    )  # fmt: skip
    backend = SyntheticBackend(args.kb, args.window)
    console = Console(file=open(os.devnull, "w"), force_terminal=True, width=160)  # noqa: SIM115
    with (
        RunStore.open(directory, config.to_json(), config_hash=config.config_hash()) as store,
        sampling_progress(console, "bench") as update,
    ):
        await execute(config, Benchmark("bench", problems, "synthetic", "0"), store, backend, update)
    return backend


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", type=int, default=100)
    parser.add_argument("--k", type=int, default=1000)
    parser.add_argument("--kb", type=int, default=100, help="size of each response, in KB")
    parser.add_argument("--window", type=int, default=10_000, help="samples per timing window")
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()), help="where the run directory goes")
    args = parser.parse_args()
    n = args.problems * args.k
    directory = Path(tempfile.mkdtemp(prefix="bench_store-", dir=args.dir)) / "run"
    print(f"{n:,} samples of ~{args.kb} KB, {IN_FLIGHT} in flight, into {directory}; {load()}", flush=True)
    started = time.perf_counter()
    try:
        backend = asyncio.run(run(args, directory))
        size = (directory / SAMPLES).stat().st_size
    finally:
        shutil.rmtree(directory.parent, ignore_errors=True)
    total = time.perf_counter() - started
    print(f"samples.jsonl reached {size / 1e9:.2f} GB; total {total:.1f} s; peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; {load()}")  # fmt: skip
    for w in backend.windows:
        print(f"samples {w.samples - args.window + 1:>7,}-{w.samples:<7,}: {1000 * w.wall_s / args.window:.3f} ms wall, "
              f"{1000 * w.cpu_s / args.window:.3f} ms CPU per sample")  # fmt: skip
    first, last = backend.windows[0], backend.windows[-1]
    print(f"last window / first window: wall {last.wall_s / first.wall_s:.2f}x, CPU {last.cpu_s / first.cpu_s:.2f}x")


if __name__ == "__main__":
    main()
