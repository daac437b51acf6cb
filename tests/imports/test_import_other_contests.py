"""A dump of another contest is never scored against the wrong problems: imported against the default
set (AIME 2024) a dump of AIME 2025 is an error naming its rows and writes nothing, while a real AIME
2024 dump identified by its question text still maps every row to its own problem."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.imports.readers import ImportFileError
from evaluator.imports.runs import import_runs
from evaluator.run.store import load_samples

INSTRUCTION = ("Solve the following math problem efficiently and clearly. The last line of your response should be "
               "of the following format: 'Therefore, the final answer is: $\\boxed{ANSWER}$. I hope it is correct' "
               "(without quotes) where ANSWER is just the final number or expression that solves the problem. "
               "Think step by step before answering.\n\n")
R1 = "Please reason step by step, and put your final answer within \\boxed{}.\n\n"


def _rows(data: Path, name: str) -> list[dict]:
    path = data / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _dump(path: Path, rows: list[dict], *, wrap: str = "", text: str = "problem", ids: bool = False) -> Path:
    """One right answer per problem, identified by its question text (and its id with `ids`)."""
    lines = [{"question": wrap + row[text], "response": f"so the answer is \\boxed{{{row['answer']}}}",
              **({"problem_id": row["id"]} if ids else {})} for row in rows]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


@dataclass(frozen=True, kw_only=True)
class Case:
    note: str
    wrap: str


WRAPS = [Case(note="bare text (9 of 30 matched a 2024 problem before)", wrap=""),
         Case(note="R1 instruction", wrap=R1),
         Case(note="long instruction (17 of 30 matched before)", wrap=INSTRUCTION)]


@pytest.mark.parametrize("case", WRAPS, ids=[c.note for c in WRAPS])
def test_an_aime_2025_dump_against_aime_2024_is_refused_row_by_row(case: Case, shared_dir: Path,
                                                                   tmp_path: Path) -> None:
    data = shared_dir / "data"
    dump = _dump(tmp_path / "aime25.jsonl", _rows(data, "aime_2025.jsonl"), wrap=case.wrap)
    with pytest.raises(ImportFileError) as error:
        import_runs(dump, "jsonl", "aime-2024", tmp_path / "runs", data)
    message = str(error.value)
    assert "30 row(s) match no problem of aime-2024" in message, case.note
    assert f"{dump}:1: " in message and "--dataset" in message
    assert not (tmp_path / "runs").exists(), "nothing is written"


@pytest.mark.parametrize("case", WRAPS, ids=[c.note for c in WRAPS])
@pytest.mark.parametrize("text", ["problem", "problem_alt"])
def test_a_real_aime_2024_dump_maps_every_row_to_its_own_problem(case: Case, text: str, shared_dir: Path,
                                                                 tmp_path: Path) -> None:
    data = shared_dir / "data"
    rows = _rows(data, "aime_2024.jsonl")
    (run,) = import_runs(_dump(tmp_path / "aime24.jsonl", rows, wrap=case.wrap, text=text), "jsonl", "aime-2024",
                         tmp_path / "runs", data)
    order = [row["id"] for row in rows]
    assert [r["problem_id"] for r in load_samples(run.directory)] == sorted(order, key=order.index)
    assert run.summary["metrics"]["pass1"] == 1.0


def test_the_same_2025_dump_imports_against_its_own_contest(shared_dir: Path, tmp_path: Path) -> None:
    data = shared_dir / "data"
    (run,) = import_runs(_dump(tmp_path / "aime25.jsonl", _rows(data, "aime_2025.jsonl"), wrap=INSTRUCTION),
                         "jsonl", "aime-2025", tmp_path / "runs", data)
    assert run.n_samples == 30 and run.summary["metrics"]["pass1"] == 1.0


@dataclass(frozen=True, kw_only=True)
class IdCase:
    note: str
    text_of: tuple[str, int]  # (file, row) whose problem text the row carries
    said: str  # the why-not the error gives


ID_CASES = [
    IdCase(note="the text of another 2024 problem", text_of=("aime_2024.jsonl", 4), said="its question text is 2024-I-5's"),
    IdCase(note="the text of a 2025 problem", text_of=("aime_2025.jsonl", 0), said="is not that problem's"),
]


@pytest.mark.parametrize("case", ID_CASES, ids=[c.note for c in ID_CASES])
def test_a_problem_id_whose_text_belongs_elsewhere_is_an_error(case: IdCase, shared_dir: Path,
                                                               tmp_path: Path) -> None:
    data = shared_dir / "data"
    rows = _rows(data, "aime_2024.jsonl")
    other = _rows(data, case.text_of[0])[case.text_of[1]]
    lying = {**rows[0], "problem": other["problem"]}  # id 2024-I-1, someone else's text
    dump = _dump(tmp_path / "mixed.jsonl", [lying, *rows[1:3]], ids=True)
    with pytest.raises(ImportFileError) as error:
        import_runs(dump, "jsonl", "aime-2024", tmp_path / "runs", data)
    assert f"{dump}:1: id '2024-I-1', but" in str(error.value) and case.said in str(error.value), case.note
    assert "1 row(s)" in str(error.value)


def test_the_command_line_refuses_a_2025_dump_on_the_default_set(shared_dir: Path, tmp_path: Path) -> None:
    data = shared_dir / "data"
    dump = _dump(tmp_path / "aime25.jsonl", _rows(data, "aime_2025.jsonl"))
    env = {**os.environ, "AIME_EVAL_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    result = subprocess.run([sys.executable, "-m", "evaluator.cli", "score", "--import", str(dump), "--format",
                             "jsonl", "--output-dir", "runs"], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "30 row(s) match no problem of aime-2024" in result.stderr and not (tmp_path / "runs").exists()
