"""The researcher's questions on a real (mock) run, through the CLI and the pages: `evaluate budget` and
budget.json, the reproduction verdict of `report --reference/--target` (in summary.json only when asked),
the checks / stability / budget sections, and compare's verdicts and contamination view."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evaluator.reports.budget import run_budget
from evaluator.reports.compare import render_compare, write_compare_html
from evaluator.reports.report import write_report
from evaluator.reports.runview import load_run
from tests.cli.test_cli import evaluate
from tests.reports.test_report import make_run, parse

ENTRY_KEYS = {"budget", "pass1", "pass1_ci", "cons", "cons_ci", "thinking_share", "mean_tokens"}


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("runs"), "mock:0.6")


def test_budget_command_writes_the_schema_and_ends_at_the_run(run: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(run, tmp_path / run.name))
    result = evaluate("budget", str(copy), "--budgets", "64,128,256,32768", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads((copy / "budget.json").read_text())
    assert data["method"] == "estimate" and data["k"] == 8  # the mock records no token position of </think>
    assert [b["budget"] for b in data["budgets"]] == [64, 128, 256, 32768]
    for point in data["budgets"]:
        assert set(point) == ENTRY_KEYS
        assert all(0.0 <= point[key] <= 1.0 for key in ("pass1", "cons", "thinking_share"))
        assert 0.0 <= point["pass1_ci"][0] <= point["pass1"] <= point["pass1_ci"][1] <= 1.0
    metrics = json.loads((copy / "summary.json").read_text())["metrics"]
    last = data["budgets"][-1]  # 32768 = the run's max_tokens: the run itself, CI included
    assert (last["pass1"], last["pass1_ci"], last["cons"]) == (metrics["pass1"], metrics["pass1_ci"], metrics["cons"])
    assert data["budgets"][0]["pass1"] < last["pass1"] and data["budgets"][0]["thinking_share"] > 0.5
    assert "estimated from characters" in result.stdout


def test_budget_rejects_a_bad_list_in_one_line(run: Path, tmp_path: Path) -> None:
    result = evaluate("budget", str(run), "--budgets", "100,abc", cwd=tmp_path)
    assert result.returncode == 2 and "--budgets" in result.stderr and "Traceback" not in result.stderr


def _rewrite(run_dir: Path, change) -> None:  # type: ignore[no-untyped-def]
    lines = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    (run_dir / "samples.jsonl").write_text("".join(json.dumps(change(r)) + "\n" for r in lines))


def test_token_positions_recorded_by_the_backend_make_the_method_tokens(run: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(run, tmp_path / run.name))
    _rewrite(copy, lambda r: {**r, "think_end_tokens": int(r["completion_tokens"]) // 2}
             if "</think>" in r["response"] else r)
    data = run_budget(load_run(copy), [64, 100000], bootstrap=50)
    assert data["method"] == "tokens"


def test_a_named_tokenizer_counts_the_thinking(run: Path, tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    raw = Tokenizer(models.WordLevel({"[UNK]": 0}, unk_token="[UNK]"))
    raw.pre_tokenizer = pre_tokenizers.Whitespace()
    PreTrainedTokenizerFast(tokenizer_object=raw, unk_token="[UNK]").save_pretrained(tmp_path / "tok")
    copy = Path(shutil.copytree(run, tmp_path / run.name))
    result = evaluate("budget", str(copy), "--tokenizer", str(tmp_path / "tok"), "--budgets", "64,32768", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads((copy / "budget.json").read_text())["method"] == "tokens"


def test_report_with_a_reference_states_the_verdict_and_stores_it(run: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(run, tmp_path / run.name))
    write_report(copy)
    assert "verdict" not in json.loads((copy / "summary.json").read_text())  # only when asked for
    result = evaluate("report", str(copy), "--reference", "deepseek-r1-zero", "--target", "pass1=50", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    verdict = json.loads((copy / "summary.json").read_text())["verdict"]
    assert verdict["reference"] == "deepseek-r1-zero" and verdict["target"] == "pass1=50"
    rows = verdict["rows"]
    assert [(r["metric"], r["target"]) for r in rows] == [("pass@1", 0.71), ("cons@8", 0.867), ("pass@1", 0.5)]
    metrics = json.loads((copy / "summary.json").read_text())["metrics"]
    for r in rows:
        lo, hi = r["gap_ci"]  # same problems: the run's noise plus the published number's when its k is known
        assert r["consistent"] == (lo <= 0.0 <= hi)
        assert r["ci"][0] <= r["estimate"] <= r["ci"][1]
        assert r["ci"] == (metrics["pass1_ci"] if r["metric"] == "pass@1" else metrics["cons_ci"])
    assert rows[1]["comparable"] is False  # the paper's cons@64 is not this run's cons@8
    assert [r["published_samples"] for r in rows] == [64, 64, None]
    ids = [attrs.get("id") for _, attrs in parse((copy / "report.html").read_text()).tags]
    for section_id in ("checks", "verdict", "budget", "stability"):
        assert ids.count(section_id) == 1, section_id
    assert "reproduction verdict" in result.stdout


def test_report_reference_errors_list_sets_and_models(run: Path, tmp_path: Path) -> None:
    result = evaluate("report", str(run), "--reference", "deepseek-r9", cwd=tmp_path)
    assert result.returncode == 2 and "deepseek-r1-zero" in result.stderr and "deepseek-r1," in result.stderr
    result = evaluate("report", str(run), "--target", "pass1=abc", cwd=tmp_path)
    assert result.returncode == 2 and "METRIC=PERCENT" in result.stderr


def test_compare_shows_verdicts_and_the_gap_between_datasets(run: Path, tmp_path: Path) -> None:
    other_set = tmp_path / "other.jsonl"
    other_set.write_text("".join(json.dumps({"id": f"x{i}", "problem": f"Problem {i}: what is {i}?", "answer": i})
                                 + "\n" for i in range(1, 9)))
    other = make_run(tmp_path / "runs", "mock:0.6", dataset=str(other_set))
    result = evaluate("compare", str(run), str(other), "--target", "pass1=71.0", "--html", "c.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "contamination signal, not a proof" in result.stdout and "reproduction verdict" in result.stdout
    page = parse((tmp_path / "c.html").read_text())
    assert len(page.with_class("table", "contamination")) == 1 and len(page.with_class("table", "verdict")) == 1
    text = render_compare([load_run(run), load_run(run.parent / run.name)])  # same run twice: no gap, no verdict
    assert "No model in this comparison ran on two different problem sets" in text
    assert 'id="verdict"' not in text
    assert write_compare_html([run], tmp_path / "one.html").is_file()
