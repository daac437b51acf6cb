"""Comparing runs: the terminal table, the dashboard's paired tests, and the refusal to pair across datasets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from evaluator.metrics import paired_comparison
from evaluator.reports.compare import compare_table, paired_results, write_compare_html
from evaluator.reports.runview import ReportError, load_run, load_runs
from tests.reports.test_report import make_run, parse

TINY = [{"id": "x-1", "problem": "What is 1+1?", "answer": 2}, {"id": "x-2", "problem": "What is 2+3?", "answer": 5},
        {"id": "x-3", "problem": "What is 3*3?", "answer": 9}]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("runs")
    tiny = out / "tiny.jsonl"
    tiny.write_text("".join(json.dumps(row) + "\n" for row in TINY))
    return [make_run(out / "o", "mock:0.5"), make_run(out / "o", "mock:0.9"), make_run(out / "o", "mock:0.7", 4, str(tiny))]


def _text(table: object) -> str:
    console = Console(record=True, width=220)
    console.print(table)
    return console.export_text()


def test_terminal_table_has_one_row_per_run_with_its_numbers(runs: list[Path]) -> None:
    text = _text(compare_table(runs))
    for position, run in enumerate(runs, 1):
        summary = json.loads((run / "summary.json").read_text())
        m = summary["metrics"]
        line = next(line for line in text.splitlines() if line.startswith(f"│ {position} │"))
        assert f"{position:>3}  {run}" in text  # its directory, under its number
        assert f"{100 * m['pass1']:.1f} ± {100 * m['pass1_se_same_problems']:.1f}" in line  # the CI's own SE
        assert f"{100 * m['cons']:.1f} (@{m['cons_k']})" in line
        assert f"{summary['tokens']['completion_mean']:,.0f}" in line


def test_rich_markup_in_a_model_name_is_printed_literally(runs: list[Path], tmp_path: Path) -> None:
    copy = tmp_path / "run"
    copy.mkdir()
    for name in ("samples.jsonl", "summary.json", "errors.jsonl"):
        (copy / name).write_bytes((runs[0] / name).read_bytes())
    config = json.loads((runs[0] / "config.json").read_text())
    config["model_name"] = "[red]evil[/red]"
    (copy / "config.json").write_text(json.dumps(config))
    assert "[red]evil[/red]" in _text(compare_table([copy]))


def test_pairs_only_runs_on_the_same_problems(runs: list[Path]) -> None:
    loaded = load_runs(runs)
    pairs, unpaired = paired_results(loaded, bootstrap=200)
    assert {(p.a, p.b) for p in pairs} == {(0, 1)} and unpaired == [(0, 2), (1, 2)]
    assert [p.result.metric for p in pairs] == ["pass@1", "cons@8"]
    direct = paired_comparison(loaded[0].table(), loaded[1].table(), "pass@1", bootstrap=200)
    assert pairs[0].result == direct


def test_dashboard_numbers_and_unpaired_notice(runs: list[Path], tmp_path: Path) -> None:
    out = write_compare_html(runs, tmp_path / "compare.html")
    text = out.read_text()
    page = parse(text)
    loaded = [load_run(r) for r in runs]
    pass1 = [json.loads(v) for metric, v, _ in page.metrics if metric == "pass1"]
    assert pass1 == [run.metrics["pass1"] for run in loaded]
    direct = paired_comparison(loaded[0].table(), loaded[1].table(), "pass@1")
    diffs = [(json.loads(v), shown) for metric, v, shown in page.metrics if metric == "diff"]
    assert diffs[0] == (direct.diff, f"{100 * direct.diff:+.1f}")
    p_values = [json.loads(v) for metric, v, _ in page.metrics if metric == "p_value"]
    assert p_values[0] == direct.p_value
    assert text.count("Not paired:") == 2 and "different datasets" in text
    assert page.count("svg") == 4 and page.count("script") == 0  # pass@k, maj@k and two budget curves
    heat = page.with_class("span", "heat")
    assert len(heat) == 2 * 12 + 3  # two runs x 12 demo problems, one run x 3 tiny problems


def test_the_same_run_twice_is_refused(runs: list[Path], tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="twice"):
        write_compare_html([runs[0], runs[0]], tmp_path / "c.html")


def test_reference_rows_beside_runs(runs: list[Path], tmp_path: Path) -> None:
    text = write_compare_html(runs[:1], tmp_path / "c.html", reference="deepseek-r1").read_text()
    assert "DeepSeek-R1-Zero" in text and "86.7" in text and "not comparable" in text
