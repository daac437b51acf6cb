"""Client CPU per response of the OpenAI backend as written in a given checkout, for before/after checks.

1920 single-sample requests, 64 in flight, against the fake server (its own process, holding each
request `--latency` seconds, 0.5 by default). Client CPU per response grows with the latency on a VM
(the process idles between waves of 64 responses and wakes up cold), so compare at the same latency.
Run it alternately on two checkouts to compare them in one sitting, e.g. before/after a change:

    mkdir -p /tmp/base && git archive <commit> | tar -x -C /tmp/base
    for i in 1 2 3; do python scripts/bench_api_cpu.py /tmp/base; python scripts/bench_api_cpu.py .; done
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

_parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
_parser.add_argument("checkout", nargs="?", default=".", help="the source tree whose backend is measured")
_parser.add_argument("--latency", type=float, default=0.5, help="seconds the fake server holds each request")
ARGS = _parser.parse_args()
LATENCY = ARGS.latency
ROOT = Path(ARGS.checkout).resolve()
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from bench_api import start_server  # noqa: E402

from evaluator.backends.openai_api import OpenAIBackend  # noqa: E402
from evaluator.types import BackendConfig, Message, Request, SamplingParams  # noqa: E402


def main() -> None:
    process, url = start_server(LATENCY, 0.0, 0.1)
    config = BackendConfig(kind="openai", model="fake-r1", base_url=url, api_key_env="BENCH_NO_KEY",
                           concurrency=64, max_retries=12)  # fmt: skip
    requests = [Request(f"p{i}", (Message("user", f"Problem {i}: compute it."),), tuple(range(64))) for i in range(30)]

    async def go() -> tuple[int, float]:
        backend = OpenAIBackend(config)
        cpu, ok = time.process_time(), 0
        async for completion in backend.generate(requests, SamplingParams(max_tokens=4096, seed=0)):
            ok += completion.ok
        cpu = time.process_time() - cpu
        await backend.aclose()
        return ok, cpu

    try:
        ok, cpu = asyncio.run(go())
    finally:
        process.terminate()
        process.wait(10)
    if ok != 1920:
        raise SystemExit(f"only {ok} of 1920 samples completed")
    print(f"{ROOT}: {1000 * cpu / ok:.2f} ms client CPU per response (latency {LATENCY:g} s)")


if __name__ == "__main__":
    main()
