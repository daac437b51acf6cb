"""`READERS` is the one table of import formats: `FORMATS` is its keys, `read_foreign` dispatches through
it, and the user-facing text (the reader's error, `evaluate score --help`) names every entry."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

import evaluator.imports
from evaluator.imports import runs
from evaluator.imports.readers import FORMATS, READERS, ImportFileError, read_foreign
from tests.cli.test_cli import evaluate


def test_formats_are_the_table_keys_everywhere() -> None:
    assert tuple(READERS) == FORMATS and len(FORMATS) == len(set(FORMATS))
    assert evaluator.imports.FORMATS is FORMATS and runs.FORMATS is FORMATS
    assert all(callable(reader) for reader in READERS.values())


def test_each_format_dispatches_to_its_own_reader(tmp_path: Path) -> None:
    # one row, two formats: `samples` takes our own `extracted`, generic `jsonl` prefers `reported_extracted`
    dump = tmp_path / "rows.jsonl"
    dump.write_text(json.dumps({"problem_id": "p1", "sample": 0, "response": "r", "correct": True,
                                "extracted": "5", "reported_extracted": "6"}) + "\n")
    (ours,) = read_foreign(dump, "samples")
    (generic,) = read_foreign(dump, "jsonl")
    assert (ours.problem_id, ours.reported_correct, ours.reported_extracted) == ("p1", True, "5")
    assert (generic.problem_id, generic.reported_correct, generic.reported_extracted) == ("p1", True, "6")


def test_unknown_format_error_lists_every_format(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="unknown import format 'csv'") as info:
        read_foreign(tmp_path / "x.csv", "csv")
    assert all(name in str(info.value) for name in FORMATS)


def test_score_help_names_every_format(tmp_path: Path) -> None:
    result = evaluate("score", "--help", cwd=tmp_path, env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    help_text = " ".join(result.stdout.split())
    missing = [name for name in FORMATS if name not in help_text]
    assert missing == [], f"add {missing} to FormatHelp in evaluator/cli/_imports.py"
