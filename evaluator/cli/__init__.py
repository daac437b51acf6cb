"""The command line, `evaluate`: the only package that knows it exists. It wires the stages.

- `app`: the commands (run, score, import, report, compare, export, budget, models, datasets);
- `_options`: the main command's options as typed records (`RunOptions`, `BackendOverrides`);
- `_run`: the main command's work (build the config, sample, grade, summarise);
- `_cost`: the forecast, pilot and adaptive rounds (`--dry-run`, `--pilot`, `--target-halfwidth`);
- `_rescore`: `evaluate score RUN_DIR` (re-grade the stored samples, rewrite the summary);
- `_imports`: `evaluate import FILE` (someone else's generations as run directories);
- `_run_folders`: which folders `compare` and `export` read as runs;
- `_group`: the click group that turns an `EvaluatorError` into one line and exit code 2.

Errors a user can fix come from `evaluator.errors`; did-you-mean (`evaluator._suggest`) stays at the top
level, since every stage's "unknown X" error uses it.
"""

from evaluator.cli.app import app, main

__all__ = ["app", "main"]
