"""AIME 2026 and HMMT February 2025 from a data directory: shipped keys, the two circulating wordings of
2026-II-10 (each graded against its own key), the math-ai transcription slips, LaTeX keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluator.benchmarks.loader import DatasetError, load_benchmark
from evaluator.benchmarks.registry import NAMES, registry_set


def _rows(shared_dir: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (shared_dir / "data" / name).read_text().splitlines() if line.strip()]


def _write(directory: Path, name: str, rows: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text("".join(json.dumps(r) + "\n" for r in rows))
    return directory


def _math_ai_copy(rows: list[dict]) -> list[dict]:
    """The math-ai/aime26 text as it circulates: `problem_alt` where present, with its own II-10 key."""
    return [dict(r, problem=r.get("problem_alt", r["problem"]), answer=r.get("problem_alt_answer", r["answer"]))
            for r in rows]


def test_new_sets_are_registered_with_their_answer_types() -> None:
    assert {"aime-2026", "hmmt-feb-2025"} <= set(NAMES)
    assert registry_set("aime-2026").answer_type == "integer"
    assert registry_set("hmmt-feb-2025").answer_type == "latex"
    # contests whose keys are not in ../shared/data yet are not offered (nothing to check a hub copy against)
    assert not {"hmmt-feb-2026", "brumo-2025", "cmimc-2025"} & set(NAMES)


def test_aime_2026_official_wording_keys_340_without_a_warning(shared_dir: Path) -> None:
    bench = load_benchmark("aime-2026", shared_dir / "data")
    answers = {p.id: p.answer for p in bench.problems}
    assert len(answers) == 30 and answers["2026-II-10"] == 340 and answers["2026-I-10"] == 156
    assert bench.warnings == ()  # the registry's own wording is the expected case: the dataset check passes


def test_math_ai_copy_grades_ii_10_against_850_and_warns_about_slips(shared_dir: Path, tmp_path: Path) -> None:
    data = _write(tmp_path, "aime_2026.jsonl", _math_ai_copy(_rows(shared_dir, "aime_2026.jsonl")))
    bench = load_benchmark("aime-2026", data)
    assert {p.id: p.answer for p in bench.problems}["2026-II-10"] == 850
    text = "\n".join(bench.warnings)
    assert "graded against key 850" in text and "sum of all possible values" in text
    assert "2026-I-10 has the math-ai/aime26 transcription slip" in text
    assert "2026-I-13 has the math-ai/aime26 transcription slips" in text


@pytest.mark.parametrize(
    ("use_alt_text", "answer", "expected"),
    [
        (True, 340, "disagrees with the official answer 850"),  # math-ai text with the official key
        (False, 850, "disagrees with the official answer 340"),  # official text with math-ai's key
    ],
)
def test_ii_10_key_must_match_its_wording(
    shared_dir: Path, tmp_path: Path, use_alt_text: bool, answer: int, expected: str
) -> None:
    rows = _rows(shared_dir, "aime_2026.jsonl")
    row = next(r for r in rows if r["id"] == "2026-II-10")
    row.update(problem=row["problem_alt"] if use_alt_text else row["problem"], answer=answer)
    with pytest.raises(DatasetError, match=rf"aime_2026\.jsonl:25: .*{expected}"):
        load_benchmark("aime-2026", _write(tmp_path, "aime_2026.jsonl", rows))


def test_ii_10_with_an_unknown_wording_uses_the_files_key_only_if_it_is_one_of_ours(
    shared_dir: Path, tmp_path: Path
) -> None:
    rows = _rows(shared_dir, "aime_2026.jsonl")
    row = next(r for r in rows if r["id"] == "2026-II-10")
    row["problem"] = row["problem"].replace("Find the greatest possible value of $BC.$", "Find BC.")
    bench = load_benchmark("aime-2026", _write(tmp_path / "a", "aime_2026.jsonl", rows))
    assert any("wording not recognised" in w for w in bench.warnings)
    row["answer"] = 341
    with pytest.raises(DatasetError, match="has neither known wording"):
        load_benchmark("aime-2026", _write(tmp_path / "b", "aime_2026.jsonl", rows))


def test_hmmt_keys_are_latex_text_or_integers(shared_dir: Path) -> None:
    bench = load_benchmark("hmmt-feb-2025", shared_dir / "data")
    answers = {p.id: p.answer for p in bench.problems}
    assert [p.id for p in bench.problems][:2] == ["hmmt-feb-2025-1", "hmmt-feb-2025-2"]
    assert answers["hmmt-feb-2025-1"] == 103 and answers["hmmt-feb-2025-4"] == -984
    assert answers["hmmt-feb-2025-3"] == "\\frac{1}{576}"
    assert answers["hmmt-feb-2025-10"] == "\\frac{-1+\\sqrt{17}}{2}, \\frac{-1-\\sqrt{17}}{2}"
    assert bench.warnings == ()


def test_hmmt_key_check_ignores_spacing_but_not_content(shared_dir: Path, tmp_path: Path) -> None:
    rows = _rows(shared_dir, "hmmt_feb_2025.jsonl")
    rows[2]["answer"] = " \\frac{1}{ 576 } "  # spacing only
    assert load_benchmark("hmmt-feb-2025", _write(tmp_path / "a", "hmmt_feb_2025.jsonl", rows)).problems[2].answer \
        == "\\frac{1}{576}"
    rows[2]["answer"] = "\\frac{1}{577}"
    with pytest.raises(DatasetError, match=r"hmmt_feb_2025\.jsonl:3: .*disagrees with the official answer"):
        load_benchmark("hmmt-feb-2025", _write(tmp_path / "b", "hmmt_feb_2025.jsonl", rows))
