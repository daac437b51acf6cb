"""The `evaluate` command end to end on the mock model: outputs, resume, re-scoring, clear errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evaluator.run.store import RunStore, load_config, load_samples

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "COLUMNS": "200"}


def evaluate(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evaluator.cli", *args], cwd=cwd, env=env or ENV,
                          capture_output=True, text=True, timeout=timeout)


def _run_dir(output: Path) -> Path:
    (run,) = [p for p in output.iterdir() if p.is_dir()]
    return run


def _keys(run: Path) -> list[tuple[str, int]]:
    lines = (run / "samples.jsonl").read_text().splitlines()
    return [(json.loads(line)["problem_id"], json.loads(line)["sample"]) for line in lines]


def test_mock_run_writes_three_files_and_rerun_adds_nothing(tmp_path: Path) -> None:
    result = evaluate("--model", "mock", "--k", "8", "--dataset", "demo", "--output-dir", "out", "--per-problem",
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "pass@1" in result.stdout and "cons@8" in result.stdout and "demo-12" in result.stdout
    run = _run_dir(tmp_path / "out")
    summary = json.loads((run / "summary.json").read_text())
    config = json.loads((run / "config.json").read_text())
    assert summary["n_samples"] == 96 and summary["complete"] is True
    assert config["identity"]["temperature"] == 0.6 and config["identity"]["max_tokens"] == 32768
    assert "Please reason step by step" in config["identity"]["template"]
    records = load_samples(run)
    assert sum(r["correct"] for r in records) / 96 == pytest.approx(summary["metrics"]["pass1"])
    before = (run / "samples.jsonl").read_bytes()
    again = evaluate("--model", "mock", "--k", "8", "--dataset", "demo", "--output-dir", "out", cwd=tmp_path)
    assert again.returncode == 0 and (run / "samples.jsonl").read_bytes() == before
    assert len(list((tmp_path / "out").iterdir())) == 1


def test_raising_k_extends_the_same_run(tmp_path: Path) -> None:
    assert evaluate("--model", "mock", "--k", "2", "--dataset", "demo", "--output-dir", "o", cwd=tmp_path).returncode == 0
    run = _run_dir(tmp_path / "o")
    first = _keys(run)
    assert evaluate("--model", "mock", "--k", "4", "--dataset", "demo", "--output-dir", "o", cwd=tmp_path).returncode == 0
    keys = _keys(run)
    assert keys[: len(first)] == first and len(keys) == 48 == len(set(keys))
    assert json.loads((run / "config.json").read_text())["k"] == 4
    rescored = evaluate("score", str(run), cwd=tmp_path)
    assert rescored.returncode == 0 and "48 samples re-graded" in rescored.stderr
    assert json.loads((run / "summary.json").read_text())["n_samples"] == 48


def test_kill_halfway_then_resume_gives_each_sample_once(tmp_path: Path) -> None:
    args = ["--model", "mock:0.7:0.005", "--k", "16", "--dataset", "demo", "--output-dir", "o", "--quiet",
            "--concurrency", "1"]  # one sample at a time, so the kill lands mid-run
    proc = subprocess.Popen([sys.executable, "-m", "evaluator.cli", *args], cwd=tmp_path, env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    samples = None
    while time.monotonic() < deadline:
        found = list((tmp_path / "o").glob("*/samples.jsonl")) if (tmp_path / "o").exists() else []
        if found and found[0].stat().st_size > 0 and len(found[0].read_text().splitlines()) >= 60:
            samples = found[0]
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert samples is not None, "the run never got going"
    partial = len(samples.read_text().splitlines())
    assert 60 <= partial < 192
    result = evaluate(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    keys = _keys(samples.parent)
    assert len(keys) == 192 == len(set(keys))
    fresh = evaluate(*args[:-3], "--output-dir", "fresh", "--quiet", cwd=tmp_path)
    assert fresh.returncode == 0
    summary = json.loads((samples.parent / "summary.json").read_text())
    uninterrupted = json.loads((_run_dir(tmp_path / "fresh") / "summary.json").read_text())
    assert summary["metrics"] == uninterrupted["metrics"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "nosuch"], "unknown model 'nosuch': known presets are"),
        (["--model", "mock", "--dataset", "aime-1999"], "unknown dataset 'aime-1999'"),
        (["--model", "mock", "--dataset", "missing.jsonl"], "missing.jsonl: no such file"),
        (["--model", "mock", "--k", "0"], "Invalid value for '--k'"),
        (["--model", "mock", "--temperature", "-1"], "Invalid value for '--temperature'"),
        (["--model", "mock", "--dataset", "demo", "--prompt-template", "nofile.txt"], "nofile.txt: cannot read prompt template"),
        (["--model", "mock:2", "--dataset", "demo"], "bad mock model 'mock:2'"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = evaluate(*args, "--output-dir", "o", cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_jsonl_line_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "mine.jsonl").write_text('{"id": "a", "problem": "p", "answer": 1}\n{"id": "b", "answer": 2}\n')
    result = evaluate("--model", "mock", "--dataset", "mine.jsonl", cwd=tmp_path)
    assert result.returncode == 2 and "mine.jsonl:2: missing field 'problem'" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_imports_nothing_heavy() -> None:
    code = ("import sys, evaluator.cli; heavy = {'sympy', 'datasets', 'vllm', 'torch', 'numpy', 'openai'};"
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert "--model" in evaluate("--help", cwd=Path.cwd()).stdout


def test_score_regrades_from_samples(tmp_path: Path) -> None:
    assert evaluate("--model", "mock", "--k", "4", "--dataset", "demo", "--output-dir", "o", cwd=tmp_path).returncode == 0
    run = _run_dir(tmp_path / "o")
    records = load_samples(run)
    tampered = [{**r, "correct": not r["correct"], "extracted": "999999"} for r in records]
    (run / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in tampered))
    result = evaluate("score", str(run), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"{len(records)} samples re-graded, {len(records)} verdict(s) changed" in result.stderr
    assert load_samples(run) == records


def test_second_process_on_same_run_is_refused(tmp_path: Path) -> None:
    """The lock is held by this test (a real flock on the run's .lock, from another process than the CLI)
    for the whole second command, so the refusal does not depend on how fast either process is."""
    args = ["--model", "mock", "--dataset", "demo", "--run-dir", "run", "--quiet"]
    assert evaluate(*args, "--k", "1", cwd=tmp_path).returncode == 0
    run = tmp_path / "run"
    before = (run / "samples.jsonl").read_bytes()
    config = load_config(run)
    with RunStore.open(run, config, config_hash=config["config_hash"]):
        second = evaluate(*args, "--k", "2", cwd=tmp_path, timeout=60)
    assert second.returncode == 2, second.stderr
    assert f"is in use by another evaluate process (pid {os.getpid()})" in second.stderr
    assert (run / "samples.jsonl").read_bytes() == before  # the refused run wrote nothing


def test_report_compare_export_commands(tmp_path: Path) -> None:
    for model in ("mock:0.5", "mock:0.9"):
        assert evaluate("--model", model, "--k", "4", "--dataset", "demo", "--output-dir", "o", cwd=tmp_path).returncode == 0
    runs = sorted(str(p) for p in (tmp_path / "o").iterdir())
    result = evaluate("report", runs[0], cwd=tmp_path)
    assert result.returncode == 0 and Path(result.stdout.strip()).name == "report.html"
    result = evaluate("compare", *runs, "--html", "cmp.html", cwd=tmp_path)
    assert result.returncode == 0 and "mock:0.5" in result.stdout and (tmp_path / "cmp.html").is_file()
    result = evaluate("export", *runs, "--format", "json", cwd=tmp_path)
    board = json.loads(result.stdout)
    assert board["schema"] == "aime-eval/leaderboard" and len(board["runs"]) == 2
    missing = evaluate("report", str(tmp_path / "nope"), cwd=tmp_path)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_score_import_reproduces_reported_accuracy(shared_dir: Path, tmp_path: Path) -> None:
    dump = shared_dir / "generations" / "skythought_sky-t1-32b-ablations.jsonl"
    result = evaluate("score", "--import", str(dump), "--format", "jsonl", "--dataset", "aime-2024",
                      "--model", "Sky-T1-math-corrupt-0.5-32B", "--output-dir", "imp",
                      "--data-dir", str(shared_dir / "data"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "verdicts that differ from the dump's own: 0" in result.stdout
    (run,) = list((tmp_path / "imp").iterdir())
    summary = json.loads((run / "summary.json").read_text())
    assert round(100 * summary["metrics"]["pass1"], 1) == 36.7
    rescored = evaluate("score", str(run), "--data-dir", str(shared_dir / "data"), cwd=tmp_path)
    assert rescored.returncode == 0 and "0 verdict(s) changed" in rescored.stderr
    assert json.loads((run / "summary.json").read_text())["imported"]["reported_accuracy"] == summary["imported"]["reported_accuracy"]
    bad = evaluate("score", "--import", str(dump), "--format", "nope", cwd=tmp_path)
    assert bad.returncode == 2 and "unknown import format 'nope': choose one of samples," in bad.stderr


def test_run_dir_of_another_configuration_is_refused_unless_forced(tmp_path: Path) -> None:
    base = ["--model", "mock", "--k", "2", "--dataset", "demo", "--run-dir", "mine", "--quiet"]
    assert evaluate(*base, cwd=tmp_path).returncode == 0
    other = evaluate(*base, "--seed", "1", cwd=tmp_path)
    assert other.returncode == 2 and "different configuration" in other.stderr and "--force-new" in other.stderr
    forced = evaluate(*base, "--seed", "1", "--force-new", cwd=tmp_path)
    assert forced.returncode == 0
    assert len(list(tmp_path.glob("mine.old-*"))) == 1  # the old run was moved aside, not deleted
    assert json.loads((tmp_path / "mine" / "config.json").read_text())["identity"]["seed"] == 1


def test_custom_benchmark_with_symbolic_answers(tmp_path: Path) -> None:
    rows = [{"id": "half", "problem": "What is 1/2?", "answer": "\\frac{1}{2}"},
            {"id": "root", "problem": "What is the square root of 2?", "answer": "\\sqrt{2}"},
            {"id": "int", "problem": "What is 6*7?", "answer": 42}]
    (tmp_path / "mine.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = evaluate("--model", "mock:1.0", "--k", "6", "--dataset", "mine.jsonl", "--output-dir", "o", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = load_samples(_run_dir(tmp_path / "o"))
    assert len(records) == 18
    finished = [r for r in records if r["finish_reason"] == "stop"]
    assert finished and all(r["correct"] for r in finished)
    assert {r["gold"] for r in records} == {"\\frac{1}{2}", "\\sqrt{2}", "42"}


def test_bad_price_table_is_reported_before_sampling(tmp_path: Path) -> None:
    env = {**ENV, "AIME_EVAL_PRICES": str(tmp_path / "missing.json")}
    result = evaluate("--model", "mock", "--k", "1", "--dataset", "demo", "--output-dir", "o", cwd=tmp_path, env=env)
    assert result.returncode == 2 and "AIME_EVAL_PRICES" in result.stderr and "[input, output]" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "o").exists()


def test_done_when_of_the_skeleton_aime_2024_k64(shared_dir: Path, tmp_path: Path) -> None:
    env = {**ENV, "AIME_EVAL_DATA_DIR": str(shared_dir / "data")}
    result = evaluate("--model", "mock", "--k", "64", "--output-dir", "o", "--quiet", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "pass@1" in result.stdout and "cons@64" in result.stdout
    run = _run_dir(tmp_path / "o")
    assert {p.name for p in run.iterdir()} >= {"config.json", "samples.jsonl", "summary.json"}
    assert len(_keys(run)) == 1920 == len(set(_keys(run)))
    before = (run / "samples.jsonl").read_bytes()
    assert evaluate("--model", "mock", "--k", "64", "--output-dir", "o", "--quiet", cwd=tmp_path, env=env).returncode == 0
    assert (run / "samples.jsonl").read_bytes() == before and len(list((tmp_path / "o").iterdir())) == 1
