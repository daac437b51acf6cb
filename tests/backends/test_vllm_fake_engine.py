"""The vLLM backend's own logic on a fake engine (no vllm import, no model): what it does with the
outputs vLLM hands back, the environment it starts the engine in, and the GPU checks before that.

The fake engine yields `RequestOutput`-shaped objects as vLLM 0.32 does for an `n = 1`,
`FINAL_ONLY` request: one object, `finished=True`, one sequence with its `finish_reason`
("stop", "length", "abort", "error" in vLLM's `FINISH_REASON_STRINGS`).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from evaluator.backends import vllm_engine
from evaluator.backends._vllm_setup import SPAWN_VARIABLE
from evaluator.backends.vllm_engine import VLLMBackend, problem_seed
from evaluator.types import BackendConfig, Completion, Request, SamplingParams


class _EngineDead(Exception):
    pass


@pytest.fixture(autouse=True)
def _vllm_looks_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The backend checks that vllm is installed; nothing here imports it."""
    real = vllm_engine.importlib.util.find_spec
    monkeypatch.setattr(vllm_engine.importlib.util, "find_spec", lambda name, *a: object() if name == "vllm" else real(name, *a))


@dataclass
class FakeEngine:
    """Answers each request with one final output whose finish reason `reasons` gives per sample index."""

    reasons: dict[int, str]
    seen: list[tuple[Any, Any]] = field(default_factory=list)
    stats_calls: int = 0

    async def generate(self, prompt: Any, sampling: Any, request_id: str) -> AsyncIterator[Any]:
        self.seen.append((prompt, sampling))
        index = int(request_id.split("-")[1])
        reason = self.reasons.get(index, "stop")
        text = "" if reason in ("abort", "error") else f" answer \\boxed{{{index}}}"
        sequence = SimpleNamespace(index=0, text=text, token_ids=[7] * (index + 1), finish_reason=reason)
        error = "KV load failed" if reason == "error" else None
        yield SimpleNamespace(outputs=[sequence], finished=True, prompt_token_ids=prompt["prompt_token_ids"],
                              error=error)  # fmt: skip

    async def do_log_stats(self) -> None:
        self.stats_calls += 1

    def shutdown(self) -> None:
        pass


class FakeTokenizer:
    """One token per character, so it passes the round-trip probe every engine start runs."""

    def encode(self, text: str, add_special_tokens: bool = True) -> list[int]:
        return [ord(c) for c in text]

    def decode(self, ids: list[int], skip_special_tokens: bool = True) -> str:
        return "".join(map(chr, ids))


def fake_vllm(**extra: Any) -> SimpleNamespace:
    return SimpleNamespace(
        SamplingParams=lambda **kw: SimpleNamespace(**kw),
        RequestOutputKind=SimpleNamespace(FINAL_ONLY="FINAL_ONLY", DELTA="DELTA"),
        EngineDeadError=_EngineDead,
        tokens_input=lambda ids: {"type": "token", "prompt_token_ids": ids},
        **extra,
    )


def backend_on(engine: FakeEngine, log_dir: Path | None = None) -> VLLMBackend:
    backend = VLLMBackend(BackendConfig(kind="vllm", model="fake"), log_dir=log_dir)
    backend._engine, backend._tokenizer, backend._vllm = engine, FakeTokenizer(), fake_vllm()
    return backend


def collect(backend: VLLMBackend, requests: Sequence[Request], params: SamplingParams) -> list[Completion]:
    async def run() -> list[Completion]:
        backend._loop = asyncio.get_running_loop()
        return [c async for c in backend.generate(requests, params)]

    return asyncio.run(run())


def test_aborted_and_failed_sequences_are_errors_to_retry_never_graded() -> None:
    engine = FakeEngine({1: "abort", 2: "error", 3: "length"})
    request = Request("p", (), (0, 1, 2, 3), prompt="Q: 1+1? A:")
    by_index = {c.sample_index: c for c in collect(backend_on(engine), [request], SamplingParams(seed=4))}
    assert by_index[0].error is None and by_index[0].finish_reason == "stop" and "\\boxed{0}" in by_index[0].text
    assert by_index[3].error is None and by_index[3].finish_reason == "length"
    for index, reason in ((1, "abort"), (2, "error")):
        failed = by_index[index]
        assert failed.error is not None and reason in failed.error and not failed.ok
        assert failed.text == "" and failed.finish_reason == reason
    assert "KV load failed" in (by_index[2].error or "")


def test_one_final_only_request_per_sample_with_the_seed_vllm_gives_child_i() -> None:
    engine = FakeEngine({})
    request = Request("q", (), (5, 2, 3), prompt="text")
    completions = collect(backend_on(engine), [request], SamplingParams(temperature=0.6, top_p=0.95, seed=9))
    base = problem_seed(9, "q")
    assert sorted(c.extra["seed"] for c in completions) == [base + 2, base + 3, base + 5]
    assert len(engine.seen) == 3
    for prompt, sampling in engine.seen:
        assert sampling.n == 1 and sampling.output_kind == "FINAL_ONLY"
        assert prompt["type"] == "token"  # a rendered engine input, not vLLM's deprecated raw-prompt dict
        assert prompt["prompt_token_ids"] == FakeTokenizer().encode("text")
    assert {s.seed for _, s in engine.seen} == {base + 2, base + 3, base + 5}


def test_stats_are_logged_while_generating_when_there_is_a_log_dir(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("VLLM_LOG_STATS_INTERVAL", "0.01")

    class SlowEngine(FakeEngine):
        async def generate(self, prompt: Any, sampling: Any, request_id: str) -> AsyncIterator[Any]:
            await asyncio.sleep(0.2)
            async for output in super().generate(prompt, sampling, request_id):
                yield output

    with_dir, without = SlowEngine({}), SlowEngine({})
    collect(backend_on(with_dir, tmp_path), [Request("p", (), (0,), prompt="x")], SamplingParams())
    collect(backend_on(without), [Request("p", (), (0,), prompt="x")], SamplingParams())
    assert with_dir.stats_calls >= 3 and without.stats_calls == 0


def test_engine_starts_with_spawn_and_logs_to_the_run_directory(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """What `from_engine_args` sees: the environment its processes inherit and the engine options."""
    monkeypatch.delenv(SPAWN_VARIABLE, raising=False)
    monkeypatch.delenv("VLLM_LOGGING_CONFIG_PATH", raising=False)
    monkeypatch.delenv("VLLM_CONFIGURE_LOGGING", raising=False)
    seen: dict[str, Any] = {}

    def from_engine_args(args: Any, usage_context: Any) -> Any:
        seen.update(env=dict(os.environ), args=args)
        return SimpleNamespace(get_tokenizer=lambda: FakeTokenizer(), shutdown=lambda: None)

    vllm = fake_vllm(
        AsyncEngineArgs=lambda **kw: kw,
        AsyncLLMEngine=SimpleNamespace(from_engine_args=from_engine_args),
        UsageContext=SimpleNamespace(LLM_CLASS="llm"),
        LoggingConfig=lambda **kw: kw,
        current_platform=SimpleNamespace(is_cpu=lambda: True),
    )
    monkeypatch.setattr(vllm_engine, "import_vllm", lambda: vllm)
    backend = VLLMBackend(BackendConfig(kind="vllm", model="m"), log_dir=tmp_path)
    asyncio.run(backend._start())
    assert seen["env"][SPAWN_VARIABLE] == "spawn"
    assert seen["env"]["VLLM_LOGGING_CONFIG_PATH"] == str(tmp_path / "vllm-logging.json")
    assert (tmp_path / "vllm-logging.json").is_file()
    assert seen["args"]["disable_log_stats"] is False and seen["args"]["use_tqdm_on_load"] is False
    assert seen["args"]["logging_config"] == {"pylogging_config_file": str(tmp_path / "vllm-logging.json")}
    assert SPAWN_VARIABLE not in os.environ  # put back once the engine's processes have started

    monkeypatch.setenv(SPAWN_VARIABLE, "fork")  # the user's choice wins
    monkeypatch.setenv("VLLM_CONFIGURE_LOGGING", "0")
    asyncio.run(VLLMBackend(BackendConfig(kind="vllm", model="m"), log_dir=tmp_path)._start())
    assert seen["env"][SPAWN_VARIABLE] == "fork" and "VLLM_LOGGING_CONFIG_PATH" not in seen["env"]
    assert seen["args"]["disable_log_stats"] is True and "logging_config" not in seen["args"]


def test_a_gpu_build_without_a_usable_gpu_fails_before_the_engine_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    from evaluator.backends import BackendError

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the engine must not be started")

    vllm = fake_vllm(current_platform=SimpleNamespace(is_cpu=lambda: False), AsyncLLMEngine=SimpleNamespace(
        from_engine_args=never))  # fmt: skip
    monkeypatch.setattr(vllm_engine, "import_vllm", lambda: vllm)
    monkeypatch.setattr(vllm_engine, "torch_accelerator_problem", lambda v: "the NVIDIA driver supports CUDA 12.4 ...")
    with pytest.raises(BackendError, match="CUDA 12.4"):
        asyncio.run(VLLMBackend(BackendConfig(kind="vllm", model="m"))._start())
