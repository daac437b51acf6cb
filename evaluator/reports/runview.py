"""A finished run directory read back for reports, comparisons and exports (read-only, no lock).

Reads config.json, summary.json and samples.jsonl through evaluator.run.store, and rebuilds the
per-problem table for the metrics from the stored verdicts (the gold is kept on every sample), so a
report never needs the dataset files or re-grades anything.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluator._safe_text import terminal_text
from evaluator.errors import ReportError
from evaluator.run.record_types import SampleRecord, Summary
from evaluator.run.store import CONFIG, SAMPLES, SUMMARY, load_config, load_errors, load_samples

if TYPE_CHECKING:  # the metrics (numpy) load only when a report needs the table
    from evaluator.metrics.estimators import ProblemSamples


@dataclass(frozen=True)
class RunView:
    """One run as stored: its config, summary and the samples the summary counted (index < k)."""

    directory: Path
    config: dict[str, Any]
    summary: Summary
    records: tuple[SampleRecord, ...]
    n_errors: int

    @property
    def model(self) -> str:
        """The model's name, control characters shown as escapes (a received run's names reach the terminal)."""
        return terminal_text(self.config.get("model_name") or self.identity.get("model") or self.directory.name)

    @property
    def identity(self) -> dict[str, Any]:
        return dict(self.config.get("identity") or {})

    @property
    def dataset(self) -> str:
        return terminal_text(self.identity.get("dataset") or "?")

    @property
    def dataset_hash(self) -> str:
        return str(self.identity.get("dataset_hash") or "")

    @property
    def k(self) -> int:
        return int(self.summary["k"])

    @property
    def metrics(self) -> dict[str, Any]:
        return dict(self.summary.get("metrics") or {})

    @property
    def problem_ids(self) -> tuple[str, ...]:
        """Every problem of the benchmark, in benchmark order (problems without samples included)."""
        return tuple(str(row["problem_id"]) for row in self.summary.get("per_problem", []))

    @property
    def model_names(self) -> tuple[str, ...]:
        """Names a reference row may know this model by: the CLI name, the served model id."""
        backend = self.config.get("backend_config") or {}
        names = (self.model, self.identity.get("model"), backend.get("model"))
        return tuple(dict.fromkeys(str(n) for n in names if n))

    def pass_curve(self) -> dict[int, float]:
        """pass@k by k, as stored."""
        return {int(k): float(v) for k, v in self.metrics["pass_at_k"].items()}

    def maj_curve(self) -> dict[int, float]:
        """maj@k for k < cons_k plus cons@cons_k itself: the whole majority-vote curve."""
        points = {int(k): float(v) for k, v in self.metrics["maj_at_k"].items()}
        points[int(self.metrics["cons_k"])] = float(self.metrics["cons"])
        return points

    def golds(self) -> dict[str, str]:
        """The gold answer of each problem that has a sample (every sample stores it)."""
        return {str(r["problem_id"]): str(r["gold"]) for r in self.records if r.get("gold") is not None}

    def samples_by_problem(self) -> dict[str, list[SampleRecord]]:
        """Samples grouped by problem, in sample order; every problem id of the run has a (maybe empty) list."""
        grouped: dict[str, list[SampleRecord]] = {pid: [] for pid in self.problem_ids}
        for record in sorted(self.records, key=lambda r: int(r["sample"])):
            grouped.setdefault(str(record["problem_id"]), []).append(record)
        return grouped

    def table(self) -> list[ProblemSamples]:
        """Per-problem ProblemSamples (evaluator.metrics.estimators) from the stored verdicts, in benchmark order."""
        from evaluator.grading.equivalence import ClassStore
        from evaluator.metrics.summary import problem_table
        from evaluator.types import Problem

        golds = self.golds()
        problems = [Problem(id=pid, problem="", answer=golds.get(pid, "")) for pid in self.problem_ids]
        # the cons@k classes the summary was computed with, stored with the run: never compared again here
        return problem_table(self.records, problems, self.k, ClassStore.open(self.directory, read_only=True))


def load_run(directory: Path) -> RunView:
    """Read a run directory; a directory without summary.json is a ReportError saying what to do."""
    directory = Path(directory)
    config = load_config(directory)
    summary_path = directory / SUMMARY
    if not summary_path.is_file():
        raise ReportError(f"{directory} has no {SUMMARY} yet; run `evaluate score {directory}` to write it")
    try:
        summary: Summary = json.loads(summary_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ReportError(f"{summary_path}: cannot read ({exc})") from exc
    if not summary.get("metrics"):
        raise ReportError(f"{directory} has no scored samples yet; nothing to report")
    k = int(summary["k"])
    records = tuple(r for r in load_samples(directory) if int(r["sample"]) < k)
    _check_matches_summary(directory, summary, records)
    return RunView(directory, config, summary, records, len(load_errors(directory)))


def _check_matches_summary(directory: Path, summary: Summary, records: Sequence[SampleRecord]) -> None:
    """ReportError when samples.jsonl no longer fits summary.json (edited, or from another run): a problem
    the summary does not have, or fewer samples of a problem than the majority vote it reports."""
    redo = f"samples.jsonl changed after summary.json was written; run `evaluate score {directory}` to re-check it"
    known = {str(row.get("problem_id")) for row in summary.get("per_problem") or []}
    counts = Counter(str(r["problem_id"]) for r in records)
    unknown = sorted(set(counts) - known)
    if known and unknown:
        raise ReportError(f"{directory / SAMPLES}: samples of {len(unknown)} problem(s) the run's summary does not "
                          f"have ({terminal_text(', '.join(unknown[:5]))}); {redo}")
    cons_k = int((summary.get("metrics") or {}).get("cons_k") or 0)
    short = sorted((n, pid) for pid, n in counts.items() if n < cons_k)
    if short:
        n, pid = short[0]
        raise ReportError(f"{directory / SAMPLES}: {terminal_text(pid)} has {n} sample(s), fewer than the {cons_k} "
                          f"its cons@{cons_k} counted; {redo}")


def load_runs(directories: Sequence[Path]) -> list[RunView]:
    """Several runs, in the order given; the same directory twice is an error (it would pair with itself)."""
    resolved = [Path(d).resolve() for d in directories]
    if len(set(resolved)) != len(resolved):
        raise ReportError("the same run directory is given twice")
    if not directories:
        raise ReportError("give at least one run directory")
    return [load_run(Path(d)) for d in directories]


def with_summary(directories: Sequence[Path]) -> tuple[list[Path], list[str]]:
    """The directories that hold a scored run (config.json and a summary.json with metrics), and one
    warning line for each one skipped, so `runs/*` works when a failed start left a folder behind.
    The line tells a run without scores (`evaluate score` writes them) from a folder that was never a
    run (no config.json, which `evaluate score` needs too) and from a path that does not exist."""
    kept: list[Path] = []
    skipped: list[str] = []
    for directory in map(Path, directories):
        if not directory.is_dir():
            skipped.append(f"skipped {directory}: no such directory")
            continue
        if not (directory / CONFIG).is_file():
            skipped.append(f"skipped {directory}: not a run directory (no {CONFIG}); `evaluate --model MODEL` makes "
                           "a run and prints its folder")
            continue
        try:
            scored = bool(json.loads((directory / SUMMARY).read_text(encoding="utf-8")).get("metrics"))
        except (OSError, json.JSONDecodeError, AttributeError):
            scored = False
        if scored:
            kept.append(directory)
        else:
            skipped.append(f"skipped {directory}: no {SUMMARY} with scores (a failed start or an unfinished first "
                           "sample; `evaluate score` writes it)")
    return kept, skipped


def labels(runs: Sequence[RunView]) -> list[str]:
    """A short distinct label per run: the model name, plus the dataset and then the run id when needed."""
    names = [run.model for run in runs]
    if len(set(names)) < len(names):
        names = [f"{run.model} ({run.dataset})" for run in runs]
    if len(set(names)) < len(names):
        names = [f"{name} [{run.directory.name}]" for name, run in zip(names, runs, strict=True)]
    return names


def same_problems(a: RunView, b: RunView) -> bool:
    """True when two runs can be paired: the same dataset content and the same problem ids."""
    return a.dataset_hash == b.dataset_hash and a.problem_ids == b.problem_ids and bool(a.problem_ids)
