"""`--extra-body`: the JSON object merged into every API request body, checked and canonicalised.

Checked once, up front, so a bad body stops the run before it starts: it must be a JSON object and
must hold no credential (a field named like api_key or token: the body is stored in config.json), and
must not set the keys the tool owns (those are recorded in the run's identity from their own options:
an `n` in the extra body would multiply the cost, a `max_completion_tokens` contradict the recorded
max_tokens). The canonical form (sorted keys, no spaces) is what the run's identity hashes, so two
spellings of one body share a run and two different bodies never do.
"""

from __future__ import annotations

import json
from typing import Any

from evaluator.backends._credentials import refuse_secret_fields
from evaluator.errors import BackendError

OWNED_KEYS = frozenset(
    {"n", "model", "messages", "prompt", "max_tokens", "max_completion_tokens", "temperature", "top_p", "seed", "stream"}
)


def parse_extra_body(text: str | None) -> dict[str, Any]:
    """The extra body as a dict ({} for none or empty). Raises BackendError, one line, for a body that
    is not a JSON object or that sets a key the tool owns."""
    if not text or not text.strip():
        return {}
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BackendError(f"--extra-body is not valid JSON ({exc.msg} at column {exc.colno}): {text[:200]}") from None
    if not isinstance(body, dict):
        raise BackendError(
            f"--extra-body must be a JSON object such as '{{\"reasoning_effort\": \"high\"}}', not {type(body).__name__}"
        )
    owned = sorted(OWNED_KEYS & body.keys())
    if owned:
        raise BackendError(
            f"--extra-body may not set {', '.join(owned)}: the tool sets these from its own options "
            "(--k/--samples-per-request, --model, the prompt, --max-tokens, --temperature, --top-p, --seed)"
        )
    refuse_secret_fields(body)
    return body


def canonical_extra_body(text: str | None) -> str:
    """The extra body as canonical JSON (sorted keys, no spaces); "" for none or `{}`."""
    body = parse_extra_body(text)
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False) if body else ""
