"""Helpers of the OpenAI API backend: live counters, seeds, retry rules, response parsing.

Kept apart from openai_api.py so that module stays about the request flow.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import anyio
import httpx2
import openai

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def sample_seed(seed: int, problem_id: str, sample_index: int) -> int:
    """The `seed` sent for one sample: stable across runs and resumes, distinct per sample, 31 bits."""
    digest = hashlib.sha256(f"{seed}:{problem_id}:{sample_index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


@dataclass
class BackendStats:
    """Live counters for a progress bar. Written by the backend's event loop only; read any time."""

    requests: int = 0  # HTTP requests sent, retries included
    retries: int = 0
    samples: int = 0  # samples finished, ok or not
    errors: int = 0  # samples finished with an error
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    in_flight: int = 0
    fanned_out: bool = False  # the server rejected or ignored n > 1: single requests since
    started: float = field(default_factory=time.monotonic)

    def tokens_per_s(self) -> float:
        """Completion tokens per second of wall time since the backend was created."""
        elapsed = time.monotonic() - self.started
        return self.completion_tokens / elapsed if elapsed > 0 else 0.0


def http_client(timeout: openai.Timeout) -> httpx2.AsyncClient:
    """The SDK's aiohttp transport (openai[aiohttp]) when aiohttp is installed: about half the client
    CPU per request of the default httpx2 pool at 64+ requests in flight; else the SDK's default pool."""
    try:
        return openai.DefaultAioHttpClient(timeout=timeout)
    except RuntimeError:  # the SDK says aiohttp is missing
        return openai.DefaultAsyncHttpxClient(timeout=timeout)


class JsonPost:
    """POST a JSON body and return the response's bytes: the hot path of every sampling request.

    The request goes through the `openai` client's own HTTP client with the headers the client sends
    (its auth header, User-Agent and X-Stainless-* headers) and its timeouts, and a failure raises the
    SDK's own exceptions (`APIStatusError` subclasses built by the client from the response,
    `APITimeoutError`, `APIConnectionError`), so retries and error messages are unchanged. What it
    skips is the SDK's per-request pipeline (option models copied twice, headers merged and URLs
    re-parsed on every call): about 1 ms of CPU per request, half of the client's cost
    (docs/benchmarks.md). Only for a client authenticated by a plain API key, as this backend's is.
    """

    def __init__(self, client: openai.AsyncOpenAI, http: httpx2.AsyncClient) -> None:
        self._client = client
        self._http = http
        self._base = str(client.base_url).rstrip("/")
        self._urls: dict[str, httpx2.URL] = {}
        self._headers: httpx2.Headers | None = None
        self._extensions = {"timeout": httpx2.Timeout(client.timeout).as_dict()}

    def headers(self) -> httpx2.Headers:
        """The HTTP client's default headers overridden by the SDK client's default and auth headers
        (minus the SDK's `Omit()` markers), as `build_request` would merge them. Built on first use,
        inside the event loop (the SDK names the async library in one of them)."""
        if self._headers is None:
            merged = {**self._client.default_headers, **self._client.auth_headers}
            headers = httpx2.Headers(self._http.headers)
            headers.update({name: value for name, value in merged.items() if isinstance(value, str)})
            self._headers = headers
        return self._headers

    async def __call__(self, path: str, body: dict[str, Any]) -> bytes:
        url = self._urls.get(path) or self._urls.setdefault(path, httpx2.URL(self._base + path))
        request = httpx2.Request(
            "POST", url, headers=self.headers(), content=json.dumps(body).encode(), extensions=self._extensions
        )
        try:
            response = await self._http.send(request)
        except httpx2.TimeoutException as exc:
            raise openai.APITimeoutError(request=request) from exc
        except (httpx2.RequestError, ssl.SSLError, anyio.EndOfStream) as exc:  # as the SDK maps them
            raise openai.APIConnectionError(request=request) from exc
        if response.status_code >= 400:
            raise self._client._make_status_error_from_response(response)
        return response.content


def root_cause(exc: BaseException) -> BaseException:
    """The innermost exception of a `raise ... from` chain (the transport's own error)."""
    seen = {id(exc)}
    while exc.__cause__ is not None and id(exc.__cause__) not in seen:
        exc = exc.__cause__
        seen.add(id(exc))
    return exc


def is_local(url: str) -> bool:
    return (urlparse(url).hostname or "") in LOCAL_HOSTS


def retryable(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIConnectionError):  # includes timeouts and dropped connections
        return True
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        return (status in (408, 409, 429) or status >= 500) and error_code(exc) != "insufficient_quota"
    return False


def error_code(exc: openai.APIStatusError) -> str | None:
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) else None


def server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
    return str(exc.message)


def retry_after_s(exc: BaseException | None) -> float | None:
    """Retry-After (seconds or HTTP date) or retry-after-ms of an HTTP error, in seconds."""
    if not isinstance(exc, openai.APIStatusError):
        return None
    headers = exc.response.headers
    if (ms := headers.get("retry-after-ms")) is not None:
        try:
            return max(float(ms) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(email.utils.parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError, IndexError):
        return None


def reasoning_of(message: dict[str, Any]) -> str | None:
    """The reasoning a server split off: `reasoning_content` (DeepSeek, vLLM) or `reasoning` (OpenRouter, vLLM)."""
    for name in ("reasoning_content", "reasoning"):
        value = message.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def split_total(total: int | None, weights: list[int]) -> list[int | None]:
    """`total` split in proportion to `weights`, as integers that add up to `total` exactly."""
    if total is None:
        return [None] * len(weights)
    if len(weights) <= 1:
        return [total] * len(weights)
    weight_sum = sum(weights)
    if weight_sum == 0:
        weights, weight_sum = [1] * len(weights), len(weights)
    shares = [total * w // weight_sum for w in weights]
    for i in range(total - sum(shares)):
        shares[i % len(shares)] += 1
    return list[int | None](shares)
