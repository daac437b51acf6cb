"""Per-contest prompts: MathArena's instruction per contest only under `--protocol matharena`, stored in
the run config; the default (DeepSeek) protocol keeps every existing run directory's name."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from evaluator.benchmarks.loader import load_benchmark
from evaluator.errors import TemplateError
from evaluator.run.prompts import PRESETS, contest_templates
from evaluator.run.runner import RunConfig, execute
from evaluator.run.store import RunStore
from evaluator.types import BackendConfig, Completion, Request, SamplingParams

# Hashes computed by the code before per-contest prompts existed (commit 4bacc9f): they name run directories
# on users' disks, so they must never change for the default protocol.
OPENROUTER_R1 = RunConfig(
    model_name="deepseek-r1",
    backend=BackendConfig(kind="openai", model="deepseek/deepseek-r1", base_url="https://openrouter.ai/api/v1"),
    dataset="aime-2024", dataset_origin="x", dataset_hash="0123456789abcdef", template=PRESETS["r1"],
    sampling=SamplingParams(), k=64, assistant_prefix="<think>\n",
)


def test_default_protocol_keeps_existing_run_directory_names(shared_dir: Path) -> None:
    assert OPENROUTER_R1.config_hash() == "f2eee0c2ac"
    bench = load_benchmark("aime-2024", shared_dir / "data")
    mock = RunConfig(model_name="mock", backend=BackendConfig(), dataset=bench.name, dataset_origin=bench.origin,
                     dataset_hash=bench.content_hash, template=PRESETS["r1"], sampling=SamplingParams(), k=4)
    assert mock.run_name() == "mock-aime-2024-f06c464d2e"
    assert "contest_templates" not in mock.identity()
    assert mock.to_json()["prompt_protocol"] == "deepseek"


def test_matharena_protocol_changes_the_identity_and_is_stored() -> None:
    templates = contest_templates("matharena", ["aime-2024"])
    config = RunConfig(**{**OPENROUTER_R1.__dict__, "contest_templates": templates})
    assert config.config_hash() != OPENROUTER_R1.config_hash()
    stored = config.to_json()
    assert stored["prompt_protocol"] == "matharena"
    assert stored["contest_templates"]["aime-2024"]["text"].endswith(
        "The answer is an integer between 0 and 999 inclusive.\n\n{problem}")


@pytest.mark.parametrize(
    ("protocol", "contests", "expected"),
    [
        ("deepseek", ["aime-2026", "hmmt-feb-2025"], {}),
        ("matharena", ["aime-2026", "hmmt-feb-2025"], {"aime-2026": True, "hmmt-feb-2025": False}),
    ],
)
def test_contest_templates(protocol: str, contests: list[str], expected: dict[str, bool]) -> None:
    templates = dict(contest_templates(protocol, contests))
    assert {c: "between 0 and 999" in t.text for c, t in templates.items()} == expected
    assert all(t.text.startswith("Please reason step by step") for t in templates.values())


@pytest.mark.parametrize(("protocol", "contest"), [("matharena", "demo"), ("lighteval", "aime-2024")])
def test_unknown_protocol_or_contest_is_a_user_error(protocol: str, contest: str) -> None:
    with pytest.raises(TemplateError):
        contest_templates(protocol, [contest])


class _Recorder:
    """A backend that records the prompts it is sent and answers nothing useful."""

    name = "recorder"
    stats = None

    def __init__(self) -> None:
        self.prompts: dict[str, str] = {}

    async def generate(self, requests: list[Request], params: SamplingParams):
        for request in requests:
            self.prompts[request.problem_id] = request.messages[0].content
            for index in request.sample_indices:
                yield Completion(request.problem_id, index, "\\boxed{1}", finish_reason="stop")

    async def aclose(self) -> None:
        return None


def test_each_contest_of_a_collection_gets_its_own_instruction(shared_dir: Path, tmp_path: Path) -> None:
    bench = load_benchmark("matharena-2025", shared_dir / "data")
    config = RunConfig(model_name="mock", backend=BackendConfig(), dataset=bench.name, dataset_origin=bench.origin,
                       dataset_hash=bench.content_hash, template=PRESETS["r1"], sampling=SamplingParams(), k=1,
                       contest_templates=contest_templates("matharena", [name for name, _ in bench.contests]))
    backend = _Recorder()
    with RunStore.open(tmp_path / "run", config.to_json(), config_hash=config.config_hash()) as store:
        asyncio.run(execute(config, bench, store, backend))
    aime, hmmt = backend.prompts["2025-I-1"], backend.prompts["hmmt-feb-2025-3"]
    assert aime.startswith("Please reason") and "between 0 and 999 inclusive.\n\n" in aime
    assert hmmt.startswith("Please reason") and "between 0 and 999" not in hmmt
    assert hmmt.endswith(next(p.problem for p in bench.problems if p.id == "hmmt-feb-2025-3"))
