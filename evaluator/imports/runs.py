"""Build run directories from other people's generations and score them with our grader.

`import_runs` reads a dump (evaluator.imports.readers), maps every response to a benchmark problem
(by id where the dump has a trustworthy one, else by its question text: evaluator.imports.textmatch), and
writes one ordinary run directory per model in the dump: config.json marked as imported (source
file, format, content hash), samples.jsonl (each response with the dump's own verdict and extracted
answer as `reported_correct` / `reported_extracted`, then our `correct` / `extracted`), and
summary.json (our metrics, plus an `imported` section: the dump's accuracy and every sample where
the two verdicts differ). Importing the same file again rewrites the same directory.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluator.benchmarks.loader import Benchmark, load_benchmark
from evaluator.benchmarks.registry import id_sort_key
from evaluator.grading.disagreements import disagreements
from evaluator.grading.records import regrade
from evaluator.imports.detect import read_any
from evaluator.imports.readers import FORMATS, ForeignSample, ImportFileError
from evaluator.imports.textmatch import IN_ORDER, TextIndex, TextMatch
from evaluator.metrics.summary import summarize_run
from evaluator.run.record_types import ImportedSection, Summary
from evaluator.run.runner import find_run_dir, package_versions
from evaluator.run.store import RunStore
from evaluator.types import Problem

__all__ = ["FORMATS", "ImportFileError", "ImportedRun", "disagreements", "import_runs", "imported_summary"]

_MAX_LISTED = 10  # unmatched rows named in one error message


@dataclass(frozen=True)
class ImportedRun:
    """One run directory written by an import, with what the CLI needs to print."""

    directory: Path
    model: str
    n_samples: int
    summary: Summary
    n_disagreements: int
    warnings: tuple[str, ...] = ()
    format: str = ""


def import_runs(
    file: Path,
    fmt: str | None,
    dataset: str,
    output_dir: Path,
    data_dir: Path | None = None,
    model: str | None = None,
) -> list[ImportedRun]:
    """Import `file` (format `fmt`, or detected from its fields when None) against `dataset`: one run
    directory per model in the dump.

    `model` keeps only that model's rows (the dump's `model` field, or the file-derived name when the
    dump has none). Raises ImportFileError (a DatasetError) for anything the user can fix.
    """
    file = Path(file)
    fmt, samples = read_any(file, fmt)
    benchmark = load_benchmark(dataset, data_dir)
    default_model = _default_model(file, fmt)
    groups: dict[str, list[ForeignSample]] = defaultdict(list)
    for s in samples:
        groups[s.model or default_model].append(s)
    if model is not None:
        if model not in groups:
            raise ImportFileError(
                f"{file}: no rows for model {model!r}; the file has: {', '.join(sorted(groups))}"
            )
        groups = {model: groups[model]}
    index = TextIndex(_problem_texts(benchmark))
    file_hash = _sha256(file)
    runs = []
    for name in sorted(groups):
        records = _mapped_records(groups[name], benchmark, index, file)
        runs.append(_write_run(file, fmt, file_hash, name, benchmark, records, output_dir))
    return runs


def imported_summary(records: Sequence[Mapping[str, Any]], imported: Mapping[str, Any]) -> ImportedSection:
    """summary.json's `imported` section: the dump's own accuracy and every verdict that differs.
    `imported` is config.json's `imported` entry; `evaluate score` on an imported run calls this
    again after re-grading, so the section stays in step with the current grader."""
    reported = [r["reported_correct"] for r in records if r.get("reported_correct") is not None]
    return {
        "source_file": imported.get("source_file"),
        "format": imported.get("format"),
        "reported_accuracy": (sum(map(bool, reported)) / len(reported)) if reported else None,
        "reported_samples": len(reported),
        "disagreements": disagreements(records),
    }


def _default_model(file: Path, fmt: str) -> str:
    """The model name for dumps without a model field: lighteval's details/<org>/<model>/<time>/ path
    names it; otherwise the file name does."""
    parts = file.resolve().parts
    if fmt == "lighteval" and "details" in parts[:-2]:
        start = len(parts) - 1 - parts[::-1].index("details")
        return "/".join(parts[start + 1 : -2]) or file.stem
    return file.stem


def _problem_texts(benchmark: Benchmark) -> dict[str, list[str]]:
    """Each problem's texts: the loaded one plus `problem_alt` (e.g. the AI-MO wording of 2024) when
    the benchmark was read from a local file that has it."""
    texts = {p.id: [p.problem] for p in benchmark.problems}
    origin = Path(benchmark.origin)
    if origin.suffix == ".jsonl" and origin.is_file():
        for line in origin.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            alt = row.get("problem_alt") if isinstance(row, dict) else None
            if isinstance(alt, str) and str(row.get("id")) in texts:
                texts[str(row["id"])].append(alt)
    return texts


def _mapped_records(
    samples: Sequence[ForeignSample], benchmark: Benchmark, index: TextIndex, file: Path
) -> list[dict[str, Any]]:
    """The samples.jsonl records of one model: problem ids mapped, sample indices filled in, regraded."""
    problems = {p.id: p for p in benchmark.problems}
    mapped: list[tuple[ForeignSample, Problem]] = []
    unmatched: list[str] = []
    for s in samples:
        problem_id, reason = _problem_for(s, problems, index)
        if problem_id is None:
            unmatched.append(f"{s.where}: {reason}")
        else:
            mapped.append((s, problems[problem_id]))
    if unmatched:
        shown = "\n  ".join(unmatched[:_MAX_LISTED])
        more = f"\n  ... and {len(unmatched) - _MAX_LISTED} more" if len(unmatched) > _MAX_LISTED else ""
        raise ImportFileError(
            f"{file}: {len(unmatched)} row(s) match no problem of {benchmark.name}; nothing was imported (a dump "
            f"of another contest? import it with that contest's --dataset; the rule is in docs/reproducing.md):"
            f"\n  {shown}{more}"
        )
    next_index: dict[str, int] = defaultdict(int)
    seen: dict[tuple[str, int], str] = {}
    records = []
    for s, problem in mapped:
        sample = s.sample if s.sample is not None else next_index[problem.id]
        next_index[problem.id] = max(next_index[problem.id], sample + 1)
        key = (problem.id, sample)
        if key in seen:
            raise ImportFileError(
                f"{s.where}: a second response for {problem.id} sample {sample} "
                f"(the first is at {seen[key]}); one response per (problem, sample)"
            )
        seen[key] = s.where
        record = {
            "problem_id": problem.id,
            "sample": sample,
            "response": s.response,
            "finish_reason": s.finish_reason,
            **s.extra,
            "reported_correct": s.reported_correct,
            "reported_extracted": s.reported_extracted,
            "source_row": s.where,
        }
        records.append(regrade(record, problem))
    return sorted(records, key=lambda r: (id_sort_key(r["problem_id"]), r["sample"]))


def _problem_for(
    s: ForeignSample, problems: Mapping[str, Problem], index: TextIndex
) -> tuple[str | None, str]:
    """(problem id, "") or (None, why not). A known id is used when the row's question text (if any)
    is that problem's; otherwise the question text decides, and only a confident match counts."""
    if s.problem_id is not None and s.problem_id in problems:
        if not s.question:
            return s.problem_id, ""
        match = index.match(s.question)
        if match.problem_id is not None and match.problem_id != s.problem_id:
            return None, f"id {s.problem_id!r}, but its question text is {match.problem_id}'s"
        own = TextMatch(s.problem_id, match.score if match.problem_id else 0.0)
        if not index.confident(s.question, own):
            in_order = index.coverage(s.question, s.problem_id)
            return None, (f"id {s.problem_id!r}, but its question text is not that problem's (only {in_order:.0%} "
                          f"of {s.problem_id}'s text in order; needs {IN_ORDER:.0%})")
        return s.problem_id, ""
    if s.question:
        match = index.match(s.question)
        return match.problem_id, match.reason
    if s.problem_id is not None:
        return None, f"id {s.problem_id!r} is not in the dataset and the row has no question text"
    return None, "the row has neither a problem id nor question text"


def _write_run(
    file: Path,
    fmt: str,
    file_hash: str,
    model: str,
    benchmark: Benchmark,
    records: list[dict[str, Any]],
    output_dir: Path,
) -> ImportedRun:
    """Write (or rewrite) the run directory of one model's imported samples."""
    k = max(r["sample"] for r in records) + 1
    identity = {
        "model": model,
        "backend": "import",
        "dataset": benchmark.name,
        "dataset_hash": benchmark.content_hash,
        "import_format": fmt,
        "import_sha256": file_hash,
        "seed": 0,
    }
    config_hash = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:10]
    config = {
        "identity": identity,
        "model_name": model,
        "k": k,
        "dataset_origin": benchmark.origin,
        "imported": {
            "source_file": str(file.resolve()),
            "format": fmt,
            "sha256": file_hash,
            "rows": len(records),
        },
        "versions": package_versions(),
        "python": platform.python_version(),
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    directory = find_run_dir(output_dir, model, benchmark.name, config_hash)
    summary = summarize_run(records, benchmark.problems, k)
    summary["imported"] = imported_summary(records, config["imported"])
    with RunStore.open(directory, config, config_hash=config_hash) as store:
        store.rewrite_samples(records)
        store.write_summary(summary)
    missing = [p.id for p in benchmark.problems if not any(r["problem_id"] == p.id for r in records)]
    warnings = (
        (
            f"{model}: no responses for {len(missing)} problem(s) of {benchmark.name}: "
            f"{', '.join(missing[:5])}{' ...' if len(missing) > 5 else ''}",
        )
        if missing
        else ()
    )
    return ImportedRun(
        directory, model, len(records), summary, len(summary["imported"]["disagreements"]), tuple(warnings), fmt
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
