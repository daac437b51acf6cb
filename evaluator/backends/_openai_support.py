"""Helpers of the OpenAI API backend: live counters, seeds, retry rules, response parsing.

Kept apart from openai_api.py so that module stays about the request flow.
"""

from __future__ import annotations

import email.utils
import hashlib
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx2
import openai

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class MalformedResponse(Exception):
    """An answer with no usable sample in it (no choices, an error body with status 200, not JSON, a
    choice without a message): a failed attempt, retried like a 5xx, then an error record."""


class RequestTimedOut(Exception):
    """The whole request (headers and body) took longer than --request-timeout."""


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
    ignored_usage: int = 0  # usage values that were not token counts (strings, negative, 1e30): left out
    extra_choices: int = 0  # choices beyond n, or with an index outside 0..n-1 or repeated: dropped
    started: float = field(default_factory=time.monotonic)

    def tokens_per_s(self) -> float:
        """Completion tokens per second of wall time since the backend was created."""
        elapsed = time.monotonic() - self.started
        return self.completion_tokens / elapsed if elapsed > 0 else 0.0

    def notes(self) -> list[str]:
        """What the server did wrong without costing a sample, one line each, for the end of a run."""
        notes = []
        if self.ignored_usage:
            notes.append(f"{self.ignored_usage} usage value(s) from the server were not token counts "
                         "(strings, negative or absurd numbers) and were left out of the token totals")
        if self.extra_choices:
            notes.append(f"the server sent {self.extra_choices} choice(s) beyond the n asked for (or with a "
                         "repeated or out-of-range index); they were dropped")
        return notes


def http_client(timeout: openai.Timeout) -> httpx2.AsyncClient | None:
    """The SDK's aiohttp transport (openai[aiohttp]) when aiohttp is installed: about half the client
    CPU per request of the default httpx2 pool at 64+ requests in flight. None = the SDK default."""
    try:
        return openai.DefaultAioHttpClient(timeout=timeout)
    except RuntimeError:  # the SDK says aiohttp is missing
        return None


# The SDK's telemetry headers (its version, OS, architecture, Python) are left out: no server needs them,
# some gateways and WAFs refuse requests that carry them (403), and they were a third of the header work
# the client does per request. The SDK drops a default header whose value is `openai.omit`.
TELEMETRY_HEADERS = (
    "X-Stainless-Lang", "X-Stainless-Package-Version", "X-Stainless-OS", "X-Stainless-Arch",
    "X-Stainless-Runtime", "X-Stainless-Runtime-Version", "X-Stainless-Async",
)  # fmt: skip


def sdk_client(api_key: str, base_url: str, timeout: openai.Timeout) -> openai.AsyncOpenAI:
    """The real openai client as the backend sends with it: no SDK retries (the backend's are tenacity's),
    the aiohttp transport when installed, and none of the telemetry headers."""
    no_telemetry: dict[str, Any] = {name: openai.omit for name in TELEMETRY_HEADERS}
    return openai.AsyncOpenAI(
        api_key=api_key,
        base_url=base_url,
        max_retries=0,
        timeout=timeout,
        http_client=http_client(timeout),
        default_headers=no_telemetry,
    )


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
    if isinstance(exc, (openai.APIConnectionError, MalformedResponse, RequestTimedOut)):
        return True  # timeouts, dropped connections, and answers with nothing usable in them
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

