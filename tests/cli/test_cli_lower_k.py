"""A finished run asked again with a smaller --k: the terminal shows the smaller k and says so; the
run directory (config.json, summary.json, samples) is not touched. Re-runs say what is already there."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

from tests.cli.test_cli import evaluate


def _files(run: Path) -> dict[str, bytes]:
    return {name: (run / name).read_bytes() for name in ("config.json", "summary.json", "samples.jsonl")}


def test_lowering_k_never_rewrites_a_finished_run(tmp_path: Path) -> None:
    base = ("--model", "mock", "--dataset", "demo", "--output-dir", "out", "--quiet")
    assert evaluate(*base, "--k", "8", cwd=tmp_path).returncode == 0
    (run,) = (tmp_path / "out").iterdir()
    before = _files(run)
    lower = evaluate(*base, "--k", "2", cwd=tmp_path)
    assert lower.returncode == 0, lower.stderr
    assert "note: 8 samples per problem present; summarising 2" in lower.stderr
    assert "(k=2)" in lower.stdout and "cons@2" in lower.stdout and "24 / 24" in lower.stdout
    assert _files(run) == before
    assert json.loads(before["config.json"])["k"] == 8 and json.loads(before["summary.json"])["k"] == 8


def test_rerun_and_resume_say_what_is_already_there(tmp_path: Path) -> None:
    base = ("--model", "mock", "--dataset", "demo", "--output-dir", "out")
    assert evaluate(*base, "--k", "2", "--quiet", cwd=tmp_path).returncode == 0
    grow = evaluate(*base, "--k", "3", cwd=tmp_path)
    assert grow.returncode == 0 and "resuming: 24 of 36 samples already there; generating 12" in grow.stderr
    again = evaluate(*base, "--k", "3", cwd=tmp_path)
    assert again.returncode == 0 and "all 36 samples are already in" in again.stderr
    assert "0/0" not in again.stderr  # no empty progress bar
    me = shlex.join([sys.executable, "-m", "evaluator.cli"])  # as `evaluate` was started (test_cli_next_hint.py)
    assert f"next: {me} report out/" in again.stdout and f"{me} export" in again.stdout
