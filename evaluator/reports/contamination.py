"""The compare page's contamination view: one model's pass@1 on different problem sets (AIME 2024 vs
2025, later 2026 or HMMT), the gap with an unpaired bootstrap CI over problems.

Labelled as a signal, never a proof: a gap can also mean the sets differ in difficulty. Runs are grouped
by model (the same name the runs table shows, or a shared model id); within a model every pair of runs
on different problems is listed, older dataset name first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from evaluator.metrics.unpaired import UnpairedDifference, unpaired_difference
from evaluator.reports._html import Safe, ci_text, number, pct, table, tag
from evaluator.reports.runview import RunView, same_problems

NOTE = ("The same model on different problem sets: pass@1 of the first minus the second, with a 95% CI from an "
        "unpaired bootstrap over problems. A model much better on an older set than on a newer one is a "
        "contamination signal, not a proof: the sets may simply differ in difficulty.")


@dataclass(frozen=True)
class DatasetGap:
    a: int  # indexes into the run list; runs[a] has the dataset name that sorts first
    b: int
    result: UnpairedDifference


def _same_model(x: RunView, y: RunView) -> bool:
    return x.model == y.model or bool(set(x.model_names) & set(y.model_names) - {"mock"})


def dataset_gaps(runs: Sequence[RunView], bootstrap: int = 1000) -> list[DatasetGap]:
    """Every pair of runs of one model on different problems."""
    gaps = []
    for i, j in combinations(range(len(runs)), 2):
        if same_problems(runs[i], runs[j]) or not _same_model(runs[i], runs[j]):
            continue
        a, b = (i, j) if runs[i].dataset <= runs[j].dataset else (j, i)
        gaps.append(DatasetGap(a, b, unpaired_difference(runs[a].table(), runs[b].table(), bootstrap=bootstrap)))
    return gaps


def gaps_html(runs: Sequence[RunView], gaps: Sequence[DatasetGap]) -> Safe:
    """The gap table, or a sentence saying no model ran on two problem sets."""
    if not gaps:
        return tag("p", "No model in this comparison ran on two different problem sets.", class_="note")
    rows = []
    for g in gaps:
        r = g.result
        clear = r.ci is not None and (r.ci[0] > 0 or r.ci[1] < 0)
        rows.append((
            runs[g.a].model, runs[g.a].dataset, runs[g.b].dataset, pct(r.mean_a), pct(r.mean_b),
            number(r.diff, "gap", f"{100 * r.diff:+.1f}"), number(list(r.ci) if r.ci else None, "gap_ci", ci_text(r.ci)),
            tag("strong", "gap beyond noise (signal)") if clear else "within noise",
        ))
    return table(("model", "set A", "set B", "A pass@1 (%)", "B pass@1 (%)", "A − B (pts)", "95% CI (unpaired)",
                  "reading"), rows, class_="contamination")
