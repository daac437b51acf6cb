"""Benchmark the OpenAI API backend against the fake server (a separate process on 127.0.0.1).

Run 1: N = problems x k single-sample requests, C in flight, each taking L seconds on the server.
Prints wall time / ideal (ceil(N/C) * L) and the client's CPU time per request. Target <= 1.05x.
Run 2: the same with a share of requests failing (429 with Retry-After, 500, dropped connections):
every sample must still complete.

    python scripts/bench_api.py [--problems 30 --k 64 --concurrency 64 --latency 0.5 --fault-rate 0.3]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evaluator.backends.openai_api import OpenAIBackend  # noqa: E402
from evaluator.types import BackendConfig, Message, Request, SamplingParams  # noqa: E402


@dataclass
class Result:
    samples: int
    ok: int
    wall_s: float
    cpu_s: float
    requests: int
    retries: int


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of another process, from /proc (Linux); 0.0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(latency: float, fault_rate: float, retry_after: float) -> tuple[subprocess.Popen, str]:
    """The fake server in its own process, so its CPU time is not counted as the client's."""
    port = free_port()
    command = [
        sys.executable, "-m", "evaluator.testing.fake_openai_server", "--port", str(port),
        "--latency", str(latency), "--fault-rate", str(fault_rate), "--retry-after", str(retry_after),
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=1):
                return process, url
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("fake server did not start")


def run(url: str, problems: int, k: int, concurrency: int, max_retries: int) -> Result:
    config = BackendConfig(
        kind="openai", model="fake-r1", base_url=url, api_key_env="BENCH_NO_KEY", concurrency=concurrency,
        max_retries=max_retries, retry_initial_delay_s=0.1, retry_max_delay_s=1.0,
    )  # fmt: skip
    requests = [
        Request(f"p{i}", (Message("user", f"Problem {i}: compute it."),), tuple(range(k)))
        for i in range(problems)
    ]

    async def go() -> Result:
        backend = OpenAIBackend(config)
        wall, cpu = time.perf_counter(), time.process_time()
        ok = samples = 0
        async for completion in backend.generate(requests, SamplingParams(max_tokens=4096, seed=0)):
            samples += 1
            ok += completion.ok
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        await backend.aclose()
        return Result(samples, ok, wall, cpu, backend.stats.requests, backend.stats.retries)

    return asyncio.run(go())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--problems", type=int, default=30)
    parser.add_argument("--k", type=int, default=64)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--fault-rate", type=float, default=0.3)
    args = parser.parse_args()
    n = args.problems * args.k
    ideal = math.ceil(n / args.concurrency) * args.latency
    print(f"N={n} requests, concurrency {args.concurrency}, latency {args.latency} s: ideal {ideal:.2f} s")
    for label, fault_rate in (("clean", 0.0), (f"{args.fault_rate:.0%} faults", args.fault_rate)):
        process, url = start_server(args.latency, fault_rate, retry_after=0.1)
        server_cpu = process_cpu_s(process.pid)
        try:
            result = run(url, args.problems, args.k, args.concurrency, max_retries=12)
            server_cpu = process_cpu_s(process.pid) - server_cpu
        finally:
            process.terminate()
            process.wait(10)
        print(
            f"{label:>11}: wall {result.wall_s:.2f} s = {result.wall_s / ideal:.3f}x ideal; "
            f"client CPU {1000 * result.cpu_s / result.requests:.2f} ms/request "
            f"(server {1000 * server_cpu / result.requests:.2f}); "
            f"{result.ok}/{result.samples} samples ok of {n}; {result.requests} requests, {result.retries} retries"
        )
        if result.samples != n or result.ok != n:
            raise SystemExit(f"{label}: only {result.ok} of {n} samples completed")


if __name__ == "__main__":
    main()
