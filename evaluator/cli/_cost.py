"""Cost before the run: `--dry-run` (a forecast, nothing written), `--pilot N` (measure, then ask), and
`--target-halfwidth` (adaptive rounds until the same-problems pass@1 interval is narrow enough).

The arithmetic is in `run.forecast` and `metrics.adaptive`; this module only gathers what they need from
the run folder and the configuration, and talks to the user. A prompt appears only on a terminal: piped
or scheduled, the pilot stops after its samples unless `--yes` was given, so no money is spent unasked.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from evaluator.benchmarks.benchmark import Benchmark
    from evaluator.run.forecast import Forecast
    from evaluator.run.runner import RunConfig
    from evaluator.run.store import RunStore
    from evaluator.types import BackendConfig

#: How long `nvidia-smi` may take to say how much memory a GPU has (the forecast must stay instant).
_NVIDIA_SMI_TIMEOUT_S = 5.0


def held_samples(directory: Path, k: int) -> list[dict[str, Any]]:
    """The finished samples (index < k) of a run folder, read without taking its lock; none if absent."""
    from evaluator.run.store import SAMPLES, load_samples

    if not (directory / SAMPLES).is_file():
        return []
    return [dict(r) for r in load_samples(directory) if int(r["sample"]) < k]


def make_forecast(
    config: RunConfig, benchmark: Benchmark, held: list[dict[str, Any]], targets: Mapping[str, int],
    prices: tuple[float, float] | None, model_name: str, preset_name: str,
) -> Forecast:
    """The forecast for the samples `targets` (samples per problem in all) still needs beyond `held`."""
    from evaluator.run.forecast import forecast
    from evaluator.run.pricing import price_table
    from evaluator.run.prompts import build_request

    have = {(str(r["problem_id"]), int(r["sample"])) for r in held}
    missing = sum(1 for p in benchmark.problems for i in range(targets.get(p.id, 0)) if (p.id, i) not in have)
    templates = config.templates_by_problem(benchmark.contests)
    chars = [sum(len(m.content) for m in build_request(p, templates.get(p.id, config.template), (0,),
                                                       config.assistant_prefix).messages)
             for p in benchmark.problems]
    source = "--price-in/--price-out"
    if prices is None:
        prices = price_table().get(model_name)
        source = "the price table; $AIME_EVAL_PRICES or --price-in/--price-out change it" if prices else \
            f"no price for {model_name}; give --price-in and --price-out (USD per 1M tokens)"
    in_flight, flight_source, kv_note = _in_flight(config.backend, preset_name, config.sampling.max_tokens, held)
    return forecast(samples=missing, held=held, prompt_chars=sum(chars) / max(1, len(chars)),
                    max_tokens=config.sampling.max_tokens, prices=prices, price_source=source,
                    in_flight=in_flight, in_flight_source=flight_source, kv_note=kv_note)


def _in_flight(
    backend: BackendConfig, preset_name: str, max_tokens: int, held: list[dict[str, Any]]
) -> tuple[int | None, str, str | None]:
    """(samples generated at once, where that figure comes from, the KV-cache note for vLLM)."""
    if backend.kind != "vllm":
        flight = backend.concurrency * max(1, backend.samples_per_request)
        return flight, f"--concurrency {backend.concurrency} x n={backend.samples_per_request}", None
    from evaluator.run.memory_plan import PROTOCOL_MAX_MODEL_LEN, SHAPES, evaluate_plan

    shape = SHAPES.get(preset_name)
    gpus = _gpus()
    if shape is None or gpus is None:
        why = "no memory figures for this model" if shape is None else "no GPU visible (nvidia-smi)"
        return None, f"vLLM: {why}", f"not checked ({why}; python3 -m evaluator.run.memory_plan MODEL --gpus N --gpu-mib MIB)"
    count, gib = gpus
    length = backend.max_model_len or PROTOCOL_MAX_MODEL_LEN
    plan = evaluate_plan(shape, tp=backend.tensor_parallel_size, pp=backend.pipeline_parallel_size, gpus=count,
                         gpu_gib=gib, max_model_len=length, gpu_memory_utilization=backend.gpu_memory_utilization)
    if plan.sequences < 1 or plan.dp < 1:
        return None, "vLLM: the KV cache does not fit", f"does not fit: {plan.describe()}"
    measured = [int(r["completion_tokens"]) + int(r.get("prompt_tokens") or 0) for r in held
                if r.get("completion_tokens") is not None]
    mean_len = sum(measured) / len(measured) if measured else float(max_tokens)
    per_copy = int(plan.sequences * length / max(1.0, mean_len))
    if backend.max_num_seqs:
        per_copy = min(per_copy, backend.max_num_seqs)
    return per_copy * plan.dp, f"vLLM memory plan: {per_copy} per copy x {plan.dp} copies", f"fits: {plan.describe()}"


def _gpus() -> tuple[int, float] | None:
    """(GPU count, GiB of the first) from nvidia-smi, or None when there is no GPU to ask."""
    if shutil.which("nvidia-smi") is None:
        return None
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=memory.total", "--format=csv,noheader,nounits"],
                             capture_output=True, text=True, timeout=_NVIDIA_SMI_TIMEOUT_S, check=True).stdout
        mib = [float(line) for line in out.split() if line.strip()]
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return (len(mib), mib[0] / 1024) if mib else None


def dry_run(
    console: Any, config: RunConfig, benchmark: Benchmark, directory: Path, *, prices: tuple[float, float] | None,
    model_name: str, preset_name: str, target_points: float | None, pilot: int | None,
) -> None:
    """`--dry-run`: the forecast of the samples still missing up to k (and, adaptive, where the rounds are
    expected to stop); reads the run folder if there is one, writes nothing."""
    from evaluator.metrics.adaptive import DEFAULT_PILOT

    held = held_samples(directory, config.k)

    def forecast_for(targets: Mapping[str, int]) -> Forecast:
        return make_forecast(config, benchmark, held, targets, prices, model_name, preset_name)

    at_most = " (adaptive: at most this; it stops earlier when the interval is narrow)" if target_points else ""
    print_forecast(console, f"dry run: {model_name} on {benchmark.name}, k={config.k}{at_most}",
                   forecast_for({p.id: config.k for p in benchmark.problems}))
    if target_points:
        print_adaptive_forecast(console, benchmark, held, target_points=target_points, k=config.k,
                                pilot=min(config.k, pilot or DEFAULT_PILOT), forecast_for=forecast_for)
    console.print(f"run directory: {directory} (nothing written)", highlight=False, soft_wrap=True)


def print_forecast(console: Any, title: str, result: Forecast) -> None:
    console.print(title, highlight=False, soft_wrap=True)
    for line in result.lines():
        console.print(f"  {line}", highlight=False, soft_wrap=True)


def confirm(console: Any, question: str, assume_yes: bool, is_tty: Callable[[], bool] = sys.stdin.isatty) -> bool:
    """True to go on: `--yes`, or the user's yes on a terminal. Never prompts without a terminal."""
    if assume_yes:
        return True
    if not is_tty():
        console.print("stdin is not a terminal: stopping after the pilot (add --yes to go on without asking)",
                      highlight=False, soft_wrap=True)
        return False
    import typer

    return typer.confirm(question, default=False)


async def adaptive_rounds(
    store: RunStore, benchmark: Benchmark, *, target_points: float, k: int, pilot: int,
    generate: Callable[[dict[str, int]], Awaitable[None]], say: Callable[[str], None],
) -> dict[str, Any]:
    """Sample in rounds until the same-problems pass@1 half-width is at most `target_points`, or `k` per
    problem; `generate(targets)` runs one round. Returns summary.json's `adaptive` block."""
    from evaluator.metrics.adaptive import next_allocation

    rounds = 0
    while True:
        counts = _counts(store, benchmark, k)
        allocation = next_allocation(counts, target=target_points / 100, k=k, pilot=pilot)
        if allocation.done:
            break
        rounds += 1
        say(f"adaptive round {rounds}: {allocation.reason}; {allocation.total - sum(n for _, n in counts.values()):,} "
            f"more sample(s)")
        await generate(allocation.targets)
    return {"target_halfwidth": target_points, "k_max": k, "pilot": pilot, "stopped": allocation.reason,
            "halfwidth": round(100 * allocation.halfwidth, 3), "rounds_this_session": rounds,
            "samples_per_problem": {pid: n for pid, (_, n) in counts.items()}}


def _counts(store: RunStore, benchmark: Benchmark, k: int) -> dict[str, tuple[int, int]]:
    """(correct, samples) per problem from the run's graded samples (index < k)."""
    from evaluator.run.store import load_samples

    return _held_counts(benchmark, load_samples(store.directory), k)


def _held_counts(benchmark: Benchmark, records: Iterable[Mapping[str, Any]], k: int) -> dict[str, tuple[int, int]]:
    counts = {p.id: [0, 0] for p in benchmark.problems}
    for record in records:
        pid = str(record["problem_id"])
        if pid in counts and int(record["sample"]) < k:
            counts[pid][0] += bool(record.get("correct"))
            counts[pid][1] += 1
    return {pid: (c, n) for pid, (c, n) in counts.items()}


def print_adaptive_forecast(
    console: Any, benchmark: Benchmark, held: list[dict[str, Any]], *, target_points: float, k: int, pilot: int,
    forecast_for: Callable[[Mapping[str, int]], Forecast],
) -> None:
    """`--dry-run --target-halfwidth`: where the adaptive rounds are expected to stop, simulated from the samples
    the run holds (a pilot), and what that costs; without a sample of every problem there is nothing to
    simulate from, and the user is told how to get one."""
    from evaluator.metrics.adaptive import expected_samples

    counts = _held_counts(benchmark, held, k)
    if any(n == 0 for _, n in counts.values()):
        console.print("adaptive: where it stops cannot be forecast before every problem has a sample; run with "
                      f"--pilot {pilot} first (its samples are kept), then --dry-run again", highlight=False, soft_wrap=True)
        return
    expected = expected_samples(counts, target=target_points / 100, k=k, pilot=pilot)
    short = f"; in {expected.short:.0%} of them k={k} per problem does not reach ±{target_points:g}" \
        if expected.short else ""
    print_forecast(console, f"expected with --target-halfwidth {target_points:g}: about {expected.median:,} samples "
                            f"in all (median of {expected.runs} continuations simulated from the {len(held):,} held; "
                            f"90% stop by {expected.p90:,}{short}):", forecast_for(expected.targets))
