"""Backends turn requests into completions. One protocol; one module per backend.

A backend never grades and never writes files. It yields each completion as soon as it is done so
the run store can persist it, and it imports its heavy library (openai, vllm) inside its module only.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from evaluator.errors import BackendError
from evaluator.types import BackendConfig, Completion, Request, SamplingParams

__all__ = ["BACKENDS", "Backend", "BackendError", "LiveStats", "create_backend"]


class LiveStats(Protocol):
    """A backend's live counters, read by the runner for the progress bar and the end-of-run notes.
    Written by the backend's event loop only; read any time (the runner never writes them)."""

    @property
    def in_flight(self) -> int:
        """Samples (or requests) the backend is waiting on right now."""
        ...

    @property
    def retries(self) -> int:
        """Retries so far, including those of requests still in flight."""
        ...

    def notes(self) -> list[str]:
        """What went wrong without costing a sample, one line each, for the end of a run."""
        ...


@runtime_checkable
class Backend(Protocol):
    """Generates samples. `generate` yields one `Completion` per requested sample index, in any order.

    A sample that fails for good is yielded with `error` set (never dropped); the caller stores it
    and a later run of the same command retries it. `stats` is the backend's live counters, or None
    for a backend that keeps none (the progress bar then shows no requests in flight).
    """

    name: str

    @property
    def stats(self) -> LiveStats | None: ...

    def generate(self, requests: Sequence[Request], params: SamplingParams) -> AsyncIterator[Completion]: ...

    async def aclose(self) -> None: ...



BACKENDS: dict[str, str] = {
    "mock": "evaluator.backends.mock:MockBackend",
    "openai": "evaluator.backends.openai_api:OpenAIBackend",
    "vllm": "evaluator.backends.vllm_engine:VLLMBackend",
}
"""Every backend, by `--backend` name: "module:class", imported on first use (the CLI's choices and
error messages come from here).

Adding a backend: (1) write `evaluator/backends/<name>.py` with a class taking `(config, answer_key)`
or `(config)` that satisfies `Backend`; (2) add it here; (3) add its options to `BackendConfig` and the
CLI; (4) test it against a real server or engine (tests/backends/), not only the mock."""

if TYPE_CHECKING:  # mypy checks every backend class against the protocol (nothing is imported at run time)
    from evaluator.backends.mock import MockBackend
    from evaluator.backends.openai_api import OpenAIBackend
    from evaluator.backends.vllm_engine import VLLMBackend

    _CHECKED: tuple[type[Backend], ...] = (MockBackend, OpenAIBackend, VLLMBackend)


def create_backend(
    config: BackendConfig, answer_key: Mapping[str, int | str] | None = None, *, log_dir: Path | None = None
) -> Backend:
    """The backend for `config.kind`; its module (and heavy library) is imported only here.

    `answer_key` is used by the mock backend only (so it can be right or wrong on purpose); `log_dir`
    (the run directory) by the vllm backend only, for vLLM's own log (`vllm.log`)."""
    target = BACKENDS.get(config.kind)
    if target is None:
        raise BackendError(f"unknown backend {config.kind!r}: choose {', '.join(BACKENDS)}")
    module_name, class_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if config.kind == "mock":
        return cls(config, answer_key)
    return cls(config, log_dir=log_dir) if config.kind == "vllm" else cls(config)
