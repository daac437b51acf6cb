"""Terminal output at 80 columns never cuts identifiers: `evaluate models` puts each model id on its own
line; `evaluate compare` folds long model ids inside their cell and lists run directories one a line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from evaluator.run.presets import PRESETS
from tests.cli.test_cli import ENV, evaluate

NARROW = {**ENV, "COLUMNS": "80"}
LONG_ID = "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B"


def _column(table_text: str, index: int) -> list[str]:
    """The cells of column `index` of a rich table, one per row, with folded pieces joined."""
    cells: list[str] = []
    for line in table_text.splitlines():
        if not line.startswith("│"):
            continue
        parts = line.split("│")
        if parts[1].strip():  # the '#' column opens a new row
            cells.append("")
        cells[-1] += parts[index].strip()
    return cells


def test_models_shows_every_model_id_whole(tmp_path: Path) -> None:
    result = evaluate("models", cwd=tmp_path, env=NARROW)
    # "…" may only open a prompt ending (the end of a long prompt, quoted on purpose), never cut an id
    cut = [line for line in result.stdout.splitlines() if "…" in line and "prompt ends with" not in line]
    assert result.returncode == 0 and not cut, cut
    lines = [line.strip() for line in result.stdout.splitlines()]
    assert all(f"runs {p.model}" in lines for p in PRESETS), result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_compare_folds_ids_and_lists_directories_whole(tmp_path: Path) -> None:
    out = tmp_path / "runs-with-a-long-folder-name-to-show-paths-are-never-cut"
    for model in ("mock:0.6", "mock:0.9"):
        assert evaluate("--model", model, "--k", "2", "--dataset", "demo", "--output-dir", str(out), "--quiet",
                        cwd=tmp_path).returncode == 0
    first = sorted(out.iterdir())[0]
    renamed = out / "renamed-copy"
    shutil.copytree(first, renamed)
    config = json.loads((renamed / "config.json").read_text())
    config["model_name"] = LONG_ID
    (renamed / "config.json").write_text(json.dumps(config))
    runs = sorted(out.iterdir())
    result = evaluate("compare", *map(str, runs), cwd=tmp_path, env=NARROW)
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout and max(len(line) for line in result.stdout.splitlines()) <= 80
    table, directories = result.stdout.split("run directories:")
    labels = [json.loads((run / "config.json").read_text())["model_name"] for run in runs]
    assert _column(table, 2) == labels and LONG_ID in labels
    assert _column(table, 3) == ["demo"] * 3
    flat = directories.replace("\n", "")  # a path longer than the terminal folds, whole, onto the next line
    assert all(f"{i:>3}  {run}" in flat for i, run in enumerate(runs, 1))
