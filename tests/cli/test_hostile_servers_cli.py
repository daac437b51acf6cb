"""`evaluate` end to end against servers that answer badly: the command ends (a hang fails
the test at its timeout), keeps every sample, and exits with an honest code (0 done, 2 stopped,
3 samples left in errors.jsonl)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluator.run.store import load_errors, load_samples
from evaluator.testing.fake_openai_server import FakeOpenAIServer, FakeServerConfig

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "COLUMNS": "200"}
PROBLEMS = [{"id": f"p{i}", "problem": f"Problem {i}: find the answer.", "answer": i} for i in (1, 2, 3)]
HANG_LIMIT_S = 90  # every command here needs a few seconds; one still running after this is hung


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    fake = FakeOpenAIServer(FakeServerConfig(answers={f"Problem {i}:": i for i in (1, 2, 3)}, think_words=8))
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "three.jsonl").write_text("".join(json.dumps(p) + "\n" for p in PROBLEMS))
    return tmp_path


def evaluate(server: FakeOpenAIServer, cwd: Path, *args: str, timeout: float = HANG_LIMIT_S) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "evaluator.cli", "--model", "fake-r1", "--base-url", server.url,
               "--dataset", "three.jsonl", "--k", "2", "--output-dir", "o", "--quiet", *args]
    return subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout)


def run_dirs(cwd: Path) -> list[Path]:
    return sorted(p for p in (cwd / "o").iterdir() if p.is_dir())


def sampled(server: FakeOpenAIServer) -> int:
    return sum(1 for r in server.received if r.path.endswith("completions"))


def test_empty_choices_end_in_error_records_and_exit_3(server: FakeOpenAIServer, workdir: Path) -> None:
    """Before: the samples were re-queued with no limit (688 requests in 10 s, forever)."""
    server.config.quirk = "empty_choices"
    result = evaluate(server, workdir, "--max-retries", "1")
    assert result.returncode == 3, result.stderr
    assert "6 of 6 sample(s) still failed" in result.stderr and "Traceback" not in result.stderr
    assert sampled(server) == 6 * 2  # each sample: one try and one retry
    (run,) = run_dirs(workdir)
    errors = load_errors(run)
    assert len(errors) == 6 and all("no usable choice" in e["error"] for e in errors)
    assert json.loads((run / "summary.json").read_text())["errors"] == 6
    server.config.quirk = "ok"  # the same command again retries exactly those and ends clean
    again = evaluate(server, workdir, "--max-retries", "1")
    assert again.returncode == 0 and len(load_samples(run)) == 6 and not load_errors(run)


def test_bad_usage_keeps_every_sample_and_ends(server: FakeOpenAIServer, workdir: Path) -> None:
    """Before: a TypeError in accounting killed a worker; 11 of 12 samples saved, then a silent hang."""
    server.config.quirk = "usage_string"
    result = evaluate(server, workdir)
    assert result.returncode == 0, result.stderr
    assert "6 usage value(s) from the server were not token counts" in result.stderr
    (run,) = run_dirs(workdir)
    assert len(load_samples(run)) == 6
    assert json.loads((run / "summary.json").read_text())["tokens"]["completion_total"] == 0


def test_trickling_body_ends_at_the_request_timeout(server: FakeOpenAIServer, workdir: Path) -> None:
    """Before: `--request-timeout 5 --max-retries 0` against one byte a second was still running after 60 s."""
    server.config.quirk = "trickle"
    started = time.monotonic()
    result = evaluate(server, workdir, "--request-timeout", "5", "--max-retries", "0", "--k", "1", timeout=60)
    elapsed = time.monotonic() - started
    assert result.returncode == 3, result.stderr
    (run,) = run_dirs(workdir)
    assert [e["error"] for e in load_errors(run)] == ["timed out after 5 s"] * 3
    assert elapsed < 60  # (the subprocess timeout would have raised first anyway)


def test_extra_body_is_part_of_the_run_identity(server: FakeOpenAIServer, workdir: Path) -> None:
    """Before: "low" and "high" shared one directory and mixed their samples."""
    low = evaluate(server, workdir, "--extra-body", '{"reasoning_effort": "low"}')
    high = evaluate(server, workdir, "--extra-body", '{"reasoning_effort":"high"}')
    low_again = evaluate(server, workdir, "--extra-body", '{ "reasoning_effort" : "low" }')  # same body, other spacing
    none = evaluate(server, workdir)
    assert [r.returncode for r in (low, high, low_again, none)] == [0, 0, 0, 0]
    runs = run_dirs(workdir)
    assert len(runs) == 3
    bodies = sorted(json.loads((r / "config.json").read_text())["identity"].get("extra_body", "") for r in runs)
    assert bodies == ["", '{"reasoning_effort":"high"}', '{"reasoning_effort":"low"}']
    assert all(len(load_samples(r)) == 6 for r in runs)
    efforts = [r.body.get("reasoning_effort") for r in server.received if r.path.endswith("completions")]
    assert efforts.count("low") == 6 and efforts.count("high") == 6 and efforts.count(None) == 6


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"n": 4}', "--extra-body may not set n: the tool sets these"),
        ('{"max_completion_tokens": 10, "seed": 1}', "--extra-body may not set max_completion_tokens, seed"),
        ('["reasoning_effort"]', "--extra-body must be a JSON object"),
        ('{"reasoning_effort": ', "--extra-body is not valid JSON"),
    ],
)
def test_bad_extra_body_is_refused_up_front(server: FakeOpenAIServer, workdir: Path, body: str, message: str) -> None:
    result = evaluate(server, workdir, "--extra-body", body)
    assert result.returncode == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert server.received == [] and not (workdir / "o").exists()


def test_rejected_request_stops_with_the_servers_message(server: FakeOpenAIServer, workdir: Path) -> None:
    server.config.quirk = "context_400"
    result = evaluate(server, workdir, "--concurrency", "1")
    assert result.returncode == 2
    assert "request rejected (400): This model's maximum context length is 4096 tokens" in result.stderr
    assert "run the same command again" not in result.stderr and sampled(server) == 1


def test_models_page_in_html_is_one_clear_line(server: FakeOpenAIServer, workdir: Path) -> None:
    server.config.models_html = True
    result = evaluate(server, workdir)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "/models answered with text/html, not JSON" in result.stderr and "check --base-url" in result.stderr


def test_content_filter_is_flagged(server: FakeOpenAIServer, workdir: Path) -> None:
    server.config.quirk = "content_filter"
    result = evaluate(server, workdir)
    assert result.returncode == 0 and "100.0% of the samples were stopped by the provider's content filter" in result.stderr
    (run,) = run_dirs(workdir)
    assert json.loads((run / "summary.json").read_text())["rates"]["content_filter"] == 1.0


def test_sigterm_is_handled_like_ctrl_c(server: FakeOpenAIServer, workdir: Path) -> None:
    server.config.latency_s = 0.5
    command = [sys.executable, "-m", "evaluator.cli", "--model", "fake-r1", "--base-url", server.url, "--dataset",
               "three.jsonl", "--k", "40", "--concurrency", "2", "--output-dir", "o", "--quiet"]
    proc = subprocess.Popen(command, cwd=workdir, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + HANG_LIMIT_S
    while not list(workdir.glob("o/*/samples.jsonl")) or not list(workdir.glob("o/*/samples.jsonl"))[0].stat().st_size:
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=HANG_LIMIT_S)
    assert proc.returncode == 2, stderr
    assert "interrupted; every finished sample is saved" in stderr and "Traceback" not in stderr
    (run,) = run_dirs(workdir)
    summary = json.loads((run / "summary.json").read_text())
    assert 0 < summary["n_samples"] < 120 and summary["n_samples"] == len(load_samples(run))
