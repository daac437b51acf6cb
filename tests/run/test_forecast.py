"""The forecast's arithmetic (run/forecast.py) and the vLLM figures it takes from the memory plan."""

from __future__ import annotations

import dataclasses

import pytest

from evaluator.cli import _cost
from evaluator.run.forecast import forecast
from evaluator.run.presets import backend_config, find_preset


def test_measured_figures_win_and_multiply_out() -> None:
    held = [{"completion_tokens": 1000, "prompt_tokens": 100, "latency_s": 30.0},
            {"completion_tokens": 3000, "prompt_tokens": 100, "latency_s": 90.0}]
    result = forecast(samples=100, held=held, prompt_chars=999, max_tokens=32768, prices=(1.0, 4.0),
                      price_source="test", in_flight=10, in_flight_source="test")
    assert result.output_tokens == 100 * 2000 and result.prompt_tokens == 100 * 100
    assert result.cost_usd == pytest.approx((10_000 * 1.0 + 200_000 * 4.0) / 1e6)
    assert result.wall_s == 10 * 60.0  # 100 samples in 10 waves of 60 s
    assert "measured on 2 sample(s)" in result.output.source


def test_without_samples_max_tokens_is_an_upper_bound_and_time_is_unknown() -> None:
    result = forecast(samples=30, held=[], prompt_chars=400, max_tokens=32768, prices=None, price_source="none",
                      in_flight=32, in_flight_source="--concurrency 32")
    assert result.output.per_sample == 32768 and "upper bound" in result.output.source
    assert result.prompt.per_sample == 100  # 400 characters at 4 per token, said to be an estimate
    assert result.cost_usd is None and result.wall_s is None
    assert any(line.startswith("wall time: unknown (no measured latency") for line in result.lines())


def test_vllm_in_flight_comes_from_the_memory_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    preset = find_preset("r1-distill-qwen-7b")
    assert preset is not None
    config = dataclasses.replace(backend_config(preset, backend="vllm"), max_model_len=34816)
    monkeypatch.setattr(_cost, "_gpus", lambda: (1, 80.0))
    held = [{"completion_tokens": 8000, "prompt_tokens": 200}]
    flight, source, note = _cost._in_flight(config, preset.name, 32768, held)
    assert note is not None and note.startswith("fits:") and "memory plan" in source
    assert flight is not None and flight > 4  # sequences of 8.2k tokens: several per full-length slot
    monkeypatch.setattr(_cost, "_gpus", lambda: None)
    flight, source, note = _cost._in_flight(config, preset.name, 32768, held)
    assert flight is None and note is not None and "no GPU visible" in note
