"""`--dataset a,b` and named groups: one benchmark, each contest's ids kept for per-contest metrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluator.benchmarks.loader import DatasetError, load_benchmark


def test_comma_list_keeps_each_contest(shared_dir: Path) -> None:
    bench = load_benchmark("aime-2025,aime-2026", shared_dir / "data")
    assert bench.name == "aime-2025+aime-2026" and len(bench.problems) == 60
    assert [(name, len(ids), ids[0]) for name, ids in bench.contests] == [
        ("aime-2025", 30, "2025-I-1"), ("aime-2026", 30, "2026-I-1")]
    assert bench.warnings == ()  # both official texts: nothing to warn about
    assert bench.content_hash != load_benchmark("aime-2026", shared_dir / "data").content_hash


def test_group_name_mixes_integer_and_latex_keys(shared_dir: Path) -> None:
    bench = load_benchmark("matharena-2025", shared_dir / "data")
    assert bench.name == "matharena-2025" and [name for name, _ in bench.contests] == ["aime-2025", "hmmt-feb-2025"]
    assert {type(p.answer) for p in bench.problems} == {int, str}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("aime-2025,aime-2025", "needs at least two different sets"),
        ("aime-2025,aime-2062", "unknown dataset 'aime-2062': did you mean"),
        ("aime-2025,matharena-2025", "a comma list names sets, not groups"),
    ],
)
def test_bad_collections_are_user_errors(shared_dir: Path, spec: str, message: str) -> None:
    with pytest.raises(DatasetError, match=message):
        load_benchmark(spec, shared_dir / "data")
