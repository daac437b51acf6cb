"""Benchmark the OpenAI API backend against the fake server (a separate process on 127.0.0.1).

For each latency L (--latencies, default 0.5 1 2 s): N = problems x k single-sample chat requests,
C in flight, the server holding each one L seconds; ideal wall time = ceil(N/C) * L. Against the same
server, in the same run: a bare `aiohttp` loop (C workers POSTing the same JSON body and parsing the
answer: the language's floor), the same loop through the real openai client's `post` (the client's
floor: its request pipeline and its aiohttp transport, no retries, no records), then the backend.
Prints wall / ideal for each, the backend's wall over the bare loop's, and client CPU per request. Target: backend <= 1.05x ideal at
L = 1 s and C = 64. Then, once (at the first latency; --fault-rate 0 skips it), a run with a share of
requests failing (429 with Retry-After, 500, dropped connections): every sample must still complete.

    python scripts/bench_api.py [--problems 30 --k 64 --concurrency 64 --latencies 0.5 1 2 --fault-rate 0.3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import httpx2

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evaluator.backends._openai_support import sample_seed  # noqa: E402
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


def bench_config(url: str, concurrency: int, max_retries: int) -> BackendConfig:
    return BackendConfig(
        kind="openai", model="fake-r1", base_url=url, api_key_env="BENCH_NO_KEY", concurrency=concurrency,
        max_retries=max_retries, retry_initial_delay_s=0.1, retry_max_delay_s=1.0,
    )  # fmt: skip


def run(url: str, problems: int, k: int, concurrency: int, max_retries: int) -> Result:
    config = bench_config(url, concurrency, max_retries)
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


def request_bodies(problems: int, k: int) -> list[dict[str, object]]:
    """The JSON bodies the backend sends for this run (same seeds, sampling, messages)."""
    return [
        {
            "model": "fake-r1", "seed": sample_seed(0, f"p{i}", j), "temperature": 0.6, "top_p": 0.95,
            "messages": [{"role": "user", "content": f"Problem {i}: compute it."}], "max_tokens": 4096,
        }
        for i in range(problems)
        for j in range(k)
    ]  # fmt: skip


def bare_aiohttp(url: str, problems: int, k: int, concurrency: int) -> Result:
    """The floor: C plain aiohttp workers sending the backend's request body and parsing the JSON answer."""
    bodies = request_bodies(problems, k)

    async def go() -> Result:
        ok = 0
        async with aiohttp.ClientSession(headers={"Authorization": "Bearer EMPTY"}) as session:

            async def worker() -> None:
                nonlocal ok
                while bodies:
                    body = bodies.pop()
                    async with session.post(f"{url}/chat/completions", json=body) as response:
                        data = json.loads(await response.read())
                    ok += response.status == 200 and bool(data["choices"][0]["message"]["content"])

            wall, cpu = time.perf_counter(), time.process_time()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        n = problems * k
        return Result(n, ok, wall, cpu, n, 0)

    return asyncio.run(go())


def sdk_post(url: str, problems: int, k: int, concurrency: int) -> Result:
    """The client's floor: C workers sending the same bodies through `openai.AsyncOpenAI.post` as the
    backend builds it (aiohttp transport, no telemetry headers), parsing the JSON answer; no retries."""
    bodies = request_bodies(problems, k)

    async def go() -> Result:
        backend = OpenAIBackend(bench_config(url, concurrency, max_retries=0))
        client, ok = backend._client, 0  # the very client the backend sends with

        async def worker() -> None:
            nonlocal ok
            while bodies:
                response = await client.post("/chat/completions", cast_to=httpx2.Response, body=bodies.pop())
                data = json.loads(await response.aread())
                ok += bool(data["choices"][0]["message"]["content"])

        wall, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        await backend.aclose()
        n = problems * k
        return Result(n, ok, wall, cpu, n, 0)

    return asyncio.run(go())


def load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def line(label: str, result: Result, ideal: float, server_cpu: float) -> str:
    return (
        f"{label:>18}: wall {result.wall_s:6.2f} s = {result.wall_s / ideal:.3f}x ideal; "
        f"client CPU {1000 * result.cpu_s / result.requests:.2f} ms/request "
        f"(server {1000 * server_cpu / result.requests:.2f}); "
        f"{result.ok}/{result.samples} ok; {result.requests} requests, {result.retries} retries; {load()}"
    )


def measured(latency: float, fault_rate: float, go: Callable[[str], Result]) -> tuple[Result, float]:
    """Run `go(url)` against a fresh server: (result, server CPU seconds)."""
    process, url = start_server(latency, fault_rate, retry_after=0.1)
    try:
        server_cpu = process_cpu_s(process.pid)
        result = go(url)
        return result, process_cpu_s(process.pid) - server_cpu
    finally:
        process.terminate()
        process.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--problems", type=int, default=30)
    parser.add_argument("--k", type=int, default=64)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latencies", type=float, nargs="+", default=[0.5, 1.0, 2.0])
    parser.add_argument("--fault-rate", type=float, default=0.3, help="0 skips the fault run")
    args = parser.parse_args()
    n, c = args.problems * args.k, args.concurrency
    print(f"N={n} requests, concurrency {c}; {load()}")
    summary = []
    for latency in args.latencies:
        ideal = math.ceil(n / c) * latency
        print(f"L = {latency:g} s: ideal {ideal:.2f} s", flush=True)
        bare, bare_server = measured(latency, 0.0, lambda url: bare_aiohttp(url, args.problems, args.k, c))
        print(line("bare aiohttp", bare, ideal, bare_server), flush=True)
        post, post_server = measured(latency, 0.0, lambda url: sdk_post(url, args.problems, args.k, c))
        print(line("openai client.post", post, ideal, post_server), flush=True)
        ours, ours_server = measured(
            latency, 0.0, lambda url: run(url, args.problems, args.k, c, max_retries=12)
        )
        print(line("backend", ours, ideal, ours_server), flush=True)
        for label, result in (("bare aiohttp", bare), ("openai client.post", post), ("backend", ours)):
            if result.ok != n:
                raise SystemExit(f"L={latency:g} {label}: only {result.ok} of {n} samples completed")
        summary.append((latency, bare, post, ours, ideal))
    if args.fault_rate:
        latency = args.latencies[0]
        ideal = math.ceil(n / c) * latency
        faults, server = measured(
            latency, args.fault_rate, lambda url: run(url, args.problems, args.k, c, max_retries=12)
        )
        print(line(f"{args.fault_rate:.0%} faults, L={latency:g}", faults, ideal, server), flush=True)
        if faults.samples != n or faults.ok != n:
            raise SystemExit(f"faults: only {faults.ok} of {n} samples completed")
    print(
        "\nL (s) | bare / ideal | post / ideal | backend / ideal | backend / bare | client CPU ms/request: bare, post, backend"
    )
    for latency, bare, post, ours, ideal in summary:
        cpu = ", ".join(f"{1000 * r.cpu_s / r.requests:.2f}" for r in (bare, post, ours))
        print(
            f"{latency:5g} | {bare.wall_s / ideal:12.3f} | {post.wall_s / ideal:12.3f} | {ours.wall_s / ideal:15.3f} "
            f"| {ours.wall_s / bare.wall_s:14.3f} | {cpu}"
        )


if __name__ == "__main__":
    main()
