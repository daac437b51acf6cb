"""A newcomer without the data files: a missing folder is an error at once, a hub that cannot be
reached fails in one quiet line (no retry noise), a folder given as --dataset is named as such."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from tests.cli.test_cli import evaluate

_HUB_VARS = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "AIME_EVAL_DATA_DIR")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _online_env(**extra: str) -> dict[str, str]:
    """The environment of a user who never set the offline variables nor a data dir."""
    env = {k: v for k, v in os.environ.items() if k not in _HUB_VARS}
    return {**env, "COLUMNS": "200", **extra}


def test_unreachable_hub_is_one_quiet_line(tmp_path: Path) -> None:
    """Neither the pinned file's host nor the hub endpoint answers: without the probe, the hub client would
    retry and print `Retrying in ...` lines for ~50 s; with it, one line that says what it would fetch and
    how to point at local files."""
    env = _online_env(HF_ENDPOINT=f"http://127.0.0.1:{_closed_port()}", HF_HOME=str(tmp_path / "hf"))
    result = evaluate("--model", "mock", "--k", "1", "--output-dir", "out", cwd=tmp_path, env=env, timeout=60)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "no network" in lines[0] and "would fetch" in lines[0], lines[0]
    assert "--data-dir DIR" in lines[0] and "aime_2024.jsonl" in lines[0]
    assert not (tmp_path / "out").exists()


def test_missing_data_dir_is_an_error_at_once(tmp_path: Path) -> None:
    env = _online_env(HF_ENDPOINT=f"http://127.0.0.1:{_closed_port()}")
    result = evaluate("--model", "mock", "--k", "1", "--data-dir", str(tmp_path / "nope"), cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: --data-dir {tmp_path / 'nope'}: no such folder (give the folder that " \
                                    "holds aime_2024.jsonl etc.)"


def test_missing_data_dir_variable_is_named(tmp_path: Path) -> None:
    env = _online_env(AIME_EVAL_DATA_DIR=str(tmp_path / "gone"))
    result = evaluate("--model", "mock", "--k", "1", cwd=tmp_path, env=env)
    assert result.returncode == 2 and f"$AIME_EVAL_DATA_DIR={tmp_path / 'gone'}: no such folder" in result.stderr


def test_directory_as_dataset_says_it_is_a_directory(tmp_path: Path) -> None:
    (tmp_path / "problems").mkdir()
    result = evaluate("--model", "mock", "--k", "1", "--dataset", "problems", cwd=tmp_path)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "--dataset problems is a directory; give a file" in result.stderr and "--data-dir problems" in result.stderr
    assert "unknown dataset" not in result.stderr
