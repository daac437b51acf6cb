"""Rich output for the terminal: the results tables (the progress while sampling: reports/progress.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from evaluator.run.record_types import Summary

if TYPE_CHECKING:
    from evaluator.run.presets import ModelPreset


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def _ci(ci: list[float] | None) -> str:
    return "" if not ci else f"[{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]"


def _no_ci(summary: Summary) -> str:
    return "needs 2+ problems" if summary.get("n_problems") == 1 else ""


def _summary_labels(summary: Summary) -> list[str]:
    """The longest row labels of the summary table (those naming a model), for its first column's width."""
    judge = summary.get("judge")
    return ["completion tokens (mean)"] + ([f"judge {judge['model']}: judged / flipped"] if judge else [])


def summary_table(title: str, summary: Summary) -> Table:
    """Headline numbers: pass@1 ± SE and CI, cons@k, pass@k, no-answer and truncation rates, tokens."""
    table = Table(title=title, show_header=True, header_style="bold")
    id_column(table, "metric", _summary_labels(summary), cap=40)
    table.add_column("value", justify="right", overflow="fold")
    m = summary.get("metrics")
    table.add_column(f"{int(100 * m['confidence'])}% CI" if m else "CI", overflow="fold")
    if m:
        # the SE of the interval beside it (same problems); older summaries: the SE over problems (null for one)
        se_value = m.get("pass1_se_same_problems", m["pass1_se"])
        se = "" if se_value is None else f" ± {_pct(se_value)}"
        same = " same problems" if "pass1_ci_new_problems" in m else ""  # older summaries: one two-level CI
        table.add_row("pass@1 (%)", f"{_pct(m['pass1'])}{se}", (_ci(m["pass1_ci"]) + same) or _no_ci(summary))
        if m.get("pass1_ci_new_problems"):
            table.add_row("", "", _ci(m["pass1_ci_new_problems"]) + " new problems")
        if m.get("bayes_ci"):
            table.add_row("Bayes@N (%)", _pct(m["bayes_mean"]), _ci(m["bayes_ci"]) + " credible")
        table.add_row(f"cons@{m['cons_k']} (%)", _pct(m["cons"]), _ci(m["cons_ci"]) + same)
        if m.get("cons_ci_new_problems"):
            table.add_row("", "", _ci(m["cons_ci_new_problems"]) + " new problems")
        top_k = max(int(k) for k in m["pass_at_k"])
        if top_k > 1:
            table.add_row(f"pass@{top_k} (%)", _pct(m["pass_at_k"][str(top_k)]), "")
    rates = summary["rates"]
    table.add_row("no answer (%)", _pct(rates["no_answer"]), "")
    table.add_row("truncated (%)", _pct(rates["truncated"]), "")
    tokens = summary["tokens"]
    if tokens["completion_mean"] is not None:
        table.add_row("completion tokens (mean)", f"{tokens['completion_mean']:,.0f}", "")
    table.add_row("samples", f"{summary['n_samples']} / {summary['expected_samples']}", "")
    if summary.get("overrides"):
        table.add_row("human overrides", str(summary["overrides"]), "")
    if summary["errors"]:
        table.add_row("[red]errors (retried next run)", str(summary["errors"]), "")
    imported = summary.get("imported")
    if imported and imported.get("reported_accuracy") is not None:
        table.add_row("accuracy reported in the dump (%)", _pct(imported["reported_accuracy"]), "")
    if summary.get("cost_usd") is not None:
        table.add_row("cost (USD)", f"{summary['cost_usd']:.2f}", "")
    judge = summary.get("judge")
    if judge:
        table.add_row(f"judge {judge['model']}: judged / flipped", f"{judge['judged']} / {judge['flipped']}",
                      f"{judge['pending']} pending" if judge["pending"] else "")
        table.add_row("pass@1 without / with judge (%)",
                      f"{_pct(judge['pass1'])} / {_pct(judge['pass1_with_judge'])}", "")
        if judge.get("cost_usd") is not None:
            table.add_row("judge cost (USD)", f"{judge['cost_usd']:.2f}", "")
    return table


def contest_table(summary: Summary) -> Table:
    """One row per contest of a collection run, then the overall row."""
    table = Table(title="per contest", header_style="bold")
    rows = [*summary.get("contests", {}).items(), ("overall", summary)]
    id_column(table, "contest", [name for name, _ in rows], cap=30)
    for name in ("problems", "pass@1 (%)", "cons (%)"):
        table.add_column(name, justify="right", overflow="fold")
    for name, part in rows:
        m = part.get("metrics") or {}
        table.add_row(name, str(part["n_problems"]), _pct(m.get("pass1")), _pct(m.get("cons")))
    return table


def per_problem_table(summary: Summary, golds: dict[str, str]) -> Table:
    table = Table(title="per problem", header_style="bold")
    table.add_column("problem", overflow="fold", min_width=min(30, max((len(str(r["problem_id"]))
                                                                        for r in summary["per_problem"]), default=7)))
    for name, justify in ( ("gold", "right"), ("pass rate", "right"),
                          ("correct", "right"), ("majority", "right"), ("share", "right"), ("no answer", "right")):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in summary["per_problem"]:
        majority = row["majority_answer"] or "-"
        gold = golds.get(row["problem_id"], "")
        style = "green" if majority == gold else ""
        table.add_row(
            row["problem_id"], gold, _pct(row["pass_rate"]), f"{row['n_correct']}/{row['n']}",
            f"[{style}]{majority}[/]" if style else majority, _pct(row["majority_share"]), str(row["no_answer"]),
        )
    return table


def budget_table(data: dict[str, Any]) -> Table:
    """The token-budget curve (budget.json) as a table; the title says how the end of thinking was found."""
    how = "token counts" if data["method"] == "tokens" else "estimated from characters"
    table = Table(title=f"accuracy by token budget (end of thinking: {how}; cons@{data['k']})", header_style="bold")
    for name in ("budget", "pass@1 (%)", "95% CI", f"cons@{data['k']} (%)", "still thinking (%)", "tokens (mean)"):
        table.add_column(name, justify="right", overflow="fold")
    for b in data["budgets"]:
        table.add_row(f"{b['budget']:,}", _pct(b["pass1"]), _ci(b["pass1_ci"]), _pct(b["cons"]),
                      _pct(b["thinking_share"]), f"{b['mean_tokens']:,.0f}")
    table.caption, table.caption_justify = _abstain_note(data), "left"
    return table


def _abstain_note(data: dict[str, Any]) -> str | None:
    """Why cons@k can stay high while most samples still think: a sample without an answer abstains from
    the vote, so the vote rests on the few that finished. Said where it shows (half or more thinking and
    cons above pass@1), with the first such budget as the example; None elsewhere."""
    odd = [b for b in data["budgets"] if (b["thinking_share"] or 0) >= 0.5 and b["cons"] is not None
           and b["pass1"] is not None and b["cons"] > b["pass1"]]
    if not odd:
        return None
    b = odd[0]
    return (f"cons@{data['k']}: samples still thinking give no answer and abstain from the vote, so where most "
            f"still think (at {b['budget']:,}: {_pct(b['thinking_share'])}%) the vote rests on the few that "
            f"finished; pass@1 counts every sample")
def id_column(table: Table, header: str, values: Any, cap: int) -> None:
    """A column for identifiers (model ids, dataset names, problem ids): as wide as its longest value up
    to `cap`, folded onto more lines beyond that, never cut with an ellipsis. Every other column of our
    tables folds too (overflow="fold"): at 80 columns, or piped, no cell loses characters."""
    table.add_column(header, overflow="fold", min_width=min(cap, max((len(str(v)) for v in values), default=1)))


def models_list(presets: Sequence[ModelPreset], ending: Callable[[ModelPreset], str]) -> Group:
    """`evaluate models`: for each preset its name and backend, the model id it runs and how its prompt
    really ends (`ending(preset)`), each on a line of its own (never truncated, whatever the terminal
    width), and what it really is."""
    blocks = []
    for p in presets:
        head = Text.assemble((p.name, "bold"), f"  ({p.backend})")
        runs = Text.assemble("  runs ", (p.model, "cyan"))
        tail = Text.assemble("  prompt ends with ", ending(p))
        notes = Text("  " + p.description + (f" WARNING: {p.warning}" if p.warning else ""))
        blocks += [head, runs, tail, notes, Text("")]
    return Group(*blocks[:-1])
