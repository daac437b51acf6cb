"""Which folders `evaluate compare` and `evaluate export` take as runs: a run folder itself, or a folder
of runs (`runs/`) standing for its sub-folders; folders without a scored summary are skipped, one warning
line each, so `runs/*` works when a failed start left a folder behind."""

from __future__ import annotations

from pathlib import Path

from evaluator.cli._run import warn

RUN_FILES = ("config.json", "samples.jsonl", "summary.json")  # any of them marks a run folder, even a damaged one


def runs_in(folder: Path) -> list[Path]:
    """[folder] for a run (or a damaged one: any of its files present); its sub-folders for a parent."""
    if not folder.is_dir() or any((folder / name).exists() for name in RUN_FILES):
        return [folder]
    children = sorted(p for p in folder.iterdir() if p.is_dir())
    return children or [folder]


def scored_runs(run_dirs: list[Path]) -> list[Path]:
    """The run directories that have a summary; one warning line for each one skipped. A folder that is
    no run but holds folders (`runs/`) stands for its sub-folders."""
    from rich.console import Console

    from evaluator.reports.runview import ReportError, with_summary

    kept, skipped = with_summary([child for d in run_dirs for child in runs_in(d)])
    err = Console(stderr=True, soft_wrap=True)
    for line in skipped:
        warn(err, "warning", line)
    if run_dirs and not kept:
        raise ReportError("none of the given directories holds a scored run")
    return kept
