"""Protocol checks look only at the samples the summary scores: index < k. A run holds samples past k for
real: `evaluate score RUN --k 2` on a k=4 run, or a run grown to k=8 and summarised at 4. A fault in those
later samples must not fail a check of the first k, and the counts the checks print are counts of the first k.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.run.checks import run_checks
from tests.cli.test_cli import evaluate

K = 2
CONFIG = {"identity": {"temperature": 0.6, "max_tokens": 100, "assistant_prefix": "<think>\n", "model": "m",
                       "dataset": "aime-2024", "dataset_hash": "5195672f750fe485"},
          "backend_config": {"model": "m"}, "k": 4}


def _sample(pid: str, index: int, **changes: object) -> dict:
    """A clean sample: its own reasoning, closed think block, an answer, served as requested."""
    return {"problem_id": pid, "sample": index, "response": f"<think>try {index}</think> \\boxed{{1}}",
            "reasoning": None, "finish_reason": "stop", "extracted": "1", "status": "ok", "served_model": "m",
            **changes}


@dataclass(frozen=True)
class Case:
    check: str  # the check that would fail if the later samples counted
    later: dict  # what the samples with index >= k look like
    note: str


CASES = (
    Case("truncation", {"finish_reason": "length", "extracted": None, "status": "truncated", "response": "<think>cut"},
         "the samples past k were cut at max_tokens"),
    Case("no_answer", {"extracted": None, "status": "no_answer", "response": "<think>t</think> no box"},
         "the samples past k have no answer"),
    Case("served_model", {"served_model": "m-0528"}, "the samples past k came from an alias"),
    Case("reasoning_channel", {"reasoning": "split", "response": "\\boxed{1}"},
         "the samples past k use the reasoning field while the first k keep it in content"),
)


def _records(case: Case) -> list[dict]:
    clean = [_sample(pid, i) for pid in ("a", "b", "c") for i in range(K)]
    return clean + [_sample(pid, i, **case.later) for pid in ("a", "b", "c") for i in range(K, 2 * K)]


@pytest.mark.parametrize("case", CASES, ids=[c.check for c in CASES])
def test_a_fault_past_k_fails_no_check_of_the_first_k(case: Case, tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps(CONFIG))
    records = _records(case)
    scored = run_checks(tmp_path, records, K, errors=0)
    assert [c["name"] for c in scored["checks"] if not c["passed"]] == [], case.note
    assert scored["served_models"] == {"m": 3 * K}
    # the same samples summarised at k=4 do fail: the fault is real, only out of reach at k=2
    everything = run_checks(tmp_path, records, 2 * K, errors=0)
    assert case.check in [c["name"] for c in everything["checks"] if not c["passed"]], case.note


def test_score_with_a_smaller_k_counts_the_first_k_samples(tmp_path: Path) -> None:
    """The user's path: a k=4 mock run on the 12 demo problems, re-scored with `evaluate score --k 2`."""
    base = ("--model", "mock", "--dataset", "demo", "--output-dir", "out", "--quiet")
    assert evaluate(*base, "--k", "4", cwd=tmp_path).returncode == 0
    (run,) = (tmp_path / "out").iterdir()
    scored = evaluate("score", str(run), "--k", "2", cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr
    summary = json.loads((run / "summary.json").read_text())
    assert summary["k"] == 2 and summary["n_samples"] == 24
    first = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]
    first = [r for r in first if r["sample"] < 2]
    cut = sum(r["finish_reason"] == "length" for r in first)
    unanswered = sum(r["status"] in ("no_answer", "truncated") for r in first)
    details = {c["name"]: c["detail"] for c in summary["checks"]}
    assert details["truncation"].startswith(f"{cut} of 24 samples"), details
    assert details["no_answer"].startswith(f"{unanswered} of 24 samples"), details
    assert sum(summary["served_models"].values()) in (0, 24), summary["served_models"]
