"""The vLLM backend's token position of `</think>` (think_end_tokens, for the budget curve), on the delta
stream as vLLM delivers it: the tag may arrive whole, or split over several one-token deltas. The engine
itself is not needed (the tiny random model never writes </think>), so this feeds `_Sample` directly."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.backends.vllm_engine import _Sample


@dataclass(frozen=True)
class Case:
    note: str
    deltas: tuple[tuple[str, int], ...]  # (text, tokens) per engine step
    think_end: int | None


CASES = (
    Case("tag in one delta", (("Let", 1), (" me", 1), ("</think>", 1), ("\n\n42", 2)), 3),
    Case("tag split over three deltas", (("ok", 1), ("</", 1), ("think", 1), (">", 1), (" 7", 1)), 4),
    Case("a delta of several tokens that ends the thinking", (("a b c", 3), (" d</think> x", 4)), 7),
    Case("only the first end counts", (("</think>", 1), ("</think>", 1)), 1),
    Case("never closed: cut inside the thinking", (("a", 1), ("<think", 1), ("b", 1)), None),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_think_end_tokens(case: Case) -> None:
    sample = _Sample()
    for text, tokens in case.deltas:
        sample.add(text, tokens)
    assert sample.think_end == case.think_end
    assert "".join(sample.pieces) == "".join(t for t, _ in case.deltas)
