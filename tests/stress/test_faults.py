"""Flaky and dead servers, through the real CLI and our fault-injecting test server on 127.0.0.1:
30% faults still give every sample; a server that dies stops the run after bounded retries with a clear
message and keeps every finished sample; API keys never reach any file, log or message."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from evaluator.benchmarks.loader import load_benchmark
from evaluator.testing.fake_openai_server import FakeOpenAIServer, FakeServerConfig
from tests.cli.test_cli import ENV, evaluate

FAKE_KEY = "sk-aime-eval-FAKE-7f3a9c1e5b"


def _answers() -> dict[str, int]:
    return {p.problem: int(p.answer) for p in load_benchmark("demo").problems}


def _args(url: str, k: int, *extra: str, output: str = "o") -> list[str]:
    return ["--backend", "openai", "--base-url", url, "--model", "fake-r1", "--k", str(k), "--dataset", "demo",
            "--output-dir", output, "--quiet", *extra]


def _keys(tmp_path: Path) -> list[tuple[str, int]]:
    (samples,) = tmp_path.glob("o/*/samples.jsonl")
    return [(r["problem_id"], r["sample"]) for r in map(json.loads, samples.read_text().splitlines())]


def test_thirty_percent_faults_still_complete_every_sample(tmp_path: Path) -> None:
    config = FakeServerConfig(answers=_answers(), accuracy=0.7, fault_rate=0.3, retry_after_s=0.05, fault_seed=3,
                              fault_kinds=("429", "500", "drop", "slow"), slow_s=3.0)
    server = FakeOpenAIServer(config)
    url = server.start()
    try:  # "slow" answers after 3 s, past the 1 s request timeout: timeouts are part of the mix
        result = evaluate(*_args(url, 8, "--concurrency", "8", "--max-retries", "10", "--request-timeout", "1"),
                          cwd=tmp_path, timeout=300)
    finally:
        server.stop()
    assert {"429", "500", "drop", "slow"} <= {r.outcome for r in server.received}
    assert result.returncode == 0, result.stderr
    keys = _keys(tmp_path)
    assert len(keys) == 96 == len(set(keys))
    (summary,) = tmp_path.glob("o/*/summary.json")
    assert json.loads(summary.read_text())["errors"] == 0


def test_fault_mix_is_really_injected(tmp_path: Path) -> None:
    server = FakeOpenAIServer(FakeServerConfig(answers=_answers(), fault_rate=0.3, retry_after_s=0.05, fault_seed=3))
    url = server.start()
    try:
        result = evaluate(*_args(url, 4, "--concurrency", "4", "--max-retries", "10"), cwd=tmp_path, timeout=300)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    outcomes = [r.outcome for r in server.received if r.path.endswith("/chat/completions")]
    faults = sum(o != "ok" for o in outcomes)
    assert {"429", "500", "drop"} <= set(outcomes) and 0.15 < faults / len(outcomes) < 0.45
    assert len(_keys(tmp_path)) == 48


def test_dead_server_stops_the_run_and_keeps_finished_samples(tmp_path: Path) -> None:
    server = FakeOpenAIServer(FakeServerConfig(answers=_answers(), latency_s=0.05))
    url = server.start()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    args = _args(url, 8, "--concurrency", "2", "--max-retries", "1")
    proc = subprocess.Popen([sys.executable, "-m", "evaluator.cli", *args], cwd=tmp_path, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (list(tmp_path.glob("o/*/samples.jsonl")) and len(_keys(tmp_path)) >= 20):
        time.sleep(0.02)
    server.stop()  # the server dies mid-run
    _, stderr = proc.communicate(timeout=240)
    assert proc.returncode == 2
    assert "stopped answering" in stderr and "Every finished sample is saved" in stderr
    assert "Traceback" not in stderr
    finished = _keys(tmp_path)
    assert 20 <= len(finished) < 96 and len(finished) == len(set(finished))
    (errors,) = tmp_path.glob("o/*/errors.jsonl")
    assert errors.read_text().strip()  # the failures were recorded, not dropped

    revived = FakeOpenAIServer(FakeServerConfig(answers=_answers()))
    revived.start(port=port)
    try:
        again = evaluate(*args, cwd=tmp_path, timeout=240)
    finally:
        revived.stop()
    assert again.returncode == 0, again.stderr
    keys = _keys(tmp_path)
    assert len(keys) == 96 == len(set(keys)) and keys[: len(finished)] == finished
    (summary,) = tmp_path.glob("o/*/summary.json")
    assert json.loads(summary.read_text())["errors"] == 0


def test_api_key_never_written_or_printed(tmp_path: Path) -> None:
    env = {**ENV, "OPENAI_API_KEY": FAKE_KEY}
    leaky = FakeServerConfig(answers=_answers(), api_key=FAKE_KEY, echo_auth_in_errors=True, fault_rate=0.5,
                             fault_kinds=("500",), retry_after_s=0.01)
    with FakeOpenAIServer(leaky) as url:
        run = evaluate(*_args(url, 4, "--max-retries", "1"), cwd=tmp_path, env=env, timeout=240)
    with FakeOpenAIServer(FakeServerConfig(answers=_answers(), api_key="sk-the-right-one")) as url:
        rejected = evaluate(*_args(url, 4, output="o2"), cwd=tmp_path, env=env, timeout=240)
    assert rejected.returncode == 2 and "rejected the API key in $OPENAI_API_KEY (401)" in rejected.stderr
    (run_dir,) = tmp_path.glob("o/*/")
    published = [evaluate("report", str(run_dir), cwd=tmp_path, env=env),
                 evaluate("compare", str(run_dir), "--html", "cmp.html", cwd=tmp_path, env=env),
                 evaluate("export", str(run_dir), "--format", "json", "--output", "board.json", cwd=tmp_path, env=env)]
    assert [p.returncode for p in published] == [0, 0, 0]
    assert (run_dir / "report.html").is_file() and (tmp_path / "cmp.html").is_file()
    (errors,) = tmp_path.glob("o/*/errors.jsonl")
    assert "HTTP 500" in errors.read_text()  # the server did quote the Authorization header back
    assert json.loads(next(tmp_path.glob("o/*/config.json")).read_text())["backend_config"]["api_key_env"] is None
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) >= 8
    for path in written:
        assert FAKE_KEY not in path.read_text(errors="replace"), path
    for text in (run.stdout, run.stderr, rejected.stdout, rejected.stderr, *(p.stdout + p.stderr for p in published)):
        assert FAKE_KEY not in text
