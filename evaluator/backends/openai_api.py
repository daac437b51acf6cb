"""OpenAI-compatible API backend (OpenAI, DeepSeek, OpenRouter, `vllm serve`, llama-server, ...).

Behaviour worth knowing (docs/models.md has the provider details):
- Concurrency: `config.concurrency` workers share one queue of requests, so at most that many HTTP
  requests are in flight. Each request asks for `samples_per_request` samples (`n`); when a server
  rejects `n > 1` (400/422) or silently returns fewer choices, the missing samples are re-sent as
  single requests, and every later request of the run is sent single ("fan-out", `stats.fanned_out`).
- Retries (a plain loop per request; tenacity for the preflight): 408/409/429/5xx, timeouts and dropped connections, exponential backoff with
  jitter, a server's Retry-After honoured; at most `max_retries + 1` attempts, recorded in
  `Completion.attempts`. A sample that still fails is yielded with `error` set, never dropped.
- User-fixable failures raise `BackendError`: no key, 401, 402, 404 (unknown model or endpoint),
  exhausted quota, server unreachable (checked once up front with GET /models).
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
import json
import os
import random
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import openai
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from evaluator.backends import BackendError
from evaluator.backends._openai_support import (
    BackendStats,
    JsonPost,
    error_code,
    http_client,
    is_local,
    reasoning_of,
    retry_after_s,
    retryable,
    root_cause,
    sample_seed,
    server_message,
    split_total,
)
from evaluator.types import BackendConfig, Completion, Request, SamplingParams

DEFAULT_KEY_ENV = "OPENAI_API_KEY"
DEFAULT_BASE_URL = "https://api.openai.com/v1"
CONNECT_TIMEOUT_S = 15.0
RETRY_AFTER_CAP_S = 600.0
PREFLIGHT_ATTEMPTS = 3
FAILED_REQUESTS_TO_STOP = 8  # requests in a row that failed after all their retries: the server is down

Job = tuple[Request, tuple[int, ...]]


class OpenAIBackend:
    """Samples through `openai.AsyncOpenAI`; see the module docstring for the rules."""

    name = "openai"

    def __init__(self, config: BackendConfig) -> None:
        self.config = config
        self.stats = BackendStats()
        self.base_url = (config.base_url or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
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
        try:
            self._extra_body: dict[str, Any] = (
                json.loads(config.extra_body_json) if config.extra_body_json else {}
            )
        except json.JSONDecodeError as exc:
            raise BackendError(f"extra body is not valid JSON: {exc}") from None
        self._fanout = config.samples_per_request <= 1
        self._checked = False
        self._failed_in_a_row = 0
        timeout = openai.Timeout(config.request_timeout_s, connect=CONNECT_TIMEOUT_S)
        http = http_client(timeout)
        self._client = openai.AsyncOpenAI(
            api_key=key,
            base_url=self.base_url,
            max_retries=0,
            timeout=timeout,
            http_client=http,
        )
        self._post = JsonPost(self._client, http)

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
        while True:
            request, indices = await jobs.get()
            if len(indices) > 1 and self._fanout:
                for index in indices:
                    jobs.put_nowait((request, (index,)))
                continue
            started = time.monotonic()
            try:
                completions, missing = await self._run(request, indices, params)
            except BackendError as exc:
                done.put_nowait(exc)
                continue
            except Exception as exc:  # a bug or an odd response must not lose the samples
                latency = time.monotonic() - started
                completions, missing = [self._failed(request, i, exc, 1, latency) for i in indices], ()
            for index in missing:
                jobs.put_nowait((request, (index,)))
            if completions:
                self._account(completions)
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
        """One request with retries: (finished completions, sample indices still to send singly)."""
        started = time.monotonic()
        attempts = 0
        try:
            while True:  # a plain loop: tenacity's per-attempt machinery cost ~0.5 ms CPU per request
                attempts += 1
                try:
                    response = await self._send(request, indices, params)
                    break
                except Exception as exc:
                    if attempts > self.config.max_retries or not retryable(exc):
                        raise
                    self.stats.retries += 1
                    await asyncio.sleep(self._delay(exc, attempts))
        except openai.APIStatusError as exc:
            self._raise_if_user_fixable(exc)
            if len(indices) > 1 and exc.status_code in (400, 422):
                self._fan_out()
                return [], indices
            latency = time.monotonic() - started
            return [self._failed(request, i, exc, attempts, latency) for i in indices], ()
        except openai.APIConnectionError as exc:
            latency = time.monotonic() - started
            return [self._failed(request, i, exc, attempts, latency) for i in indices], ()
        completions = self._parse(request, indices, response, attempts, time.monotonic() - started)
        missing = indices[len(completions) :]
        if missing:  # the server ignored n
            self._fan_out()
        return completions, missing

    async def _send(
        self, request: Request, indices: tuple[int, ...], params: SamplingParams
    ) -> dict[str, Any]:
        """POST one request through the client's HTTP client (its headers, timeouts and typed HTTP errors;
        `JsonPost`) and return the JSON body: no SDK request/response models, a quarter of the CPU."""
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
        try:
            content = await self._post(path, body)
        finally:
            self.stats.in_flight -= 1
        data = json.loads(content)
        if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
            raise ValueError(f"unexpected response from {path}: {content[:200].decode(errors='replace')}")
        return data

    def _parse(
        self,
        request: Request,
        indices: tuple[int, ...],
        response: dict[str, Any],
        attempts: int,
        latency: float,
    ) -> list[Completion]:
        """Completions for the choices of one response (fewer than `indices` if the server ignored n)."""
        chat = self.config.api != "completions"
        prefix = request.assistant_prefix
        forced = bool(prefix) and (not chat or self.config.continue_final_message)
        choices = sorted(response["choices"], key=lambda c: c.get("index", 0))[: len(indices)]
        rows: list[tuple[str, str | None, str | None]] = []
        for choice in choices:
            if chat:
                message = choice.get("message") or {}
                text, reasoning = message.get("content") or "", reasoning_of(message)
            else:
                text, reasoning = choice.get("text") or "", None
            if forced and reasoning is None:
                text = prefix + text
            rows.append((text, reasoning, choice.get("finish_reason")))
        usage = response.get("usage") or {}
        details = usage.get("completion_tokens_details") or {}
        lengths = [len(t) + len(r or "") for t, r, _ in rows]
        completion_split = split_total(usage.get("completion_tokens"), lengths)
        reasoning_split = split_total(details.get("reasoning_tokens"), [len(r or t) for t, r, _ in rows])
        extra: dict[str, object] = {}
        if len(indices) > 1:
            extra["n"] = len(indices)
        if prefix and not forced:
            extra["note"] = (
                "assistant_prefix not forced: this chat endpoint is not set up for continue_final_message"
            )
        prompt_tokens = usage.get("prompt_tokens")
        return [
            Completion(
                problem_id=request.problem_id,
                sample_index=index,
                text=text,
                reasoning=reasoning,
                finish_reason=finish,
                prompt_tokens=prompt_tokens if position == 0 or prompt_tokens is None else 0,
                completion_tokens=completion_split[position],
                reasoning_tokens=reasoning_split[position],
                latency_s=latency,
                attempts=attempts,
                extra=dict(extra),
            )
            for position, (index, (text, reasoning, finish)) in enumerate(zip(indices, rows, strict=False))
        ]

    async def _preflight(self) -> None:
        """GET /models once: an unreachable server or a rejected key stops the run before it starts."""
        if self._checked:
            return
        retrying = AsyncRetrying(
            stop=stop_after_attempt(min(PREFLIGHT_ATTEMPTS, self.config.max_retries + 1)),
            wait=self._wait,
            retry=retry_if_exception(lambda e: isinstance(e, openai.APIConnectionError)),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    await self._client.models.list()
        except openai.APIConnectionError as exc:
            raise BackendError(f"cannot reach {self.base_url}: {self._describe(exc)}") from None
        except openai.APIStatusError as exc:
            if exc.status_code == 401:
                self._raise_if_user_fixable(exc)
            # other answers (404: no /models endpoint, 5xx) mean the server is there; sampling decides
        self._checked = True

    def _raise_if_user_fixable(self, exc: openai.APIStatusError) -> None:
        status, message = exc.status_code, self._redact(server_message(exc))
        if status == 401:
            if self._keyless:
                raise BackendError(
                    f"the server at {self.base_url} wants an API key (401): set {self.key_env}"
                )
            raise BackendError(f"the server rejected the API key in ${self.key_env} (401)")
        if status == 402:
            raise BackendError(f"{self.base_url} refused the request: payment required (402): {message}")
        if status == 404:
            raise BackendError(
                f"{self.base_url} has no model {self.config.model!r} or no {self.config.api} endpoint (404): {message}"
            )
        if status == 429 and error_code(exc) == "insufficient_quota":
            raise BackendError(
                f"the quota of the API key in ${self.key_env} is used up (429 insufficient_quota)"
            )

    def _wait(self, state: RetryCallState) -> float:
        return self._delay(state.outcome.exception() if state.outcome else None, state.attempt_number)

    def _delay(self, exc: BaseException | None, attempt: int) -> float:
        """Seconds before the attempt after `attempt` (1-based) failed with `exc`: the server's
        Retry-After if given, else capped exponential with jitter."""
        after = retry_after_s(exc)
        if after is not None:
            return min(after, RETRY_AFTER_CAP_S)
        base = self.config.retry_initial_delay_s * 2 ** (attempt - 1)
        return min(base, self.config.retry_max_delay_s) * random.uniform(0.5, 1.0)

    def _fan_out(self) -> None:
        self._fanout = True
        self.stats.fanned_out = True

    def _account(self, completions: list[Completion]) -> None:
        stats = self.stats
        for c in completions:
            stats.samples += 1
            stats.errors += c.error is not None
            stats.prompt_tokens += c.prompt_tokens or 0
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
        """One line for the run store; never contains the API key."""
        if isinstance(exc, openai.APIStatusError):
            text = f"HTTP {exc.status_code}: {server_message(exc)}"
        elif isinstance(exc, openai.APIConnectionError):  # timeouts included; transports label them loosely
            root = root_cause(exc)
            if isinstance(root, (TimeoutError, asyncio.TimeoutError)) or "Timeout" in type(root).__name__:
                text = f"timed out after {self.config.request_timeout_s:g} s"
            else:
                text = f"connection error: {type(root).__name__}: {root}"
        else:
            text = f"{type(exc).__name__}: {exc}"
        return self._redact(" ".join(text.split()))[:2000]

    def _redact(self, text: str) -> str:
        return text.replace(self._key, "***") if len(self._key) >= 4 else text
