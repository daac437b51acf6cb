"""Runs scored before the intervals were split into two questions still report and compare."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from evaluator.reports.compare import compare_table, render_compare
from evaluator.reports.display import summary_table
from evaluator.reports.report import write_report
from evaluator.reports.runview import load_runs
from tests.reports.test_report import make_run

NEW_FIELDS = ("pass1_se_same_problems", "pass1_ci_new_problems", "cons_se_same_problems", "cons_ci_new_problems",
              "bayes_mean", "bayes_sd", "bayes_ci")


@pytest.fixture(scope="module")
def old_and_new(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("runs")
    new = make_run(out / "o", "mock:0.6")
    old = Path(shutil.copytree(new, out / "old" / new.name))
    summary = json.loads((old / "summary.json").read_text())
    for field in NEW_FIELDS:
        del summary["metrics"][field]
    summary["metrics"]["resample_samples"] = True  # what a two-level summary carried
    (old / "summary.json").write_text(json.dumps(summary))
    return old, new


def _text(renderable: object) -> str:
    console = Console(record=True, width=200)
    console.print(renderable)
    return console.export_text()


def test_old_summary_reports_its_one_interval_unlabelled(old_and_new: tuple[Path, Path]) -> None:
    old, new = old_and_new
    old_summary = json.loads((old / "summary.json").read_text())
    text = _text(summary_table("old", old_summary))
    assert "same problems" not in text and "new problems" not in text and "Bayes@N" not in text
    lo, hi = old_summary["metrics"]["pass1_ci"]
    assert f"[{100 * lo:.1f}, {100 * hi:.1f}]" in text
    new_text = _text(summary_table("new", json.loads((new / "summary.json").read_text())))
    assert "same problems" in new_text and "new problems" in new_text and "Bayes@N" in new_text
    page = write_report(old).read_text()
    assert "same problems" not in page.split('id="headline"')[1].split("</section>")[0]


def test_old_and_new_summaries_compare_side_by_side(old_and_new: tuple[Path, Path]) -> None:
    runs = load_runs(list(old_and_new))
    text = _text(compare_table(list(old_and_new)))
    assert text.count("│ 1 │") == 1 and text.count("│ 2 │") == 1
    page = render_compare(runs)
    assert "95% CI, same problems" in page and "p, new problems" in page
