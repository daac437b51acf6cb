"""The run store: append-only samples, torn-line repair, the lock, refusing to mix configurations."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from evaluator.run.store import RunStore, StoreError, load_errors, load_samples


def _open(directory: Path, config_hash: str = "abc") -> RunStore:
    return RunStore.open(directory, {"model_name": "m"}, config_hash=config_hash)


def _record(pid: str, index: int, **extra: object) -> dict:
    return {"problem_id": pid, "sample": index, "response": "r", **extra}


def test_appends_survive_reopen(tmp_path: Path) -> None:
    with _open(tmp_path / "run") as store:
        store.append_sample(_record("p1", 0))
        store.append_sample(_record("p1", 1))
    with _open(tmp_path / "run") as store:
        assert store.finished() == {("p1", 0), ("p1", 1)}
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["config_hash"] == "abc" and config["schema_version"] == 1


def test_torn_last_line_is_cut_and_not_parsed(tmp_path: Path) -> None:
    with _open(tmp_path / "run") as store:
        store.append_sample(_record("p1", 0))
    samples = tmp_path / "run" / "samples.jsonl"
    with open(samples, "a") as f:
        f.write('{"problem_id": "p1", "sample": 1, "respo')  # killed mid-write
    assert [r["sample"] for r in load_samples(tmp_path / "run")] == [0]
    with _open(tmp_path / "run") as store:
        assert store.repaired_bytes == len('{"problem_id": "p1", "sample": 1, "respo')
        store.append_sample(_record("p1", 1))
    lines = samples.read_text().splitlines()
    assert [json.loads(line)["sample"] for line in lines] == [0, 1]


def test_corrupt_middle_line_is_reported_with_its_number(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "samples.jsonl").write_text('{"problem_id": "a", "sample": 0}\nnot json\n')
    with pytest.raises(StoreError, match=r"samples\.jsonl:2: corrupt line"):
        load_samples(tmp_path / "run")


def test_a_duplicate_line_counts_once_and_the_first_wins(tmp_path: Path) -> None:
    with _open(tmp_path / "run") as store:
        store.append_sample(_record("p1", 0, response="first"))
        store.append_sample(_record("p1", 1, response="other"))
        store.append_sample(_record("p1", 0, response="second"))  # the same sample written again
        assert len((tmp_path / "run" / "samples.jsonl").read_text().splitlines()) == 3
        assert [(r["sample"], r["response"]) for r in store.samples()] == [(0, "first"), (1, "other")]
    assert [(r["sample"], r["response"]) for r in load_samples(tmp_path / "run")] == [(0, "first"), (1, "other")]


def _try_open(directory: str, queue: multiprocessing.Queue) -> None:
    try:
        RunStore.open(Path(directory), {}, config_hash="abc")
        queue.put("opened")
    except StoreError as exc:
        queue.put(str(exc))


def test_second_process_is_refused(tmp_path: Path) -> None:
    with _open(tmp_path / "run"):
        queue: multiprocessing.Queue = multiprocessing.Queue()
        proc = multiprocessing.get_context("fork").Process(target=_try_open, args=(str(tmp_path / "run"), queue))
        proc.start()
        proc.join(30)
        message = queue.get(timeout=5)
    assert "in use by another evaluate process" in message
    with _open(tmp_path / "run"):  # released on close
        pass


def test_different_configuration_is_refused_then_moved_aside(tmp_path: Path) -> None:
    with _open(tmp_path / "run", "abc") as store:
        store.append_sample(_record("p1", 0))
    with pytest.raises(StoreError, match="different configuration.*--force-new"):
        _open(tmp_path / "run", "xyz")
    with RunStore.open(tmp_path / "run", {}, config_hash="xyz", force_new=True) as store:
        assert store.finished() == set()
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("run.old-")]
    assert len(aside) == 1 and load_samples(aside[0])[0]["problem_id"] == "p1"


def test_errors_are_kept_until_the_sample_succeeds(tmp_path: Path) -> None:
    with _open(tmp_path / "run") as store:
        store.append_error(_record("p1", 0, status="error", error="500"))
        store.append_error(_record("p1", 1, status="error", error="429"))
        store.append_sample(_record("p1", 0))
    assert [(r["problem_id"], r["sample"]) for r in load_errors(tmp_path / "run")] == [("p1", 1)]


def test_unwritable_directory_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="cannot use run directory"):
        _open(blocker / "run")
