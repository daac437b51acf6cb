"""Report and compare sections that answer a researcher's questions about a run: did the protocol really
run (protocol checks), how stable is it (pass^k, G-Pass@k), how does accuracy grow with the token budget.

Each function returns one page section (or "" when the run has nothing to show), built from summary.json
and budget.json as stored or computed by evaluator.reports.budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from evaluator.reports._html import Safe, join, number, pct, section, table, tag
from evaluator.reports.budget import stored_or_computed
from evaluator.reports.plots import Series, budget_plot
from evaluator.reports.runview import RunView
from evaluator.run.record_types import Summary

_METHOD_NOTE = {"tokens": "end of thinking: token counts",
                "estimate": "end of thinking: estimated from characters"}


def checks_section(summary: Summary) -> Safe:
    """Every protocol check of summary.json: passed or failed, with what it saw."""
    checks = summary.get("checks")
    if checks is None:
        return section("Protocol checks", tag("p", "This run's summary has no checks: run `evaluate score RUN_DIR` "
                                                   "to compute them.", class_="note"), id_="checks")
    rows = [(tag("span", "✓ passed", class_="ok") if c["passed"] else tag("strong", "✗ failed", class_="bad"),
             c["name"], c["detail"]) for c in checks]
    failed = sum(not c["passed"] for c in checks)
    note = (f"{failed} of {len(checks)} checks failed: read them before trusting the numbers." if failed
            else f"All {len(checks)} checks passed.")
    return section("Protocol checks", table(("result", "check", "what was seen"), rows, class_="checks"),
                   id_="checks", note=note)


def stability_section(summary: Summary) -> Safe:
    """pass^k and G-Pass@k by k (docs/metrics.md)."""
    stab = summary.get("stability")
    if not stab:
        return Safe("")
    ks = [str(k) for k in stab["ks"]]
    rows: list[list[Any]] = [["pass^k (all k correct)", *(number(stab["pass_hat_k"][k], f"pass_hat_{k}",
                                                              pct(stab["pass_hat_k"][k])) for k in ks)]]
    for tau, by_k in stab["g_pass_at_k"].items():
        rows.append([f"G-Pass@k, τ={tau}", *(number(by_k[k], f"g_pass_{tau}_{k}", pct(by_k[k])) for k in ks)])
    return section("Stability: pass^k and G-Pass@k", table(("metric (%)", *(f"k={k}" for k in ks)), rows,
                                                            class_="stability"), id_="stability",
                   note="Over random k-subsets of each problem's samples: pass^k needs all k correct, G-Pass@k_τ at "
                        "least ⌈τk⌉; τ=1.0 equals pass^k and k=1 equals pass@1.")


def budget_section(runs: Sequence[RunView], names: Sequence[str]) -> Safe:
    """pass@1 and cons@k against the token budget, one line per run, with 95% CIs (from one run each)."""
    curves = [(name, stored_or_computed(run)) for name, run in zip(names, runs, strict=True)]
    shown = [(name, data) for name, data in curves if data]
    if not shown:
        return Safe("")
    methods = sorted({data["method"] for _, data in shown})
    note = "; ".join(_METHOD_NOTE[m] for m in methods)
    pass_series, cons_series = [], []
    for name, data in shown:
        points = data["budgets"]
        pass_series.append(Series(name, {p["budget"]: p["pass1"] for p in points},
                                  {p["budget"]: tuple(p["pass1_ci"]) for p in points if p.get("pass1_ci")}))
        cons_series.append(Series(name, {p["budget"]: p["cons"] for p in points},
                                  {p["budget"]: tuple(p["cons_ci"]) for p in points if p.get("cons_ci")}))
    ks = sorted({data["k"] for _, data in shown})
    plots = (budget_plot("pass@1 by token budget", "pass@1 (%)", pass_series, note),
             budget_plot(f"cons@{'/'.join(map(str, ks))} by token budget", "cons@k (%)", cons_series, note))
    first = shown[0][1]
    rows = [(f"{p['budget']:,}", pct(p["pass1"]), pct(p["cons"]), pct(p["thinking_share"]), f"{p['mean_tokens']:,.0f}")
            for p in first["budgets"]]
    detail = table(("budget", "pass@1 (%)", f"cons@{first['k']} (%)", "still thinking (%)", "tokens (mean)"), rows,
                   class_="budget") if len(shown) == 1 else Safe("")
    why = f"{note}. " if "estimate" in methods else ""
    return section("Token budget", join((tag("div", join(tag("div", p, class_="plot") for p in plots),
                                             class_="plots"), detail)), id_="budget",
                   note=f"{why}Each sample counted as if stopped at the budget: finished within it, its grade; cut "
                        "before its thinking ended, no answer; thinking ended but the summary cut, the reasoning's "
                        "last box (docs/metrics.md). `evaluate budget RUN_DIR` writes budget.json.")
