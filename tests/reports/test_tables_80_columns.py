"""No table cuts an identifier, at 80 columns or piped: every column folds (no ellipsis), and an
identifier up to its column's cap stays whole on one line. `evaluate datasets` has its own test."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from evaluator.reports.compare import compare_insights, compare_table
from evaluator.reports.display import budget_table, contest_table, per_problem_table, summary_table
from tests.cli.test_cli import ENV, evaluate

LONG_MODEL = "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B-with-a-long-suffix"


def _render(renderable: object, width: int = 80) -> str:
    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(renderable)
    return out.getvalue()


def _runs(tmp_path: Path) -> list[Path]:
    """A mock run on demo, and the same samples imported under a long model id."""
    ran = evaluate("--model", "mock:0.9", "--k", "4", "--dataset", "demo", "--output-dir", "o", "--quiet",
                   cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    (run,) = (tmp_path / "o").iterdir()
    rows = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]
    theirs = tmp_path / "theirs.jsonl"
    theirs.write_text("".join(json.dumps({"problem_id": r["problem_id"], "sample": r["sample"],
                                          "response": r["response"], "model": LONG_MODEL}) + "\n" for r in rows))
    imported = evaluate("import", str(theirs), "--dataset", "demo", "--output-dir", "o", cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    return sorted((tmp_path / "o").iterdir())


def test_the_summary_and_per_problem_tables_fold_never_cut(tmp_path: Path) -> None:
    runs = _runs(tmp_path)
    summary = json.loads((runs[-1] / "summary.json").read_text())
    summary["judge"] = {"model": LONG_MODEL, "judged": 3, "flipped": 1, "pending": 0, "pass1": 0.5,
                        "pass1_with_judge": 0.52, "cost_usd": None}
    summary["per_problem"][0]["majority_answer"] = "\\frac{1+\\sqrt{5}}{2}\\cdot\\left(1-\\frac{1}{2^{10}}\\right)"
    summary["contests"] = {"hmmt-feb-2025": summary, "aime-2025-and-a-long-collection-name": summary}
    budget = {"method": "chars", "k": 64, "budgets": [{"budget": 32768, "pass1": 0.5, "pass1_ci": [0.4, 0.6],
                                                       "cons": 0.6, "thinking_share": 0.1, "mean_tokens": 12000.0}]}
    for table in (summary_table(f"{LONG_MODEL} on demo (k=4)", summary), per_problem_table(summary, {}),
                  contest_table(summary), budget_table(budget)):
        text = _render(table)
        assert "…" not in text and max(map(len, text.splitlines())) <= 80, text
    assert "demo-10" in _render(per_problem_table(summary, {}))
    assert "completion tokens (mean)" in _render(summary_table("t", summary))
    assert "hmmt-feb-2025" in _render(contest_table(summary))


def test_compare_and_export_piped_at_80_columns_keep_every_identifier(tmp_path: Path) -> None:
    runs = _runs(tmp_path)
    piped = {**ENV, "COLUMNS": "80"}
    compared = evaluate("compare", *map(str, runs), cwd=tmp_path, env=piped)
    assert compared.returncode == 0, compared.stderr
    assert "…" not in compared.stdout and "mock:0.9" in compared.stdout and "paired" in compared.stdout
    assert max(len(line) for line in compared.stdout.splitlines()) <= 80
    flat = compared.stdout.split("run directories:")[1].replace("\n", "")  # a long path folds, whole
    assert all(f"{i:>3}  {run}" in flat for i, run in enumerate(runs, 1))
    for fmt in ("markdown", "csv", "json"):
        exported = evaluate("export", *map(str, runs), "--format", fmt, cwd=tmp_path, env=piped)
        assert exported.returncode == 0 and LONG_MODEL in exported.stdout and "…" not in exported.stdout, fmt


def test_terminal_compare_has_the_paired_tests_of_the_html_page(tmp_path: Path) -> None:
    runs = _runs(tmp_path)
    text = "".join(_render(r) for r in (compare_table(runs), *compare_insights(runs)))
    assert "paired: A minus B on the same problems" in text
    assert "│ 1 │ 2 │ pass@1" in text and "cons@4" in text  # the same problems: paired on both metrics
