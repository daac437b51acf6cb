"""`SampleRecord` and `Summary` (evaluator.run.record_types) describe the files real runs write: every
field of a fresh mock run and of an imported run is declared with the type it really holds, every
required field is there, and docs/results-format.md lists the same samples.jsonl fields."""

from __future__ import annotations

import json
import re
import types
import typing
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from evaluator.imports.runs import import_runs
from evaluator.run.record_types import SampleRecord, Summary
from tests.cli.test_cli import evaluate

REPO = Path(__file__).resolve().parents[2]


def _problems(value: Any, hint: Any, where: str) -> list[str]:
    """Where `value` (parsed JSON) does not hold `hint`: unions, builtins, list[...], dict[...] and
    nested TypedDicts are checked; Any accepts anything."""
    if hint is Any:
        return []
    origin = get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = [_problems(value, option, where) for option in get_args(hint)]
        return [] if any(not found for found in options) else min(options, key=len)
    if hint is type(None):
        return [] if value is None else [f"{where}: {value!r} is not null"]
    if isinstance(hint, type) and issubclass(hint, dict) and hasattr(hint, "__required_keys__"):
        return _typed_dict_problems(value, hint, where)
    if origin is list:
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__} is not a list"]
        (item,) = get_args(hint)
        return [p for i, v in enumerate(value) for p in _problems(v, item, f"{where}[{i}]")]
    if origin is dict:
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__} is not an object"]
        _, item = get_args(hint)
        return [p for k, v in value.items() for p in _problems(v, item, f"{where}.{k}")]
    if hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, hint)
    return [] if ok else [f"{where}: {value!r} is not a {hint.__name__}"]


def _typed_dict_problems(value: Any, cls: Any, where: str, extra_ok: bool = False) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where}: not an object"]
    hints = get_type_hints(cls)
    found = [f"{where}: no {key!r}" for key in cls.__required_keys__ if key not in value]
    if not extra_ok:
        found += [f"{where}: {key!r} is not declared" for key in value if key not in hints]
    found += [p for key, v in value.items() if key in hints for p in _problems(v, hints[key], f"{where}.{key}")]
    return found


def _check_run(directory: Path, extra_ok: bool = False) -> None:
    lines = (directory / "samples.jsonl").read_text().splitlines()
    assert lines
    found = [p for i, line in enumerate(lines, 1)
             for p in _typed_dict_problems(json.loads(line), SampleRecord, f"samples.jsonl:{i}", extra_ok)]
    summary = json.loads((directory / "summary.json").read_text())
    found += _typed_dict_problems(summary, Summary, "summary.json")
    assert found == []


def test_a_fresh_mock_run_matches_the_types(tmp_path: Path) -> None:
    result = evaluate("--model", "mock:0.6", "--k", "3", "--dataset", "demo", "--output-dir", "out", "--quiet",
                      cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (run,) = (tmp_path / "out").iterdir()
    _check_run(run)


def test_an_imported_run_matches_the_types(tmp_path: Path) -> None:
    toy = tmp_path / "toy.jsonl"
    toy.write_text(json.dumps({"id": "toy-1", "problem": "Find $55$.", "answer": 55}) + "\n")
    dump = tmp_path / "dump.jsonl"
    rows = [{"problem_id": "toy-1", "sample": 0, "response": "\\boxed{55}", "reported_correct": True,
             "reported_pred": "55", "model": "a"},
            {"problem_id": "toy-1", "sample": 1, "response": "\\boxed{54}", "reported_correct": True,
             "reported_pred": "54", "model": "a"}]
    dump.write_text("".join(json.dumps(r) + "\n" for r in rows))
    (run,) = import_runs(dump, "qwen-math", str(toy), tmp_path / "runs")
    summary = json.loads((run.directory / "summary.json").read_text())
    assert len(summary["imported"]["disagreements"]) == 1  # the nested section is present and checked
    _check_run(run.directory, extra_ok=True)  # a dump's own columns are kept beside ours


def test_the_results_format_doc_lists_the_declared_sample_fields() -> None:
    doc = (REPO / "docs" / "results-format.md").read_text()
    table = doc[doc.index("### samples.jsonl"):doc.index("### errors.jsonl")]
    documented = {name for cell in re.findall(r"^\| (`[^|]+) \|", table, re.M) for name in re.findall(r"`(\w+)`", cell)}
    assert documented == set(get_type_hints(SampleRecord))


def test_the_checker_catches_a_wrong_type() -> None:
    bad = {"problem_id": "p", "sample": "0", "correct": 1, "flags": ["x", 2], "mystery": True}
    found = _typed_dict_problems(bad, SampleRecord, "line")
    assert found == ["line: 'mystery' is not declared", "line.sample: '0' is not a int",
                     "line.correct: 1 is not a bool", "line.flags[1]: 2 is not a str"]
