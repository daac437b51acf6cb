"""Benchmarks: which problems a named set has, their official answers, and where the text comes from.

- `registry`: the answer keys (facts, shipped in the top-level `problems/` folder) and problem ids;
- `loader`: `load_benchmark(name_or_path, data_dir)` → `Benchmark` (a file, a data directory, or the
  network: a pinned public file or a hub copy, trusted by content, `remote`/`pinned`), every set checked
  against the registry (`checking`), known defects of popular copies warned;
- `records`: one JSON/JSONL record reader with `file:line` in every error (also used by importers).
"""

from evaluator.benchmarks.loader import DATA_DIR_ENV, Benchmark, load_benchmark
from evaluator.benchmarks.registry import NAMES, RegistrySet, id_sort_key, registry_set
from evaluator.errors import DatasetError

__all__ = [
    "DATA_DIR_ENV",
    "NAMES",
    "Benchmark",
    "DatasetError",
    "RegistrySet",
    "id_sort_key",
    "load_benchmark",
    "registry_set",
]
