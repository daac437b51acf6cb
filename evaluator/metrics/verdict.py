"""The reproduction verdict: is a run consistent with a published number, and how many samples would tell?

A published number on the same problems (DeepSeek-R1's 71.0 / 86.7 on AIME 2024) answers the
*same-problems* question: only sampling noise separates a faithful reproduction from it. So for each
target the gap run − target gets the run's same-problems variance (evaluator.metrics.intervals) plus,
when the number of samples behind the published figure is known (DeepSeek: 64 per problem), that
figure's own sampling variance, estimated from the run's problems as if the same model had been sampled
again. The run is *consistent* when the gap's interval contains 0. The sample-size projection models
the half-width of pass@1 with k samples on each of the P problems as

    problems resampled:  h(k) = z * sqrt((s_b^2 + w / k) / P)
    same problems:       h_fixed(k) = z * sqrt(w / (k P))

where w is the mean within-problem variance r_i(1 - r_i) n_i/(n_i - 1) and s_b^2 = max(0, var(r_i) - mean(w_i/n_i))
the spread of the problems' true rates. As k grows h falls to the floor z*s_b/sqrt(P): no number of samples
narrows the new-problems interval below it. Formulas and caveats: docs/metrics.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from evaluator.metrics.estimators import ProblemSamples, RunMetrics, _ToDict, summarize
from evaluator.metrics.intervals import cons_vote_variances, difference_interval, pass1_variances

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
    samples: int | None = None  # samples per problem behind the published number (None: unknown, noise not counted)

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
    ci: tuple[float, float]  # the run's same-problems interval (summary.json's pass1_ci / cons_ci)
    ci_new_problems: tuple[float, float] | None  # for reading only: the verdict does not use it
    published_samples: int | None  # samples per problem behind the target; its noise is in gap_ci when known
    consistent: bool  # gap_ci contains 0
    gap: float
    gap_ci: tuple[float, float]  # same problems: the run's and (when known) the published number's noise
    half_width: float  # of the run's same-problems CI: (hi - lo) / 2
    floor: float  # half-width no number of samples per problem can go below (spread across problems)
    samples_for_1pt: int | None  # samples per problem for a CI of ±1 point; None: no k can (see `note`)
    samples_for_1pt_fixed_problems: int | None  # the same, holding the problems fixed (sampling noise only)
    comparable: bool  # False when the published number is on another problem set, or a cons@k with another k
    note: str


def parse_targets(text: str, source: str = "--target") -> list[Target]:
    """'pass1=71.0,cons=86.7' (percent) -> targets; `cons@64=86.7` names the published k, and so the 64 samples
    per problem behind it. ValueError if malformed."""
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
        targets.append(Target(metric, value / 100, source, k, samples=k))
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
    needed = None if room <= 0 else max(1, math.ceil(w / room))
    fixed = max(1, math.ceil(z**2 * w / (size * WANTED_HALF_WIDTH**2)))
    return floor, needed, fixed


def _cons_floor(problems: Sequence[ProblemSamples], metrics: RunMetrics, confidence: float) -> float:
    """cons@k: the spread of the per-problem vote credits, which more samples per problem do not remove."""
    from evaluator.metrics.specs import problem_majorities

    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    credits = [problem_majorities(p.clusters(), p.problem_id, [metrics.cons_k], metrics.seed)[metrics.cons_k].value
               for p in problems]
    return z * float(np.std(credits, ddof=1)) / math.sqrt(len(credits)) if len(credits) > 1 else 0.0


def _published_variance(problems: Sequence[ProblemSamples], t: Target, cons_k: int, seed: int) -> float:
    """Variance of the published number on these problems, from its sample count (0 when unknown)."""
    if t.samples is None:
        return 0.0
    if t.metric == "pass1":
        return float(pass1_variances([(p.n_correct, p.n) for p in problems], t.samples).sum()) / len(problems) ** 2
    k = t.k or cons_k
    if k > t.samples:
        return 0.0
    return float(cons_vote_variances(problems, k, seed=seed).sum()) * (k / t.samples) / len(problems) ** 2


def reproduction_verdict(
    problems: Sequence[ProblemSamples],
    targets: Sequence[Target],
    *,
    bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    dataset: str | None = None,
) -> list[VerdictRow]:
    """One row per target; the run's intervals are those of `summarize` with the same arguments (summary.json's).
    `dataset` is the run's problem set: a target published on another set is marked not comparable."""
    metrics = summarize(problems, bootstrap=bootstrap, seed=seed, confidence=confidence)
    included = [p for p in problems if p.n > 0]
    floor, needed, fixed = _projection(included, confidence)
    rows = []
    for t in targets:
        if t.metric == "pass1":
            name, estimate, ci, ci_new = "pass@1", metrics.pass1, metrics.pass1_ci, metrics.pass1_ci_new_problems
            se = metrics.pass1_se_same_problems
            row_floor, row_needed, row_fixed, comparable = floor, needed, fixed, True
            note = ("" if needed is not None else
                    f"with new problems no k gives ±{100 * WANTED_HALF_WIDTH:g} point: the spread across the "
                    f"{len(included)} problems alone leaves ±{100 * floor:.1f} and only more problems narrow it; on "
                    f"these problems {fixed:,} samples each would do")
        else:
            name, estimate, ci, ci_new = f"cons@{metrics.cons_k}", metrics.cons, metrics.cons_ci, metrics.cons_ci_new_problems
            se = metrics.cons_se_same_problems
            row_floor = _cons_floor(included, metrics, confidence)
            row_needed = row_fixed = None
            comparable = t.k is None or t.k == metrics.cons_k
            note = "sample-size projection not modelled for cons@k"
            if not comparable:
                note = f"published cons@{t.k}, this run cons@{metrics.cons_k}: not the same metric; " + note
        if t.dataset is not None and dataset is not None and t.dataset != dataset:
            comparable = False
            note = f"published on {t.dataset}, this run is on {dataset}: not comparable; " + note
        if t.samples is None:
            note = (note + "; " if note else "") + "the target's own sampling noise is not counted (its sample count is unknown)"
        gap = estimate - t.value
        gap_se = math.sqrt(se**2 + _published_variance(included, t, metrics.cons_k, seed))
        gap_ci = difference_interval(gap, gap_se, confidence)
        rows.append(VerdictRow(
            metric=name, source=t.source, target=t.value, estimate=estimate, ci=ci, ci_new_problems=ci_new,
            published_samples=t.samples, consistent=gap_ci[0] <= 0.0 <= gap_ci[1], gap=gap, gap_ci=gap_ci,
            half_width=(ci[1] - ci[0]) / 2, floor=row_floor, samples_for_1pt=row_needed,
            samples_for_1pt_fixed_problems=row_fixed, comparable=comparable, note=note,
        ))
    return rows
