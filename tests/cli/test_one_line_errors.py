"""Inputs a user or a received run folder can really hold end in one `error:` line and exit code 2,
never a traceback: a full disk, a read-only folder, samples.jsonl that no longer fits summary.json, a
non-UTF-8 overrides file, an import with `"sample": "²"`, a judge.jsonl line `{}`, names longer than a
file name can be. Also the smaller ones: the `next:` hint for a model called `-x` runs as printed, and
an existing file whose name holds a comma is that file, not a list of sets."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.test_cli import evaluate
from tests.conftest import skip_or_fail
from tests.support.small_run import make_small_run

LONG = "m" * 300  # a file name part is at most 255 bytes


def one_error_line(result: subprocess.CompletedProcess, *needles: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert all(n in lines[0] for n in needles), lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def made_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_small_run(tmp_path_factory.mktemp("made"))


@pytest.fixture
def run(made_run: Path, tmp_path: Path) -> Path:
    copy = tmp_path / made_run.name
    shutil.copytree(made_run, copy)
    return copy


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        skip_or_fail("mounting a tmpfs needs root (CI runs as root)")
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if result.returncode != 0:
        skip_or_fail(f"cannot mount a tmpfs here: {result.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_score_on_a_full_disk_keeps_the_error_and_leaves_no_temporary_file(made_run: Path, tmpfs: Path) -> None:
    run = tmpfs / made_run.name
    shutil.copytree(made_run, run)
    before = (run / "samples.jsonl").read_bytes()
    fd = os.open(tmpfs / "filler", os.O_WRONLY | os.O_CREAT)  # fill the disk to the last byte
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    result = evaluate("score", str(run), cwd=tmpfs.parent)
    one_error_line(result, "No space left on device", "samples.jsonl")
    assert (run / "samples.jsonl").read_bytes() == before
    assert not list(run.glob(".*.tmp")), "no temporary file is left behind"


def test_report_on_a_read_only_run_folder(made_run: Path, tmpfs: Path) -> None:
    run = tmpfs / made_run.name
    shutil.copytree(made_run, run)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    one_error_line(evaluate("report", str(run), cwd=tmpfs.parent), "Read-only file system")


def _extra_problem(run: Path) -> None:
    lines = (run / "samples.jsonl").read_text().splitlines()
    stranger = {**json.loads(lines[0]), "problem_id": "aime-1999-I-1"}
    (run / "samples.jsonl").write_text("\n".join([*lines, json.dumps(stranger)]) + "\n")


def _one_sample_short(run: Path) -> None:
    lines = (run / "samples.jsonl").read_text().splitlines()
    first = json.loads(lines[0])["problem_id"]
    kept = [line for line in lines if not (json.loads(line)["problem_id"] == first and json.loads(line)["sample"] == 1)]
    (run / "samples.jsonl").write_text("\n".join(kept) + "\n")


@dataclass(frozen=True, kw_only=True)
class Edit:
    note: str
    change: Callable[[Path], None]
    said: str


EDITS = [Edit(note="a problem not in the dataset", change=_extra_problem, said="aime-1999-I-1"),
         Edit(note="fewer samples than the summary's cons_k", change=_one_sample_short, said="fewer than the 2")]


@pytest.mark.parametrize("command", ["report", "budget"])
@pytest.mark.parametrize("edit", EDITS, ids=[e.note for e in EDITS])
def test_samples_that_no_longer_fit_the_summary(edit: Edit, command: str, run: Path) -> None:
    edit.change(run)
    one_error_line(evaluate(command, str(run), cwd=run.parent), edit.said, "evaluate score")


def test_score_with_a_non_utf8_overrides_file(run: Path) -> None:
    overrides = run.parent / "overrides.jsonl"
    overrides.write_bytes(b'{"problem_id": "demo-1", "sample": 0, "correct": true, "reason": "ok"}\n'
                          b'{"reason": "caf\xe9"}\n')
    one_error_line(evaluate("score", str(run), "--override", str(overrides), cwd=run.parent),
                   "overrides.jsonl:2: not UTF-8")


@pytest.mark.parametrize("sample", ["²", "٣", "-1", 10**9, True])
def test_import_with_a_sample_that_is_no_index(sample: object, tmp_path: Path) -> None:
    row = {"problem_id": "demo-1", "sample": sample, "response": "\\boxed{1}"}
    (tmp_path / "dump.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    result = evaluate("score", "--import", "dump.jsonl", "--format", "jsonl", "--dataset", "demo", cwd=tmp_path)
    one_error_line(result, "dump.jsonl:1", "'sample'")


def test_a_judge_line_without_its_keys(run: Path) -> None:
    (run / "judge.jsonl").write_text("{}\n")
    # no judge named anywhere: re-scoring never reads judge.jsonl
    assert evaluate("score", str(run), cwd=run.parent).returncode == 0
    summary = json.loads((run / "summary.json").read_text())
    judged = {"model": "fake-judge", "needed": 0, "judged": 0, "flipped": 0, "unparseable": 0, "pending": 0,
              "pass1": None, "pass1_with_judge": None, "cost_usd": None}  # a run once graded with a judge
    (run / "summary.json").write_text(json.dumps({**summary, "judge": judged}))
    one_error_line(evaluate("score", str(run), cwd=run.parent), "judge.jsonl:1: not a judge record")
    assert evaluate("report", str(run), cwd=run.parent).returncode == 0, "the report reads the stored summary"


@pytest.mark.parametrize("args", [("--model", LONG), ("--model", f"org/{LONG}", "--backend", "mock"),
                                  ("--model", "mock", "--dataset", f"{LONG}.jsonl"),
                                  ("--model", "mock", "--dataset", f"x,{LONG}"),
                                  ("--model", "mock", "--run-dir", f"runs/{LONG}")],
                         ids=["model", "org/model", "dataset file", "dataset list", "run dir"])
def test_a_name_part_longer_than_255_bytes(args: tuple[str, ...], tmp_path: Path) -> None:
    result = evaluate(*args, "--k", "1", "--quiet", cwd=tmp_path)
    if result.returncode == 0:  # a model name is cut to fit the run folder's name: that is fine too
        assert "org/" in " ".join(args) and "Traceback" not in result.stderr
        return
    one_error_line(result)


def test_the_next_hint_for_a_model_called_dash_x_runs_as_printed(tmp_path: Path) -> None:
    result = evaluate("--model", "-x", "--backend", "mock", "--k", "1", "--dataset", "demo", "--output-dir", ".",
                      "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    hint = next(line for line in result.stdout.splitlines() if line.startswith("next: "))
    report = shlex.split(hint.split(" · ")[0].removeprefix("next: ").removesuffix(" (HTML page)"))
    folder = report[report.index("report") + 1]
    assert folder.startswith("./-x-"), hint
    again = evaluate(*report[report.index("report"):], cwd=tmp_path)
    assert again.returncode == 0 and (tmp_path / folder / "report.html").is_file(), again.stderr


def test_an_existing_file_with_a_comma_in_its_name_is_that_file(tmp_path: Path) -> None:
    problems = [{"id": "q1", "problem": "Find 1.", "answer": 1}, {"id": "q2", "problem": "Find 2.", "answer": 2}]
    (tmp_path / "aime-2024,extra.jsonl").write_text("".join(json.dumps(p) + "\n" for p in problems))
    result = evaluate("--model", "mock", "--k", "1", "--dataset", "aime-2024,extra.jsonl", "--output-dir", "o",
                      "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (made,) = (tmp_path / "o").iterdir()
    assert json.loads((made / "summary.json").read_text())["n_problems"] == 2
