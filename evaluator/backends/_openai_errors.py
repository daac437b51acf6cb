"""What the OpenAI API backend says when a request fails: the answers that stop the run, each with the
server's words and a remedy, and the one line stored for a sample that failed for good.

Pure functions over the exception and the facts of the backend (base URL, key variable, model), so
`openai_api.py` stays about the request flow. Every text passes through the backend's redactor: a
server may echo the API key back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import openai

from evaluator.backends._openai_support import (
    MalformedResponse,
    RequestTimedOut,
    error_code,
    root_cause,
    server_message,
)
from evaluator.errors import BackendError

MAX_ERROR_CHARS = 2000  # an error line in errors.jsonl; a server's HTML error page is cut there


def raise_if_user_fixable(exc: openai.APIStatusError, *, base_url: str, key_env: str, keyless: bool, model: str,
                          api: str, redact: Callable[[str], str]) -> None:
    """A BackendError for answers that retrying cannot fix: the run stops with the server's words.
    `keyless`: no key was set (a local server), so a 401 or 403 asks for one instead of blaming it."""
    status, message = exc.status_code, redact(server_message(exc))
    if status == 403:  # like 401, never retried; the reason may be the key, the region or the model
        remedy = f"set {key_env} if it needs an API key" if keyless else (
            f"check that the API key in ${key_env} may use model {model!r}")
        raise BackendError(f"{base_url} refused the request (403 forbidden): {message}; {remedy}")
    if status == 401:
        if keyless:
            raise BackendError(f"the server at {base_url} wants an API key (401): set {key_env}")
        raise BackendError(f"the server rejected the API key in ${key_env} (401)")
    if status == 402:
        raise BackendError(f"{base_url} refused the request: payment required (402): {message}")
    if status == 404:
        raise BackendError(f"{base_url} has no model {model!r} or no {api} endpoint (404): {message}")
    if status in (400, 413, 422):  # context too long, max_tokens too large, a parameter refused
        raise BackendError(
            f"request rejected ({status}): {message.rstrip('. ')}. Sending it again cannot help: change the option "
            "it names (--max-tokens, --extra-body, --samples-per-request ...) or the model"
        )
    if status == 429 and error_code(exc) == "insufficient_quota":
        raise BackendError(
            f"the quota of the API key in ${key_env} is used up (429 insufficient_quota): add credit with "
            "the provider, or use another key (--api-key-env NAME); every finished sample is saved"
        )


def describe_failure(exc: BaseException, request_timeout_s: float, redact: Callable[[str], str]) -> str:
    """One line for the run store; never contains the API key."""
    if isinstance(exc, (MalformedResponse, RequestTimedOut)):
        text = str(exc)
    elif isinstance(exc, openai.APIStatusError):
        text = f"HTTP {exc.status_code}: {server_message(exc)}"
    elif isinstance(exc, openai.APIConnectionError):  # timeouts included; transports label them loosely
        root = root_cause(exc)
        if isinstance(root, (TimeoutError, asyncio.TimeoutError)) or "Timeout" in type(root).__name__:
            text = f"timed out after {request_timeout_s:g} s"
        else:
            text = f"connection error: {type(root).__name__}: {root}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return redact(" ".join(text.split()))[:MAX_ERROR_CHARS]
