"""Run folders: a failed start leaves none; export and compare skip folders without a summary (one
warning line each, saying whether the folder is a run at all); names keep the dataset's hyphens and a run
under the older name is still resumed."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.test_cli import ENV, evaluate


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Case:
    note: str
    args: tuple[str, ...]
    message: str


FAILED_STARTS = (
    Case("preset whose provider key is not set", ("--model", "deepseek-r1"), "set OPENROUTER_API_KEY"),
    Case("mock accuracy out of range", ("--model", "mock:1.5"), "bad mock model 'mock:1.5'"),
    Case("no server at the base URL (found by the backend's first request)",
         ("--backend", "openai", "--base-url", "http://127.0.0.1:{port}/v1", "--model", "m", "--api-key-env",
          "TEST_KEY", "--max-retries", "0"), "cannot reach http://127.0.0.1:"),
    Case("base URL without a scheme", ("--backend", "openai", "--base-url", "localhost:8000", "--model", "m"),
         "--base-url localhost:8000: give the full URL"),
)


@pytest.mark.parametrize("case", FAILED_STARTS, ids=[c.note for c in FAILED_STARTS])
def test_failed_start_leaves_no_run_folder(tmp_path: Path, case: Case) -> None:
    env = {k: v for k, v in ENV.items() if k != "OPENROUTER_API_KEY"} | {"TEST_KEY": "x"}
    args = [a.format(port=_closed_port()) for a in case.args]
    result = evaluate(*args, "--k", "1", "--dataset", "demo", "--output-dir", "out", "--quiet", cwd=tmp_path, env=env)
    assert result.returncode == 2 and case.message in result.stderr, result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_export_and_compare_skip_folders_without_a_summary(tmp_path: Path) -> None:
    assert evaluate("--model", "mock", "--k", "2", "--dataset", "demo", "--output-dir", "runs", "--quiet",
                    cwd=tmp_path).returncode == 0
    (good,) = (tmp_path / "runs").iterdir()
    stray = tmp_path / "runs" / "m-demo-0123456789"
    stray.mkdir()
    (stray / "config.json").write_text(json.dumps({"model_name": "m"}))
    for command in (("export", "--format", "csv"), ("compare",)):
        result = evaluate(*command, str(good), str(stray), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stderr.strip() == f"warning: skipped {stray}: no summary.json with scores (a failed start " \
                                        "or an unfinished first sample; `evaluate score` writes it)"
        assert good.name in result.stdout and stray.name not in result.stdout
    alone = evaluate("export", str(stray), cwd=tmp_path)
    assert alone.returncode == 2 and alone.stderr.strip().splitlines()[-1] == \
        "error: none of the given directories holds a scored run"



def test_a_folder_that_is_no_run_is_named_as_such(tmp_path: Path) -> None:
    """A folder without config.json was never a run: the warning says so, names the missing file and the
    command that makes a run, instead of asking for a summary that `evaluate score` could not write."""
    assert evaluate("--model", "mock", "--k", "2", "--dataset", "demo", "--output-dir", "runs", "--quiet",
                    cwd=tmp_path).returncode == 0
    (good,) = (tmp_path / "runs").iterdir()
    plots = tmp_path / "runs" / "plots"  # something else kept beside the runs
    plots.mkdir()
    (plots / "curve.png").write_bytes(b"png")
    no_run = "not a run directory (no config.json); `evaluate --model MODEL` makes a run and prints its folder"
    listed = evaluate("export", "--format", "csv", "runs", cwd=tmp_path)
    assert listed.returncode == 0 and good.name in listed.stdout, listed.stderr
    assert listed.stderr.strip() == f"warning: skipped {Path('runs', plots.name)}: {no_run}"
    empty = tmp_path / "empty"
    empty.mkdir()
    alone = evaluate("compare", str(empty), cwd=tmp_path)
    assert alone.returncode == 2 and alone.stderr.strip().splitlines() == [
        f"warning: skipped {empty}: {no_run}", "error: none of the given directories holds a scored run"]
    missing = evaluate("export", str(tmp_path / "typo"), cwd=tmp_path)
    assert missing.returncode == 2 and missing.stderr.strip().splitlines()[0] == \
        f"warning: skipped {tmp_path / 'typo'}: no such directory"

def test_run_folder_keeps_the_dataset_name_and_finds_an_older_name(tmp_path: Path) -> None:
    (tmp_path / "my-set.jsonl").write_text(json.dumps({"id": "q1", "problem": "1+1?", "answer": 2}) + "\n")
    args = ("--model", "mock", "--k", "2", "--dataset", "my-set.jsonl", "--output-dir", "out", "--quiet")
    assert evaluate(*args, cwd=tmp_path).returncode == 0
    (run,) = (tmp_path / "out").iterdir()
    assert run.name.startswith("mock-my-set-")
    legacy = run.with_name(run.name.replace("my-set", "my_set"))  # how versions before this one named it
    run.rename(legacy)
    again = evaluate(*args, cwd=tmp_path)
    assert again.returncode == 0 and "all 2 samples are already in" in again.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == [legacy.name]
