"""Human overrides: a reviewer's verdict on chosen samples, applied on top of the grader's.

An overrides file is JSON lines, one per sample: `{"problem_id": "2024-I-4", "sample": 3,
"correct": true, "reason": "answer 1/2 written as 0.5 in prose"}`. Applying one sets `correct`
to the human verdict and records `override: {correct, reason}` and `machine_correct` (the grader's
verdict, never lost). `regrade` re-applies a stored override on top of each new machine verdict,
so overrides survive re-scoring; a later file replaces the override of the same sample.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from evaluator.errors import OverrideError

_FIELDS = {"problem_id": str, "sample": int, "correct": bool, "reason": str}


def read_overrides(path: Path) -> dict[tuple[str, int], dict[str, Any]]:
    """(problem_id, sample) -> {correct, reason}; raises OverrideError naming `file:line` on bad input."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise OverrideError(f"{path}: cannot read the overrides file ({exc.strerror}); check the path") from exc
    except UnicodeDecodeError as exc:
        bad_line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise OverrideError(f"{path}:{bad_line}: not UTF-8 (byte {exc.start}); save the file as UTF-8 JSON lines") from None
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise OverrideError(f"{where}: not a JSON object ({exc.msg}); write one JSON object per line") from exc
        if not isinstance(row, dict):
            raise OverrideError(f"{where}: not a JSON object; write one JSON object per line")
        for name, kind in _FIELDS.items():
            value = row.get(name)
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise OverrideError(f"{where}: field {name!r} must be a {kind.__name__}; "
                                    'e.g. {"problem_id": "2024-I-4", "sample": 3, "correct": true, "reason": "..."}')
        if not row["reason"].strip():
            raise OverrideError(f"{where}: 'reason' is empty; say why the machine verdict is overridden")
        key = (row["problem_id"], row["sample"])
        if key in out:
            raise OverrideError(f"{where}: sample {key[1]} of {key[0]} is overridden twice; keep one line")
        out[key] = {"correct": row["correct"], "reason": row["reason"].strip()}
    return out


def apply_overrides(
    records: Sequence[Mapping[str, Any]], overrides: Mapping[tuple[str, int], Mapping[str, Any]], source: Path
) -> list[dict[str, Any]]:
    """Records with each override applied; raises OverrideError if an override names no sample of the run."""
    keys = {(str(r["problem_id"]), int(r["sample"])) for r in records}
    missing = sorted(set(overrides) - keys)
    if missing:
        pid, sample = missing[0]
        raise OverrideError(f"{source}: sample {sample} of {pid} is not in this run ({len(missing)} unknown); "
                            "check problem_id and sample against samples.jsonl")
    out = []
    for record in records:
        override = overrides.get((str(record["problem_id"]), int(record["sample"])))
        out.append(with_override(record, override) if override else dict(record))
    return out


def with_override(record: Mapping[str, Any], override: Mapping[str, Any] | None) -> dict[str, Any]:
    """The record with `override` on top of its machine verdict (`machine_correct` keeps the grader's)."""
    out = dict(record)
    machine = bool(out.pop("machine_correct", out.get("correct")))
    if override is None:
        out.pop("override", None)
        out["correct"] = machine
        return out
    return {**out, "correct": bool(override["correct"]), "machine_correct": machine,
            "override": {"correct": bool(override["correct"]), "reason": str(override["reason"])}}
