"""`evaluate score RUN_DIR`: re-grade a run's stored samples with the current grader and rewrite its summary.

Nothing is generated again: the responses in samples.jsonl are graded anew (with any human overrides on
top) against the dataset the run was made on, and summary.json is recomputed from them.
"""

from __future__ import annotations

from pathlib import Path

from evaluator._safe_text import terminal_text
from evaluator.cli._run import summarize_run_dir


def rescore(run_dir: Path, k: int | None, data_dir: Path | None, override: Path | None = None) -> None:
    """Re-grade `run_dir` (its first `k` samples per problem; default: the run's k), print its summary and
    how many verdicts changed. Raises an EvaluatorError (one line) for anything the user can fix: a
    folder that is no run, a dataset that no longer holds the run's problems, a bad overrides file."""
    from rich.console import Console

    from evaluator.benchmarks.loader import DatasetError, load_benchmark
    from evaluator.grading.overrides import apply_overrides, read_overrides
    from evaluator.grading.records import regrade
    from evaluator.run.store import RunStore, load_config

    config = load_config(run_dir)
    dataset = config["identity"]["dataset"]
    benchmark = load_benchmark(config["dataset_origin"] if Path(config["dataset_origin"]).is_file() else dataset,
                               data_dir)
    problems = {p.id: p for p in benchmark.problems}
    k = k or int(config["k"])
    with RunStore.open(run_dir, config, config_hash=config["config_hash"]) as store:
        records = store.samples()
        unknown = sorted({r["problem_id"] for r in records} - set(problems))
        if unknown:  # never drop a sample: the benchmark changed under the run
            raise DatasetError(f"{run_dir}: samples for problems not in {dataset}: {', '.join(unknown[:5])}; "
                               "re-score against the dataset the run was made on (--data-dir)")
        overrides = read_overrides(override) if override is not None else {}
        max_tokens = config["identity"].get("max_tokens")
        from evaluator.grading.equivalence import ClassStore

        ClassStore.open(run_dir).lend_to_checker()  # symbolic comparisons kept with the run: not paid again
        regraded = [regrade(r, problems[r["problem_id"]], max_tokens) for r in records]
        regraded = apply_overrides(regraded, overrides, override) if override is not None else regraded
        changed = sum(1 for old, new in zip(records, regraded, strict=True) if old.get("correct") != new["correct"])
        store.rewrite_samples(regraded)
        summary = summarize_run_dir(run_dir, benchmark, k, int(config["identity"]["seed"]), config["model_name"])
        if "imported" in config:
            from evaluator.imports.runs import imported_summary

            summary["imported"] = imported_summary(regraded, config["imported"])
        store.write_summary(summary)
    from evaluator.reports.display import summary_table

    title = terminal_text(f"{config['model_name']} on {dataset} (k={k}, re-scored)")  # a received run's names
    Console().print(summary_table(title, summary))
    Console(stderr=True).print(f"{len(regraded)} samples re-graded, {changed} verdict(s) changed, "
                               f"{summary['overrides']} human override(s) applied", highlight=False)
