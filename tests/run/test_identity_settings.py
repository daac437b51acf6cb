"""Which backend settings are part of a run's identity (its directory name), which are not, and why.

A setting belongs to the identity when it changes what a sample can be (the model, the prompt the
model sees, the numerics it runs in, where an answer is cut off); it stays out when it changes only
how fast, how many at once, or how failures are retried, so raising concurrency or moving a run to
more GPUs resumes the same run. Every field of `BackendConfig` is listed: a new field fails
`test_every_backend_setting_is_classified` until someone decides and writes down why.
Sampling parameters (temperature, top-p, max tokens, seed) are all identity, through `asdict`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import pytest

from evaluator.run.prompts import PromptTemplate
from evaluator.run.runner import RunConfig
from evaluator.types import BackendConfig, SamplingParams

TEMPLATE = PromptTemplate("r1", "{problem}\nPlease reason step by step, and put your final answer within \\boxed{}.")
VLLM = BackendConfig(kind="vllm", model="deepseek-ai/DeepSeek-R1-Distill-Qwen-7B")
API = BackendConfig(kind="openai", model="deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", base_url="http://127.0.0.1:8000/v1")


@dataclass(frozen=True)
class Setting:
    field: str
    base: BackendConfig  # the backend the setting acts on
    other: Any  # a value different from the default
    identity: bool
    why: str


SETTINGS = (
    Setting("kind", API, "mock", True, "another backend is another source of samples"),
    Setting("model", VLLM, "other/model", True, "another model"),
    Setting("base_url", API, "http://10.0.0.2:8000/v1", True, "another server may serve other weights"),
    Setting("api", API, "completions", True, "chat vs completions: the model sees another prompt"),
    Setting("extra_body_json", API, '{"reasoning_effort": "low"}', True,
            "provider options change the answer (a preset's own body is left out: tests/run/test_run_identity.py)"),
    Setting("dtype", VLLM, "float16", True, "the weights' numerics: float16 overflows where bfloat16 does not"),
    Setting("max_model_len", VLLM, 34816, True,
            "caps prompt + answer: a sample reaching it ends with 'length', so values cut answers differently"),
    Setting("api_key_env", API, "OTHER_KEY", False, "names the variable holding a secret; the same server answers"),
    Setting("concurrency", API, 4, False, "requests in flight: speed"),
    Setting("samples_per_request", API, 8, False, "n samples in one request or n requests: the same draws"),
    Setting("request_timeout_s", API, 60.0, False, "transport: a timed-out attempt is retried, never graded"),
    Setting("max_retries", API, 2, False, "transport: a failure after retries is an error sample, retried next run"),
    Setting("retry_initial_delay_s", API, 5.0, False, "transport: backoff"),
    Setting("retry_max_delay_s", API, 5.0, False, "transport: backoff"),
    Setting("use_max_completion_tokens", API, True, False, "the same cap (max_tokens is identity) under another name"),
    Setting("send_temperature", API, False, False,
            "no flag: the model's preset sets it, so model + base URL (identity) decide it"),
    Setting("send_seed", API, False, False, "a seed makes a draw repeatable; it does not change the distribution"),
    Setting("continue_final_message", API, True, False,
            "no flag: the preset sets it to force the assistant prefix, which is identity itself"),
    Setting("tensor_parallel_size", VLLM, 2, False, "parallelism: the same model; floating-point order only"),
    Setting("pipeline_parallel_size", VLLM, 2, False, "parallelism: the same model; floating-point order only"),
    Setting("data_parallel_size", VLLM, 8, False, "copies of the same model"),
    Setting("data_parallel_size_local", VLLM, 4, False, "where the copies run"),
    Setting("distributed_executor_backend", VLLM, "ray", False, "how workers are started"),
    Setting("gpu_memory_utilization", VLLM, 0.5, False, "KV-cache size: how many sequences at once (speed)"),
    Setting("max_num_seqs", VLLM, 64, False, "batch size: speed (on GPUs the batch changes floating-point paths)"),
    Setting("enable_prefix_caching", VLLM, False, False, "reuses the prompt's KV cache: the same values"),
    Setting("enable_chunked_prefill", VLLM, False, False, "prefill scheduling: the same values"),
    Setting("enforce_eager", VLLM, True, False, "CUDA graphs or not: the same kernels"),
)


def config(backend: BackendConfig) -> RunConfig:
    return RunConfig(model_name="r1-distill-qwen-7b", backend=backend, dataset="aime-2024", dataset_origin="x",
                     dataset_hash="abc123", template=TEMPLATE, sampling=SamplingParams(), k=4,
                     assistant_prefix="<think>\n")  # fmt: skip


def test_every_backend_setting_is_classified() -> None:
    listed = [s.field for s in SETTINGS]
    assert len(listed) == len(set(listed))
    assert set(listed) == {f.name for f in fields(BackendConfig)}


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.field)
def test_a_setting_changes_the_run_directory_exactly_when_it_is_identity(setting: Setting) -> None:
    assert getattr(setting.base, setting.field) != setting.other, "precondition: the value differs"
    changed = config(replace(setting.base, **{setting.field: setting.other}))
    assert (changed.config_hash() != config(setting.base).config_hash()) == setting.identity, setting.why


def test_max_model_len_enters_only_when_set_and_only_for_vllm() -> None:
    """Unset, it is not in the identity (runs that never set it keep their names); the API backend has no such
    setting (the server's own limit is the server's), so a stray value there changes nothing."""
    assert "max_model_len" not in config(VLLM).identity()
    assert config(replace(VLLM, max_model_len=34816)).identity()["max_model_len"] == 34816
    assert config(replace(VLLM, max_model_len=4096)).config_hash() != config(replace(VLLM, max_model_len=34816)).config_hash()
    assert config(replace(API, max_model_len=4096)).config_hash() == config(API).config_hash()
