"""The tokenizer round-trip probe on the tokenizer vLLM loads (`_vllm_setup.tokenizer_problem` judges it).

Takes the namespace of vLLM names that `_vllm_engine_start.import_vllm` gathers, so importing this module
imports no vllm. `probe_tokenizer` is the probe on its own, for scripts/gpu_smoke.sh: it loads the
tokenizer as the engine would and says what it found, without starting an engine.
"""

from __future__ import annotations

from importlib import metadata
from types import SimpleNamespace
from typing import Any

from evaluator.backends._vllm_setup import TOKENIZER_PROBE, tokenizer_problem
from evaluator.errors import BackendError


def tokenizer_check(vllm: SimpleNamespace, model: str, tokenizer: Any = None) -> str | None:
    """`tokenizer_problem` for `tokenizer`, or (None) for the tokenizer vLLM's own loader gives `model`:
    checked before the engine starts, so a broken tokenizer costs seconds, not a model load. A model
    whose tokenizer cannot load at all is left to the engine, which says why."""
    if tokenizer is None:
        try:
            tokenizer = vllm.get_tokenizer(model)
        except Exception:
            return None
    try:
        ids = tokenizer.encode(TOKENIZER_PROBE, add_special_tokens=False)
        decoded = tokenizer.decode(ids, skip_special_tokens=False)
    except Exception as exc:  # a tokenizer that cannot even do this is as unusable
        decoded = f"<{type(exc).__name__}: {exc}>"
    try:
        folder: str | None = str(vllm.snapshot_path(model))
    except Exception:
        folder = None
    try:
        transformers_version: str | None = metadata.version("transformers")
    except metadata.PackageNotFoundError:
        transformers_version = None
    return tokenizer_problem(model, decoded, tokenizer_class=type(tokenizer).__name__,
                             transformers_version=transformers_version, folder=folder)  # fmt: skip


def probe_tokenizer(vllm: SimpleNamespace, model: str) -> str:
    """What the probe found for `model`'s tokenizer, loaded by vLLM's own loader, in one line.
    Raises BackendError when it cannot be loaded or does not give the probe text back unchanged."""
    try:
        tokenizer = vllm.get_tokenizer(model)
    except Exception as exc:
        raise BackendError(f"{model}: vLLM cannot load its tokenizer: {type(exc).__name__}: {exc}") from exc
    problem = tokenizer_check(vllm, model, tokenizer)
    if problem is not None:
        raise BackendError(problem)
    return f"tokenizer probe: {type(tokenizer).__name__} gives the probe text ({len(TOKENIZER_PROBE)} characters) back unchanged"
