"""MathArena's hub layout (`data/train-*.parquet`, fields problem_idx/problem/answer) read through the real
`datasets.load_dataset` on local folders, one folder per (repo, revision): the hub is unreachable here.
A hub copy is trusted by its content: checked against the shipped keys, used quietly when its text is a
known copy, used with a warning when it is not; a revision the user pins is asked first. Offline mode is
on in these tests, so the pinned network file (tests/benchmarks/test_pinned_sources.py) is not fetched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluator.benchmarks.loader import DatasetError, load_benchmark
from evaluator.run.checks import protocol_checks

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

SHA = "0123456789abcdef0123456789abcdef01234567"
OTHER_SHA = "f" * 40


def _matharena_rows(shared_dir: Path, name: str) -> list[dict]:
    rows = [json.loads(line) for line in (shared_dir / "data" / name).read_text().splitlines() if line.strip()]
    return [{"problem_idx": i, "problem": r["problem"], "answer": str(r["answer"])} for i, r in enumerate(rows, 1)]


class LocalHub:
    """Serves `repo` at `revision` from `root/<repo>/<revision>/data/train-00000-of-00001.parquet`
    through `datasets.load_dataset(folder)`; records what it was asked for."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.calls: list[tuple[str, str | None]] = []

    def publish(self, repo: str, revision: str, rows: list[dict]) -> None:
        folder = self.root / repo / revision / "data"
        folder.mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist(rows), folder / "train-00000-of-00001.parquet")

    def __call__(self, repo: str, revision: str | None = None):
        import datasets

        self.calls.append((repo, revision))
        folder = self.root / repo / str(revision)
        if revision is None or not folder.is_dir():
            raise FileNotFoundError(f"{repo}@{revision} is not available offline")
        return datasets.load_dataset(str(folder), split="train")


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalHub:
    monkeypatch.delenv("AIME_EVAL_DATA_DIR", raising=False)
    monkeypatch.delenv("AIME_EVAL_HUB_REVISIONS", raising=False)
    return LocalHub(tmp_path / "hub")


def test_pinned_revision_is_the_one_loaded(shared_dir: Path, hub: LocalHub, monkeypatch: pytest.MonkeyPatch) -> None:
    hub.publish("MathArena/aime_2026", SHA, _matharena_rows(shared_dir, "aime_2026.jsonl"))
    bad = _matharena_rows(shared_dir, "aime_2026.jsonl")
    bad[0]["answer"] = "999"  # a vandalised later commit
    hub.publish("MathArena/aime_2026", OTHER_SHA, bad)
    monkeypatch.setenv("AIME_EVAL_HUB_REVISIONS", f"MathArena/aime_2026={SHA}")
    bench = load_benchmark("aime-2026", None, hub_loader=hub)
    assert hub.calls == [("MathArena/aime_2026", SHA)]
    assert bench.origin == f"MathArena/aime_2026@{SHA[:12]}"
    assert [p.id for p in bench.problems][14:16] == ["2026-I-15", "2026-II-1"]
    assert {p.id: p.answer for p in bench.problems}["2026-II-10"] == 340


def test_a_pinned_commit_with_a_wrong_key_is_refused(
    shared_dir: Path, hub: LocalHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = _matharena_rows(shared_dir, "aime_2026.jsonl")
    bad[0]["answer"] = "999"
    hub.publish("MathArena/aime_2026", OTHER_SHA, bad)
    monkeypatch.setenv("AIME_EVAL_HUB_REVISIONS", f"MathArena/aime_2026={OTHER_SHA}")
    with pytest.raises(DatasetError, match=r"MathArena/aime_2026@ffffffffffff: row 1: answer '999' for 2026-I-1 "
                                           r"disagrees with the official answer"):
        load_benchmark("aime-2026", None, hub_loader=hub)


class UnpinnedHub(LocalHub):
    """Serves the newest commit of a repo when no revision is asked for, as the real hub does."""

    def __call__(self, repo: str, revision: str | None = None):
        import datasets

        self.calls.append((repo, revision))
        return datasets.load_dataset(str(self.root / repo / SHA), split="train")


def test_unpinned_hub_copy_with_a_known_text_is_used_quietly(shared_dir: Path, tmp_path: Path,
                                                            hub: LocalHub) -> None:
    unpinned = UnpinnedHub(tmp_path / "unpinned")
    unpinned.publish("MathArena/aime_2026", SHA, _matharena_rows(shared_dir, "aime_2026.jsonl"))
    bench = load_benchmark("aime-2026", None, hub_loader=unpinned)
    assert unpinned.calls == [("MathArena/aime_2026", None)]
    assert bench.origin == "MathArena/aime_2026" and bench.warnings == ()


def test_unpinned_hub_copy_with_an_unknown_text_is_used_and_says_so(shared_dir: Path, tmp_path: Path,
                                                                   hub: LocalHub) -> None:
    rows = _matharena_rows(shared_dir, "aime_2026.jsonl")
    rows[0]["problem"] += " (reworded)"  # answers still agree: only the text is not a known copy
    unpinned = UnpinnedHub(tmp_path / "unpinned")
    unpinned.publish("MathArena/aime_2026", SHA, rows)
    bench = load_benchmark("aime-2026", None, hub_loader=unpinned)
    (warning,) = bench.warnings
    assert warning.startswith(f"MathArena/aime_2026: its text (hash {bench.content_hash}) is none of the known "
                              "copies of aime-2026; its answers match the official keys")
    config = {"identity": {"dataset": "aime-2026", "dataset_hash": bench.content_hash}}
    (dataset_check,) = [c for c in protocol_checks([], config, 0, bench.warnings) if c["name"] == "dataset"]
    assert dataset_check["passed"] is False and "none of the known copies" in dataset_check["detail"]


def test_a_pinned_revision_with_an_unknown_text_is_used_and_says_so(shared_dir: Path, hub: LocalHub,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _matharena_rows(shared_dir, "hmmt_feb_2025.jsonl")
    rows[11]["problem"] = rows[11]["problem"].replace("Kevin the frog in on", "Kevin the frog is on")  # a fixed typo
    hub.publish("MathArena/hmmt_feb_2025", SHA, rows)
    monkeypatch.setenv("AIME_EVAL_HUB_REVISIONS", f"MathArena/hmmt_feb_2025={SHA}")
    bench = load_benchmark("hmmt-feb-2025", None, hub_loader=hub)
    assert bench.origin == f"MathArena/hmmt_feb_2025@{SHA[:12]}"
    assert len(bench.warnings) == 1 and "is none of the known copies of hmmt-feb-2025" in bench.warnings[0]


@pytest.mark.parametrize("value", ["MathArena/aime_2026", "MathArena/aime_2026=main", "MathArena/aime_2026=abc123"])
def test_bad_pin_syntax_is_a_user_error(hub: LocalHub, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("AIME_EVAL_HUB_REVISIONS", value)
    with pytest.raises(DatasetError, match=r"\$AIME_EVAL_HUB_REVISIONS: .* is not REPO=SHA"):
        load_benchmark("aime-2026", None, hub_loader=hub)


def test_hmmt_layout_with_a_list_answer(shared_dir: Path, hub: LocalHub, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = _matharena_rows(shared_dir, "hmmt_feb_2025.jsonl")
    for row in rows:  # MathArena's parquet holds answers as strings; a multi-part key as one list column here
        row["answer"] = [row["answer"]]
    rows[9]["answer"] = ["\\frac{-1+\\sqrt{17}}{2}", "\\frac{-1-\\sqrt{17}}{2}"]
    hub.publish("MathArena/hmmt_feb_2025", SHA, rows)
    monkeypatch.setenv("AIME_EVAL_HUB_REVISIONS", f"MathArena/hmmt_feb_2025={SHA}")
    bench = load_benchmark("hmmt-feb-2025", None, hub_loader=hub)
    answers = {p.id: p.answer for p in bench.problems}
    assert answers["hmmt-feb-2025-10"] == "\\frac{-1+\\sqrt{17}}{2}, \\frac{-1-\\sqrt{17}}{2}"
    assert answers["hmmt-feb-2025-17"] == "2^{25} \\cdot 26!" and answers["hmmt-feb-2025-4"] == -984
