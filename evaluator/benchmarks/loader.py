"""Load a benchmark by name or path, and check it against the registry of official answers.

Text comes, in this order, from: a file given as `--dataset PATH`; a data directory (`--data-dir` or
$AIME_EVAL_DATA_DIR) holding files named like `aime_2024.jsonl`; the network (`remote`: a public file
at a pinned commit, verified by its sha256 and cached, or a Hugging Face hub copy), where a copy is
trusted by its content. Every loaded set is checked (`checking`): bad rows are errors naming the file
and line; known defects of popular copies are warnings. `--dataset a,b` and group names load
collections (`collections`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from evaluator._suggest import did_you_mean
from evaluator.benchmarks.benchmark import Benchmark, HubLoader
from evaluator.benchmarks.checking import build
from evaluator.benchmarks.collections import load_collection
from evaluator.benchmarks.registry import GROUPS, NAMES, demo_rows, registry_set, set_for_ids
from evaluator.benchmarks.remote import DATA_DIR_ENV, HUB_REVISIONS_ENV, hub_load, hub_revisions, load_remote
from evaluator.benchmarks.rows import FILE_SUFFIXES, read_rows, row
from evaluator.errors import DatasetError

__all__ = ["DATA_DIR_ENV", "FILE_SUFFIXES", "HUB_REVISIONS_ENV", "Benchmark", "DatasetError", "hub_revisions",
           "load_benchmark", "read_rows"]


def _is(path: Path, kind: Callable[[Path], bool]) -> bool:
    """`kind(path)` (Path.is_file, Path.is_dir), False for a name the system cannot look up at all
    (longer than 255 bytes: "File name too long")."""
    try:
        return kind(path)
    except OSError:
        return False


def load_benchmark(spec: str, data_dir: Path | None = None, hub_loader: HubLoader | None = None) -> Benchmark:
    """Load a named set (`aime-2024`, `demo`, ...), a collection (`aime-2025,aime-2026` or a group name
    such as `aime-2024-2026`) or a file, checked against the registry. Raises DatasetError."""
    is_file = _is(Path(spec).expanduser(), Path.is_file)  # an existing file wins, whatever its name holds ("a,b")
    if not is_file and ("," in spec or "+" in spec or spec in GROUPS):  # "a+b": how a collection run is named
        return load_collection(spec, lambda name: load_benchmark(name, data_dir, hub_loader))
    path = Path(spec).expanduser()
    if data_dir is not None and not Path(data_dir).is_dir():
        raise DatasetError(f"--data-dir {data_dir}: no such folder (give the folder that holds aime_2024.jsonl etc.)")
    if spec not in NAMES and _is(path, Path.is_dir):
        raise DatasetError(f"--dataset {spec} is a directory; give a file (.jsonl/.json/.parquet), "
                           f"or use --data-dir {spec} with a set name such as aime-2024")
    if spec.endswith(FILE_SUFFIXES) or is_file:
        if not is_file:
            raise DatasetError(f"{spec}: no such file (give a .jsonl/.json/.parquet path or one of: {', '.join(NAMES)})")
        rows = read_rows(path)
        return build(path.stem, rows, str(path.resolve()), set_for_ids([r.id for r in rows]), strict_set=False)
    if spec not in NAMES:
        known = [*NAMES, *GROUPS]
        raise DatasetError(f"unknown dataset {spec!r}: {did_you_mean(spec, known)}choose one of {', '.join(known)}, "
                           "a comma list of them, or give a file path")
    registry = registry_set(spec)
    if spec == "demo":
        rows = [row(raw, f"demo:{i}") for i, raw in enumerate(demo_rows(), 1)]
        return build(spec, rows, "evaluator/registry/demo.jsonl", registry, strict_set=True)
    data_dir = data_dir or data_dir_from_env()
    if data_dir is not None and registry.data_file and (data_dir / registry.data_file).is_file():
        local = data_dir / registry.data_file
        return build(spec, read_rows(local), str(local), registry, strict_set=True)
    return load_remote(spec, registry, hub_loader or hub_load, data_dir)


def data_dir_from_env() -> Path | None:
    """$AIME_EVAL_DATA_DIR as a folder, or None; a value that is not a folder is a user error."""
    value = os.environ.get(DATA_DIR_ENV)
    if not value:
        return None
    if not Path(value).is_dir():
        raise DatasetError(f"${DATA_DIR_ENV}={value}: no such folder; fix or unset it")
    return Path(value)
