"""`evaluate import FILE` (also `evaluate score --import FILE`): someone else's generations as run
directories, each printed with its summary."""

from __future__ import annotations

from pathlib import Path

from evaluator._safe_text import terminal_text
from evaluator.cli._run import warn

FormatHelp = ("samples, qwen-math, lighteval, matharena or jsonl (default: told from the file's fields "
              "where only one format fits).")
"""`--format`'s help; spelled out here so that `--help` imports no importer (tests check it names every
format of evaluator.imports.readers.READERS)."""


def import_generations(file: Path, fmt: str | None, dataset: str, output_dir: Path, data_dir: Path | None,
                       model: str | None) -> None:
    """Import `file` (format `fmt`, or detected when None) and print each run's summary; ImportFileError
    (an EvaluatorError) for anything the user can fix."""
    from rich.console import Console

    from evaluator.imports.runs import import_runs
    from evaluator.reports.display import summary_table

    console, err = Console(), Console(stderr=True)
    runs = import_runs(file, fmt, dataset, output_dir, data_dir, model)
    if fmt is None and runs:
        err.print(terminal_text(f"{file}: read as --format {runs[0].format} (told from its fields)"), highlight=False,
                  soft_wrap=True)
    for run in runs:
        for warning in run.warnings:
            warn(err, "warning", warning)
        title = terminal_text(f"{run.model} on {dataset} (imported, {run.n_samples} samples)")  # the dump's names
        console.print(summary_table(title, run.summary))
        console.print(f"verdicts that differ from the dump's own: {run.n_disagreements}", highlight=False)
        console.print(f"run directory: {terminal_text(run.directory)}", highlight=False, soft_wrap=True)
