"""The mock writes LaTeX keys (HMMT) in varied but equivalent forms, and wrong answers that grade wrong,
so an offline run exercises the symbolic grading path and cons@k's equivalence classes."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path

import pytest

from evaluator.backends.mock import MockBackend, latex_forms
from evaluator.grading import grade_response
from evaluator.types import BackendConfig, Message, Request, SamplingParams


def _latex_keys(shared_dir: Path) -> list[str]:
    rows = [json.loads(line) for line in (shared_dir / "data" / "hmmt_feb_2025.jsonl").read_text().splitlines()]
    return [r["answer"] for r in rows if not r["answer"].lstrip("-").isdigit()]


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("\\frac{1}{576}", ("\\frac{1}{576}", "\\dfrac{1}{576}", "1/576")),  # note: p/q only for a bare fraction
        ("2^{25} \\cdot 26!", ("2^{25} \\cdot 26!", "2^{25} \\times 26!")),
        ("14+4\\sqrt{37}", ("14+4\\sqrt{37}", "14 + 4\\sqrt{37}")),
        ("1-\\frac{2}{\\pi}", ("1-\\frac{2}{\\pi}", "1-\\dfrac{2}{\\pi}")),  # note: not a bare fraction: no p/q
    ],
)
def test_latex_forms(key: str, expected: tuple[str, ...]) -> None:
    assert latex_forms(key) == expected


def test_every_form_of_every_hmmt_key_grades_correct(shared_dir: Path) -> None:
    for key in _latex_keys(shared_dir):
        for form in latex_forms(key):
            assert grade_response(f"So $\\boxed{{{form}}}$.", key).correct, (key, form)


def test_mock_run_on_latex_keys_varies_forms_and_is_sometimes_wrong(shared_dir: Path) -> None:
    keys = {f"p{i}": key for i, key in enumerate(_latex_keys(shared_dir))}
    backend = MockBackend(BackendConfig(model="mock"), keys)
    requests = [Request(pid, (Message("user", "x"),), tuple(range(8))) for pid in keys]

    async def collect() -> list:
        return [c async for c in backend.generate(requests, SamplingParams())]

    completions = asyncio.run(collect())
    grades = [(c.problem_id, grade_response(c.text, keys[c.problem_id], c.finish_reason)) for c in completions]
    verdicts = Counter(g.correct for _, g in grades)
    assert verdicts[True] > 0.4 * len(completions) and verdicts[False] > 0.1 * len(completions)
    spellings = Counter(pid for pid, extracted in {(pid, g.extracted) for pid, g in grades if g.correct})
    assert max(spellings.values()) >= 2  # a key answered correctly in at least two different spellings
    # equality needed more than the same text: exact rational arithmetic or the symbolic checker
    assert any(g.method in ("exact", "symbolic") and g.extracted != g.matched for _, g in grades if g.correct)
