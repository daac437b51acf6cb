"""Hub formats (MathArena, HuggingFaceH4, Maxwell-Jia) read through the real `datasets` library, offline:
files in each format are written here and loaded with `datasets.load_dataset("parquet"/"json", ...)`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluator.benchmarks.loader import DatasetError, load_benchmark

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def _official(shared_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (shared_dir / "data" / "aime_2024.jsonl").read_text().splitlines()]


def _parquet(path: Path, rows: list[dict]) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def _local_hub(files: dict[str, Path]):
    """A hub loader that serves repo ids from local files through `datasets.load_dataset`."""
    import datasets

    def load(repo: str, revision: str | None = None):
        if repo not in files:
            raise FileNotFoundError(f"{repo} is not available offline")
        kind = "parquet" if files[repo].suffix == ".parquet" else "json"
        return datasets.load_dataset(kind, data_files=str(files[repo]), split="train")

    return load


def test_matharena_two_halves(shared_dir: Path, tmp_path: Path) -> None:
    rows = _official(shared_dir)
    files = {}
    for exam in ("I", "II"):
        half = [{"problem_idx": r["number"], "problem": r["problem"], "answer": f"{r['answer']:03d}"}
                for r in rows if r["exam"] == exam]
        files[f"MathArena/aime_2024_{exam}"] = _parquet(tmp_path / f"aime_2024_{exam}.parquet", half)
    (tmp_path / "empty").mkdir()  # a data dir without the set's file: the hub is next
    bench = load_benchmark("aime-2024", tmp_path / "empty", hub_loader=_local_hub(files))
    assert bench.origin == "MathArena/aime_2024_I+MathArena/aime_2024_II"
    assert [p.id for p in bench.problems][14:16] == ["2024-I-15", "2024-II-1"]
    assert bench.problems[15].answer == 73 and bench.warnings == ()


def test_falls_back_to_h4_copy_and_warns_about_its_defects(
    shared_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AIME_EVAL_DATA_DIR", raising=False)  # CI sets it; this test is about the hub path
    rows = sorted(_official(shared_dir), key=lambda r: f"{r['exam']}_{r['number']}")  # URL order
    h4 = [{"id": 60 + i, "problem": r["problem_alt"], "solution": "...", "answer": str(r["answer"]),
           "url": f"https://artofproblemsolving.com/wiki/index.php/2024_AIME_{r['exam']}_Problems/Problem_{r['number']}",
           "year": "2024"} for i, r in enumerate(rows)]
    files = {"HuggingFaceH4/aime_2024": _parquet(tmp_path / "h4.parquet", h4)}
    bench = load_benchmark("aime-2024", None, hub_loader=_local_hub(files))
    assert bench.origin == "HuggingFaceH4/aime_2024"
    assert len(bench.problems) == 30 and bench.problems[-1].id == "2024-II-15"
    assert any("AI-MO typo" in w for w in bench.warnings)


def test_maxwell_jia_format_as_a_local_file(shared_dir: Path, tmp_path: Path) -> None:
    rows = [{"ID": r["id"], "Problem": r["problem"], "Solution": "", "Answer": r["answer"]} for r in _official(shared_dir)]
    path = tmp_path / "aime_2024_maxwell.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    bench = load_benchmark(str(path))
    assert len(bench.problems) == 30 and bench.problems[0].answer == 204


def test_matharena_parquet_file_given_directly(shared_dir: Path, tmp_path: Path) -> None:
    half = [{"problem_idx": r["number"], "problem": r["problem"], "answer": str(r["answer"])}
            for r in _official(shared_dir) if r["exam"] == "II"]
    bench = load_benchmark(str(_parquet(tmp_path / "aime_2024_II.parquet", half)))
    assert [p.id for p in bench.problems][:2] == ["2024-II-1", "2024-II-2"]
    wrong = [dict(half[0], answer="074")]
    with pytest.raises(DatasetError, match="disagrees with the official answer 73"):
        load_benchmark(str(_parquet(tmp_path / "aime_2024_II_bad.parquet", wrong)))


def test_no_source_at_all_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"aime-2025: offline .* or put .*/aime_2025\.jsonl, or pass --dataset FILE"):
        load_benchmark("aime-2025", tmp_path, hub_loader=_local_hub({}))
