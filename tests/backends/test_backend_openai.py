"""The OpenAI API backend against the project's fake server, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest

from evaluator.backends import BackendError, create_backend
from evaluator.backends._openai_support import sample_seed
from evaluator.backends.openai_api import OpenAIBackend
from evaluator.testing.fake_openai_server import FakeOpenAIServer, FakeServerConfig
from evaluator.types import BackendConfig, Completion, Message, Request, SamplingParams

KEY_ENV = "AIME_EVAL_TEST_KEY"
SECRET = "sk-test-very-secret-0123456789"
PARAMS = SamplingParams(temperature=0.6, top_p=0.95, max_tokens=1000, seed=7)


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    fake = FakeOpenAIServer(FakeServerConfig(answers={"Problem A": 204, "Problem B": 33}))
    fake.start()
    yield fake
    fake.stop()


def config(server: FakeOpenAIServer, **overrides: object) -> BackendConfig:
    values: dict[str, object] = dict(
        kind="openai",
        model="fake-r1",
        base_url=server.url,
        api_key_env=KEY_ENV,
        concurrency=4,
        max_retries=4,
        retry_initial_delay_s=0.01,
        retry_max_delay_s=0.05,
    )
    values.update(overrides)
    return BackendConfig(**values)  # type: ignore[arg-type]


def requests(k: int = 4, prefix: str = "") -> list[Request]:
    return [
        Request(
            problem_id=pid,
            messages=(Message("user", f"{pid}: find the answer."),),
            sample_indices=tuple(range(k)),
            prompt=f"User: {pid}: find the answer.\nAssistant:",
            assistant_prefix=prefix,
        )
        for pid in ("Problem A", "Problem B")
    ]


def run(
    cfg: BackendConfig, reqs: list[Request], params: SamplingParams = PARAMS
) -> tuple[list[Completion], OpenAIBackend]:
    async def go() -> tuple[list[Completion], OpenAIBackend]:
        backend = create_backend(cfg)
        assert isinstance(backend, OpenAIBackend)
        try:
            return [c async for c in backend.generate(reqs, params)], backend
        finally:
            await backend.aclose()

    return asyncio.run(go())


def keys(completions: list[Completion]) -> list[tuple[str, int]]:
    return sorted((c.problem_id, c.sample_index) for c in completions)


def sampled(server: FakeOpenAIServer) -> list:
    return [r for r in server.received if r.path.endswith("completions")]


def test_every_sample_once_with_usage_and_per_sample_seeds(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    completions, backend = run(config(server), requests(k=4))
    assert keys(completions) == [(p, i) for p in ("Problem A", "Problem B") for i in range(4)]
    for c in completions:
        assert c.ok and c.attempts == 1 and c.finish_reason == "stop"
        assert c.text.startswith("<think>\n") and "\\boxed{" in c.text
        assert c.prompt_tokens and c.prompt_tokens > 0
        assert c.completion_tokens and c.reasoning_tokens and c.completion_tokens > c.reasoning_tokens
    seeds = sorted(r.body["seed"] for r in sampled(server))
    assert seeds == sorted(sample_seed(7, p, i) for p in ("Problem A", "Problem B") for i in range(4))
    assert all("n" not in r.body and r.body["max_tokens"] == 1000 for r in sampled(server))
    assert backend.stats.requests == 8 and backend.stats.samples == 8 and backend.stats.errors == 0
    assert backend.stats.completion_tokens == sum(c.completion_tokens or 0 for c in completions)


def test_seeded_runs_reproduce_and_seeds_differ(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    first = {(c.problem_id, c.sample_index): c.text for c in run(config(server), requests())[0]}
    again = {(c.problem_id, c.sample_index): c.text for c in run(config(server), requests())[0]}
    other = run(config(server), requests(), SamplingParams(max_tokens=1000, seed=8))[0]
    assert first == again
    assert len(set(first.values())) == len(first)
    assert any(first[(c.problem_id, c.sample_index)] != c.text for c in other)


def test_n_per_request_splits_usage_exactly(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    completions, backend = run(config(server, samples_per_request=4), requests(k=8))
    assert keys(completions) == [(p, i) for p in ("Problem A", "Problem B") for i in range(8)]
    assert [r.body.get("n") for r in sampled(server)] == [4, 4, 4, 4]
    assert sorted(c.prompt_tokens for c in completions) == [0] * 12 + [6] * 4  # billed once per request
    # the fake server counts words; the split over samples keeps the total exact
    assert sum(c.completion_tokens or 0 for c in completions) == sum(
        len(c.text.split(" ")) for c in completions
    )
    assert not backend.stats.fanned_out
    assert all(c.extra["n"] == 4 for c in completions)


def test_server_rejecting_n_fans_out_for_the_rest_of_the_run(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    server.config.n_mode = "reject"
    completions, backend = run(config(server, samples_per_request=4, concurrency=1), requests(k=8))
    assert keys(completions) == [(p, i) for p in ("Problem A", "Problem B") for i in range(8)]
    assert all(c.ok for c in completions)
    ns = [r.body.get("n") for r in sampled(server)]
    assert ns[0] == 4 and ns[1:] == [None] * 16  # one rejected request, then singles only
    assert backend.stats.fanned_out


def test_server_ignoring_n_gets_the_missing_samples_singly(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    server.config.n_mode = "ignore"
    completions, backend = run(config(server, samples_per_request=4, concurrency=1), requests(k=4))
    assert keys(completions) == [(p, i) for p in ("Problem A", "Problem B") for i in range(4)]
    assert len({c.text for c in completions}) == 8
    assert backend.stats.fanned_out and backend.stats.requests == 1 + 3 + 4


def test_retry_after_is_honoured_and_attempts_recorded(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    server.config.script = ["429"]
    server.config.retry_after_s = 0.4
    completions, backend = run(config(server, concurrency=1), requests(k=1)[:1])
    (completion,) = completions
    assert completion.ok and completion.attempts == 2
    first, second = sampled(server)[:2]
    assert first.outcome == "429" and second.at - first.at >= 0.4
    assert backend.stats.retries == 1 and backend.stats.requests == 2


def test_sdk_telemetry_headers_are_not_sent(server: FakeOpenAIServer, monkeypatch) -> None:
    """Some gateways refuse the SDK's X-Stainless-* platform headers (403); they also cost client CPU."""
    monkeypatch.setenv(KEY_ENV, SECRET)
    run(config(server, concurrency=1), requests(k=1)[:1])
    (seen,) = sampled(server)
    assert "authorization" in seen.header_names and "content-type" in seen.header_names
    assert not {name for name in seen.header_names if name.startswith("x-stainless-")} - {
        "x-stainless-retry-count", "x-stainless-read-timeout"}  # per-request, not telemetry  # fmt: skip


def test_500_dropped_connection_and_429_are_retried(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    server.config.script = ["500", "drop", "429"]
    server.config.retry_after_s = 0.01
    (completion,), backend = run(config(server, concurrency=1), requests(k=1)[:1])
    assert completion.ok and completion.attempts == 4 and "\\boxed{204}" in completion.text
    assert [r.outcome for r in sampled(server)] == ["500", "drop", "429", "ok"]


def test_random_faults_still_complete_every_sample(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    server.config.fault_rate = 0.3
    server.config.retry_after_s = 0.01
    completions, backend = run(config(server, concurrency=8, max_retries=10), requests(k=20))
    assert len(completions) == 40 and all(c.ok for c in completions)
    assert backend.stats.retries > 0 and backend.stats.requests == 40 + backend.stats.retries


def test_failed_samples_are_yielded_with_errors_and_no_key(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    server.config.fault_rate = 1.0
    server.config.fault_kinds = ("500",)
    server.config.echo_auth_in_errors = True
    completions, backend = run(config(server, max_retries=2), requests(k=3))
    assert keys(completions) == [(p, i) for p in ("Problem A", "Problem B") for i in range(3)]
    for c in completions:
        assert not c.ok and c.text == "" and c.attempts == 3
        assert c.error is not None and c.error.startswith("HTTP 500: internal error")
        assert SECRET not in c.error and "***" in c.error
    assert backend.stats.errors == 6 and backend.stats.retries == 12


def test_timeouts_are_retried_then_recorded(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    server.config.latency_s = 1.0
    (completion,), _ = run(config(server, request_timeout_s=0.2, max_retries=1), requests(k=1)[:1])
    assert completion.error == "timed out after 0.2 s" and completion.attempts == 2


def test_reasoning_content_is_stored_apart_from_the_answer(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    server.config.reasoning_content = True
    completions, _ = run(config(server), requests(k=2))
    for c in completions:
        assert c.reasoning is not None and c.reasoning.startswith("Okay, let me think.")
        assert "<think>" not in c.text and "</think>" not in c.text and "\\boxed{" in c.text
        assert c.reasoning_tokens and c.reasoning_tokens > 0


def test_truncated_reasoning_reports_length(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    server.config.reasoning_content = True
    params = SamplingParams(max_tokens=5, seed=1)
    cfg = config(server, use_max_completion_tokens=True, send_temperature=False)
    completions, _ = run(cfg, requests(k=1), params)
    assert all(c.finish_reason == "length" and c.text == "" and c.completion_tokens == 5 for c in completions)
    body = sampled(server)[0].body
    assert body["max_completion_tokens"] == 5 and "max_tokens" not in body
    assert "temperature" not in body and "top_p" not in body


def test_completions_api_appends_the_prefix_to_prompt_and_text(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    completions, _ = run(config(server, api="completions"), requests(k=2, prefix="<think>\n"))
    assert all(
        r.path == "/v1/completions" and r.body["prompt"].endswith("Assistant:<think>\n")
        for r in sampled(server)
    )
    for c in completions:
        assert c.text.startswith("<think>\nOkay") and c.text.count("<think>") == 1


def test_chat_prefill_uses_continue_final_message_only_when_enabled(
    server: FakeOpenAIServer, monkeypatch
) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    forced, _ = run(config(server, continue_final_message=True), requests(k=1, prefix="<think>\n"))
    body = sampled(server)[0].body
    assert body["messages"][-1] == {"role": "assistant", "content": "<think>\n"}
    assert body["continue_final_message"] is True and body["add_generation_prompt"] is False
    assert all(c.text.startswith("<think>\nOkay") and c.text.count("<think>") == 1 for c in forced)
    assert all("note" not in c.extra for c in forced)
    plain, _ = run(config(server), requests(k=1, prefix="<think>\n"))
    assert sampled(server)[-1].body["messages"][-1]["role"] == "user"
    assert all("continue_final_message" in str(c.extra["note"]) for c in plain)


def test_extra_body_is_sent(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    run(config(server, extra_body_json='{"provider": {"quantizations": ["fp8"]}}'), requests(k=1)[:1])
    assert sampled(server)[0].body["provider"] == {"quantizations": ["fp8"]}


def test_rejected_key_is_a_backend_error_naming_the_variable(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    server.config.api_key = "sk-the-right-one"
    with pytest.raises(BackendError) as info:
        run(config(server), requests(k=2))
    assert str(info.value) == f"the server rejected the API key in ${KEY_ENV} (401)"


def test_missing_key_names_the_variable_for_remote_servers(monkeypatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    with pytest.raises(BackendError, match=f"set {KEY_ENV} "):
        OpenAIBackend(
            BackendConfig(
                kind="openai", model="m", base_url="https://api.example.com/v1", api_key_env=KEY_ENV
            )
        )


def test_local_server_needs_no_key_unless_it_asks(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    completions, _ = run(config(server), requests(k=1))
    assert len(completions) == 2 and all(c.ok for c in completions)
    server.config.api_key = "sk-needed"
    with pytest.raises(BackendError, match=f"wants an API key \\(401\\): set {KEY_ENV}"):
        run(config(server), requests(k=1))


def test_unknown_model_is_a_backend_error(server: FakeOpenAIServer, monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    with pytest.raises(BackendError, match="has no model 'nope'"):
        run(config(server, model="nope"), requests(k=1))


def test_unreachable_server_is_a_backend_error(monkeypatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cfg = BackendConfig(
        kind="openai",
        model="m",
        base_url=f"http://127.0.0.1:{port}/v1",
        api_key_env=KEY_ENV,
        retry_initial_delay_s=0.01,
    )
    with pytest.raises(BackendError, match=f"cannot reach http://127.0.0.1:{port}/v1: connection error"):
        run(cfg, requests(k=1))
