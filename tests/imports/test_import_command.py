"""`evaluate import FILE`: the format is told from the file's fields where only one format fits, a wrong
`--format` names the one that would read the file, and `score --import` still works."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from evaluator.errors import ImportFileError
from evaluator.imports.detect import detect_format, read_any
from tests.cli.test_cli import evaluate


@dataclass(frozen=True, kw_only=True)
class Case:
    note: str
    row: dict[str, Any]
    format: str | None  # None: no single format fits, --format is asked for


CASES = (
    Case(note="our own samples.jsonl", format="samples",
         row={"problem_id": "demo-1", "sample": 0, "response": "r", "status": "correct", "correct": True}),
    Case(note="a generic dump: an id and a response", format="jsonl", row={"problem_id": "demo-1", "response": "r"}),
    Case(note="a generic dump matched by question text", format="jsonl", row={"question": "q", "response": "r"}),
    Case(note="Qwen2.5-Math harness output", format="qwen-math",
         row={"idx": 0, "question": "q", "gt": "5", "code": ["r"], "pred": ["5"], "score": [True]}),
    Case(note="Qwen2.5-Math normalised rows", format="qwen-math",
         row={"problem_id": "demo-1", "response": "r", "reported_pred": "5"}),
    Case(note="lighteval <= 0.9 details", format="lighteval", row={"example": "q", "predictions": ["r"]}),
    Case(note="lighteval >= 0.10 details", format="lighteval",
         row={"doc": {"query": "q"}, "model_response": {"text": ["r"]}}),
    Case(note="MathArena outputs", format="matharena",
         row={"problem_idx": 1, "answer": "r", "model_name": "m", "idx_answer": 0}),
    Case(note="fields of no format", format=None, row={"prompt": "q", "completion": "r"}),
    Case(note="fields of two harness formats", format=None,
         row={"problem_idx": 1, "answer": "r", "predictions": ["r"]}),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_the_format_is_told_from_the_first_row(case: Case, tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps(case.row) + "\n")
    if case.format is None:
        with pytest.raises(ImportFileError, match="--format"):
            detect_format(dump)
    else:
        assert detect_format(dump) == case.format, case.note


def test_a_wrong_format_names_the_one_that_reads_the_file(tmp_path: Path) -> None:
    dump = tmp_path / "foreign.jsonl"
    dump.write_text(json.dumps({"problem_id": "demo-1", "response": "r"}) + "\n")
    with pytest.raises(ImportFileError) as info:
        read_any(dump, "samples")
    assert "missing field 'sample'" in str(info.value) and "reads as --format jsonl" in str(info.value)


def test_import_command_detects_the_format_and_score_import_still_works(tmp_path: Path) -> None:
    ran = evaluate("--model", "mock", "--k", "2", "--dataset", "demo", "--output-dir", "o", "--quiet", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    (run,) = (tmp_path / "o").iterdir()
    imported = evaluate("import", str(run / "samples.jsonl"), "--dataset", "demo", "--output-dir", "imp",
                        cwd=tmp_path)
    assert imported.returncode == 0, imported.stderr
    assert "read as --format samples (told from its fields)" in imported.stderr
    assert "verdicts that differ from the dump's own: 0" in imported.stdout
    (made,) = (tmp_path / "imp").iterdir()
    assert json.loads((made / "config.json").read_text())["imported"]["format"] == "samples"
    old_form = evaluate("score", "--import", str(run / "samples.jsonl"), "--format", "samples", "--dataset", "demo",
                        "--output-dir", "imp", cwd=tmp_path)
    assert old_form.returncode == 0, old_form.stderr
    assert "verdicts that differ from the dump's own: 0" in old_form.stdout


def test_import_command_with_a_wrong_format_exits_2_naming_the_right_one(tmp_path: Path) -> None:
    dump = tmp_path / "theirs.jsonl"
    dump.write_text(json.dumps({"problem_id": "demo-1", "response": "\\boxed{5}"}) + "\n")
    result = evaluate("import", str(dump), "--format", "samples", "--dataset", "demo", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "reads as --format jsonl" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_top_level_help_names_every_command(tmp_path: Path) -> None:
    import typer

    from evaluator.cli import app

    commands = list(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
    prose = " ".join(evaluate("--help", cwd=tmp_path).stdout.split("Options:")[0].split())
    assert "import" in commands and [c for c in commands if c not in prose] == []


def test_import_help_names_the_file_argument_as_the_docs_do(tmp_path: Path) -> None:
    """`evaluate import --help` calls its argument FILE, as docs/reproducing.md and `score --import FILE` do,
    not the Python parameter's name (which the usage line showed as `{file}`, read as an unfilled template)."""
    result = evaluate("import", "--help", cwd=tmp_path)
    usage = result.stdout.splitlines()[0]
    assert result.returncode == 0 and usage.startswith("Usage: evaluate import") and "FILE" in usage, usage
    assert "file" not in usage.removeprefix("Usage: evaluate import"), usage
    assert "FILE <path>  A generations dump" in result.stdout, result.stdout
    missing = evaluate("import", cwd=tmp_path)
    assert missing.returncode == 2 and "Missing argument 'FILE'" in missing.stderr, missing.stderr
