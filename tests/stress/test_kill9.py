"""kill -9 at 20 random (seeded) moments of a run against our OpenAI-compatible test server; each time
the same command is run again. At the end every (problem, sample) is in samples.jsonl exactly once, no
line is corrupt, and the metrics equal those of an uninterrupted run with the same seed."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evaluator.benchmarks.loader import load_benchmark
from evaluator.testing.fake_openai_server import FakeOpenAIServer, FakeServerConfig
from tests.cli.test_cli import ENV, evaluate

KILLS = 20
K = 16


@pytest.fixture(scope="module")
def server_url():
    answers = {p.problem: int(p.answer) for p in load_benchmark("demo").problems}
    server = FakeOpenAIServer(FakeServerConfig(answers=answers, accuracy=0.6, latency_s=0.15, think_words=200))
    url = server.start()
    yield url
    server.stop()


def _args(url: str, output: str) -> list[str]:
    return ["--backend", "openai", "--base-url", url, "--model", "fake-r1", "--k", str(K), "--dataset", "demo",
            "--concurrency", "2", "--output-dir", output, "--quiet"]


def _lines(tmp_path: Path) -> int:
    samples = list(tmp_path.glob("killed/*/samples.jsonl"))
    return len(samples[0].read_bytes().splitlines()) if samples else 0


def test_twenty_kills_lose_nothing_and_duplicate_nothing(server_url: str, tmp_path: Path) -> None:
    rng = random.Random(20261128)
    args = _args(server_url, "killed")
    progress = [0]
    for _ in range(KILLS):
        proc = subprocess.Popen([sys.executable, "-m", "evaluator.cli", *args], cwd=tmp_path, env=ENV,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _lines(tmp_path) <= progress[-1] and proc.poll() is None:
            time.sleep(0.01)  # wait until this process has written a sample: the kill lands mid-sampling
        time.sleep(rng.uniform(0.0, 0.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        progress.append(_lines(tmp_path))
    assert progress[-1] < K * 12, "the run finished before the kills ended: make the server slower"
    assert all(b > a for a, b in zip(progress, progress[1:], strict=False))  # every kill interrupted a live run
    final = evaluate(*args, cwd=tmp_path, timeout=300)
    assert final.returncode == 0, final.stderr
    (run,) = list(tmp_path.glob("killed/*"))
    lines = (run / "samples.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]  # every line parses: no torn line left behind
    keys = [(r["problem_id"], r["sample"]) for r in records]
    assert len(keys) == K * 12 == len(set(keys))

    clean = evaluate(*_args(server_url, "clean"), cwd=tmp_path, timeout=300)
    assert clean.returncode == 0, clean.stderr
    (clean_run,) = list(tmp_path.glob("clean/*"))
    by_key = {(r["problem_id"], r["sample"]): r["response"] for r in records}
    clean_records = [json.loads(line) for line in (clean_run / "samples.jsonl").read_text().splitlines()]
    assert by_key == {(r["problem_id"], r["sample"]): r["response"] for r in clean_records}
    summary = json.loads((run / "summary.json").read_text())
    assert summary["metrics"] == json.loads((clean_run / "summary.json").read_text())["metrics"]
