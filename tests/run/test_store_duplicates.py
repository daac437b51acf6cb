"""A sample written twice to samples.jsonl (two processes before the lock existed, a copy-pasted file, a
crash between the append and the bookkeeping) counts once, everywhere: the first line wins, a re-run
generates nothing for it, the summary counts it once and `evaluate score` writes it back once.
"""

from __future__ import annotations

import json
from pathlib import Path

from evaluator.run.store import RunStore, load_errors, load_samples
from tests.cli.test_cli import evaluate

BASE = ("--model", "mock", "--dataset", "demo", "--output-dir", "out", "--k", "2", "--quiet")


def _lines(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]


def test_a_duplicated_sample_counts_once_through_rerun_and_rescore(tmp_path: Path) -> None:
    assert evaluate(*BASE, cwd=tmp_path).returncode == 0
    (run,) = (tmp_path / "out").iterdir()
    original = _lines(run)
    first = original[0]
    # the same (problem, sample) again, with the opposite verdict, twice: only the first line may count
    twin = {**first, "correct": not first["correct"], "extracted": "999", "response": "\\boxed{999}"}
    with open(run / "samples.jsonl", "a", encoding="utf-8") as f:
        f.write(json.dumps(twin) + "\n" + json.dumps(twin) + "\n")
    before = json.loads((run / "summary.json").read_text())

    again = evaluate(*BASE[:-1], cwd=tmp_path)  # not quiet: it says what is already there
    assert again.returncode == 0 and "all 24 samples are already in" in again.stderr, again.stderr
    assert len(_lines(run)) == 26  # nothing generated, nothing appended

    scored = evaluate("score", str(run), cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr
    after = json.loads((run / "summary.json").read_text())
    assert (after["n_samples"], after["complete"]) == (24, True)
    assert after["metrics"] == before["metrics"]  # the twin's verdict never counted
    rewritten = _lines(run)
    assert len(rewritten) == 24 and rewritten[0]["extracted"] == first["extracted"]


def test_an_error_line_for_a_finished_sample_is_not_retried(tmp_path: Path) -> None:
    with RunStore.open(tmp_path / "run", {"model_name": "m"}, config_hash="abc") as store:
        store.append_error({"problem_id": "p1", "sample": 0, "error": "timeout"})
        store.append_sample({"problem_id": "p1", "sample": 0, "response": "r"})
        store.append_sample({"problem_id": "p1", "sample": 0, "response": "again"})
        store.append_error({"problem_id": "p1", "sample": 1, "error": "timeout"})
        store.append_error({"problem_id": "p1", "sample": 1, "error": "500"})
    assert [(r["sample"], r["response"]) for r in load_samples(tmp_path / "run")] == [(0, "r")]
    assert [(e["sample"], e["error"]) for e in load_errors(tmp_path / "run")] == [(1, "500")]
