"""How long the API backend waits before retrying, and which 429 it must not retry.

`retry_after_s` reads a server's Retry-After (seconds or an HTTP date) or OpenAI's `retry-after-ms`;
the backend's wait honours it up to RETRY_AFTER_CAP_S, so a server asking for a day cannot stall a run.
A 429 whose code is `insufficient_quota` is not a rate limit: retrying cannot help, so the run stops at
once with a BackendError naming the key's variable (tested over real HTTP on 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from dataclasses import dataclass

import httpx2
import openai
import pytest
from aiohttp import web
from tenacity import AsyncRetrying, RetryCallState

from evaluator.backends import BackendError
from evaluator.backends._openai_support import retry_after_s
from evaluator.backends.openai_api import RETRY_AFTER_CAP_S, OpenAIBackend
from evaluator.types import BackendConfig, Message, Request, SamplingParams

KEY_ENV = "AIME_EVAL_TEST_KEY"
URL = "http://127.0.0.1:9/v1/chat/completions"


def status_error(status: int, headers: dict[str, str]) -> openai.APIStatusError:
    """The SDK's own error for an HTTP answer with these headers (what the backend's retry sees)."""
    response = httpx2.Response(status, headers=headers, request=httpx2.Request("POST", URL))
    return openai.APIStatusError("error", response=response, body=None)


def http_date(offset_s: float) -> str:
    return email.utils.formatdate(time.time() + offset_s, usegmt=True)


@dataclass(frozen=True)
class Case:
    headers: dict[str, str]
    seconds: float | None
    note: str


CASES = (
    Case({"retry-after": "7"}, 7.0, "whole seconds"),
    Case({"retry-after": "1.5"}, 1.5, "fractional seconds"),
    Case({"retry-after": "-3"}, 0.0, "a negative delay means now"),
    Case({"retry-after-ms": "1500"}, 1.5, "OpenAI's retry-after-ms alone"),
    Case({"retry-after-ms": "250", "retry-after": "7"}, 0.25, "retry-after-ms is finer, so it wins"),
    Case({"retry-after-ms": "soon", "retry-after": "2"}, 2.0, "unreadable ms falls back to Retry-After"),
    Case({"retry-after": "soon"}, None, "neither a number nor a date"),
    Case({}, None, "no header: the backend's own backoff"),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_retry_after_headers(case: Case) -> None:
    assert retry_after_s(status_error(429, case.headers)) == case.seconds


def test_retry_after_as_an_http_date() -> None:
    waited = retry_after_s(status_error(503, {"retry-after": http_date(120)}))
    assert waited is not None and 115 <= waited <= 121  # the date has whole seconds; the clock moved on
    assert retry_after_s(status_error(503, {"retry-after": http_date(-3600)})) == 0.0  # already past


def test_no_http_answer_has_no_retry_after() -> None:
    request = httpx2.Request("POST", URL)
    assert retry_after_s(openai.APIConnectionError(request=request)) is None
    assert retry_after_s(None) is None


def waits(headers: dict[str, str]) -> float:
    """The backend's wait before a second attempt after a 429 with these headers."""
    backend = OpenAIBackend(BackendConfig(kind="openai", model="m", base_url="http://127.0.0.1:9/v1"))
    try:
        state = RetryCallState(AsyncRetrying(), fn=None, args=(), kwargs={})
        error = status_error(429, headers)
        state.set_exception((type(error), error, None))
        return backend._wait(state)
    finally:
        asyncio.run(backend.aclose())


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "3"}, 3.0),  # honoured as given below the cap
        ({"retry-after": "86400"}, RETRY_AFTER_CAP_S),  # a day: capped
        ({"retry-after-ms": "7200000"}, RETRY_AFTER_CAP_S),  # two hours in ms: capped
        ({"retry-after": http_date(86400)}, RETRY_AFTER_CAP_S),  # a date tomorrow: capped
    ],
    ids=["below the cap", "seconds above the cap", "ms above the cap", "date above the cap"],
)
def test_the_backend_waits_what_the_server_asks_up_to_the_cap(headers: dict[str, str], seconds: float) -> None:
    assert RETRY_AFTER_CAP_S == 600.0
    assert waits(headers) == seconds


QUOTA_BODY = {
    "error": {
        "message": "You exceeded your current quota, please check your plan and billing details.",
        "type": "insufficient_quota",
        "param": None,
        "code": "insufficient_quota",
    }
}


def test_exhausted_quota_stops_the_run_without_retrying(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-test-0123456789")
    posts: list[str] = []

    async def models(_: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": "m", "object": "model"}]})

    async def completions(request: web.Request) -> web.Response:
        posts.append(request.path)
        # Retry-After 0: were it retried, the retries would be quick (and counted below)
        return web.json_response(QUOTA_BODY, status=429, headers={"Retry-After": "0"})

    async def go() -> None:
        app = web.Application()
        app.router.add_get("/v1/models", models)
        app.router.add_post("/v1/chat/completions", completions)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        host, port = runner.addresses[0][:2]
        backend = OpenAIBackend(BackendConfig(
            kind="openai", model="m", base_url=f"http://{host}:{port}/v1", api_key_env=KEY_ENV,
            concurrency=1, max_retries=4, retry_initial_delay_s=0.01, retry_max_delay_s=0.02,
        ))
        request = Request(problem_id="p1", messages=(Message(role="user", content="find it"),), sample_indices=(0,))
        try:
            async for _ in backend.generate([request], SamplingParams(max_tokens=100)):
                pass
        finally:
            await backend.aclose()
            await runner.cleanup()

    with pytest.raises(BackendError) as info:
        asyncio.run(go())
    assert str(info.value).startswith(f"the quota of the API key in ${KEY_ENV} is used up (429 insufficient_quota): "
                                     "add credit with the provider, or use another key")
    assert posts == ["/v1/chat/completions"]  # one request: a used-up quota is not retried
