"""A real full disk (a small tmpfs mounted for the test): a clear error, nothing written is lost, and
after space is freed the same command finishes the run with every sample exactly once."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_cli import evaluate
from tests.conftest import skip_or_fail


@pytest.fixture
def small_disk(tmp_path: Path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        skip_or_fail("mounting a tmpfs needs root (CI runs as root)")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        skip_or_fail(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_full_disk_is_a_clear_error_and_loses_nothing(small_disk: Path, tmp_path: Path) -> None:
    args = ["--model", "mock", "--k", "16", "--dataset", "demo", "--output-dir", str(small_disk), "--quiet"]
    result = evaluate(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "No space left on device" in result.stderr and "run the same command again" in result.stderr
    assert "Traceback" not in result.stderr
    (run,) = [p for p in small_disk.iterdir() if p.is_dir()]
    written = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines() if line.endswith("}")]
    assert 0 < len(written) < 192
    subprocess.run(["mount", "-o", "remount,size=16m", str(small_disk)], check=True)
    again = evaluate(*args, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    lines = (run / "samples.jsonl").read_text().splitlines()
    keys = [(json.loads(line)["problem_id"], json.loads(line)["sample"]) for line in lines]
    assert len(keys) == 192 == len(set(keys))
    assert [json.loads(line) for line in lines[: len(written) - 1]] == written[:-1]
