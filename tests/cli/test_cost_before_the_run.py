"""`--dry-run`, `--pilot` and `--target-halfwidth` end to end: the forecast's arithmetic against a real HTTP
server with known lengths and a given price, the pilot's samples kept and resumed, the adaptive run's
stopping rule and its resume."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluator.run.store import load_samples
from evaluator.testing.fake_openai_server import FakeOpenAIServer, FakeServerConfig

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "COLUMNS": "200"}
PROBLEMS = [{"id": f"p{i}", "problem": f"Problem {i}: find the answer.", "answer": i} for i in (1, 2, 3)]


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    fake = FakeOpenAIServer(FakeServerConfig(answers={f"Problem {i}:": i for i in (1, 2, 3)}, think_words=30))
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "three.jsonl").write_text("".join(json.dumps(p) + "\n" for p in PROBLEMS))
    return tmp_path


def evaluate(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evaluator.cli", "--output-dir", "o", "--quiet", *args], cwd=cwd,
                          env=env or ENV, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def api(server: FakeOpenAIServer) -> tuple[str, ...]:
    return ("--model", "fake-r1", "--base-url", server.url, "--dataset", "three.jsonl")


def _figure(text: str, label: str) -> float:
    match = re.search(rf"{label}: \$?([\d,.]+)", text)
    assert match, text
    return float(match.group(1).replace(",", ""))


def test_dry_run_writes_nothing_and_needs_no_key(tmp_path: Path) -> None:
    env = {k: v for k, v in ENV.items() if not k.endswith("API_KEY")}
    result = evaluate(tmp_path, "--model", "deepseek-r1", "--dataset", "demo", "--k", "64", "--dry-run", env=env)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "o").exists()
    assert "samples to generate: 768" in result.stdout  # 12 demo problems x 64
    assert "32,768 per sample, upper bound: max_tokens" in result.stdout
    # the preset's list price: 768 samples x 32,768 tokens x $2.50/1M is the bulk of the bill
    cost = _figure(result.stdout, "cost")
    assert 768 * 32768 * 2.50 / 1e6 < cost < 768 * (32768 * 2.50 + 200 * 0.70) / 1e6


def test_forecast_from_a_pilot_is_the_measured_arithmetic(server: FakeOpenAIServer, workdir: Path) -> None:
    pilot = evaluate(workdir, *api(server), "--k", "10", "--pilot", "2")
    assert pilot.returncode == 0, pilot.stderr
    assert "stdin is not a terminal: stopping after the pilot" in pilot.stderr
    (run,) = (workdir / "o").iterdir()
    held = load_samples(run)
    assert sorted((r["problem_id"], r["sample"]) for r in held) == [(f"p{i}", s) for i in (1, 2, 3) for s in (0, 1)]
    out_mean = sum(r["completion_tokens"] for r in held) / len(held)
    in_mean = sum(r["prompt_tokens"] for r in held) / len(held)
    dry = evaluate(workdir, *api(server), "--k", "10", "--dry-run", "--price-in", "3", "--price-out", "7",
                   "--concurrency", "4")
    assert dry.returncode == 0, dry.stderr
    assert "samples to generate: 24 (6 already in the run)" in dry.stdout
    assert _figure(dry.stdout, "output tokens") == pytest.approx(24 * out_mean, abs=1)
    assert _figure(dry.stdout, "prompt tokens") == pytest.approx(24 * in_mean, abs=1)
    assert _figure(dry.stdout, "cost") == pytest.approx((24 * in_mean * 3 + 24 * out_mean * 7) / 1e6, abs=0.006)
    assert "/ 4 in flight, --concurrency 4 x n=1" in dry.stdout
    assert len(load_samples(run)) == 6  # the dry run wrote nothing


def test_pilot_samples_are_kept_and_the_run_resumes_to_k(server: FakeOpenAIServer, workdir: Path) -> None:
    assert evaluate(workdir, *api(server), "--k", "5", "--pilot", "2").returncode == 0
    (run,) = (workdir / "o").iterdir()
    pilot_lines = (run / "samples.jsonl").read_text().splitlines()
    assert len(pilot_lines) == 6
    asked = len(server.received)
    done = evaluate(workdir, *api(server), "--k", "5", "--pilot", "2", "--yes")
    assert done.returncode == 0, done.stderr
    lines = (run / "samples.jsonl").read_text().splitlines()
    assert lines[:6] == pilot_lines  # the pilot's samples are the run's first samples, untouched
    assert sorted((json.loads(x)["problem_id"], json.loads(x)["sample"]) for x in lines) == \
        [(f"p{i}", s) for i in (1, 2, 3) for s in range(5)]
    assert len([r for r in server.received[asked:] if r.path.endswith("completions")]) == 9  # only the 3 x 3 missing


def test_price_flags_come_in_pairs(workdir: Path) -> None:
    result = evaluate(workdir, "--model", "mock", "--dataset", "demo", "--dry-run", "--price-in", "1")
    assert result.returncode == 2
    assert "give both --price-in and --price-out" in result.stderr


def test_adaptive_run_stops_by_its_rule_and_resumes_without_sampling(tmp_path: Path) -> None:
    first = evaluate(tmp_path, "--model", "mock:0.5", "--dataset", "demo", "--k", "64", "--target-halfwidth", "6")
    assert first.returncode == 0, first.stderr
    (run,) = (tmp_path / "o").iterdir()
    summary = json.loads((run / "summary.json").read_text())
    adaptive = summary["adaptive"]
    counts: dict[str, int] = {}
    for record in load_samples(run):
        counts[record["problem_id"]] = counts.get(record["problem_id"], 0) + 1
    assert adaptive["samples_per_problem"] == counts
    assert adaptive["halfwidth"] <= 6.0 and adaptive["stopped"].startswith("half-width")
    assert summary["complete"] is True and summary["n_samples"] == sum(counts.values()) < 64 * 12
    assert min(counts.values()) >= 4  # every problem had its pilot
    assert "adaptive:" in first.stdout
    again = evaluate(tmp_path, "--model", "mock:0.5", "--dataset", "demo", "--k", "64", "--target-halfwidth", "6")
    assert again.returncode == 0, again.stderr
    assert len(load_samples(run)) == sum(counts.values())  # the rule holds already: nothing more to sample


def test_dry_run_forecasts_where_the_adaptive_rounds_stop(tmp_path: Path) -> None:
    mock = ("--model", "mock:0.5", "--dataset", "demo", "--k", "64")
    before = evaluate(tmp_path, *mock, "--target-halfwidth", "6", "--dry-run")
    assert before.returncode == 0, before.stderr
    assert "cannot be forecast before every problem has a sample; run with --pilot 4 first" in before.stdout
    assert evaluate(tmp_path, *mock, "--pilot", "4").returncode == 0  # no terminal: stops after the pilot
    (run,) = (tmp_path / "o").iterdir()
    assert len(load_samples(run)) == 48
    dry = evaluate(tmp_path, *mock, "--target-halfwidth", "6", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    match = re.search(r"about ([\d,]+) samples in all \(median of 60 continuations simulated from the 48 held; "
                      r"90% stop by ([\d,]+)\)", dry.stdout)
    assert match, dry.stdout
    median, p90 = (int(g.replace(",", "")) for g in match.groups())
    assert 48 <= median <= p90 <= 64 * 12
    expected_part = dry.stdout[match.end():]
    assert f"samples to generate: {median - 48:,} (48 already in the run)" in expected_part
    assert len(load_samples(run)) == 48  # the dry run wrote nothing
    again = evaluate(tmp_path, *mock, "--target-halfwidth", "6", "--dry-run")
    assert again.stdout == dry.stdout  # seeded: the same held samples give the same forecast
