"""The problem loader: registry checks, file formats, hub formats through `datasets`, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluator.benchmarks.loader import DatasetError, load_benchmark
from evaluator.benchmarks.registry import registry_set
from tests.support.demo_answers import COMPUTED


def _write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _shared_rows(shared_dir: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (shared_dir / "data" / name).read_text().splitlines()]


def test_demo_answers_are_what_the_problems_compute() -> None:
    bench = load_benchmark("demo")
    assert {p.id: p.answer for p in bench.problems} == COMPUTED


@pytest.mark.parametrize(
    ("name", "count", "first", "last"),
    [
        ("aime-2024", 30, "2024-I-1", "2024-II-15"),
        ("aime-2025", 30, "2025-I-1", "2025-II-15"),
        ("aime-2022", 30, "2022-I-1", "2022-II-15"),
        ("aime-2023", 30, "2023-I-1", "2023-II-15"),
        ("aime-1983-2023", 975, "1983-1", "2023-II-15"),
    ],
)
def test_named_sets_load_from_data_dir(shared_dir: Path, name: str, count: int, first: str, last: str) -> None:
    bench = load_benchmark(name, shared_dir / "data")
    assert len(bench.problems) == count
    assert (bench.problems[0].id, bench.problems[-1].id) == (first, last)
    assert bench.warnings == ()
    assert all(isinstance(p.answer, int) and 0 <= p.answer <= 999 for p in bench.problems)


def test_registry_answers_are_the_official_2024_key() -> None:
    answers = [e.answer for e in registry_set("aime-2024").entries]
    assert answers[:15] == [204, 25, 809, 116, 104, 294, 540, 197, 480, 113, 371, 385, 110, 104, 721]
    assert answers[15:] == [73, 236, 45, 33, 80, 55, 699, 127, 902, 468, 601, 23, 321, 211, 315]


def test_2022_ii_8_accepts_80_and_81(shared_dir: Path) -> None:
    problem = next(p for p in load_benchmark("aime-2022", shared_dir / "data").problems if p.id == "2022-II-8")
    assert problem.golds == (80, 81)


def test_env_data_dir(shared_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIME_EVAL_DATA_DIR", str(shared_dir / "data"))
    assert len(load_benchmark("aime-2023").problems) == 30


def test_wrong_answer_is_an_error_naming_file_and_line(shared_dir: Path, tmp_path: Path) -> None:
    rows = _shared_rows(shared_dir, "aime_2024.jsonl")
    rows[4]["answer"] = 105
    _write_jsonl(tmp_path / "aime_2024.jsonl", rows)
    with pytest.raises(DatasetError, match=r"aime_2024\.jsonl:5: answer 105 for 2024-I-5 disagrees .* 104"):
        load_benchmark("aime-2024", tmp_path)


def test_missing_and_unknown_problems(shared_dir: Path, tmp_path: Path) -> None:
    rows = _shared_rows(shared_dir, "aime_2024.jsonl")
    _write_jsonl(tmp_path / "aime_2024.jsonl", rows[:-2])
    with pytest.raises(DatasetError, match=r"2 problem\(s\) of aime-2024 missing: 2024-II-14, 2024-II-15"):
        load_benchmark("aime-2024", tmp_path)
    _write_jsonl(tmp_path / "aime_2024.jsonl", [*rows, {"id": "2024-III-1", "problem": "x", "answer": 1}])
    with pytest.raises(DatasetError, match=r":31: id '2024-III-1' is not in aime-2024"):
        load_benchmark("aime-2024", tmp_path)


def test_ai_mo_typo_and_url_order_are_warnings(shared_dir: Path, tmp_path: Path) -> None:
    rows = _shared_rows(shared_dir, "aime_2024.jsonl")
    for row in rows:
        row["problem"] = row["problem_alt"]
    rows.sort(key=lambda r: r["id"])  # the lexicographic order of the AI-MO / Qwen2.5-Math files
    _write_jsonl(tmp_path / "aime_2024.jsonl", rows)
    bench = load_benchmark("aime-2024", tmp_path)
    assert any("2024-II-8 has the AI-MO typo" in w for w in bench.warnings)
    assert any("URL-sorted" in w for w in bench.warnings)
    assert [p.id for p in bench.problems][:3] == ["2024-I-1", "2024-I-2", "2024-I-3"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"id": "a", "problem": "p", "answer": 1}\n{"id": "b", "problem": "q"\n', r"bad\.jsonl:2: invalid JSON"),
        ('{"id": "a", "problem": "p"}\n', r"bad\.jsonl:1: missing field 'answer'"),
        ('{"problem": "p", "answer": 3}\n', r"bad\.jsonl:1: missing field 'id'"),
        ('{"id": "a", "problem": "p", "answer": 1}\n{"id": "a", "problem": "q", "answer": 2}\n',
         r"bad\.jsonl:2: duplicate id 'a' \(first at .*bad\.jsonl:1\)"),
        ('{"id": "2030-I-1", "problem": "p", "answer": "1/2"}\n', r"bad\.jsonl:1: AIME answer '1/2' is not an integer"),
        ('{"id": "2030-I-1", "problem": "p", "answer": 1200}\n', r"bad\.jsonl:1: AIME answer 1200 is outside 0-999"),
        ("\n", r"bad\.jsonl: the dataset is empty"),
        ('[1, 2]\n', r"bad\.jsonl:1: expected a JSON object"),
    ],
)
def test_bad_custom_files(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(line)
    with pytest.raises(DatasetError, match=message):
        load_benchmark(str(path))


def test_custom_benchmark_with_non_integer_answers(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "mine.jsonl", [
        {"id": "q1", "problem": "Simplify 2/4.", "answer": "\\frac{1}{2}"},
        {"id": "q2", "problem": "What is 6*7?", "answer": "042"},
    ])
    bench = load_benchmark(str(path))
    assert bench.name == "mine"
    assert [p.answer for p in bench.problems] == ["\\frac{1}{2}", 42]


def test_json_file_and_unknown_names(tmp_path: Path) -> None:
    path = tmp_path / "set.json"
    path.write_text(json.dumps({"problems": [{"id": "x", "problem": "p", "answer": 7}]}))
    assert load_benchmark(str(path)).problems[0].answer == 7
    with pytest.raises(DatasetError, match="unknown dataset 'aime-1999'.*demo"):
        load_benchmark("aime-1999")
    with pytest.raises(DatasetError, match="nope.jsonl: no such file"):
        load_benchmark(str(tmp_path / "nope.jsonl"))


def test_content_hash_changes_with_text(shared_dir: Path, tmp_path: Path) -> None:
    rows = _shared_rows(shared_dir, "aime_2024.jsonl")
    _write_jsonl(tmp_path / "aime_2024.jsonl", rows)
    first = load_benchmark("aime-2024", tmp_path).content_hash
    rows[0]["problem"] += " "
    _write_jsonl(tmp_path / "aime_2024.jsonl", rows)
    assert load_benchmark("aime-2024", tmp_path).content_hash != first


def test_file_with_part_of_a_registry_set_warns(shared_dir: Path, tmp_path: Path) -> None:
    rows = _shared_rows(shared_dir, "aime_2024.jsonl")[:29]
    bench = load_benchmark(str(_write_jsonl(tmp_path / "partial.jsonl", rows)))
    assert len(bench.problems) == 29
    assert any("has 29 of the 30 problems of aime-2024 (missing: 2024-II-15)" in w for w in bench.warnings)


def test_other_ids_sort_naturally() -> None:
    assert [p.id for p in load_benchmark("demo").problems][8:] == ["demo-9", "demo-10", "demo-11", "demo-12"]
