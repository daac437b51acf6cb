"""Leaderboard exports: versioned JSON, CSV and Markdown rows equal each run's summary.json."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from evaluator.reports.export import CSV_COLUMNS, SCHEMA, VERSION, export_runs
from evaluator.reports.runview import ReportError
from tests.reports.test_report import make_run


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("runs")
    return [make_run(out, "mock:0.4"), make_run(out, "mock:0.9")]


def _summary(run: Path) -> dict:
    return json.loads((run / "summary.json").read_text())


def test_json_is_versioned_sorted_and_equals_the_summaries(runs: list[Path]) -> None:
    doc = json.loads(export_runs(runs, "json"))
    assert doc["schema"] == SCHEMA == "aime-eval/leaderboard" and doc["version"] == VERSION == 1
    assert [row["run"] for row in doc["runs"]] == [runs[1].name, runs[0].name]  # best pass@1 first
    for row in doc["runs"]:
        s = _summary(next(r for r in runs if r.name == row["run"]))
        m = s["metrics"]
        assert (row["pass1"], row["pass1_ci"], row["cons"], row["cons_k"]) == (m["pass1"], m["pass1_ci"], m["cons"],
                                                                                m["cons_k"])
        assert row["pass_at_k"] == m["pass_at_k"] and row["maj_at_k"][str(m["cons_k"])] == m["cons"]
        assert row["no_answer_rate"] == s["rates"]["no_answer"] and row["dataset"] == "demo"
        assert set(CSV_COLUMNS) - {"pass1_ci_low", "pass1_ci_high", "cons_ci_low", "cons_ci_high"} <= set(row)


def test_csv_has_the_documented_columns_and_exact_values(runs: list[Path]) -> None:
    rows = list(csv.DictReader(io.StringIO(export_runs(runs, "csv"))))
    assert len(rows) == 2 and tuple(rows[0]) == CSV_COLUMNS
    for row in rows:
        m = _summary(next(r for r in runs if r.name == row["run"]))["metrics"]
        assert float(row["pass1"]) == m["pass1"] and float(row["pass1_ci_high"]) == m["pass1_ci"][1]
        assert row["complete"] == "true" and row["cost_usd"] == ""


def test_markdown_table_escapes_cells(runs: list[Path], tmp_path: Path) -> None:
    copy = tmp_path / "run"
    copy.mkdir()
    for name in ("samples.jsonl", "summary.json", "errors.jsonl"):
        (copy / name).write_bytes((runs[0] / name).read_bytes())
    config = json.loads((runs[0] / "config.json").read_text())
    config["model_name"] = "a|b<script>x</script>"
    (copy / "config.json").write_text(json.dumps(config))
    lines = export_runs([runs[1], copy], "markdown").splitlines()
    assert lines[0].startswith("| model | dataset | k | pass@1 (%)") and len(lines) == 4
    columns = [len(re.findall(r"(?<!\\)\|", line)) for line in lines]
    assert columns == [columns[0]] * 4  # the pipe in the model name does not add a column
    assert "a\\|b&lt;script&gt;x&lt;/script&gt;" in lines[3] and "<script>" not in "\n".join(lines)
    m = _summary(runs[1])["metrics"]
    assert f"{100 * m['pass1']:.1f} ± {100 * m['pass1_se']:.1f}" in lines[2]


def test_unknown_format_is_a_clear_error(runs: list[Path]) -> None:
    with pytest.raises(ReportError, match="csv, markdown or json"):
        export_runs(runs, "xml")
