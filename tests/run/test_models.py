"""Presets say what they run and map to configs that the providers accept; prices give costs."""

from __future__ import annotations

import json

import pytest

from evaluator.run.presets import PRESETS, backend_config, config_for_model, find_preset
from evaluator.run.pricing import cost_usd


def test_deepseek_r1_runs_the_original_weights_never_deepseek_reasoner() -> None:
    r1 = find_preset("deepseek-r1")
    assert r1 is not None and r1.hf_id == "deepseek-ai/DeepSeek-R1" and r1.model == "deepseek/deepseek-r1"
    assert r1.api_key_env == "OPENROUTER_API_KEY" and "deepseek.com" not in (r1.base_url or "")
    reasoner = find_preset("deepseek-reasoner")
    assert reasoner is not None and reasoner.warning and "not DeepSeek-R1" in reasoner.warning
    assert len({p.name for p in PRESETS}) == len(PRESETS)


def test_own_server_gets_hf_id_and_not_the_providers_key() -> None:
    r1 = find_preset("deepseek-r1")
    assert r1 is not None
    config = backend_config(r1, base_url="http://127.0.0.1:8000/v1", concurrency=64)
    assert config.model == "deepseek-ai/DeepSeek-R1" and config.api_key_env is None
    assert config.continue_final_message and config.extra_body_json == "" and config.concurrency == 64
    engine = backend_config(r1, backend="vllm")
    assert engine.kind == "vllm" and engine.model == "deepseek-ai/DeepSeek-R1"


def test_openai_reasoning_constraints_and_lookup_by_hf_id() -> None:
    o1 = backend_config(find_preset("o1"))  # type: ignore[arg-type]
    assert o1.use_max_completion_tokens and not o1.send_temperature and o1.samples_per_request == 1
    distill = config_for_model("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", backend="vllm")
    assert distill.kind == "vllm" and distill.model == "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"
    adhoc = config_for_model("my-model", base_url="http://127.0.0.1:9/v1")
    assert adhoc.kind == "openai" and adhoc.model == "my-model" and adhoc.api_key_env is None


def test_cost_from_table_and_overrides(tmp_path, monkeypatch) -> None:
    assert cost_usd("o1", 1_000_000, 1_000_000) == pytest.approx(75.0)
    assert cost_usd("r1-distill-qwen-7b", 10, 10) is None
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"o1": [1, 2]}))
    monkeypatch.setenv("AIME_EVAL_PRICES", str(prices))
    assert cost_usd("o1", 1_000_000, 500_000) == pytest.approx(2.0)
    assert cost_usd("o1", 1_000_000, 0, prices={"o1": (3.0, 0.0)}) == pytest.approx(3.0)
