"""What a newcomer reads agrees with what the commands do: the README names every command, docs use the
checkout's interpreter, one --max-model-len everywhere, and --enforce-eager's help matches docs/scaling.md."""

from __future__ import annotations

import re
from pathlib import Path

from tests.cli.test_cli import evaluate

REPO = Path(__file__).resolve().parents[2]


def test_readme_names_every_command_and_the_ci_cost() -> None:
    readme = (REPO / "README.md").read_text()
    for command in ("report", "compare", "export", "score", "models"):
        assert f"evaluate {command}" in readme, command
    assert ".ci/run" in readme and "2.5 GB" in readme and "root" in readme


def test_docs_use_the_checkouts_interpreter_and_cite_no_issue_numbers() -> None:
    for path in (REPO / "docs").glob("*.md"):
        text = path.read_text()
        assert "/work/" not in text, path.name
        assert not re.search(r"\(issue \d+", text), path.name


def test_one_max_model_len_everywhere() -> None:
    texts = [*(REPO / "docs").glob("*.md"), REPO / "scripts" / "reproduce_deepseek_r1.sh"]
    values = {m for path in texts for m in re.findall(r"(?:--max-model-len |MAX_MODEL_LEN=)(\d{5})", path.read_text())}
    assert values == {"34816"}


def test_enforce_eager_help_agrees_with_scaling_doc(tmp_path: Path) -> None:
    help_text = " ".join(evaluate("--help", cwd=tmp_path).stdout.split())
    assert "required on CPU" not in help_text and "optional, also on CPU" in help_text
    assert "optional on GPU and CPU alike" in " ".join((REPO / "docs" / "scaling.md").read_text().split())
