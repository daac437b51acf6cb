"""The API backend against servers that answer badly, over real HTTP on 127.0.0.1: every
sample ends stored or as an error record, retries stay bounded, and nothing hangs or crashes."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from evaluator.backends import BackendError, create_backend
from evaluator.backends.openai_api import OpenAIBackend
from evaluator.testing.fake_openai_server import FakeOpenAIServer, FakeServerConfig
from evaluator.types import BackendConfig, Completion, Message, Request, SamplingParams

PARAMS = SamplingParams(temperature=0.6, top_p=0.95, max_tokens=1000, seed=7)
HANG_LIMIT_S = 60.0  # a run that takes longer than this is hung (every case here needs a few seconds)


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    fake = FakeOpenAIServer(FakeServerConfig(answers={"Problem A": 204, "Problem B": 33}, think_words=8))
    fake.start()
    yield fake
    fake.stop()


def config(server: FakeOpenAIServer, **overrides: object) -> BackendConfig:
    values: dict[str, object] = dict(kind="openai", model="fake-r1", base_url=server.url, api_key_env="NO_SUCH_KEY_ENV",
                                     concurrency=4, max_retries=2, retry_initial_delay_s=0.01, retry_max_delay_s=0.02)
    values.update(overrides)
    return BackendConfig(**values)  # type: ignore[arg-type]


def requests(k: int = 2) -> list[Request]:
    return [Request(problem_id=pid, messages=(Message("user", f"{pid}: find the answer."),), sample_indices=tuple(range(k)))
            for pid in ("Problem A", "Problem B")]


def run(cfg: BackendConfig, reqs: list[Request] | None = None) -> tuple[list[Completion], OpenAIBackend]:
    """All completions of one generate() call; a hang fails the test after HANG_LIMIT_S."""
    async def go() -> tuple[list[Completion], OpenAIBackend]:
        backend = create_backend(cfg)
        assert isinstance(backend, OpenAIBackend)
        try:
            async def collect() -> list[Completion]:
                return [c async for c in backend.generate(reqs or requests(), PARAMS)]
            return await asyncio.wait_for(collect(), HANG_LIMIT_S), backend
        finally:
            await backend.aclose()

    return asyncio.run(go())


def sampled(server: FakeOpenAIServer) -> int:
    return sum(1 for r in server.received if r.path.endswith("completions"))


def keys(completions: list[Completion]) -> list[tuple[str, int]]:
    return sorted((c.problem_id, c.sample_index) for c in completions)


ALL_KEYS = [("Problem A", 0), ("Problem A", 1), ("Problem B", 0), ("Problem B", 1)]


@dataclass(frozen=True)
class Broken:
    quirk: str
    error: str  # in the error of every sample when the server always answers this way
    note: str


# Answers with no usable sample: a failed attempt, retried with backoff, bounded, then an error record.
# Before the hostile-server fixes: empty choices re-queued the sample forever (688 requests in 10 s); the others
# were not retried within the run, and a list or number as content crashed the run.
BROKEN = [
    Broken("empty_choices", "no usable choice in the response (no choices)", "choices: []"),
    Broken("no_message", "a choice has no message", "a chat choice without message"),
    Broken("content_number", "message content is a int, not text", "content that is not text"),
    Broken("error_200", "answered 200 with an error: upstream overloaded", "200 with an error body"),
    Broken("invalid_json", "answered 200 with a body that is not JSON", "invalid JSON"),
    Broken("not_utf8", "answered 200 with a body that is not JSON", "bytes that are not UTF-8"),
    Broken("sse", "answered 200 with a body that is not JSON: data:", "an event stream nobody asked for"),
]


@pytest.mark.parametrize("case", BROKEN, ids=[c.note for c in BROKEN])
def test_answer_without_a_sample_is_retried_a_bounded_number_of_times(server: FakeOpenAIServer, case: Broken) -> None:
    server.config.quirk = case.quirk
    completions, backend = run(config(server, max_retries=2))
    assert keys(completions) == ALL_KEYS
    assert all(c.error is not None and case.error in c.error for c in completions), completions[0].error
    assert all(c.attempts == 3 for c in completions)
    assert sampled(server) == 4 * 3  # every sample: 1 try + 2 retries, and not one request more
    assert backend.stats.retries == 4 * 2 and backend.stats.errors == 4


@pytest.mark.parametrize("case", BROKEN, ids=[c.note for c in BROKEN])
def test_answer_without_a_sample_once_is_retried_within_the_run(server: FakeOpenAIServer, case: Broken) -> None:
    server.config.script = [case.quirk, "ok"] * 4  # one request at a time: each first answer is broken
    completions, _ = run(config(server, concurrency=1))
    assert keys(completions) == ALL_KEYS
    assert all(c.error is None and "\\boxed{" in c.text and c.attempts == 2 for c in completions)


@pytest.mark.parametrize("quirk", ["usage_string", "usage_negative", "usage_huge"])
def test_usage_that_is_not_a_token_count_is_ignored_and_counted(server: FakeOpenAIServer, quirk: str) -> None:
    server.config.quirk = quirk
    completions, backend = run(config(server))
    assert keys(completions) == ALL_KEYS and all(c.error is None for c in completions)
    assert all(c.completion_tokens is None for c in completions)  # never summed
    assert all(c.prompt_tokens is not None and c.reasoning_tokens is not None for c in completions)  # the good ones stay
    assert backend.stats.ignored_usage == 4 and backend.stats.completion_tokens == 0
    assert "4 usage value(s)" in backend.stats.notes()[0]


def test_content_as_a_list_of_parts_is_joined(server: FakeOpenAIServer) -> None:
    server.config.quirk = "content_parts"
    completions, _ = run(config(server))
    assert keys(completions) == ALL_KEYS
    by_key = {(c.problem_id, c.sample_index): c for c in completions}
    assert all(c.error is None and c.text.startswith("<think>") and "\\boxed{" in c.text for c in completions)
    assert "\\boxed{204}" in by_key[("Problem A", 0)].text  # the fake server always answers A correctly


def test_trickling_body_is_bounded_by_the_request_timeout(server: FakeOpenAIServer) -> None:
    """Headers at once, then one byte a second: each read is quick, so only a whole-request bound ends
    it. Before the hostile-server fixes, `--request-timeout 5 --max-retries 0` was still running after 60 s."""
    server.config.quirk = "trickle"
    started = time.monotonic()
    completions, _ = run(config(server, request_timeout_s=2.0, max_retries=0), requests(k=1))
    elapsed = time.monotonic() - started
    assert [c.error for c in completions] == ["timed out after 2 s"] * 2
    assert elapsed < HANG_LIMIT_S  # the body alone would take several minutes at one byte a second


def test_more_choices_than_n_keeps_indices_below_n(server: FakeOpenAIServer) -> None:
    server.config.quirk = "extra_choices"
    completions, backend = run(config(server, samples_per_request=2))
    assert keys(completions) == ALL_KEYS and all(c.error is None for c in completions)
    assert sampled(server) == 2 and backend.stats.extra_choices == 4
    assert "beyond the n asked for" in " ".join(backend.stats.notes())


def test_null_index_takes_the_place_in_the_list(server: FakeOpenAIServer) -> None:
    server.config.quirk = "null_index"
    completions, _ = run(config(server, samples_per_request=2))
    assert keys(completions) == ALL_KEYS and all(c.error is None for c in completions)
    assert sampled(server) == 2


def test_content_filter_is_recorded(server: FakeOpenAIServer) -> None:
    server.config.quirk = "content_filter"
    completions, _ = run(config(server))
    assert {c.finish_reason for c in completions} == {"content_filter"}


@pytest.mark.parametrize(
    ("quirk", "message"),
    [
        ("context_400", "request rejected (400): This model's maximum context length is 4096 tokens"),
        ("forbidden_403", "refused the request (403 forbidden): Project does not have access to model fake-r1."),
    ],
)
def test_rejected_request_stops_at_once_with_the_servers_words(server: FakeOpenAIServer, quirk: str, message: str) -> None:
    server.config.quirk = quirk
    with pytest.raises(BackendError) as info:
        run(config(server, concurrency=1, max_retries=5))
    assert message in str(info.value) and "stopped answering" not in str(info.value)
    assert sampled(server) == 1  # not retried, not sent again


def test_models_answering_html_is_a_clean_error(server: FakeOpenAIServer) -> None:
    server.config.models_html = True
    with pytest.raises(BackendError, match=r"models answered with text/html, not JSON .*check --base-url"):
        run(config(server))
    assert sampled(server) == 0


def test_an_exception_while_handling_an_answer_becomes_an_error_record(server: FakeOpenAIServer, monkeypatch) -> None:
    """Before the hostile-server fixes, a TypeError in accounting killed the worker: its samples vanished and the run waited forever."""
    calls = []
    original = OpenAIBackend._account

    def explode_once(self: OpenAIBackend, completions: list[Completion]) -> None:
        calls.append(len(completions))
        if len(calls) == 1:
            raise TypeError("unsupported operand type(s) for +=: 'int' and 'str'")
        original(self, completions)

    monkeypatch.setattr(OpenAIBackend, "_account", explode_once)
    completions, _ = run(config(server, concurrency=1))
    assert keys(completions) == ALL_KEYS
    assert [c.error for c in completions].count("TypeError: unsupported operand type(s) for +=: 'int' and 'str'") == 1


def test_a_worker_that_dies_stops_the_run_instead_of_hanging(server: FakeOpenAIServer, monkeypatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("even the fallback failed")

    monkeypatch.setattr(OpenAIBackend, "_account", broken)
    monkeypatch.setattr(OpenAIBackend, "_failed", broken)
    with pytest.raises(RuntimeError, match="even the fallback failed"):
        run(config(server, concurrency=2))
