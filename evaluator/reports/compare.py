"""`evaluate compare RUN_DIR...`: runs side by side, in the terminal and as an HTML dashboard.

The terminal table lists each run's headline numbers. The page overlays the pass@k and maj@k
curves, shows a problems x runs heatmap of pass rates, and tests every pair of runs made on the same
problems (same dataset content and ids) with evaluator.metrics.estimators.paired_comparison. Runs on different
datasets are never paired: the page lists them as such.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from rich.console import Group

from evaluator.metrics.estimators import PairedComparison, paired_comparison
from evaluator.metrics.specs import PAIRED_METRICS
from evaluator.reports._html import (
    Safe,
    ci_text,
    esc,
    join,
    number,
    page,
    pct,
    rate_color,
    section,
    table,
    tag,
    write_page,
)
from evaluator.reports.contamination import NOTE as CONTAMINATION_NOTE
from evaluator.reports.contamination import dataset_gaps, gaps_html
from evaluator.reports.insight_sections import budget_section
from evaluator.reports.plots import Marker, Series, curve_plot
from evaluator.reports.references import Reference, get_reference, reference_notes, reference_table
from evaluator.reports.runview import RunView, labels, load_runs, same_problems
from evaluator.reports.verdicts import (
    HEADERS,
    VERDICT_NOTE,
    run_verdict,
    verdict_notes,
    verdict_rows,
    verdict_terminal,
)


@dataclass(frozen=True)
class Pair:
    """The paired comparison of runs a and b (indexes into the run list) on one metric."""

    a: int
    b: int
    result: PairedComparison


def compare_table(run_dirs: Sequence[Path]) -> Group:
    """A rich table (#, model, dataset, k, pass@1 ± SE with its CI, cons@k, tokens, and cost when known;
    one row per run), then each run's directory on its own line under its number: identifiers fold onto
    more lines in a narrow terminal, they are never cut."""
    from rich.console import Group
    from rich.text import Text

    from evaluator.reports.display import id_column

    runs = load_runs(run_dirs)
    names = labels(runs)
    with_cost = any(run.summary.get("cost_usd") is not None for run in runs)
    out = Table(title="runs", header_style="bold")
    out.add_column("#", justify="right", no_wrap=True)
    id_column(out, "model", names, cap=12)
    id_column(out, "dataset", [run.dataset for run in runs], cap=9)
    for name in ("k", "pass@1 (%) [95% CI, same problems]", "cons@k (%)", "tokens") + (("USD",) if with_cost else ()):
        out.add_column(name, justify="right", overflow="fold")
    for position, (label, run) in enumerate(zip(names, runs, strict=True), 1):
        m, s = run.metrics, run.summary
        mean = s["tokens"]["completion_mean"]
        se_value = m.get("pass1_se_same_problems", m["pass1_se"])  # the SE of the CI beside it
        se = "" if se_value is None else f" ± {pct(se_value)}"
        cost = ("-" if s.get("cost_usd") is None else f"{s['cost_usd']:.2f}",) if with_cost else ()
        out.add_row(
            str(position), escape(label), escape(run.dataset), str(run.k),
            f"{pct(m['pass1'])}{se} {ci_text(m['pass1_ci'])}".strip(), f"{pct(m['cons'])} (@{m['cons_k']})",
            "-" if mean is None else f"{mean:,.0f}", *cost,
        )
    directories = [Text(f"{position:>3}  {run.directory}") for position, run in enumerate(runs, 1)]
    return Group(out, Text("run directories:", style="bold"), *directories)


def paired_results(runs: Sequence[RunView], metrics: Sequence[str] = PAIRED_METRICS,
                   bootstrap: int = 1000) -> tuple[list[Pair], list[tuple[int, int]]]:
    """Paired comparisons of every pair on the same problems, and the pairs that cannot be paired."""
    tables = [run.table() for run in runs]
    pairs: list[Pair] = []
    unpaired: list[tuple[int, int]] = []
    for i, j in combinations(range(len(runs)), 2):
        if not same_problems(runs[i], runs[j]):
            unpaired.append((i, j))
            continue
        for metric in metrics:
            pairs.append(Pair(i, j, paired_comparison(tables[i], tables[j], metric, bootstrap=bootstrap)))
    return pairs, unpaired


def write_compare_html(run_dirs: Sequence[Path], out: Path, reference: str | None = None,
                       target: str | None = None) -> Path:
    """Write the comparison dashboard to `out` (one self-contained file); returns the path."""
    runs = load_runs(run_dirs)
    return write_page(Path(out), render_compare(runs, reference, target))


def render_compare(runs: Sequence[RunView], reference: str | None = None, target: str | None = None) -> str:
    """The comparison page as a string."""
    names = labels(runs)
    ref = get_reference(reference)
    pairs, unpaired = paired_results(runs)
    body = join((
        section("Runs", _runs_table(runs, names), id_="runs"),
        _verdicts(runs, names, reference, target),
        section(f"Reference: {ref.name}", join((reference_notes(ref, runs), reference_table(ref, runs, names))),
                id_="reference") if ref else "",
        section("Curves", _curves(runs, names, ref), id_="curves",
                note="Curves of runs on different datasets are not comparable; see the dataset column."
                if len({run.dataset_hash for run in runs}) > 1 else None),
        section("Paired comparisons", _pairs(runs, names, pairs, unpaired), id_="paired",
                note="A minus B on the same problems. Same problems (is A better than B on these problems?): "
                     "both runs' sampling noise, diff ± 1.96 SE and a z-test; 'at 5%' reads this one. New "
                     "problems (would it hold on unseen problems of this kind?): paired bootstrap over problems "
                     "and a sign-flip test. Bayes@N: a difference only when the credible intervals do not "
                     "overlap (docs/metrics.md)."),
        section("Across datasets: contamination signal", gaps_html(runs, dataset_gaps(runs)),
                id_="contamination", note=CONTAMINATION_NOTE),
        budget_section(runs, names),
        section("Pass rate per problem", _heatmap(runs, names), id_="heatmap",
                note="Cell: % of a run's samples of that problem that are correct; blank: the run does not have "
                     "that problem."),
    ))
    datasets = sorted({run.dataset for run in runs})
    return page("Comparison of " + ", ".join(names), f"{len(runs)} runs · datasets: {', '.join(datasets)}", body)


def _runs_table(runs: Sequence[RunView], names: Sequence[str]) -> Safe:
    rows = []
    for name, run in zip(names, runs, strict=True):
        m, s = run.metrics, run.summary
        mean = s["tokens"]["completion_mean"]
        rows.append((
            name, run.dataset, run.k, number(m["pass1"], "pass1", pct(m["pass1"])),
            number(m["pass1_ci"], "pass1_ci", ci_text(m["pass1_ci"])),
            number(m.get("pass1_ci_new_problems"), "pass1_ci_new_problems", ci_text(m.get("pass1_ci_new_problems"))),
            join((number(m["cons"], "cons", pct(m["cons"])), f" @{m['cons_k']}")),
            pct(s["rates"]["no_answer"]), pct(s["rates"]["truncated"]),
            "-" if mean is None else f"{mean:,.0f}", "-" if s.get("cost_usd") is None else f"{s['cost_usd']:.2f}",
            run.directory.name,
        ))
    return table(("run", "dataset", "k", "pass@1 (%)", "95% CI, same problems", "95% CI, new problems", "cons@k (%)", "no answer (%)", "truncated (%)",
                  "tokens/sample", "cost (USD)", "run directory"), rows, class_="runs")


def _curves(runs: Sequence[RunView], names: Sequence[str], ref: Reference | None) -> Safe:
    pass_series = [Series(n, r.pass_curve()) for n, r in zip(names, runs, strict=True)]
    maj_series = [Series(n, r.maj_curve()) for n, r in zip(names, runs, strict=True)]
    pass_markers, maj_markers = [], []
    for run in runs:
        row = ref.match(*run.model_names) if ref is not None else None
        if row is not None and row.pass1 is not None:
            pass_markers.append(Marker(f"paper {row.model}", 1, row.pass1 / 100))
        if row is not None and row.cons64 is not None:
            maj_markers.append(Marker(f"paper {row.model} cons@64", 64, row.cons64 / 100))
    plots = (curve_plot("pass@k", "pass@k (%)", pass_series, pass_markers),
             curve_plot("maj@k (majority vote)", "maj@k (%)", maj_series, maj_markers))
    return tag("div", join(tag("div", p, class_="plot") for p in plots), class_="plots")


def _pairs(runs: Sequence[RunView], names: Sequence[str], pairs: Sequence[Pair],
           unpaired: Sequence[tuple[int, int]]) -> Safe:
    rows = []
    for p in pairs:
        r = p.result
        verdict = tag("strong", "significant") if r.p_value < 0.05 else esc("not significant")
        rows.append((
            names[p.a], names[p.b], r.metric, r.n_problems, pct(r.mean_a), pct(r.mean_b),
            number(r.diff, "diff", f"{100 * r.diff:+.1f}"),
            number(list(r.ci), "diff_ci", ci_text(r.ci)),
            number(r.p_value, "p_value", f"{r.p_value:.3g}"), verdict,
            number(list(r.ci_new_problems) if r.ci_new_problems else None, "diff_ci_new_problems",
                   ci_text(r.ci_new_problems)),
            number(r.p_value_new_problems, "p_value_new_problems",
                   f"{r.p_value_new_problems:.3g}" + ("" if r.p_value_new_problems_exact else " (MC)")),
            r.bayes_decision or "-",
            f"{r.n_a_better} / {r.n_b_better} / {r.n_equal}",
        ))
    parts: list[object] = []
    if rows:
        parts.append(table(("A", "B", "metric", "problems", "A (%)", "B (%)", "A − B (pts)",
                            "95% CI, same problems", "p, same problems", "at 5%", "95% CI, new problems",
                            "p, new problems", "Bayes@N", "A better / B better / equal"), rows, class_="pairs"))
    elif len(runs) < 2:
        parts.append(tag("p", "Only one run: nothing to pair.", class_="note"))
    for i, j in unpaired:
        why = ("different datasets" if runs[i].dataset != runs[j].dataset
               else "same dataset name but different problem content or ids")
        parts.append(tag("p", f"Not paired: {names[i]} ({runs[i].dataset}) and {names[j]} ({runs[j].dataset}): "
                              f"{why}; a paired test needs the same problems.", class_="warn"))
    return join(parts)


def _heatmap(runs: Sequence[RunView], names: Sequence[str]) -> Safe:
    problem_ids: list[str] = []
    for run in runs:
        problem_ids += [pid for pid in run.problem_ids if pid not in problem_ids]
    rates = [{row["problem_id"]: row["pass_rate"] for row in run.summary["per_problem"]} for run in runs]
    rows = []
    for pid in problem_ids:
        cells: list[object] = [pid]
        for per_run in rates:
            if pid not in per_run:
                cells.append(Safe('<span class="absent"></span>'))
                continue
            rate = per_run[pid]
            cells.append(tag("span", pct(rate, 0), class_="heat", data_value=rate,
                             style=f"display:block;background:{rate_color(rate)}"))
        rows.append(cells)
    return table(("problem", *names), rows, class_="heat")


def _verdicts(runs: Sequence[RunView], names: Sequence[str], reference: str | None, target: str | None) -> Safe:
    """Each run's reproduction verdict (only with --reference or --target); the page never writes summary.json."""
    if reference is None and target is None:
        return Safe("")
    rows: list[list[object]] = []
    notes: list[Safe] = []
    for name, run in zip(names, runs, strict=True):
        verdict = run_verdict(run, reference, target) or []
        rows += verdict_rows(verdict, name)
        notes += verdict_notes(verdict, name)
    content = join((table(("run", *HEADERS), rows, class_="verdict"), *notes)) if rows else \
        tag("p", "The reference lists no number for these runs' models: nothing to judge.", class_="warn")
    return section("Reproduction verdict", content, id_="verdict", note=VERDICT_NOTE)


def paired_terminal(runs: Sequence[RunView]) -> Group:
    """The paired comparisons of the HTML page as a terminal table (runs by their # in the runs table,
    * marks p < 0.05), then one line per pair that cannot be paired and why."""
    from rich.console import Group
    from rich.text import Text

    pairs, unpaired = paired_results(runs)
    out = Table(title="paired: A minus B on the same problems (sampling noise of both runs; * p < 0.05)",
                header_style="bold")
    for name in ("A", "B", "metric", "n", "A−B pts", "95% CI", "p", "A/B/= better"):
        out.add_column(name, justify="left" if name == "metric" else "right", overflow="fold",
                       no_wrap=name in ("metric", "95% CI"))
    for p in pairs:
        r = p.result
        out.add_row(str(p.a + 1), str(p.b + 1), r.metric, str(r.n_problems), f"{100 * r.diff:+.1f}", ci_text(r.ci),
                    f"{r.p_value:.2g}" + ("*" if r.p_value < 0.05 else ""),
                    f"{r.n_a_better}/{r.n_b_better}/{r.n_equal}")
    lines = [Text(f"not paired: #{i + 1} and #{j + 1}: "
                  + ("different datasets" if runs[i].dataset != runs[j].dataset
                     else "same dataset name, different problem content or ids")) for i, j in unpaired]
    return Group(*([out] if pairs else []), *lines)


def compare_insights(run_dirs: Sequence[Path], reference: str | None = None,
                     target: str | None = None) -> list[Table | Group]:
    """Terminal tables after the runs table: the paired tests (as on the HTML page), each run's verdict
    (when asked) and the cross-dataset gaps."""
    from evaluator.reports.display import id_column

    runs = load_runs(run_dirs)
    names = labels(runs)
    out: list[Table | Group] = [paired_terminal(runs)] if len(runs) > 1 else []
    if reference is not None or target is not None:
        for name, run in zip(names, runs, strict=True):
            rows = run_verdict(run, reference, target)
            if rows:
                out.append(verdict_terminal(rows, f"reproduction verdict: {escape(name)}"))
    gaps = dataset_gaps(runs)
    if gaps:
        gap_table = Table(title="across datasets (contamination signal, not a proof)", header_style="bold")
        id_column(gap_table, "model", [runs[g.a].model for g in gaps], cap=12)
        id_column(gap_table, "A", [runs[g.a].dataset for g in gaps], cap=9)
        id_column(gap_table, "B", [runs[g.b].dataset for g in gaps], cap=9)
        for column in ("A − B pass@1 (pts)", "95% CI (unpaired)"):
            gap_table.add_column(column, overflow="fold")
        for g in gaps:
            r = g.result
            gap_table.add_row(escape(runs[g.a].model), escape(runs[g.a].dataset), escape(runs[g.b].dataset),
                              f"{100 * r.diff:+.1f}", ci_text(r.ci))
        out.append(gap_table)
    return out
