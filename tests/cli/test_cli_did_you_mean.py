"""A mistyped name from a closed list is refused with its close matches first, then the list it always
gave: one `error:` line and exit code 2, for --model, --dataset and both --format options."""

from __future__ import annotations

import doctest
from dataclasses import dataclass
from pathlib import Path

import pytest

import evaluator._suggest
from tests.cli.test_cli import evaluate


@dataclass(frozen=True)
class Case:
    note: str
    args: tuple[str, ...]
    suggestion: str  # the close matches, as printed
    then: str  # the part of the message that lists every choice (after the suggestion)


CASES = (
    Case("model: one digit off", ("--model", "deepseek-r2", "--dataset", "demo"),
         "unknown model 'deepseek-r2': did you mean: deepseek-r1, deepseek-r1-0528, deepseek-r1-zero? ",
         "known presets are mock, deepseek-r1,"),
    Case("model: a distill with a letter missing", ("--model", "r1-distill-qwen-7", "--dataset", "demo"),
         "did you mean: r1-distill-qwen-7b,", "known presets are mock,"),
    Case("dataset: letter O for zero", ("--model", "mock", "--dataset", "aime-2O24"),
         "unknown dataset 'aime-2O24': did you mean: aime-2024,", "choose one of aime-2024,"),
    Case("dataset: a group name mistyped", ("--model", "mock", "--dataset", "matharena-2052"),
         "did you mean: matharena-2025? ", "choose one of aime-2024,"),
    Case("import format: a letter missing", ("score", "--import", "dump.jsonl", "--format", "lightevl"),
         "unknown import format 'lightevl': did you mean: lighteval? ",
         "choose one of samples, qwen-math, lighteval, matharena, jsonl"),
    Case("export format: a letter missing", ("export", "some-run", "--format", "markdwn"),
         "unknown export format 'markdwn': did you mean: markdown? ", "use csv, markdown or json"),
    Case("export format: upper case", ("export", "some-run", "--format", "CSV"),
         "unknown export format 'CSV': did you mean: csv? ", "use csv, markdown or json"),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_unknown_name_lists_close_matches_first(tmp_path: Path, case: Case) -> None:
    result = evaluate(*case.args, cwd=tmp_path)  # refused before anything is read or written
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: ") and case.suggestion in line and case.then in line
    assert line.index(case.suggestion) < line.index(case.then)
    assert list(tmp_path.iterdir()) == []


def test_nothing_close_is_no_suggestion(tmp_path: Path) -> None:
    result = evaluate("--model", "mock", "--dataset", "zzzz", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown dataset 'zzzz': choose one of" in result.stderr and "did you mean" not in result.stderr


def test_the_helpers_docstring_examples_hold() -> None:
    outcome = doctest.testmod(evaluator._suggest)
    assert outcome.attempted == 2 and outcome.failed == 0
