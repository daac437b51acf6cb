"""Keys stay out of URLs, request-body options, files and messages.

The key lives in an environment variable (`--api-key-env`) and travels only in the Authorization
header. So `--base-url` may not carry one (`user:password@host`, `?api-key=...`): a URL is stored in
config.json and printed in "cannot reach ..." lines. Neither may `--extra-body` (part of the run's
identity, stored in config.json and shown in the report): a field whose name says key, token,
secret, password or authorization is refused. And every text from the server passes through
`Redactor`, which hides the key and its common transforms (base64 as in Basic auth, URL-encoding,
any run of six of its characters, as in a provider's "sk-abc1...wxyz9" echo).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from evaluator.errors import BackendError

_WHERE_KEYS_GO = ("put the key in an environment variable and name it with --api-key-env (it is sent as the "
                  "Authorization header and never stored)")
# A field name is split into lower-case words (snake_case, kebab-case, camelCase); it names a secret when a
# word says so, or when its last word is key/token (api_key, access_token, x-api-key; not budget_tokens).
_SECRET_WORDS = frozenset({"secret", "password", "passwd", "authorization", "auth", "credential", "credentials",
                           "apikey", "bearer", "cookie"})
_SECRET_LAST = frozenset({"key", "token"})
_NOT_SECRET = frozenset({"prompt_cache_key", "cache_key", "idempotency_key"})  # keys that are not credentials
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_MIN_ECHO = 6  # a run of this many of the key's own characters (a provider's masked echo) is redacted


def is_secret_name(name: str) -> bool:
    """True when a field called `name` would hold a credential.

    >>> [is_secret_name(n) for n in ("api_key", "apiKey", "x-api-key", "Authorization", "budget_tokens", "top_k")]
    [True, True, True, True, False, False]
    """
    if name.lower() in _NOT_SECRET:
        return False
    words = [w.lower() for w in _WORD.findall(name)]
    return bool(words) and (bool(_SECRET_WORDS & set(words)) or words[-1] in _SECRET_LAST)


def refuse_url_credentials(url: str | None, option: str = "--base-url") -> None:
    """BackendError (one line) when `url` is not a usable URL or carries a credential: a `user:password@`
    part, or a query parameter whose name says key/token/secret."""
    if not url:
        return
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number raises here, not deep in the HTTP client
    except ValueError as exc:
        raise BackendError(f"{option} is not a usable URL ({exc}); give e.g. http://127.0.0.1:8000/v1") from None
    if parts.username is not None or parts.password is not None:
        raise BackendError(f"{option} holds a user name or password (user:password@host): remove it and "
                           f"{_WHERE_KEYS_GO}")
    named = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True) if is_secret_name(name)})
    if named:
        raise BackendError(f"{option} holds a credential in its query ({', '.join(named)}=...): remove it and "
                           f"{_WHERE_KEYS_GO}")


def secret_fields(value: Any, path: str = "") -> Iterator[str]:
    """The dotted paths of every field, at any depth of a JSON value, whose name says it holds a secret."""
    if isinstance(value, dict):
        for name, inner in value.items():
            where = f"{path}.{name}" if path else str(name)
            if is_secret_name(str(name)):
                yield where
            else:
                yield from secret_fields(inner, where)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from secret_fields(inner, f"{path}[{i}]")


def refuse_secret_fields(body: dict[str, Any]) -> None:
    """BackendError when `--extra-body` holds a credential (it would be stored in config.json)."""
    found = list(secret_fields(body))
    if found:
        raise BackendError(f"--extra-body field {', '.join(found[:5])} looks like a credential; the body is stored "
                           f"in config.json and shown in the report: remove it and {_WHERE_KEYS_GO}")


class Redactor:
    """Replaces the key, and the forms a server may echo it in, by `***` in a text."""

    def __init__(self, key: str) -> None:
        self.key = key
        forms: set[str] = set()
        if len(key) >= 4:
            raw = key.encode()
            for blob in (raw, b":" + raw, raw + b":"):  # Basic auth encodes user:password
                for encode in (base64.b64encode, base64.urlsafe_b64encode):
                    text = encode(blob).decode()
                    forms.update((text, text.rstrip("=")))
            forms.update((key, quote(key, safe="")))
        # Longest first, so a shorter form never leaves half of a longer one behind.
        self._forms = sorted((f for f in forms if len(f) >= 4), key=len, reverse=True)
        windows = sorted({key[i:i + _MIN_ECHO] for i in range(len(key) - _MIN_ECHO + 1)})
        self._echo = re.compile("|".join(map(re.escape, windows))) if len(key) >= 2 * _MIN_ECHO else None

    def __call__(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, "***")
        return self._echo.sub("***", text) if self._echo is not None else text
