"""Backends turn requests into completions. One protocol; one module per backend.

A backend never grades and never writes files. It yields each completion as soon as it is done so
the run store can persist it, and it imports its heavy library (openai, vllm) inside its module only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Protocol, runtime_checkable

from evaluator.types import BackendConfig, Completion, Request, SamplingParams


@runtime_checkable
class Backend(Protocol):
    """Generates samples. `generate` yields one `Completion` per requested sample index, in any order.

    A sample that fails for good is yielded with `error` set (never dropped); the caller stores it
    and a later run of the same command retries it.
    """

    name: str

    def generate(self, requests: Sequence[Request], params: SamplingParams) -> AsyncIterator[Completion]: ...

    async def aclose(self) -> None: ...


class BackendError(Exception):
    """A failure the user can fix (bad key, server down, missing package): one clear line, exit 2."""


def create_backend(config: BackendConfig, answer_key: Mapping[str, int | str] | None = None) -> Backend:
    """The backend for `config.kind`; its module (and heavy library) is imported only here.

    `answer_key` is used by the mock backend only (so it can be right or wrong on purpose)."""
    if config.kind == "mock":
        from evaluator.backends.mock import MockBackend

        return MockBackend(config, answer_key)
    if config.kind == "openai":
        from evaluator.backends.openai_api import OpenAIBackend

        return OpenAIBackend(config)
    if config.kind == "vllm":
        from evaluator.backends.vllm_engine import VLLMBackend

        return VLLMBackend(config)
    raise BackendError(f"unknown backend {config.kind!r}: choose mock, openai or vllm")
