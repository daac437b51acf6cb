"""A loaded copy's keys are checked by meaning: the same key typeset another way (`\\dfrac{1}{576}` for the
official `\\frac{1}{576}`, `1/576`, spaces, `$...$`) is accepted; a different value is still refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluator.benchmarks.checking import same_key
from evaluator.benchmarks.loader import DatasetError, load_benchmark

CASES = [
    # (label, the copy's key, the official key, equal)
    ("display fraction", "\\dfrac{1}{576}", "\\frac{1}{576}", True),
    ("text fraction", "\\tfrac{1}{576}", "\\frac{1}{576}", True),
    ("plain slash", "1/576", "\\frac{1}{576}", True),
    ("inline math and spaces", "$ \\frac{1}{576} $", "\\frac{1}{576}", True),
    ("thin space and sized brackets", "2^{25}\\,\\cdot 26!", "2^{25} \\cdot 26!", True),
    ("boxed", "\\boxed{\\sqrt{23}-2\\sqrt{3}}", "\\sqrt{23}-2\\sqrt{3}", True),
    ("integer as text", "$-984$", -984, True),
    ("another value", "\\frac{1}{577}", "\\frac{1}{576}", False),
    ("another expression", "\\sqrt{23}+2\\sqrt{3}", "\\sqrt{23}-2\\sqrt{3}", False),
    ("another integer", 985, -984, False),
]


@pytest.mark.parametrize(("label", "value", "key", "equal"), CASES, ids=[c[0] for c in CASES])
def test_same_key(label: str, value: str | int, key: str | int, equal: bool) -> None:
    assert same_key(value, key) is equal


def test_hmmt_copy_with_display_fractions_loads(shared_dir: Path, tmp_path: Path) -> None:
    rows = [json.loads(line) for line in (shared_dir / "data" / "hmmt_feb_2025.jsonl").read_text().splitlines()]
    assert rows[2]["answer"] == "\\frac{1}{576}"
    for r in rows:
        r["answer"] = str(r["answer"]).replace("\\frac", "\\dfrac")
    (tmp_path / "hmmt_feb_2025.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    bench = load_benchmark("hmmt-feb-2025", tmp_path)
    assert bench.problems[2].answer == "\\frac{1}{576}"  # graded against the official spelling
    rows[2]["answer"] = "\\dfrac{1}{577}"
    (tmp_path / "hmmt_feb_2025.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(DatasetError, match=r"answer '\\\\dfrac\{1\}\{577\}' for hmmt-feb-2025-3 disagrees"):
        load_benchmark("hmmt-feb-2025", tmp_path)
