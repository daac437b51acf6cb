"""Protocol checks (evaluator/run/checks.py): each one fires on a real test server (127.0.0.1) that breaks
the protocol in its way, through the real CLI and the real `openai` client, and a clean run stays silent."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from evaluator.benchmarks.known_texts import KNOWN_TEXTS
from evaluator.benchmarks.loader import load_benchmark
from evaluator.run.checks import protocol_checks
from evaluator.testing.fake_openai_server import FakeOpenAIServer, FakeServerConfig
from tests.cli.test_cli import evaluate

NAMES = ("sampling_ignored", "served_model", "reasoning_channel", "truncation", "no_answer", "errors", "dataset")


@dataclass(frozen=True)
class Case:
    note: str
    server: dict = field(default_factory=dict)
    args: tuple[str, ...] = ()
    failed: frozenset[str] = frozenset()


CASES = (
    Case("a clean server: every check passes and nothing is printed"),
    Case("the server ignores temperature and seed (DeepSeek's API): identical samples",
         {"ignore_sampling": True}, failed=frozenset({"sampling_ignored"})),
    Case("the server answers as another model (an alias)", {"served_model": "fake-r1-0528"},
         failed=frozenset({"served_model"})),
    Case("the provider drops the reasoning although the prompt opens <think>", {"drop_reasoning": True},
         failed=frozenset({"reasoning_channel"})),
    Case("max_tokens too low: most samples cut inside their thinking", {}, ("--max-tokens", "25"),
         failed=frozenset({"truncation", "no_answer"})),
    Case("one request fails for good (500, no retries)", {"script": ["500"]}, ("--max-retries", "0", "--concurrency", "1"),
         failed=frozenset({"errors"})),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_each_check_fires_on_its_fault_and_only_there(case: Case, tmp_path: Path) -> None:
    answers = {p.problem: int(p.answer) for p in load_benchmark("demo").problems}
    server = FakeOpenAIServer(FakeServerConfig(answers=answers, accuracy=0.7, **case.server))
    url = server.start()
    try:
        result = evaluate("--backend", "openai", "--base-url", url, "--model", "fake-r1", "--k", "4", "--dataset",
                          "demo", "--think-prefix", "--output-dir", "o", "--quiet", *case.args, cwd=tmp_path)
    finally:
        server.stop()
    # exit 3: samples are left in errors.jsonl (docs/reliability.md, exit codes)
    assert result.returncode == (3 if "errors" in case.failed else 0), result.stderr
    (summary_path,) = tmp_path.glob("o/*/summary.json")
    checks = json.loads(summary_path.read_text())["checks"]
    assert tuple(c["name"] for c in checks) == NAMES
    assert {c["name"] for c in checks if not c["passed"]} == case.failed, checks
    for name in NAMES:  # printed as a warning at the end of the run exactly when it failed
        assert (f"check {name}:" in result.stderr) == (name in case.failed), result.stderr


def test_a_thinking_preset_without_reasoning_fails_the_reasoning_check(tmp_path: Path) -> None:
    """deepseek-r1-0528 sends no <think> prefix (its chat template opens the block), yet it always thinks: a
    server that returns only the text after </think> must fail the check, through the real CLI and client."""
    answers = {p.problem: int(p.answer) for p in load_benchmark("demo").problems}
    server = FakeOpenAIServer(FakeServerConfig(answers=answers, models=("deepseek-ai/DeepSeek-R1-0528",),
                                               drop_reasoning=True))
    url = server.start()
    try:
        result = evaluate("--model", "deepseek-r1-0528", "--base-url", url, "--k", "2", "--dataset", "demo",
                          "--output-dir", "o", "--quiet", cwd=tmp_path)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    (summary_path,) = tmp_path.glob("o/*/summary.json")
    checks = {c["name"]: c for c in json.loads(summary_path.read_text())["checks"]}
    assert not checks["reasoning_channel"]["passed"], checks["reasoning_channel"]
    assert "check reasoning_channel:" in result.stderr


def test_served_model_is_recorded_per_sample_and_in_the_summary(tmp_path: Path) -> None:
    server = FakeOpenAIServer(FakeServerConfig(served_model="fake-r1-0528"))
    url = server.start()
    try:
        result = evaluate("--backend", "openai", "--base-url", url, "--model", "fake-r1", "--k", "2", "--dataset",
                          "demo", "--output-dir", "o", "--quiet", cwd=tmp_path)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    (run,) = tmp_path.glob("o/*/")
    records = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]
    assert {r["served_model"] for r in records} == {"fake-r1-0528"}
    assert json.loads((run / "summary.json").read_text())["served_models"] == {"fake-r1-0528": 24}


def _record(pid: str, sample: int, response: str, reasoning: str | None = None, **kw: object) -> dict:
    return {"problem_id": pid, "sample": sample, "response": response, "reasoning": reasoning,
            "finish_reason": "stop", "extracted": "1", **kw}


CONFIG = {"identity": {"temperature": 0.6, "max_tokens": 100, "assistant_prefix": "<think>\n",
                       "dataset": "aime-2024", "dataset_hash": "5195672f750fe485", "model": "m"},
          "backend_config": {"model": "m"}}


@dataclass(frozen=True)
class RecordCase:
    note: str
    records: tuple[dict, ...]
    config: dict
    failed: frozenset[str]
    warnings: tuple[str, ...] = ()


RECORD_CASES = (
    RecordCase("reasoning split into a field for some samples, inside content for others",
               (_record("a", 0, "x \\boxed{1}", "think"), _record("a", 1, "<think>t</think> \\boxed{1}")), CONFIG,
               frozenset({"reasoning_channel"})),
    RecordCase("deepseek-r1-0528 (no <think> prefix in its prompt) and no sample shows reasoning",
               (_record("a", 0, "So \\boxed{1}"), _record("a", 1, "So \\boxed{2}")),
               {**CONFIG, "model_name": "deepseek-r1-0528", "identity": {**CONFIG["identity"], "assistant_prefix": "",
                                                                          "model": "deepseek-ai/DeepSeek-R1-0528"}},
               frozenset({"reasoning_channel"})),
    RecordCase("deepseek-r1-0528 with its reasoning in a separate field",
               (_record("a", 0, "So \\boxed{1}", "think"), _record("a", 1, "So \\boxed{2}", "think")),
               {**CONFIG, "model_name": "deepseek-r1-0528", "identity": {**CONFIG["identity"], "assistant_prefix": "",
                                                                          "model": "deepseek-ai/DeepSeek-R1-0528"}},
               frozenset()),
    RecordCase("an ad-hoc distill id served without a <think> prefix, reasoning dropped",
               (_record("a", 0, "So \\boxed{1}"), _record("a", 1, "So \\boxed{2}")),
               {**CONFIG, "model_name": "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
                "identity": {**CONFIG["identity"], "assistant_prefix": ""}}, frozenset({"reasoning_channel"})),
    RecordCase("o3-mini hides its reasoning by design: no reasoning is not a fault",
               (_record("a", 0, "So \\boxed{1}"), _record("a", 1, "So \\boxed{2}")),
               {**CONFIG, "model_name": "o3-mini", "identity": {**CONFIG["identity"], "assistant_prefix": "",
                                                                "model": "o3-mini"}}, frozenset()),
    RecordCase("a text that is none of the known copies of aime-2024",
               (_record("a", 0, "<think>t</think>1"), _record("a", 1, "<think>u</think>1")),
               {**CONFIG, "identity": {**CONFIG["identity"], "dataset_hash": "0000000000000000"}},
               frozenset({"dataset"})),
    RecordCase("the loader found a known defect in the copy",
               (_record("a", 0, "<think>t</think>1"), _record("a", 1, "<think>u</think>1")), CONFIG,
               frozenset({"dataset"}), ("2024-II-8 has the AI-MO typo",)),
    RecordCase("identical samples at temperature 0 are expected, not a fault",
               (_record("a", 0, "<think>t</think>1"), _record("a", 1, "<think>t</think>1")),
               {**CONFIG, "identity": {**CONFIG["identity"], "temperature": 0.0}}, frozenset()),
    RecordCase("exactly 5% truncated is allowed, above is not (boundary)",
               tuple(_record("a", i, "<think>t</think>1" if i else "<think>t", finish_reason="stop" if i else "length",
                             extracted="1" if i else None) for i in range(20)), CONFIG, frozenset()),
)


@pytest.mark.parametrize("case", RECORD_CASES, ids=[c.note for c in RECORD_CASES])
def test_checks_on_records(case: RecordCase) -> None:
    checks = protocol_checks(case.records, case.config, 0, case.warnings)
    assert {c["name"] for c in checks if not c["passed"]} == case.failed, checks


def test_known_text_hashes_are_those_of_the_shared_files(shared_dir: Path) -> None:
    for name in ("aime-2022", "aime-2023", "aime-2024", "aime-2025", "aime-2026"):
        benchmark = load_benchmark(name, shared_dir / "data")
        assert benchmark.content_hash in KNOWN_TEXTS[name], name
