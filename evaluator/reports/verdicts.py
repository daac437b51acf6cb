"""The reproduction verdict of a run (`--reference`, `--target`): computed, shown as HTML and in the terminal.

Targets come from a published row (`--reference deepseek-r1-zero` names the model; `--reference
deepseek-r1` names the set and matches the run's own model) and/or `--target pass1=71.0,cons=86.7`.
The numbers are evaluator.metrics.verdict's; this module only finds the targets and lays them out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table

from evaluator.errors import ReportError
from evaluator.metrics.verdict import Target, VerdictRow, parse_targets, reproduction_verdict
from evaluator.reports._html import Safe, ci_text, join, number, pct, table, tag
from evaluator.reports.references import get_reference, reference_row
from evaluator.reports.runview import RunView

#: Samples per problem behind a reference row's numbers: the shipped set's protocol ("64 samples per problem";
#: cons@64 is a vote over them), so the verdict counts the published figures' own sampling noise.
REFERENCE_SAMPLES = 64


def targets_for(run: RunView, reference: str | None, target: str | None) -> list[Target]:
    """The published numbers (as fractions) to judge `run` against; [] when neither option names any."""
    targets: list[Target] = []
    ref = get_reference(reference)
    if ref is not None and reference is not None:
        row = reference_row(reference, ref, run)
        if row is not None:
            source = f"{row.model} ({row.table})"
            if row.pass1 is not None:
                targets.append(Target("pass1", row.pass1 / 100, source, dataset=ref.dataset, samples=REFERENCE_SAMPLES))
            if row.cons64 is not None:
                targets.append(Target("cons", row.cons64 / 100, source, k=64, dataset=ref.dataset,
                                      samples=REFERENCE_SAMPLES))
    if target:
        try:
            targets += parse_targets(target)
        except ValueError as exc:
            raise ReportError(str(exc)) from None
    return targets


def run_verdict(run: RunView, reference: str | None, target: str | None) -> list[VerdictRow] | None:
    """The verdict rows of `run` (None when no reference or target was asked for), CIs as in summary.json."""
    if reference is None and target is None:
        return None
    m = run.metrics
    targets = targets_for(run, reference, target)
    if not targets:
        return []
    return reproduction_verdict(run.table(), targets, bootstrap=int(m.get("bootstrap") or 1000),
                                seed=int(m.get("seed") or 0), confidence=float(m.get("confidence") or 0.95),
                                dataset=run.dataset)


def no_targets_note(reference: str | None, model: str) -> str:
    """Why a verdict asked for has no row: the reference lists no number for `model`, and what to ask
    instead (a model the set lists, or --target)."""
    ref = get_reference(reference)
    listed = ", ".join(row.aliases[0] if row.aliases else row.model for row in ref.rows[:6]) if ref else ""
    named = f"the reference {reference} lists no number for {model}" if ref else "no target was given"
    return (f"no verdict: {named}; judge the run against a listed model (--reference MODEL: {listed}) "
            "or give the published numbers (--target pass1=71.0,cons=86.7)")


def _samples(value: int | None, floor: float) -> str:
    return f"{value:,}" if value is not None else f"none can (floor ±{100 * floor:.1f})"


def _needed(r: VerdictRow) -> str:
    fixed = r.samples_for_1pt_fixed_problems
    return _samples(r.samples_for_1pt, r.floor) + ("" if fixed is None else f"; same problems: {fixed:,}")


def verdict_rows(rows: Sequence[VerdictRow], label: str = "") -> list[list[Any]]:
    """Table cells, one row per target (a leading run label when `label` is given)."""
    out = []
    for r in rows:
        ok = tag("span", "consistent", class_="ok") if r.consistent else tag("strong", "not consistent", class_="bad")
        cells: list[Any] = [
            r.metric, r.source, pct(r.target), join((number(r.estimate, "estimate", pct(r.estimate)), " ",
                                                      number(list(r.ci), "ci", ci_text(r.ci)))),
            ok, join((number(r.gap, "gap", f"{100 * r.gap:+.1f}"), " ",
                      number(list(r.gap_ci), "gap_ci", f"[{100 * r.gap_ci[0]:+.1f}, {100 * r.gap_ci[1]:+.1f}]"))),
            _needed(r),
        ]
        out.append([label, *cells] if label else cells)
    return out


def verdict_notes(rows: Sequence[VerdictRow], label: str = "") -> list[Safe]:
    """The rows' notes, as paragraphs under the table (each once)."""
    notes = dict.fromkeys(f"{label + ': ' if label else ''}{r.metric}: {r.note}" for r in rows if r.note)
    return [tag("p", note, class_="note") for note in notes]


HEADERS = ("metric", "target from", "target (%)", "run (%) [95% CI, same problems]", "verdict at 95%",
           "gap (pts) [CI, both runs' noise]",
           "samples/problem for ±1 pt")


def verdict_html(rows: Sequence[VerdictRow] | None) -> Safe:
    """The verdict table of one run, or a sentence when the reference lists no number for it."""
    if rows is None:
        return Safe("")
    if not rows:
        return tag("p", "The reference lists no number for this run's model: nothing to judge.", class_="warn")
    return join((table(HEADERS, verdict_rows(rows), class_="verdict"), *verdict_notes(rows)))


VERDICT_NOTE = ("The question is the same-problems one: did this run reproduce the published number on these "
                "problems? Consistent: the gap's 95% interval contains 0; it counts the run's sampling noise and, "
                "when the published number's sample count is known (64 per problem for DeepSeek-R1), that "
                "number's own. Gap: run minus target, in points. Samples per problem for a CI of ±1 point: with "
                "the problems resampled (a new draw of problems), then with the same problems; docs/metrics.md.")


def verdict_terminal(rows: Sequence[VerdictRow], title: str) -> Table:
    """The verdict as a rich table."""
    out = Table(title=title, header_style="bold")
    for name in ("metric", "target (%)", "run (%)", "95% CI (same problems)", "verdict", "gap (pts) [CI]",
                 "samples for ±1 pt"):
        out.add_column(name, overflow="fold")  # wrap, never cut with an ellipsis
    for r in rows:
        out.add_row(r.metric, pct(r.target), pct(r.estimate), ci_text(r.ci),
                    "[green]consistent[/]" if r.consistent else "[red]not consistent[/]",
                    f"{100 * r.gap:+.1f} [{100 * r.gap_ci[0]:+.1f}, {100 * r.gap_ci[1]:+.1f}]",
                    _samples(r.samples_for_1pt, r.floor) + (f" ({r.samples_for_1pt_fixed_problems:,} with problems fixed)"
                                                            if r.samples_for_1pt_fixed_problems else ""))
    out.caption = " · ".join(dict.fromkeys(f"{r.metric}: {r.note}" for r in rows if r.note)) or None
    return out
