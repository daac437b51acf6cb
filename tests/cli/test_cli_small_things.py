"""Small things a newcomer trips over: an odd answer key is named, a one-problem set has no '± -', the
compare page warns about different datasets only when there are some, the Markdown leaderboard never
ranks runs of different datasets together, and the R1 script's usage is its help, not its code."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.cli.test_cli import ENV, evaluate

REPO = Path(__file__).resolve().parents[2]
NOT_COMPARABLE = "Curves of runs on different datasets are not comparable"


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_an_answer_that_is_not_math_is_named_with_its_line(tmp_path: Path) -> None:
    _write(tmp_path / "mine.jsonl", [{"id": "a", "problem": "What is 1/2?", "answer": "\\frac{1}{2}"},
                                     {"id": "b", "problem": "Name it.", "answer": "abc"}])
    result = evaluate("--model", "mock", "--k", "1", "--dataset", "mine.jsonl", "--output-dir", "o", "--quiet",
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # named once, at the start; the end-of-run `dataset` check points at it instead of repeating it
    named = [line for line in result.stderr.splitlines() if "neither a number nor LaTeX" in line]
    assert named == ["warning: mine.jsonl:2: answer 'abc' is neither a number nor LaTeX math; "
                     "check the answer key (it is compared as written)"]
    assert "check dataset: failed on the 1 loader warning(s) printed before sampling" in result.stderr.splitlines()
    (run,) = (tmp_path / "o").iterdir()
    (check,) = [c for c in json.loads((run / "summary.json").read_text())["checks"] if c["name"] == "dataset"]
    assert not check["passed"] and "mine.jsonl:2: answer 'abc'" in check["detail"]  # summary.json keeps it all


def test_one_problem_shows_pass1_with_its_sampling_error_bar(tmp_path: Path) -> None:
    _write(tmp_path / "one.jsonl", [{"id": "q1", "problem": "1+1?", "answer": 2}])
    result = evaluate("--model", "mock", "--k", "4", "--dataset", "one.jsonl", "--output-dir", "o", "--quiet",
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    row = next(line for line in result.stdout.splitlines() if "pass@1" in line)
    (run,) = (tmp_path / "o").iterdir()
    metrics = json.loads((run / "summary.json").read_text())["metrics"]
    assert metrics["pass1_se"] is None  # a standard error over problems needs two of them
    # the ± is the same-problems SE (sampling noise of this one problem), defined with a single problem
    assert f"│ {100 * metrics['pass1']:.1f} ± {100 * metrics['pass1_se_same_problems']:.1f} │" in row
    assert metrics["pass1_se_same_problems"] > 0 and "-" not in row.split("│")[2]


def _runs(tmp_path: Path, *specs: tuple[str, str]) -> list[Path]:
    out = tmp_path / "runs"
    tmp_path.mkdir(exist_ok=True)
    for model, dataset in specs:
        assert evaluate("--model", model, "--k", "2", "--dataset", dataset, "--output-dir", str(out), "--quiet",
                        cwd=tmp_path).returncode == 0
    return sorted(out.iterdir())


def test_compare_page_and_markdown_warn_only_across_datasets(tmp_path: Path) -> None:
    _write(tmp_path / "other.jsonl", [{"id": "q1", "problem": "1+1?", "answer": 2},
                                      {"id": "q2", "problem": "2+2?", "answer": 4}])
    same = _runs(tmp_path / "same", ("mock:0.6", "demo"), ("mock:0.9", "demo"))
    mixed = [*same, *_runs(tmp_path / "mixed", ("mock", str(tmp_path / "other.jsonl")))]
    for runs, expect_warning in ((same, False), (mixed, True)):
        page = tmp_path / f"compare-{expect_warning}.html"
        assert evaluate("compare", *map(str, runs), "--html", str(page), cwd=tmp_path).returncode == 0
        assert (NOT_COMPARABLE in page.read_text()) is expect_warning
        result = evaluate("export", *map(str, runs), "--format", "markdown", cwd=tmp_path)
        assert result.returncode == 0
        assert ("pass@1 ranks runs only within one dataset" in result.stderr) is expect_warning
        assert result.stdout.count("| model |") == (2 if expect_warning else 1)
    assert "### demo" in result.stdout and "### other" in result.stdout


def test_r1_script_without_arguments_prints_its_usage_not_its_code() -> None:
    result = subprocess.run(["bash", str(REPO / "scripts" / "reproduce_deepseek_r1.sh")], capture_output=True,
                            text=True, env=ENV, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    assert "Usage: scripts/reproduce_deepseek_r1.sh TARGET" in result.stderr
    assert "set -euo pipefail" not in result.stderr and "OUTPUT_DIR=" not in result.stderr


def test_r1_script_calls_the_projects_own_evaluate() -> None:
    result = subprocess.run(["bash", str(REPO / "scripts" / "reproduce_deepseek_r1.sh"), "hosted"], capture_output=True,
                            text=True, env={**ENV, "DRY_RUN": "1"}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"+ {REPO / '.venv' / 'bin' / 'evaluate'} --model deepseek-r1" in result.stderr
