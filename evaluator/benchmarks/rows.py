"""Problem rows as read from a file or a hub copy, before any check: one `Row` per problem, with `where`
naming the file and line (or the copy and row) for every error message.

The formats we read are recognised by their field names: ours and custom files (id/problem/answer),
MathArena (problem_idx, the exam in the dataset's name), HuggingFaceH4 (an AoPS url per row) and
Maxwell-Jia (ID/Problem/Answer).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluator.benchmarks.records import read_json_records
from evaluator.errors import DatasetError

FILE_SUFFIXES = (".jsonl", ".json", ".parquet")


@dataclass(frozen=True)
class Row:
    """One problem as read, before checking; `where` names the file and line for error messages."""

    id: str
    problem: str
    answer: Any
    accepted: tuple[Any, ...]
    where: str


_PROBLEM_KEYS = ("problem", "Problem", "question")
_ANSWER_KEYS = ("answer", "Answer")
_AOPS_URL = re.compile(r"(\d{4})_AIME_(I{1,2})_Problems/Problem_(\d+)")
_EXAM_IN_NAME = re.compile(r"aime_(\d{4})(?:_(I{1,2}))?(?![\dI])", re.IGNORECASE)
_CONTEST_IN_NAME = re.compile(r"(hmmt_feb|hmmt_nov|brumo|cmimc)_(\d{4})", re.IGNORECASE)  # MathArena names


def read_rows(path: Path) -> list[Row]:
    """Rows of a .jsonl, .json or .parquet file, in any known format; errors name the line."""
    if path.suffix == ".parquet":
        try:
            return rows_from_records(_load_parquet(path), str(path), path.name)
        except OSError as exc:
            raise DatasetError(f"{path}: cannot read ({exc.__class__.__name__}: {exc})") from exc
    return [row(obj, where, path.name) for where, obj in read_json_records(path, DatasetError, "problems")]


def rows_from_records(items: Iterable[Any], origin: str, name_hint: str) -> list[Row]:
    """Rows of records read elsewhere (a hub copy, a fetched file); `name_hint` names the exam when the
    records only number their problems (MathArena's `aime_2024_I`)."""
    return [row(obj, f"{origin}: row {i}", name_hint) for i, obj in enumerate(items, 1)]


def row(obj: Any, where: str, name_hint: str = "") -> Row:
    """One record as a Row; a record without id, problem or answer is an error naming `where`."""
    if not isinstance(obj, Mapping):
        raise DatasetError(f"{where}: expected a JSON object with id, problem and answer")
    problem = next((obj[k] for k in _PROBLEM_KEYS if k in obj), None)
    answer = next((obj[k] for k in _ANSWER_KEYS if k in obj), None)
    problem_id = _row_id(obj, where, name_hint)
    for field, value in (("problem", problem), ("answer", answer)):
        if value is None or (isinstance(value, str) and not value.strip()):
            raise DatasetError(f"{where}: missing field '{field}' (each problem needs id, problem and answer)")
    if not isinstance(problem, str):
        raise DatasetError(f"{where}: 'problem' must be a string")
    accepted = obj.get("accepted_answers") or obj.get("accepted") or ()
    if not isinstance(accepted, list | tuple):
        raise DatasetError(f"{where}: 'accepted_answers' must be a list")
    if isinstance(answer, list):  # MathArena stores a multi-part key as a list: our keys are its comma text
        answer = ", ".join(str(a) for a in answer)
    return Row(problem_id, problem, answer, tuple(accepted), where)


def _row_id(obj: Mapping[str, Any], where: str, name_hint: str) -> str:
    if isinstance(obj.get("url"), str) and (m := _AOPS_URL.search(obj["url"])):  # HuggingFaceH4 (AI-MO copy)
        return f"{m[1]}-{m[2]}-{int(m[3])}"
    if "problem_idx" in obj and (c := _CONTEST_IN_NAME.search(name_hint)):  # MathArena HMMT, BRUMO, CMIMC
        return f"{c[1].lower().replace('_', '-')}-{c[2]}-{int(obj['problem_idx'])}"
    if "problem_idx" in obj:  # MathArena: the exam is in the dataset's name
        m = _EXAM_IN_NAME.search(name_hint)
        if not m:
            raise DatasetError(f"{where}: rows have 'problem_idx' but the name {name_hint!r} does not say which "
                               "exam (name the file like aime_2024_I.parquet)")
        idx = int(obj["problem_idx"])
        exam = m[2] or ("I" if idx <= 15 else "II")
        return f"{m[1]}-{exam}-{idx if m[2] or idx <= 15 else idx - 15}"
    for key in ("id", "ID", "problem_id"):
        if key in obj and str(obj[key]).strip():
            return str(obj[key]).strip()
    raise DatasetError(f"{where}: missing field 'id' (each problem needs id, problem and answer)")


def _load_parquet(path: Path) -> list[Mapping[str, Any]]:
    import datasets

    return list(datasets.load_dataset("parquet", data_files=str(path), split="train"))
