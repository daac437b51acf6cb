"""`evaluate export RUN_DIR... --format csv|markdown|json`: a leaderboard other dashboards can ingest.

One row per run, best pass@1 first. CSV and JSON carry exact fractions (0..1); Markdown shows
percentages for people. The JSON document is versioned ("schema": "aime-eval/leaderboard",
"version": 1) and documented field by field in docs/results-format.md.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, get_args

from evaluator._safe_text import csv_cell
from evaluator._suggest import did_you_mean
from evaluator.reports._html import ci_text, pct
from evaluator.reports.runview import ReportError, RunView, load_runs
from evaluator.types import ExportFormat

SCHEMA = "aime-eval/leaderboard"
VERSION = 1
FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)  # `evaluate export --format`, in the Literal's order

# Flat columns of the CSV (and the order of the JSON row keys that are scalars).
CSV_COLUMNS = (
    "model", "dataset", "dataset_hash", "k", "n_problems", "n_samples", "expected_samples", "complete", "errors",
    "pass1", "pass1_se", "pass1_ci_low", "pass1_ci_high", "cons_k", "cons", "cons_ci_low", "cons_ci_high",
    "pass_at_max_k", "max_k", "no_answer_rate", "truncated_rate", "completion_tokens_mean",
    "completion_tokens_total", "cost_usd", "temperature", "top_p", "max_tokens", "confidence", "run",
    "config_hash", "created_at", "overrides",
)  # fmt: skip


def leaderboard_row(run: RunView) -> dict[str, Any]:
    """The leaderboard entry of one run (the JSON row; CSV flattens it to CSV_COLUMNS)."""
    s, m, ident = run.summary, run.metrics, run.identity
    max_k = max(int(k) for k in m["pass_at_k"])
    maj = {**{str(k): v for k, v in m["maj_at_k"].items()}, str(m["cons_k"]): m["cons"]}
    return {
        "model": run.model,
        "dataset": run.dataset,
        "dataset_hash": run.dataset_hash,
        "k": run.k,
        "n_problems": s["n_problems"],
        "n_samples": s["n_samples"],
        "expected_samples": s["expected_samples"],
        "complete": bool(s["complete"]),
        "errors": s["errors"],
        "pass1": m["pass1"],
        "pass1_se": m["pass1_se"],
        "pass1_ci": m["pass1_ci"],
        "cons_k": m["cons_k"],
        "cons": m["cons"],
        "cons_ci": m["cons_ci"],
        "pass_at_k": dict(m["pass_at_k"]),
        "maj_at_k": dict(sorted(maj.items(), key=lambda item: int(item[0]))),
        "max_k": max_k,
        "pass_at_max_k": m["pass_at_k"][str(max_k)],
        "no_answer_rate": s["rates"]["no_answer"],
        "truncated_rate": s["rates"]["truncated"],
        "overrides": s.get("overrides", 0),  # human verdicts applied on top of the grader's
        "flags": dict(s.get("flags") or {}),
        "completion_tokens_mean": s["tokens"]["completion_mean"],
        "completion_tokens_total": s["tokens"]["completion_total"],
        "cost_usd": s.get("cost_usd"),
        "temperature": ident.get("temperature"),
        "top_p": ident.get("top_p"),
        "max_tokens": ident.get("max_tokens"),
        "confidence": m["confidence"],
        "run": run.directory.name,
        "config_hash": run.config.get("config_hash"),
        "created_at": run.config.get("created_at"),
    }


def _rows(runs: Sequence[RunView]) -> list[dict[str, Any]]:
    rows = [leaderboard_row(run) for run in runs]
    return sorted(rows, key=lambda r: (-r["pass1"], r["model"], r["dataset"], r["run"]))


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    low_high = {f"{name}_ci_{end}": (row[f"{name}_ci"][i] if row[f"{name}_ci"] else None)
                for name in ("pass1", "cons") for i, end in enumerate(("low", "high"))}
    return {column: {**row, **low_high}[column] for column in CSV_COLUMNS}


def _csv_value(value: object) -> object:
    """Empty for None, JSON spelling for booleans (true/false), the value otherwise; a text a spreadsheet
    would evaluate (`=HYPERLINK(...)` as a model, dataset or run name) is written as text (`csv_cell`)."""
    if value is None:
        return ""
    return json.dumps(value) if isinstance(value, bool) else csv_cell(value)


def to_csv(rows: Sequence[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _csv_value(value) for key, value in _flat(row).items()})
    return buffer.getvalue()


def _md(value: object) -> str:
    """A Markdown table cell: HTML-escaped (renderers pass HTML through), pipes and newlines neutralised."""
    text = html.escape("" if value is None else str(value), quote=False)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


_PER_DATASET = {"markdown": "the Markdown has one table per dataset",
                "csv": "sort or filter the CSV by its dataset column before ranking",
                "json": "group the JSON runs by their dataset field before ranking"}
"""What the mixed-datasets warning advises, per export format."""


def mixed_datasets(run_dirs: Sequence[Path], fmt: str = "markdown") -> str | None:
    """A warning when the runs cover more than one dataset (their ranks are not comparable), else None;
    what it advises depends on the export format `fmt`."""
    datasets = sorted({run.dataset for run in load_runs(run_dirs)})
    if len(datasets) < 2:
        return None
    return (f"the runs cover {len(datasets)} datasets ({', '.join(datasets)}): pass@1 ranks runs only within one "
            f"dataset; {_PER_DATASET.get(fmt, _PER_DATASET['markdown'])}")


def to_markdown(rows: Sequence[dict[str, Any]]) -> str:
    """One table per dataset (best pass@1 first in each): runs on different problems are never ranked together."""
    datasets = list(dict.fromkeys(r["dataset"] for r in rows))
    if len(datasets) < 2:
        return _markdown_table(rows)
    return "\n".join(f"### {_md(name)}\n\n" + _markdown_table([r for r in rows if r["dataset"] == name])
                     for name in sorted(datasets))


def _markdown_table(rows: Sequence[dict[str, Any]]) -> str:
    headers = ("model", "dataset", "k", "pass@1 (%)", "95% CI", "cons@k (%)", "pass@max k (%)", "no answer (%)",
               "tokens/sample", "cost (USD)", "samples")
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for r in rows:
        tokens = r["completion_tokens_mean"]
        cells = (
            r["model"], r["dataset"], r["k"], f"{pct(r['pass1'])} ± {pct(r['pass1_se'])}", ci_text(r["pass1_ci"]),
            f"{pct(r['cons'])} (@{r['cons_k']})", f"{pct(r['pass_at_max_k'])} (@{r['max_k']})",
            pct(r["no_answer_rate"]), "-" if tokens is None else f"{tokens:,.0f}",
            "-" if r["cost_usd"] is None else f"{r['cost_usd']:.2f}",
            f"{r['n_samples']}/{r['expected_samples']}" + ("" if r["complete"] else " (incomplete)"),
        )
        lines.append("| " + " | ".join(_md(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def to_json(rows: Sequence[dict[str, Any]]) -> str:
    document = {"schema": SCHEMA, "version": VERSION, "runs": list(rows)}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def export_format(name: str) -> ExportFormat:
    """`name` if it is one of FORMATS; else ReportError naming the close matches, then every format."""
    for fmt in FORMATS:
        if name == fmt:
            return fmt
    listed = f"{', '.join(FORMATS[:-1])} or {FORMATS[-1]}"
    raise ReportError(f"unknown export format {name!r}: {did_you_mean(name, FORMATS)}use {listed}")


def export_runs(run_dirs: Sequence[Path], fmt: str) -> str:
    """The leaderboard of `run_dirs` as CSV, Markdown or JSON text (best pass@1 first). Raises
    ReportError for a format not in FORMATS (before reading any run)."""
    writers = {"csv": to_csv, "markdown": to_markdown, "json": to_json}
    return writers[export_format(fmt)](_rows(load_runs(run_dirs)))
