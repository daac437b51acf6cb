"""The mock backend: it honours --concurrency when it has a latency, and `evaluate models` states the
pass@1 it really gives (MEASURED_PASS1, re-measured here through the CLI)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.backends import create_backend
from evaluator.backends.mock import MEASURED_PASS1, MockBackend
from evaluator.types import BackendConfig, Completion, Request, SamplingParams
from tests.cli.test_cli import evaluate


async def _collect(backend: MockBackend, requests: list[Request]) -> tuple[list[Completion], int]:
    """Every completion, and the most samples that were waiting at once (polled every millisecond)."""
    peak = 0
    done = False

    async def watch() -> None:
        nonlocal peak
        while not done:
            peak = max(peak, backend.stats.in_flight)
            await asyncio.sleep(0.001)

    watcher = asyncio.create_task(watch())
    out = [c async for c in backend.generate(requests, SamplingParams())]
    done = True
    await watcher
    return out, peak


@dataclass(frozen=True)
class Case:
    note: str
    concurrency: int
    peak: int


CASES = (Case("one at a time", 1, 1), Case("four at once", 4, 4), Case("more slots than samples", 64, 12))


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_latency_is_spent_concurrency_samples_at_a_time(case: Case) -> None:
    requests = [Request(problem_id=f"q{i}", messages=(), sample_indices=(0, 1, 2)) for i in range(4)]
    backend = MockBackend(BackendConfig(kind="mock", model="mock:0.7:0.02", concurrency=case.concurrency))
    completions, peak = asyncio.run(_collect(backend, requests))
    assert peak == case.peak
    assert sorted((c.problem_id, c.sample_index) for c in completions) == [(f"q{i}", j) for i in range(4) for j in range(3)]
    serial = MockBackend(BackendConfig(kind="mock", model="mock:0.7", concurrency=1))
    expected = {(c.problem_id, c.sample_index): c.text for c in asyncio.run(_collect(serial, requests))[0]}
    assert {(c.problem_id, c.sample_index): c.text for c in completions} == expected  # same samples, any order


def _pass1(tmp_path: Path, model: str, dataset: str, *extra: str) -> float:
    result = evaluate("--model", model, "--k", "64", "--dataset", dataset, "--output-dir", "o", "--quiet", *extra,
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (run,) = [p for p in (tmp_path / "o").iterdir() if p.name.startswith(model.replace(":", "_") + "-" + dataset)]
    return float(json.loads((run / "summary.json").read_text())["metrics"]["pass1"])


def test_models_states_what_the_mock_really_gives_on_demo(tmp_path: Path) -> None:
    listing = evaluate("models", cwd=tmp_path).stdout
    for model in ("mock", "mock:0.9"):
        measured = _pass1(tmp_path, model, "demo")
        assert measured == pytest.approx(MEASURED_PASS1[(model, "demo")], abs=5e-4)
        assert f"{round(100 * measured)}%" in listing


def test_models_states_what_the_mock_really_gives_on_aime_2024(shared_dir: Path, tmp_path: Path) -> None:
    listing = evaluate("models", cwd=tmp_path).stdout
    # the data folder named on the command line: the test needs no setting in the environment
    measured = _pass1(tmp_path, "mock", "aime-2024", "--data-dir", str(shared_dir / "data"))
    assert measured == pytest.approx(MEASURED_PASS1[("mock", "aime-2024")], abs=5e-4)
    assert f"{round(100 * measured)}% on aime-2024" in listing


def test_truncated_samples_report_max_tokens() -> None:
    # an engine stops at max_tokens and says so in the count; the mock's cut text stands in for those tokens
    backend = create_backend(BackendConfig(kind="mock", model="mock"), {"p1": 5})
    request = Request(problem_id="p1", messages=(), sample_indices=(0,))
    for max_tokens in (32768, 1000):
        done = [backend.respond(request, i, SamplingParams(seed=i, max_tokens=max_tokens)) for i in range(200)]
        cut = [c for c in done if c.finish_reason == "length"]
        assert cut and {c.completion_tokens for c in cut} == {max_tokens}
        assert all(c.completion_tokens < max_tokens for c in done if c.finish_reason == "stop")
