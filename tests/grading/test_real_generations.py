"""The 180 real Sky-T1 ablation responses in ../shared/generations: our verdicts reproduce each
model's reported AIME 2024 accuracy exactly, and every truncated response scores as no answer."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from evaluator.grading.extract import AIME_RANGE, extract_answer
from evaluator.grading.grade import grade_extraction
from tests.support.skythought import REPORTED
from tests.support.skythought import SKYTHOUGHT as GENERATIONS


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def graded(shared_dir: Path) -> list[tuple[dict, object]]:
    """Every response with its gold, extraction and grade (finish_reason unknown: not in the data)."""
    golds = {row["id"]: row["answer"] for row in _read_jsonl(shared_dir / "data" / "aime_2024.jsonl")}
    rows = _read_jsonl(shared_dir / GENERATIONS)
    out = []
    for row in rows:
        extraction = extract_answer(row["response"], answer_range=AIME_RANGE)
        out.append((row, extraction, grade_extraction(extraction, golds[row["problem_id"]])))
    return out


def test_all_rows_present(graded: list) -> None:
    assert len(graded) == 180
    assert Counter(row["model"] for row, _, _ in graded) == dict.fromkeys(REPORTED, 30)


def test_per_model_accuracy_matches_reported(graded: list) -> None:
    correct = Counter(row["model"] for row, _, grade in graded if grade.correct)
    ours = {model: round(100 * correct[model] / 30, 1) for model in REPORTED}
    assert ours == REPORTED


def test_every_verdict_matches_the_reported_one(graded: list) -> None:
    disagreements = [
        (row["model"], row["problem_id"], grade.extracted, row["reported_pred"])
        for row, _, grade in graded
        if grade.correct != row["reported_correct"]
    ]
    assert disagreements == []


def test_truncated_responses_score_as_no_answer(graded: list) -> None:
    unfinished = [
        (row, ex, grade)
        for row, ex, grade in graded
        if row["response"].startswith("<|begin_of_thought|>") and "<|end_of_thought|>" not in row["response"]
    ]
    assert len(unfinished) == 57
    assert all(row["response_chars"] > 60_000 and row["likely_truncated"] for row, _, _ in unfinished)
    assert {(ex.answer, ex.status, grade.correct) for _, ex, grade in unfinished} == {
        (None, "truncated", False)
    }
    as_length = {extract_answer(row["response"], "length").status for row, _, _ in unfinished}
    assert as_length == {"truncated"}


def test_finished_responses_agree_with_reported_extraction(graded: list) -> None:
    finished = [(row, ex) for row, ex, _ in graded if row["has_boxed"]]
    assert len(finished) == 123
    assert [
        (row["problem_id"], row["model"]) for row, ex in finished if ex.answer != row["reported_pred"]
    ] == []
    assert Counter(ex.status for _, ex in finished) == {"ok": 114, "out_of_range": 9}
