"""Small things a new user met on the way: each says what it does instead of printing nothing or failing.

- `report --reference deepseek-r1` on a model the set does not list: a note saying why, no empty table;
- `--protocol matharena` on a file of one's own: MathArena's plain boxed instruction, not an error;
- the mixed-datasets warning of `export` advises for the format asked (not "the Markdown" for csv/json);
- `export PARENT` where a sub-folder is no run: the runs are exported, that folder skipped with a warning;
- `budget` says why cons@k stays high where most samples still think.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.reports.display import budget_table
from tests.cli.test_cli import evaluate
from tests.reports.test_tables_80_columns import _render


def _mock_run(tmp_path: Path, *extra: str, dataset: str = "demo") -> Path:
    before = set((tmp_path / "o").iterdir()) if (tmp_path / "o").is_dir() else set()
    ran = evaluate("--model", "mock", "--k", "2", "--dataset", dataset, "--output-dir", "o", "--quiet", *extra,
                   cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    (run,) = set((tmp_path / "o").iterdir()) - before
    return run


def test_a_reference_without_the_model_says_why_instead_of_an_empty_table(tmp_path: Path) -> None:
    run = _mock_run(tmp_path)
    result = evaluate("report", str(run), "--reference", "deepseek-r1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "reproduction verdict" not in result.stdout  # no table without rows
    assert "the reference deepseek-r1 lists no number for mock" in result.stderr
    assert "--reference MODEL: deepseek-r1, deepseek-r1-zero" in result.stderr and "--target" in result.stderr


def test_matharena_protocol_on_a_file_of_ones_own(tmp_path: Path) -> None:
    mine = tmp_path / "mine.jsonl"
    mine.write_text("".join(json.dumps({"id": f"q{i}", "problem": f"What is {i} + 1?", "answer": i + 1}) + "\n"
                            for i in range(3)))
    run = _mock_run(tmp_path, "--protocol", "matharena", dataset=str(mine))
    config = json.loads((run / "config.json").read_text())
    assert "matharena-plain" in json.dumps(config) and "between 0 and 999" not in json.dumps(config)
    named = evaluate("--model", "mock", "--k", "2", "--dataset", "demo", "--protocol", "matharena", cwd=tmp_path)
    assert named.returncode == 2 and "no MathArena instruction" in named.stderr  # a named set MathArena never ran


@dataclass(frozen=True, kw_only=True)
class Case:
    format: str
    advice: str


CASES = (
    Case(format="markdown", advice="the Markdown has one table per dataset"),
    Case(format="csv", advice="by its dataset column"),
    Case(format="json", advice="by their dataset field"),
)


@pytest.fixture(scope="module")
def parent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """runs/ with a run on demo, a run on a file, and a folder that is no run."""
    root = tmp_path_factory.mktemp("export")
    mine = root / "mine.jsonl"
    mine.write_text(json.dumps({"id": "q1", "problem": "What is 1 + 1?", "answer": 2}) + "\n")
    _mock_run(root)
    _mock_run(root, dataset=str(mine))
    (root / "o" / "notes").mkdir()
    (root / "o" / "notes" / "todo.txt").write_text("not a run")
    return root


@pytest.mark.parametrize("case", CASES, ids=[c.format for c in CASES])
def test_export_of_a_parent_folder_skips_what_is_no_run_and_advises_per_format(case: Case, parent: Path) -> None:
    result = evaluate("export", "o", "--format", case.format, cwd=parent)
    assert result.returncode == 0, result.stderr
    assert "skipped o/notes" in result.stderr and "mock" in result.stdout
    assert case.advice in result.stderr and (case.format == "markdown" or "Markdown" not in result.stderr)


def test_budget_says_why_cons_stays_high_while_most_still_think() -> None:
    row = {"pass1_ci": [0.1, 0.3], "mean_tokens": 900.0}
    data = {"method": "chars", "k": 64, "budgets": [
        {**row, "budget": 2048, "pass1": 0.2, "cons": 0.531, "thinking_share": 0.917},
        {**row, "budget": 32768, "pass1": 0.7, "cons": 0.8, "thinking_share": 0.02}]}
    text = " ".join(_render(budget_table(data)).split())
    assert "abstain from the vote" in text and "at 2,048: 91.7%" in text
    calm = {**data, "budgets": data["budgets"][1:]}
    assert "abstain" not in _render(budget_table(calm))
