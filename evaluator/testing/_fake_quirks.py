"""The hostile answers the fake OpenAI server can give: what providers really send.

`QUIRKS` names them; each is one of three kinds: a change to a well-formed answer (`MUTATIONS`), a raw
body with status 200 (`RAW_QUIRKS`), or an error status (`STATUS_QUIRKS`). "trickle" is the server's own
(it needs the streaming response).
"""

from __future__ import annotations

from collections.abc import Callable

QUIRKS = (
    "empty_choices",  # {"choices": [], "usage": {...}}: under load, some providers do this
    "usage_string",  # "completion_tokens": "20"
    "usage_negative",  # "completion_tokens": -5
    "usage_huge",  # "completion_tokens": 1e30
    "content_parts",  # message.content = [{"type": "text", "text": ...}]
    "content_number",  # message.content = 42 (nothing a client can read)
    "extra_choices",  # two choices more than n, with indices n and n+1
    "null_index",  # every choice has "index": null
    "no_message",  # a chat choice without "message"
    "content_filter",  # finish_reason "content_filter"
    "error_200",  # status 200 with {"error": {...}}
    "invalid_json",  # status 200, a body that is not JSON
    "not_utf8",  # status 200, bytes that are not UTF-8
    "sse",  # status 200, an event stream nobody asked for
    "trickle",  # headers at once, then the body one byte per `trickle_s`
    "context_400",  # 400: the prompt is longer than the model's context
    "forbidden_403",  # 403: the key may not use this model
)


def _set_usage(value: object) -> Callable[[dict, int], None]:
    def mutate(data: dict, n: int) -> None:
        data["usage"]["completion_tokens"] = value if value != "str" else str(data["usage"]["completion_tokens"])

    return mutate


def _each_choice(change: Callable[[dict], None]) -> Callable[[dict, int], None]:
    def mutate(data: dict, n: int) -> None:
        for choice in data["choices"]:
            change(choice)

    return mutate


def _content_parts(choice: dict) -> None:
    if "message" in choice:
        choice["message"]["content"] = [{"type": "text", "text": choice["message"]["content"]}]


def _drop_message(choice: dict) -> None:
    choice.pop("message", None)
    choice.pop("text", None)


def _extra_choices(data: dict, n: int) -> None:
    data["choices"] += [{**data["choices"][0], "index": n + i} for i in range(2)]


MUTATIONS: dict[str, Callable[[dict, int], None]] = {
    "empty_choices": lambda data, n: data.update(choices=[]),
    "usage_string": _set_usage("str"),
    "usage_negative": _set_usage(-5),
    "usage_huge": _set_usage(1e30),
    "content_parts": _each_choice(_content_parts),
    "content_number": _each_choice(lambda c: c.get("message", {}).update(content=42)),
    "extra_choices": _extra_choices,
    "null_index": _each_choice(lambda c: c.update(index=None)),
    "no_message": _each_choice(_drop_message),
    "content_filter": _each_choice(lambda c: c.update(finish_reason="content_filter")),
}
RAW_QUIRKS: dict[str, tuple[bytes, str]] = {
    "error_200": (b'{"error": {"message": "upstream overloaded", "code": 503}}', "application/json"),
    "invalid_json": (b'{"choices": [{"index": 0, "message": ', "application/json"),
    "not_utf8": (b'{"choices": [], "note": "\xff\xfe\xfa"}', "application/json"),
    "sse": (b'data: {"choices": [{"index": 0, "delta": {"content": "4"}}]}\n\ndata: [DONE]\n\n', "text/event-stream"),
}
STATUS_QUIRKS: dict[str, tuple[int, str]] = {
    "context_400": (400, "This model's maximum context length is 4096 tokens. However, you requested 40000 tokens."),
    "forbidden_403": (403, "Project does not have access to model fake-r1."),
}
