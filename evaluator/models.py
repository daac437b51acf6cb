"""Model presets: what `--model NAME` really runs. A table, listed by `evaluate models`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelPreset:
    """A named model: the backend that runs it, the id it is sent as, and what the user must know."""

    name: str
    backend: str  # mock | openai | vllm
    model: str  # id sent to the server / loaded by vLLM
    description: str
    base_url: str | None = None
    api_key_env: str | None = None
    api: str = "chat"
    warning: str | None = None


PRESETS: tuple[ModelPreset, ...] = (
    ModelPreset("mock", "mock", "mock", "Offline mock: R1-style responses, ~70% correct (mock:0.9 sets accuracy)"),
)


def find_preset(name: str) -> ModelPreset | None:
    """The preset called `name` (`mock:0.7` is the mock preset with a target accuracy), or None."""
    base = name.split(":", 1)[0] if name.startswith("mock") else name
    return next((p for p in PRESETS if p.name == base), None)
