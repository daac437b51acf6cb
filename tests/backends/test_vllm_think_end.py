"""The vLLM backend's token position of `</think>` (think_end_tokens, for the budget curve), read from the
final output's token ids. The engine itself is not needed (the tiny random model never writes </think>):
`think_end_tokens` is fed token ids and an encoder directly."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.backends.vllm_engine import think_end_tokens

TAG_ID = 99  # "</think>" as one token, as in DeepSeek-R1's and Qwen3's vocabularies


def encode(text: str) -> list[int]:
    """A toy tokenizer: one token per whitespace-separated word."""
    return [len(word) for word in text.split()]


@dataclass(frozen=True)
class Case:
    note: str
    text: str
    token_ids: tuple[int, ...]
    tag_id: int | None
    think_end: int | None


CASES = (
    Case("the tag's own token: its position + 1", "Let me </think> 42", (1, 2, TAG_ID, 4), TAG_ID, 3),
    Case("only the first tag counts", "a </think> </think>", (1, TAG_ID, TAG_ID), TAG_ID, 2),
    Case("no single tag token: the text up to the tag re-encoded", "a b c </think> x", (5, 5, 5, 5, 5), None, 4),
    Case("the tag split over tokens (id absent): re-encoded", "a </think> x", (1, 7, 8, 9), TAG_ID, 2),
    Case("never closed: cut inside the thinking", "a <think b", (1, 2, 3), TAG_ID, None),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_think_end_tokens(case: Case) -> None:
    assert think_end_tokens(case.text, case.token_ids, case.tag_id, encode) == case.think_end
