"""`evaluate datasets`: one line per set that never cuts an identifier (80 columns, piped), details with
NAME, --json, and --download: offline it says per set what it would fetch; with a local HTTP server on
127.0.0.1 standing in for GitHub it downloads and verifies, and a run on the cached text passes its
dataset check with no data folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evaluator.benchmarks import pinned
from evaluator.benchmarks.registry import GROUPS, NAMES
from evaluator.cli.app import app
from tests.benchmarks.test_pinned_sources import Upstream, _rllm_json, _shared, upstream  # noqa: F401 (fixture)
from tests.cli.test_cli import ENV, _run_dir, evaluate


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """No data folder, an empty cache (XDG_CACHE_HOME), offline: a new user's machine without network."""
    clean = {k: v for k, v in ENV.items() if k != "AIME_EVAL_DATA_DIR"}
    return {**clean, "XDG_CACHE_HOME": str(tmp_path / "cache"), "COLUMNS": "80"}


def test_listing_is_one_uncut_line_per_set_at_80_columns_and_piped(tmp_path: Path, env: dict[str, str]) -> None:
    result = evaluate("datasets", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    header, *lines = result.stdout.splitlines()
    assert header.split() == ["set", "n", "answers", "status", "text", "from"]
    assert [line.split()[0] for line in lines] == [*NAMES, *GROUPS]
    assert all(len(line) <= 80 for line in [header, *lines])
    rows = {line.split()[0]: line.split() for line in lines}
    assert rows["aime-2026"][1:] == ["30", "integer", "download", "jianzhnie/LLMEval@136f2d8"]
    assert rows["hmmt-feb-2025"][2] == "latex" and rows["demo"][3] == "shipped"
    assert rows["aime-1983-2023"][1:] == ["975", "integer", "download", "rllm-org/rllm@d68c703"]
    assert " ".join(rows["aime-2024-2026"][4:]) == "aime-2024 + aime-2025 + aime-2026"


def test_details_of_one_set(tmp_path: Path, env: dict[str, str]) -> None:
    result = evaluate("datasets", "hmmt-feb-2025", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    lines = dict(line.split(": ", 1) for line in result.stdout.splitlines()[1:])
    assert "CC BY-NC-SA 4.0" in lines["licence"] and "shared" not in result.stdout
    assert lines["download"].startswith("https://raw.githubusercontent.com/jianzhnie/LLMEval/136f2d88c38c3cbc5625c680e11f"
                                        "9cab4597a9f8/data/hmmt25.jsonl")
    assert lines["known text 9417c04a283ebfec"].startswith("MathArena text")
    assert str(tmp_path / "cache" / "aime-eval" / "jianzhnie+LLMEval") in lines["cache"]


def test_json_lists_every_set_and_one_by_name(tmp_path: Path, env: dict[str, str]) -> None:
    every = json.loads(evaluate("datasets", "--json", cwd=tmp_path, env=env).stdout)
    assert [d["name"] for d in every] == [*NAMES, *GROUPS]
    one = json.loads(evaluate("datasets", "aime-2024", "--json", cwd=tmp_path, env=env).stdout)
    assert one["files"] == 32 and one["hub"] == ["MathArena/aime_2024_I", "MathArena/aime_2024_II",
                                                 "HuggingFaceH4/aime_2024"]


def test_unknown_name_is_one_line_with_a_suggestion(tmp_path: Path, env: dict[str, str]) -> None:
    result = evaluate("datasets", "aime-2O24", cwd=tmp_path, env=env)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "unknown dataset 'aime-2O24': did you mean: aime-2024" in result.stderr


def test_download_offline_says_per_set_what_it_would_fetch(tmp_path: Path, env: dict[str, str]) -> None:
    result = evaluate("datasets", "--download", cwd=tmp_path, env=env)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert [line.split(":")[0] for line in lines] == [n for n in NAMES if n != "demo"]
    assert all("offline (HF_HUB_OFFLINE is set); would fetch " in line for line in lines)
    assert all("https://raw.githubusercontent.com/" in line for line in lines)
    assert result.stdout.strip() == "demo: nothing to download (shipped with aime-eval)"


def test_download_from_a_local_server_then_run_offline(
    shared_dir: Path, upstream: Upstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    monkeypatch.setattr(pinned, "cache_dir", lambda: tmp_path / "cache")
    upstream.publish("aime-2022", {"rllm/data/raw/aime_train.json": _rllm_json(_shared(shared_dir, "aime_1983_2023.jsonl"))},
                     monkeypatch)
    runner = CliRunner()
    fetched = runner.invoke(app, ["datasets", "aime-2022", "--download"])
    assert fetched.exit_code == 0, fetched.output
    assert fetched.output.startswith("aime-2022: 1 file verified (sha256), text 847da56a67a7a978 = AoPS wording")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    listed = runner.invoke(app, ["datasets"])
    assert [line.split()[3] for line in listed.output.splitlines() if line.startswith("aime-2022 ")] == ["cached"]
    run = runner.invoke(app, ["--model", "mock", "--dataset", "aime-2022", "--k", "2", "--output-dir",
                              str(tmp_path / "o"), "--quiet"])
    assert run.exit_code == 0, run.output
    summary = json.loads((_run_dir(tmp_path / "o") / "summary.json").read_text())
    (check,) = [c for c in summary["checks"] if c["name"] == "dataset"]
    assert check["passed"] and "AoPS wording" in check["detail"]
    assert len(upstream.requests) == 1
