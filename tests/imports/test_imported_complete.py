"""An imported run is "complete" only when every problem has every sample index below the dump's k: a dump
with a problem missing, a problem with fewer samples, or a gap in the indices is incomplete, when imported
and again after `evaluate score` re-grades it (reports mark incomplete runs; exports print "(incomplete)")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.imports.runs import import_runs
from tests.cli.test_cli import evaluate

TOY = [
    {"id": "toy-1", "problem": "Find the number of positive divisors of $2^{10} \\cdot 3^{4}$.", "answer": 55},
    {"id": "toy-2", "problem": "Find the least positive integer $x$ with $x \\equiv 3 \\pmod{7}$.", "answer": 3},
    {"id": "toy-3", "problem": "A square has area $\\frac{81}{4}$. Find four times its perimeter.", "answer": 72},
]
ANSWERS = {"toy-1": 55, "toy-2": 3, "toy-3": 72}


@dataclass(frozen=True)
class Case:
    label: str
    samples: dict[str, tuple[int, ...]]  # the sample indices the dump holds per problem
    k: int
    complete: bool
    note: str


CASES = (
    Case("full", {"toy-1": (0, 1), "toy-2": (0, 1), "toy-3": (0, 1)}, 2, True, "every problem, every index"),
    Case("ragged", {"toy-1": (0, 1), "toy-2": (0, 1), "toy-3": (0,)}, 2, False, "one problem has one sample less"),
    Case("missing", {"toy-1": (0, 1), "toy-2": (0, 1)}, 2, False, "a problem has no sample at all"),
    Case("gap", {"toy-1": (0, 2), "toy-2": (0, 1, 2), "toy-3": (0, 1, 2)}, 3, False, "index 1 of toy-1 is missing"),
)


def _dump(tmp_path: Path, case: Case) -> tuple[Path, Path]:
    toy = tmp_path / "toy.jsonl"
    toy.write_text("".join(json.dumps(row) + "\n" for row in TOY))
    rows = [{"problem_id": pid, "sample": i, "response": f"\\boxed{{{ANSWERS[pid]}}}"}
            for pid, indices in case.samples.items() for i in indices]
    dump = tmp_path / "dump.jsonl"
    dump.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return toy, dump


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_complete_means_every_problem_has_every_sample(case: Case, tmp_path: Path) -> None:
    toy, dump = _dump(tmp_path, case)
    (run,) = import_runs(dump, "jsonl", str(toy), tmp_path / "runs")
    assert (run.summary["k"], run.summary["complete"]) == (case.k, case.complete), case.note
    on_disk = json.loads((run.directory / "summary.json").read_text())
    assert on_disk["complete"] is case.complete and on_disk["imported"]["format"] == "jsonl"


@pytest.mark.parametrize("case", [CASES[0], CASES[1]], ids=["full", "ragged"])
def test_rescoring_an_import_keeps_complete_honest(case: Case, tmp_path: Path) -> None:
    toy, dump = _dump(tmp_path, case)
    (run,) = import_runs(dump, "jsonl", str(toy), tmp_path / "runs")
    scored = evaluate("score", str(run.directory), cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr
    summary = json.loads((run.directory / "summary.json").read_text())
    assert summary["complete"] is case.complete and "imported" in summary, case.note
