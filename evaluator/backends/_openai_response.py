"""Reading one 200 answer of an OpenAI-compatible server: its JSON, its choices and its usage, checked.

Providers answer badly in the wild: no choices, an error body with status 200, bytes that are
not JSON, content as a list of parts, choices beyond n or with a null index, usage as strings or 1e30.
The rule here: what holds no usable sample raises `MalformedResponse` (the caller retries it like a 5xx,
then records an error); what is merely odd is repaired or left out and counted in `BackendStats`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from evaluator.backends._openai_support import BackendStats, MalformedResponse, reasoning_of, split_total
from evaluator.types import Completion, Request

MAX_USAGE_TOKENS = 10**9  # no response holds more tokens: a bigger count (1e30) is garbage, not usage


def response_json(path: str, content: bytes, redact: Callable[[str], str]) -> dict[str, Any]:
    """The JSON object of a 200 answer, or MalformedResponse saying what came instead."""
    try:
        data = json.loads(content)
    except ValueError:  # invalid JSON, non-UTF-8 bytes, an SSE stream nobody asked for
        raise MalformedResponse(f"{path} answered 200 with a body that is not JSON: {snippet(content, redact)}") from None
    if isinstance(data, dict) and data.get("error") and not data.get("choices"):
        error = data["error"]
        message = error.get("message", error) if isinstance(error, dict) else error
        raise MalformedResponse(f"{path} answered 200 with an error: {redact(str(message))[:500]}")
    if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
        raise MalformedResponse(f"{path} answered 200 without a list of choices: {snippet(content, redact)}")
    return data


def snippet(content: bytes, redact: Callable[[str], str]) -> str:
    """The start of a body as one printable line (for error messages), with the key redacted."""
    return redact(" ".join(content[:200].decode("utf-8", "replace").split())) or "(empty)"


def completions_of(
    request: Request,
    indices: tuple[int, ...],
    response: dict[str, Any],
    *,
    attempts: int,
    latency: float,
    chat: bool,
    continue_final_message: bool,
    stats: BackendStats,
) -> tuple[list[Completion], bool]:
    """(completions for the usable choices of one response, whether the server sent fewer choices
    than asked). Raises MalformedResponse when no choice is usable, so the attempt is retried.
    Choices past n are dropped and usage values that are not token counts left out (both counted in
    `stats`). Usage of an n > 1 answer is split over its samples (see openai_api's docstring)."""
    prefix = request.assistant_prefix
    forced = bool(prefix) and (not chat or continue_final_message)
    by_position, dropped = choices_by_position(response["choices"], len(indices))
    stats.extra_choices += dropped
    rows: list[tuple[int, str, str | None, str | None]] = []
    problem = "no choices"
    for position in sorted(by_position):
        try:
            text, reasoning = choice_text(by_position[position], chat)
        except MalformedResponse as exc:
            problem = str(exc)
            continue
        if forced and reasoning is None:
            text = prefix + text
        finish = by_position[position].get("finish_reason")
        rows.append((indices[position], text, reasoning, finish if isinstance(finish, str) else None))
    if not rows:
        raise MalformedResponse(f"no usable choice in the response ({problem})")
    usage = _object(response.get("usage"))
    details = _object(usage.get("completion_tokens_details"))
    prompt_tokens = _tokens(usage, "prompt_tokens", stats)
    lengths = [len(t) + len(r or "") for _, t, r, _ in rows]
    completion_split = split_total(_tokens(usage, "completion_tokens", stats), lengths)
    reasoning_split = split_total(_tokens(details, "reasoning_tokens", stats), [len(r or t) for _, t, r, _ in rows])
    extra: dict[str, object] = {}
    served = response.get("model")
    if isinstance(served, str) and served:  # the model that really answered (aliases, re-routing): served_model check
        extra["served_model"] = served[:200]
    if len(indices) > 1:
        extra["n"] = len(indices)
    if prefix and not forced:
        extra["note"] = "assistant_prefix not forced: this chat endpoint is not set up for continue_final_message"
    completions = [
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
        for position, (index, text, reasoning, finish) in enumerate(rows)
    ]
    return completions, len(response["choices"]) < len(indices)


def choice_text(choice: object, chat: bool) -> tuple[str, str | None]:
    """(text, reasoning) of one choice; MalformedResponse if it has none (no message, odd content)."""
    if not isinstance(choice, dict):
        raise MalformedResponse(f"a choice is a {type(choice).__name__}, not an object")
    if not chat:
        text = choice.get("text")
        if text is not None and not isinstance(text, str):
            raise MalformedResponse(f"a choice's text is a {type(text).__name__}, not a string")
        return text or "", None
    message = choice.get("message")
    if not isinstance(message, dict):
        raise MalformedResponse("a choice has no message")
    return content_text(message.get("content")), reasoning_of(message)


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _tokens(usage: dict[str, Any], name: str, stats: BackendStats) -> int | None:
    value = usage.get(name)
    count = token_count(value)
    if count is None and value is not None:
        stats.ignored_usage += 1
    return count


def token_count(value: object) -> int | None:
    """A usage value as a token count, or None when it is not one (absent, a string, negative, 1e30)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or not 0 <= value <= MAX_USAGE_TOKENS or int(value) != value:
        return None
    return int(value)


def content_text(content: object) -> str:
    """A chat message's content as text: a string as is, None as "", a list of parts (the newer
    OpenAI form, `[{"type": "text", "text": ...}]`) as its text parts joined; other parts (images,
    refusals) are left out. Anything else raises MalformedResponse."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(part, dict) for part in content):
        return "".join(
            part["text"] for part in content if part.get("type", "text") == "text" and isinstance(part.get("text"), str)
        )
    raise MalformedResponse(f"message content is a {type(content).__name__}, not text")


def choices_by_position(choices: list[Any], n: int) -> tuple[dict[int, Any], int]:
    """The choices for positions 0..n-1 and how many were dropped. A choice's `index` says its
    position; a missing or null index takes its place in the list. Choices beyond n, out of range,
    or repeating a position are dropped (the first one wins)."""
    kept: dict[int, Any] = {}
    for place, choice in enumerate(choices):
        index = choice.get("index") if isinstance(choice, dict) else None
        position = index if isinstance(index, int) and not isinstance(index, bool) else place
        if 0 <= position < n and position not in kept:
            kept[position] = choice
    return kept, len(choices) - len(kept)
