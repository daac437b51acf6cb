"""A small finished mock run (demo set, k=2), made once per test module and copied for each test that
tampers with it (damaged files, planted links)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_cli import evaluate

ARGS = ("--model", "mock:0.6", "--k", "2", "--dataset", "demo", "--quiet")


def make_small_run(out: Path) -> Path:
    """Run `evaluate` with ARGS into `out`/runs and return the run folder."""
    result = evaluate(*ARGS, "--output-dir", str(out / "runs"), cwd=out)
    assert result.returncode == 0, result.stderr
    (run,) = (out / "runs").iterdir()
    return run
