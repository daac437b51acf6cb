"""`evaluate score RUN --override overrides.jsonl` applies human verdicts on top of the
machine's, keeps both, survives re-scoring, and the summary, report and export count the overrides."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.errors import OverrideError
from evaluator.grading.overrides import apply_overrides, read_overrides, with_override
from tests.reports.test_report import ENV, make_run


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "evaluator.cli", *args], env=ENV, capture_output=True, text=True,
                          timeout=180)


def _samples(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("runs"), "mock:0.5", k=4)


def test_override_is_applied_kept_beside_the_machine_verdict_and_counted(run: Path, tmp_path: Path) -> None:
    wrong = next(r for r in _samples(run) if not r["correct"])
    before = json.loads((run / "summary.json").read_text())
    file = tmp_path / "overrides.jsonl"
    file.write_text(json.dumps({"problem_id": wrong["problem_id"], "sample": wrong["sample"], "correct": True,
                                "reason": "answer written as a word the grader cannot read"}) + "\n")
    result = _cli("score", str(run), "--override", str(file))
    assert result.returncode == 0, result.stderr
    assert "1 human override(s) applied" in result.stderr
    row = next(r for r in _samples(run) if (r["problem_id"], r["sample"]) == (wrong["problem_id"], wrong["sample"]))
    assert (row["correct"], row["machine_correct"]) == (True, False)
    assert row["override"] == {"correct": True, "reason": "answer written as a word the grader cannot read"}
    after = json.loads((run / "summary.json").read_text())
    assert after["overrides"] == 1 and before.get("overrides", 0) == 0
    n_problems = after["n_problems"]
    assert after["metrics"]["pass1"] == pytest.approx(before["metrics"]["pass1"] + 1 / (4 * n_problems))

    # re-scoring without the file keeps the override on top of the new machine verdict
    assert _cli("score", str(run)).returncode == 0
    row = next(r for r in _samples(run) if (r["problem_id"], r["sample"]) == (wrong["problem_id"], wrong["sample"]))
    assert (row["correct"], row["machine_correct"]) == (True, False)
    assert json.loads((run / "summary.json").read_text())["overrides"] == 1

    exported = list(csv.DictReader(io.StringIO(_cli("export", str(run), "--format", "csv").stdout)))
    assert exported[0]["overrides"] == "1"
    report = _cli("report", str(run))
    assert report.returncode == 0, report.stderr
    html = Path(report.stdout.strip()).read_text()
    assert "human overrides applied" in html and "audit flag" in html


@dataclass(frozen=True)
class BadFile:
    text: str
    message: str
    note: str


BAD = [
    BadFile("{not json}\n", ":1: not a JSON object", "not JSON"),
    BadFile('[1, 2]\n', ":1: not a JSON object", "a JSON list"),
    BadFile('{"problem_id": "x", "sample": "0", "correct": true, "reason": "r"}\n', ":1: field 'sample'",
            "sample as a string"),
    BadFile('{"problem_id": "x", "sample": 0, "correct": 1, "reason": "r"}\n', ":1: field 'correct'",
            "correct as a number"),
    BadFile('\n{"problem_id": "x", "sample": 0, "correct": true, "reason": "  "}\n', ":2: 'reason' is empty",
            "empty reason, line counted after a blank line"),
    BadFile('{"problem_id": "x", "sample": 0, "correct": true, "reason": "r"}\n' * 2, ":2: sample 0 of x is "
            "overridden twice", "duplicate"),
]


@pytest.mark.parametrize("bad", BAD, ids=lambda b: b.note)
def test_bad_files_name_file_and_line(tmp_path: Path, bad: BadFile) -> None:
    file = tmp_path / "o.jsonl"
    file.write_text(bad.text)
    with pytest.raises(OverrideError, match=bad.message.replace("(", r"\(")):
        read_overrides(file)


def test_unknown_sample_is_refused_and_cli_exits_2(run: Path, tmp_path: Path) -> None:
    file = tmp_path / "o.jsonl"
    file.write_text(json.dumps({"problem_id": "no-such-problem", "sample": 0, "correct": True, "reason": "r"}) + "\n")
    with pytest.raises(OverrideError, match="not in this run"):
        apply_overrides(_samples(run), read_overrides(file), file)
    result = _cli("score", str(run), "--override", str(file))
    assert result.returncode == 2 and "not in this run" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2


def test_removing_an_override_restores_the_machine_verdict() -> None:
    record = {"problem_id": "p", "sample": 0, "correct": False}
    overridden = with_override(record, {"correct": True, "reason": "r"})
    assert (overridden["correct"], overridden["machine_correct"]) == (True, False)
    assert with_override(overridden, None) == record
