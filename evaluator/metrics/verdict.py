"""The reproduction verdict: is a run consistent with a published number, and how many samples would tell?

For each target (a published pass@1 or cons@k, or one the user gives), the run is *consistent* at the
confidence level when the target lies inside the run's bootstrap CI for that metric (the CI of
summary.json: same estimator, same seed, same two-level bootstrap). The gap is run minus target, with
the CI shifted by the target. The sample-size projection models the CI half-width of pass@1 with k
samples on each of the P problems as

    h(k) = z * sqrt((s_b^2 + 2 w / k) / P)

where w is the mean within-problem variance r_i(1 - r_i) n_i/(n_i - 1) and s_b^2 = max(0, var(r_i) - mean(w_i/n_i))
the spread of the problems' true rates (the two-level bootstrap counts the sampling noise twice, hence
2w). As k grows h falls to the floor z*s_b/sqrt(P): when that floor is above the wanted half-width no
number of samples can reach it, because the spread across problems dominates. Conditional on these
problems (the question "did I reproduce the paper on the same 30 problems"), only sampling noise
counts: h_fixed(k) = z * sqrt(w / (k P)). Formulas and caveats: docs/metrics.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from evaluator.metrics.estimators import ProblemSamples, RunMetrics, _ToDict, summarize

#: Half-width, in fractions, the sample-size projection aims at (±1 point: the precision a reproduction claim needs).
WANTED_HALF_WIDTH = 0.01
_TARGET = re.compile(r"\s*(pass1|pass@1|cons|cons@\d+|maj@\d+)\s*=\s*([0-9]+(?:\.[0-9]*)?)\s*")


@dataclass(frozen=True)
class Target:
    """A number to compare the run with: metric "pass1" or "cons", value a fraction, where it comes from."""

    metric: str
    value: float
    source: str
    k: int | None = None  # the vote size of a published cons@k (None: whatever the run's cons@k is)
    dataset: str | None = None  # the problem set the published number is on (None: the run's)

    def __post_init__(self) -> None:
        if self.metric not in ("pass1", "cons"):
            raise ValueError(f"target metric must be pass1 or cons, got {self.metric!r}")
        if not 0.0 <= self.value <= 1.0:
            raise ValueError(f"target {self.metric}={self.value} is not a fraction in [0, 1]")


@dataclass(frozen=True)
class VerdictRow(_ToDict):
    """The run against one target. Fractions in [0, 1]; `gap` is run minus target."""

    metric: str  # "pass@1" or "cons@K" as the run measured it
    source: str
    target: float
    estimate: float
    ci: tuple[float, float]
    consistent: bool  # the target lies inside the run's CI
    gap: float
    gap_ci: tuple[float, float]
    half_width: float  # of the run's CI: (hi - lo) / 2
    floor: float  # half-width no number of samples per problem can go below (spread across problems)
    samples_for_1pt: int | None  # samples per problem for a CI of ±1 point; None: no k can (see `note`)
    samples_for_1pt_fixed_problems: int | None  # the same, holding the problems fixed (sampling noise only)
    comparable: bool  # False when the published number is on another problem set, or a cons@k with another k
    note: str


def parse_targets(text: str, source: str = "--target") -> list[Target]:
    """'pass1=71.0,cons=86.7' (percent) -> targets; `cons@64=86.7` names the published k. ValueError if malformed."""
    targets = []
    for part in (p for p in text.split(",") if p.strip()):
        match = _TARGET.fullmatch(part)
        if match is None:
            raise ValueError(f"--target {part.strip()!r}: write METRIC=PERCENT with METRIC pass1 or cons "
                             "(e.g. pass1=71.0,cons=86.7)")
        name, value = match.group(1), float(match.group(2))
        if value > 100:
            raise ValueError(f"--target {part.strip()!r}: {value} is not a percentage (0-100)")
        metric = "pass1" if name.startswith("pass") else "cons"
        k = int(name.split("@")[1]) if metric == "cons" and "@" in name else None
        targets.append(Target(metric, value / 100, source, k))
    if not targets:
        raise ValueError("--target is empty: give e.g. pass1=71.0,cons=86.7")
    return targets


def _projection(problems: Sequence[ProblemSamples], confidence: float) -> tuple[float, int | None, int]:
    """pass@1: (floor, samples for ±1 point with problems resampled or None, the same with problems fixed)."""
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    n = np.array([p.n for p in problems], dtype=float)
    r = np.array([p.n_correct for p in problems], dtype=float) / n
    within = r * (1 - r) * np.where(n > 1, n / np.maximum(n - 1, 1), 1.0)
    w = float(within.mean())
    spread = float(np.var(r, ddof=1)) if r.size > 1 else 0.0
    between = max(0.0, spread - float((within / n).mean()))
    size = r.size
    floor = z * math.sqrt(between / size)
    room = size * (WANTED_HALF_WIDTH / z) ** 2 - between
    needed = None if room <= 0 else max(1, math.ceil(2 * w / room))
    fixed = max(1, math.ceil(z**2 * w / (size * WANTED_HALF_WIDTH**2)))
    return floor, needed, fixed


def _cons_floor(problems: Sequence[ProblemSamples], metrics: RunMetrics, confidence: float) -> float:
    """cons@k: the spread of the per-problem vote credits, which more samples per problem do not remove."""
    from evaluator.metrics.specs import problem_majorities

    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    credits = [problem_majorities(p.clusters(), p.problem_id, [metrics.cons_k], metrics.seed)[metrics.cons_k].value
               for p in problems]
    return z * float(np.std(credits, ddof=1)) / math.sqrt(len(credits)) if len(credits) > 1 else 0.0


def reproduction_verdict(
    problems: Sequence[ProblemSamples],
    targets: Sequence[Target],
    *,
    bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    dataset: str | None = None,
) -> list[VerdictRow]:
    """One row per target; the CIs are those of `summarize` with the same arguments (summary.json's by default).
    `dataset` is the run's problem set: a target published on another set is marked not comparable."""
    if bootstrap < 1:
        raise ValueError("a verdict needs a bootstrap CI: bootstrap >= 1")
    metrics = summarize(problems, bootstrap=bootstrap, seed=seed, confidence=confidence)
    included = [p for p in problems if p.n > 0]
    floor, needed, fixed = _projection(included, confidence)
    rows = []
    for t in targets:
        if t.metric == "pass1":
            name, estimate, ci = "pass@1", metrics.pass1, metrics.pass1_ci
            row_floor, row_needed, row_fixed, comparable = floor, needed, fixed, True
            note = ("" if needed is not None else
                    f"no k gives ±{100 * WANTED_HALF_WIDTH:g} point: the spread across the {len(included)} problems "
                    f"alone leaves ±{100 * floor:.1f}; only more problems narrow it")
        else:
            name, estimate, ci = f"cons@{metrics.cons_k}", metrics.cons, metrics.cons_ci
            row_floor = _cons_floor(included, metrics, confidence)
            row_needed = row_fixed = None
            comparable = t.k is None or t.k == metrics.cons_k
            note = (f"the votes' spread across the {len(included)} problems leaves ±{100 * row_floor:.1f} whatever k"
                    if row_floor > WANTED_HALF_WIDTH else "sample-size projection not modelled for cons@k")
            if not comparable:
                note = f"published cons@{t.k}, this run cons@{metrics.cons_k}: not the same metric; " + note
        if t.dataset is not None and dataset is not None and t.dataset != dataset:
            comparable = False
            note = f"published on {t.dataset}, this run is on {dataset}: not comparable; " + note
        assert ci is not None
        lo, hi = ci
        rows.append(VerdictRow(
            metric=name, source=t.source, target=t.value, estimate=estimate, ci=(lo, hi),
            consistent=lo <= t.value <= hi, gap=estimate - t.value, gap_ci=(lo - t.value, hi - t.value),
            half_width=(hi - lo) / 2, floor=row_floor, samples_for_1pt=row_needed,
            samples_for_1pt_fixed_problems=row_fixed, comparable=comparable, note=note,
        ))
    return rows
