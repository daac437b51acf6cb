"""The run's identity: `--extra-body` is part of it, canonicalised; run directories of
configurations without one keep the names they had before (old runs resume in place)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from evaluator.backends import BackendError
from evaluator.run.prompts import PromptTemplate
from evaluator.run.runner import RunConfig
from evaluator.types import BackendConfig, SamplingParams

TEMPLATE = PromptTemplate("r1", "{problem}\nPlease reason step by step, and put your final answer within \\boxed{}.")
PRESET_BODY = '{"include_reasoning": true}'


def run_config(backend: BackendConfig, default_extra_body: str = "") -> RunConfig:
    return RunConfig(model_name=backend.model, backend=backend, dataset="aime-2024", dataset_origin="x",
                     dataset_hash="abc123", template=TEMPLATE, sampling=SamplingParams(), k=4,
                     assistant_prefix="<think>\n", default_extra_body=default_extra_body)


MOCK = BackendConfig(kind="mock", model="mock:0.9")
OPENROUTER = BackendConfig(kind="openai", model="deepseek/deepseek-r1", base_url="https://openrouter.ai/api/v1",
                           extra_body_json=PRESET_BODY)


@dataclass(frozen=True)
class Pinned:
    config: RunConfig
    name: str  # the directory name (its hash is the one this configuration had before --extra-body counted;
    # the folder spelling keeps hyphens now, and an older spelling is still found: tests/cli/test_cli_run_folders.py)
    note: str


PINNED = [
    Pinned(run_config(MOCK), "mock_0.9-aime-2024-c0e62043ff", "no extra body"),
    Pinned(run_config(OPENROUTER, PRESET_BODY), "deepseek_deepseek-r1-aime-2024-a69380a7fd",
           "the preset's own extra body, not given with --extra-body"),
]


@pytest.mark.parametrize("case", PINNED, ids=[c.note for c in PINNED])
def test_runs_without_extra_body_keep_their_directory_names(case: Pinned) -> None:
    assert case.config.run_name() == case.name
    assert "extra_body" not in case.config.identity()


def test_extra_body_changes_the_hash_and_spelling_does_not() -> None:
    low = run_config(replace(MOCK, extra_body_json='{"reasoning_effort": "low", "a": 1}'))
    low_respelled = run_config(replace(MOCK, extra_body_json='{"a":1,   "reasoning_effort":"low"}'))
    high = run_config(replace(MOCK, extra_body_json='{"reasoning_effort": "high", "a": 1}'))
    assert low.identity()["extra_body"] == '{"a":1,"reasoning_effort":"low"}'
    assert low.config_hash() == low_respelled.config_hash()
    assert len({low.config_hash(), high.config_hash(), run_config(MOCK).config_hash()}) == 3


def test_a_body_other_than_the_presets_default_is_in_the_identity() -> None:
    pinned = run_config(replace(OPENROUTER, extra_body_json='{"include_reasoning": false}'), PRESET_BODY)
    emptied = run_config(replace(OPENROUTER, extra_body_json="{}"), PRESET_BODY)
    assert pinned.identity()["extra_body"] == '{"include_reasoning":false}'
    assert emptied.identity()["extra_body"] == ""  # dropping the preset's body changes the samples too
    assert len({pinned.config_hash(), emptied.config_hash(), PINNED[1].config.config_hash()}) == 3


@pytest.mark.parametrize("body", ['{"n": 4}', '{"stream": true}', "[1]", '"text"', "{"])
def test_unusable_body_raises_a_backend_error(body: str) -> None:
    with pytest.raises(BackendError, match="--extra-body"):
        run_config(replace(MOCK, extra_body_json=body)).identity()


VLLM_7B = BackendConfig(kind="vllm", model="deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", dtype="bfloat16")
VLLM_NAME = "deepseek-ai_DeepSeek-R1-Distill-Qwen-7B-aime-2024-186a42f2a9"  # computed before max_model_len counted


@pytest.mark.parametrize("backend", [VLLM_7B, replace(VLLM_7B, tensor_parallel_size=2, max_num_seqs=64)],
                         ids=["defaults", "speed settings"])
def test_vllm_runs_without_max_model_len_keep_their_directory_names(backend: BackendConfig) -> None:
    assert run_config(backend).run_name() == VLLM_NAME
    assert "max_model_len" not in run_config(backend).identity()


def test_max_model_len_names_another_directory() -> None:
    """A resume with another --max-model-len would mix samples cut off at two lengths in one folder."""
    names = {run_config(replace(VLLM_7B, max_model_len=n)).run_name() for n in (4096, 34816)}
    assert len(names) == 2 and VLLM_NAME not in names
