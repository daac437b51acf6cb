"""OpenAI-compatible API backend (OpenAI, DeepSeek, OpenRouter, `vllm serve`, llama-server, ...).

Behaviour worth knowing (docs/models.md has the provider details):
- Concurrency: `config.concurrency` workers share one queue of requests, so at most that many HTTP
  requests are in flight. Each request asks for `samples_per_request` samples (`n`); when a server
  rejects `n > 1` (400/422) or silently returns fewer choices, the missing samples are re-sent as
  single requests, and every later request of the run is sent single ("fan-out", `stats.fanned_out`).
- Retries (tenacity): 408/409/429/5xx, timeouts and dropped connections, and 200 answers with no
  usable sample (no choices, an error body, not JSON: `_openai_response.py`), exponential backoff with
  jitter, a server's Retry-After honoured; at most `max_retries + 1` attempts, recorded in
  `Completion.attempts`. A sample that still fails is yielded with `error` set, never dropped; an
  exception anywhere in a worker becomes such an error, and a worker that dies stops the run.
- `request_timeout_s` bounds each whole attempt (headers and body), not each read of the transport.
- User-fixable failures raise `BackendError` and stop the run at once: no key, 400/413/422 for a
  single request (context too long, a parameter refused), 401, 402, 403, 404 (unknown model or
  endpoint), exhausted quota, server unreachable or not an OpenAI-compatible API (checked once up
  front with GET /models). The wording of these, and of a failed sample's error line, is in
  `_openai_errors.py`.
- Seeds: a single-sample request sends `seed = sample_seed(params.seed, problem_id, sample_index)`, so
  a resumed run re-sends the same seed for the same sample; an `n > 1` request sends the seed of its
  first sample (reproducible only when the same samples are grouped again).
- `assistant_prefix` (e.g. "<think>\\n"): completions API appends it to the prompt; chat prefills it
  as a final assistant message with vLLM's `continue_final_message` when the config allows, otherwise
  it is not forced and `extra["note"]` says so. `Completion.text` is always the whole assistant turn
  as if the model had written the prefix itself; when the server splits off the reasoning
  (`reasoning_content`, or OpenRouter's `reasoning`), that goes to `Completion.reasoning` and the
  prefix, which belongs to the reasoning, is not added to `text`.
- Usage of an `n > 1` response is split over its samples: completion and reasoning tokens in
  proportion to text length (the totals stay exact), prompt tokens on the first sample only
  (the provider bills the prompt once).
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

import httpx2
import openai
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from evaluator.backends._credentials import Redactor, refuse_url_credentials
from evaluator.backends._openai_errors import describe_failure, raise_if_user_fixable
from evaluator.backends._openai_response import completions_of, response_json, snippet
from evaluator.backends._openai_support import (
    BackendStats,
    MalformedResponse,
    RequestTimedOut,
    is_local,
    retry_after_s,
    retryable,
    sample_seed,
    sdk_client,
)
from evaluator.backends._request_body import parse_extra_body
from evaluator.errors import BackendError
from evaluator.types import BackendConfig, Completion, Request, SamplingParams

DEFAULT_KEY_ENV = "OPENAI_API_KEY"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
CONNECT_TIMEOUT_S = 15.0
RETRY_AFTER_CAP_S = 600.0
PREFLIGHT_ATTEMPTS = 3
PREFLIGHT_TIMEOUT_S = 60.0  # GET /models is small: a server that takes longer is not answering
FAILED_REQUESTS_TO_STOP = 8  # requests in a row that failed after all their retries: the server is down

Job = tuple[Request, tuple[int, ...]]
T = TypeVar("T")


def _report_exit(done: asyncio.Queue, task: asyncio.Task) -> None:
    """A worker that dies of an exception puts it on `done`, so the run stops instead of waiting forever
    for its samples. (Workers otherwise end by cancellation, or return once the run is stopping.)"""
    if not task.cancelled() and task.exception() is not None:
        done.put_nowait(task.exception())


class OpenAIBackend:
    """Samples through `openai.AsyncOpenAI`; see the module docstring for the rules."""

    name = "openai"

    def __init__(self, config: BackendConfig) -> None:
        self.config = config
        self.stats = BackendStats()
        self.base_url = (config.base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        refuse_url_credentials(self.base_url, "the base URL")  # also $OPENAI_BASE_URL
        self.key_env = config.api_key_env or DEFAULT_KEY_ENV
        key = os.environ.get(self.key_env, "").strip()
        self._keyless = not key
        if self._keyless:
            if not is_local(self.base_url):
                raise BackendError(
                    f"set {self.key_env} to your API key for {self.base_url} "
                    "(or name another variable with --api-key-env)"
                )
            key = "EMPTY"  # a local server started without --api-key accepts any token
        self._key = key
        self._redactor = Redactor(key)
        self._extra_body = parse_extra_body(config.extra_body_json)
        self._fanout = config.samples_per_request <= 1
        self._checked = False
        self._failed_in_a_row = 0
        self._stopping = False  # a BackendError ended the run: workers take no more jobs
        timeout = openai.Timeout(config.request_timeout_s, connect=CONNECT_TIMEOUT_S)
        self._client = sdk_client(key, self.base_url, timeout)

    async def aclose(self) -> None:
        await self._client.close()

    async def generate(
        self, requests: Sequence[Request], params: SamplingParams
    ) -> AsyncIterator[Completion]:
        """Yield one Completion per requested sample index, in completion order."""
        jobs: asyncio.Queue[Job] = asyncio.Queue()
        done: asyncio.Queue[list[Completion] | BaseException] = asyncio.Queue()
        step = max(1, self.config.samples_per_request)
        expected = 0
        for request in requests:
            if self.config.api == "completions" and request.prompt is None:
                raise BackendError(
                    f"--api completions needs a plain prompt; problem {request.problem_id} has none"
                )
            for start in range(0, len(request.sample_indices), step):
                jobs.put_nowait((request, request.sample_indices[start : start + step]))
            expected += len(request.sample_indices)
        if not expected:
            return
        await self._preflight()
        workers = [
            asyncio.create_task(self._worker(jobs, done, params))
            for _ in range(min(self.config.concurrency, expected))
        ]
        for worker in workers:  # a worker that dies would leave its samples waiting forever: say so instead
            worker.add_done_callback(functools.partial(_report_exit, done))
        try:
            while expected:
                item = await done.get()
                if isinstance(item, BaseException):
                    raise item
                for completion in item:
                    expected -= 1
                    yield completion
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def _worker(self, jobs: asyncio.Queue[Job], done: asyncio.Queue, params: SamplingParams) -> None:
        """Take jobs until cancelled. Every job ends in completions (some may carry `error`), a
        re-queue of its missing samples, or a BackendError for the run: never in nothing."""
        while not self._stopping:
            request, indices = await jobs.get()
            if len(indices) > 1 and self._fanout:
                for index in indices:
                    jobs.put_nowait((request, (index,)))
                continue
            started = time.monotonic()
            try:
                completions, missing = await self._run(request, indices, params)
                self._account(completions)
            except BackendError as exc:  # the run stops: no worker sends another request
                self._stopping = True
                done.put_nowait(exc)
                return
            except Exception as exc:  # a bug or an odd response must not lose the samples
                latency = time.monotonic() - started
                completions, missing = [self._failed(request, i, exc, 1, latency) for i in indices], ()
                self.stats.samples += len(completions)
                self.stats.errors += len(completions)
            for index in missing:
                jobs.put_nowait((request, (index,)))
            if completions:
                done.put_nowait(completions)
                self._failed_in_a_row = self._failed_in_a_row + 1 if all(c.error for c in completions) else 0
                if self._failed_in_a_row == FAILED_REQUESTS_TO_STOP:
                    done.put_nowait(BackendError(
                        f"{self.base_url} stopped answering: {FAILED_REQUESTS_TO_STOP} requests in a row failed "
                        f"after {self.config.max_retries} retries each (last: {completions[-1].error}). "
                        "Every finished sample is saved; run the same command again to continue"
                    ))

    async def _run(
        self, request: Request, indices: tuple[int, ...], params: SamplingParams
    ) -> tuple[list[Completion], tuple[int, ...]]:
        """One request with retries: (finished completions, sample indices still to send singly).
        An answer with no usable choice is a failed attempt like a 5xx (backoff, bounded retries)."""
        started = time.monotonic()
        attempts = 0

        async def attempt() -> tuple[list[Completion], bool]:
            nonlocal attempts
            attempts += 1
            response = await self._send(request, indices, params)
            return completions_of(
                request, indices, response, attempts=attempts, latency=time.monotonic() - started,
                chat=self.config.api != "completions",
                continue_final_message=self.config.continue_final_message, stats=self.stats,
            )  # fmt: skip

        try:
            completions, short = await self._with_retries(attempt)
        except openai.APIStatusError as exc:
            if len(indices) > 1 and exc.status_code in (400, 422):
                self._fan_out()
                return [], indices
            self._raise_if_user_fixable(exc)
            latency = time.monotonic() - started
            return [self._failed(request, i, exc, attempts, latency) for i in indices], ()
        except (openai.APIConnectionError, MalformedResponse, RequestTimedOut) as exc:
            latency = time.monotonic() - started
            return [self._failed(request, i, exc, attempts, latency) for i in indices], ()
        if short:  # the server ignored n
            self._fan_out()
        done = {c.sample_index for c in completions}
        return completions, tuple(i for i in indices if i not in done)

    async def _with_retries(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """`attempt()` under the retry policy, which is tenacity's alone (which errors, how long to wait,
        how many attempts). The first try runs before tenacity and a failure is replayed into it as its
        attempt 1: tenacity's bookkeeping is then paid only by the few requests that fail (with the telemetry
        headers left out, this cut client CPU per response by 13%: docs/benchmarks.md)."""
        try:
            return await attempt()
        except Exception as exc:
            if not retryable(exc):
                raise
            first_failure: list[BaseException] = [exc]

        async def replayed() -> T:
            if first_failure:
                raise first_failure.pop()
            return await attempt()

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.config.max_retries + 1),
            wait=self._wait,
            retry=retry_if_exception(retryable),
            before_sleep=self._on_retry,
            reraise=True,
        )
        return await retrying(replayed)

    async def _send(
        self, request: Request, indices: tuple[int, ...], params: SamplingParams
    ) -> dict[str, Any]:
        """POST one request through the client's own `post` (auth, timeouts, typed HTTP errors) and
        return the JSON body: skipping the SDK's typed request/response models halves client CPU."""
        cfg = self.config
        body: dict[str, Any] = {**self._extra_body, "model": cfg.model}
        if len(indices) > 1:
            body["n"] = len(indices)
        if cfg.send_seed:
            body["seed"] = sample_seed(params.seed, request.problem_id, indices[0])
        if cfg.send_temperature:
            body.update(temperature=params.temperature, top_p=params.top_p)
        if cfg.api == "completions":
            path = "/completions"
            body.update(
                prompt=(request.prompt or "") + request.assistant_prefix, max_tokens=params.max_tokens
            )
        else:
            path = "/chat/completions"
            messages = [{"role": m.role, "content": m.content} for m in request.messages]
            if request.assistant_prefix and cfg.continue_final_message:
                messages.append({"role": "assistant", "content": request.assistant_prefix})
                body.update(continue_final_message=True, add_generation_prompt=False)
            body["messages"] = messages
            body["max_completion_tokens" if cfg.use_max_completion_tokens else "max_tokens"] = (
                params.max_tokens
            )
        self.stats.requests += 1
        self.stats.in_flight += 1
        try:  # the transport's timeout applies per read: a body trickling in must not outlive the limit
            async with asyncio.timeout(cfg.request_timeout_s):
                response = await self._client.post(path, cast_to=httpx2.Response, body=body)
                content = await response.aread()
        except TimeoutError:
            raise RequestTimedOut(f"timed out after {cfg.request_timeout_s:g} s") from None
        finally:
            self.stats.in_flight -= 1
        return response_json(path, content, self._redact)

    async def _preflight(self) -> None:
        """GET /models once: an unreachable server, a rejected key, or an address that is not an
        OpenAI-compatible API (an HTML page) stops the run before it starts."""
        if self._checked:
            return
        retrying = AsyncRetrying(
            stop=stop_after_attempt(min(PREFLIGHT_ATTEMPTS, self.config.max_retries + 1)),
            wait=self._wait,
            retry=retry_if_exception(lambda e: isinstance(e, (openai.APIConnectionError, RequestTimedOut))),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    async with asyncio.timeout(min(self.config.request_timeout_s, PREFLIGHT_TIMEOUT_S)):
                        response = await self._client.get("/models", cast_to=httpx2.Response)
                        content = await response.aread()
        except openai.APIConnectionError as exc:
            raise BackendError(f"cannot reach {self.base_url}: {self._describe(exc)}") from None
        except TimeoutError:
            raise BackendError(f"{self.base_url}/models did not answer within "
                               f"{min(self.config.request_timeout_s, PREFLIGHT_TIMEOUT_S):g} s") from None
        except openai.APIStatusError as exc:
            if exc.status_code in (401, 403):
                self._raise_if_user_fixable(exc)
            # other answers (404: no /models endpoint, 5xx) mean the server is there; sampling decides
        else:
            try:
                json.loads(content)
            except ValueError:
                kind = response.headers.get("content-type", "unknown type").split(";")[0]
                raise BackendError(
                    f"{self.base_url}/models answered with {kind}, not JSON ({snippet(content, self._redact)[:80]}): "
                    "this is not an OpenAI-compatible API; check --base-url (it usually ends in /v1)"
                ) from None
        self._checked = True

    def _raise_if_user_fixable(self, exc: openai.APIStatusError) -> None:
        """A BackendError, with this server's and this key's names, for an answer retrying cannot fix."""
        raise_if_user_fixable(exc, base_url=self.base_url, key_env=self.key_env, keyless=self._keyless,
                              model=self.config.model, api=self.config.api, redact=self._redact)

    def _wait(self, state: RetryCallState) -> float:
        """Seconds before the next attempt: the server's Retry-After if given, else capped exponential with jitter."""
        exc = state.outcome.exception() if state.outcome else None
        after = retry_after_s(exc)
        if after is not None:
            return min(after, RETRY_AFTER_CAP_S)
        base = self.config.retry_initial_delay_s * 2 ** (state.attempt_number - 1)
        return min(base, self.config.retry_max_delay_s) * random.uniform(0.5, 1.0)

    def _on_retry(self, state: RetryCallState) -> None:
        self.stats.retries += 1

    def _fan_out(self) -> None:
        self._fanout = True
        self.stats.fanned_out = True

    def _account(self, completions: list[Completion]) -> None:
        stats = self.stats
        for c in completions:
            stats.samples += 1
            stats.errors += c.error is not None
            stats.prompt_tokens += c.prompt_tokens or 0  # counts are checked ints (token_count)
            stats.completion_tokens += c.completion_tokens or 0
            stats.reasoning_tokens += c.reasoning_tokens or 0

    def _failed(
        self, request: Request, index: int, exc: BaseException, attempts: int, latency: float
    ) -> Completion:
        return Completion(
            problem_id=request.problem_id,
            sample_index=index,
            text="",
            error=self._describe(exc),
            attempts=attempts,
            latency_s=latency,
        )

    def _describe(self, exc: BaseException) -> str:
        """The error line stored for a failed sample, redacted."""
        return describe_failure(exc, self.config.request_timeout_s, self._redact)

    def _redact(self, text: str) -> str:
        return self._redactor(text)
