"""The contests through the CLI, offline: AIME 2026 and HMMT February 2025 on the mock, a collection with
per-contest metrics, and a judged run against our OpenAI-compatible server playing a judge."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluator.grading.grade import gold_integer
from evaluator.testing.fake_openai_server import FakeOpenAIServer, FakeServerConfig
from tests.cli.test_cli import ENV, _run_dir, evaluate


@pytest.fixture
def env(shared_dir: Path) -> dict[str, str]:
    return {**ENV, "AIME_EVAL_DATA_DIR": str(shared_dir / "data")}


@pytest.mark.parametrize(
    ("dataset", "warning"),
    [("aime-2026", None), ("hmmt-feb-2025", None)],  # official texts: nothing to warn about
)
def test_contest_runs_offline_on_the_mock(tmp_path: Path, env: dict[str, str], dataset: str,
                                          warning: str | None) -> None:
    result = evaluate("--model", "mock", "--dataset", dataset, "--k", "4", "--output-dir", "o", "--quiet",
                      cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert (warning in result.stderr) if warning else "warning" not in result.stderr
    summary = json.loads((_run_dir(tmp_path / "o") / "summary.json").read_text())
    assert summary["n_samples"] == 120 and summary["complete"] and 0 < summary["metrics"]["pass1"] < 1


def test_collection_reports_each_contest_and_overall(tmp_path: Path, env: dict[str, str]) -> None:
    result = evaluate("--model", "mock", "--dataset", "aime-2025,hmmt-feb-2025", "--k", "2", "--output-dir", "o",
                      "--quiet", "--protocol", "matharena", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "per contest" in result.stdout and "hmmt-feb-2025" in result.stdout and "overall" in result.stdout
    run = _run_dir(tmp_path / "o")
    summary = json.loads((run / "summary.json").read_text())
    parts = summary["contests"]
    assert list(parts) == ["aime-2025", "hmmt-feb-2025"] and [p["n_problems"] for p in parts.values()] == [30, 30]
    overall = summary["metrics"]["pass1"]
    assert overall == pytest.approx(sum(p["metrics"]["pass1"] for p in parts.values()) / 2)
    config = json.loads((run / "config.json").read_text())
    assert config["prompt_protocol"] == "matharena" and set(config["contest_templates"]) == set(parts)


def _coin_judge(prompt: str) -> str:
    """A judge whose strict verdict depends only on the prompt (so reruns and checks are deterministic)."""
    even = hashlib.sha256(prompt.encode()).digest()[0] % 2 == 0
    return "VERDICT: EQUIVALENT" if even else "Checked.\nVERDICT: DIFFERENT"


@pytest.fixture
def judge_server() -> Iterator[FakeOpenAIServer]:
    fake = FakeOpenAIServer(FakeServerConfig(models=("fake-judge",), judge=_coin_judge))
    fake.start()
    yield fake
    fake.stop()


def test_judged_run_through_the_cli(tmp_path: Path, env: dict[str, str], judge_server: FakeOpenAIServer) -> None:
    args = ("--model", "mock", "--dataset", "hmmt-feb-2025", "--k", "2", "--output-dir", "o", "--quiet",
            "--judge", "fake-judge", "--judge-base-url", judge_server.url)
    env = {**env, "OPENAI_API_KEY": ""}
    first = evaluate(*args, cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    run = _run_dir(tmp_path / "o")
    rows = [json.loads(line) for line in (run / "judge.jsonl").read_text().splitlines()]
    samples = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]
    # wrong stated answers on keys whose value is not an integer (`2^{25} \cdot 26!` is one): test_judge_what_it_sees
    expected = [(s["problem_id"], s["sample"]) for s in samples if gold_integer(s["gold"]) is None
                and not s["correct"] and s["extracted"] is not None and s["status"] not in ("no_answer", "truncated")]
    assert sorted((r["problem_id"], r["sample"]) for r in rows) == sorted(expected) and expected
    judge = json.loads((run / "summary.json").read_text())["judge"]
    flips = sum(r["verdict"] == "equivalent" for r in rows)
    assert (judge["judged"], judge["flipped"], judge["pending"]) == (len(rows), flips, 0)
    assert judge["pass1_with_judge"] - judge["pass1"] == pytest.approx(flips / 2 / 30)
    assert f"{len(rows)} / {flips}" in first.stdout and "without / with judge" in first.stdout
    asked = len(judge_server.received)

    again = evaluate(*args, cwd=tmp_path, env=env)  # resumes: nothing new to sample or judge
    assert again.returncode == 0, again.stderr
    assert f"{len(rows)} already judged, 0 asked now" in again.stderr
    assert len(judge_server.received) == asked  # no judge request the second time
    assert len((run / "judge.jsonl").read_text().splitlines()) == len(rows)


def test_report_shows_contests_and_judge(tmp_path: Path, env: dict[str, str], judge_server: FakeOpenAIServer) -> None:
    args = ("--model", "mock", "--dataset", "matharena-2025", "--k", "1", "--output-dir", "o", "--quiet",
            "--judge", "fake-judge", "--judge-base-url", judge_server.url)
    assert evaluate(*args, cwd=tmp_path, env={**env, "OPENAI_API_KEY": ""}).returncode == 0
    run = _run_dir(tmp_path / "o")
    judge = json.loads((run / "summary.json").read_text())["judge"]
    result = evaluate("report", str(run), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    html = (run / "report.html").read_text()
    assert 'id="contests"' in html and "hmmt-feb-2025" in html
    assert f'data-metric="judge_flipped" data-value="{judge["flipped"]}"' in html
    assert f'data-metric="judge_pass1_with" data-value="{json.dumps(judge["pass1_with_judge"])}"' in html


def test_collection_run_is_rescored_from_its_recorded_name(tmp_path: Path, env: dict[str, str]) -> None:
    args = ("--model", "mock", "--dataset", "aime-2025,aime-2026", "--k", "1", "--output-dir", "o", "--quiet")
    assert evaluate(*args, cwd=tmp_path, env=env).returncode == 0
    run = _run_dir(tmp_path / "o")
    before = json.loads((run / "summary.json").read_text())
    result = evaluate("score", str(run), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "0 verdict(s) changed" in result.stderr
    after = json.loads((run / "summary.json").read_text())
    assert after["contests"] == before["contests"] and list(after["contests"]) == ["aime-2025", "aime-2026"]
