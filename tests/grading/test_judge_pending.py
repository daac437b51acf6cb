"""Judge calls that fail are pending, not judged: the run exits 3 (as with failed samples) and says so, the
summary counts them, and the same command run again asks only those calls. Through the command line, with
the judge played by our OpenAI-compatible server over real HTTP and the real `openai` client."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evaluator.cli import app
from evaluator.testing.fake_openai_server import FakeOpenAIServer, FakeServerConfig
from evaluator.types import BackendConfig


def _strict_judge(prompt: str) -> str:
    return "Compared.\nVERDICT: DIFFERENT"


@pytest.fixture
def judge_server() -> Iterator[FakeOpenAIServer]:
    fake = FakeOpenAIServer(FakeServerConfig(models=("fake-judge",), judge=_strict_judge))
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def no_judge_retries(monkeypatch: pytest.MonkeyPatch, shared_dir: Path) -> None:
    """The judge's backend as the CLI builds it, without retries: a 500 fails the call at once (with the
    default eight retries one failure takes minutes to become final)."""
    import evaluator.run.presets as presets

    real = presets.judge_backend_config

    def once(*args: str | None) -> BackendConfig:
        return dataclasses.replace(real(*args), max_retries=0)  # type: ignore[arg-type]

    monkeypatch.setattr(presets, "judge_backend_config", once)
    monkeypatch.setenv("AIME_EVAL_DATA_DIR", str(shared_dir / "data"))
    monkeypatch.setenv("OPENAI_API_KEY", "")


def _judge_requests(server: FakeOpenAIServer) -> int:
    return sum(r.path.endswith("/chat/completions") for r in server.received)


@pytest.mark.usefixtures("no_judge_retries")
def test_failed_judge_calls_exit_3_and_only_they_are_asked_again(
        tmp_path: Path, judge_server: FakeOpenAIServer) -> None:
    args = ["--model", "mock", "--dataset", "hmmt-feb-2025", "--k", "2", "--output-dir", str(tmp_path / "o"),
            "--quiet", "--judge", "fake-judge", "--judge-base-url", judge_server.url]
    judge_server.config.script = ["500", "500"]  # the first two judge calls fail
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 3, first.output
    output = " ".join(first.output.split())
    assert "2 of" in output and "judge call(s) failed and are pending" in output and "run the same command" in output
    (run,) = (tmp_path / "o").iterdir()
    judged = json.loads((run / "summary.json").read_text())["judge"]
    assert judged["pending"] == 2 and judged["judged"] == judged["needed"] - 2 > 0
    asked_first = _judge_requests(judge_server)
    assert asked_first == judged["needed"]

    second = CliRunner().invoke(app, args)  # the same command: only the two pending calls are asked
    assert second.exit_code == 0, second.output
    assert _judge_requests(judge_server) == asked_first + 2
    judged = json.loads((run / "summary.json").read_text())["judge"]
    assert (judged["pending"], judged["judged"], judged["model"]) == (0, judged["needed"], "fake-judge")
    rows = (run / "judge.jsonl").read_text().splitlines()
    assert len(rows) == judged["needed"]  # one row per call: nothing asked twice

    third = CliRunner().invoke(app, args)
    assert third.exit_code == 0 and _judge_requests(judge_server) == asked_first + 2

    rescored = CliRunner().invoke(app, ["score", str(run)])  # no --judge: the summary keeps the judge it named
    assert rescored.exit_code == 0, rescored.output
    assert json.loads((run / "summary.json").read_text())["judge"]["model"] == "fake-judge"


@pytest.mark.usefixtures("no_judge_retries")
def test_a_clean_judge_pass_exits_0_with_nothing_pending(tmp_path: Path, judge_server: FakeOpenAIServer) -> None:
    args = ["--model", "mock", "--dataset", "hmmt-feb-2025", "--k", "1", "--output-dir", str(tmp_path / "o"),
            "--quiet", "--judge", "fake-judge", "--judge-base-url", judge_server.url]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "judge call(s) failed" not in result.output
    (run,) = (tmp_path / "o").iterdir()
    assert json.loads((run / "summary.json").read_text())["judge"]["pending"] == 0
