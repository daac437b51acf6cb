"""Run metrics: pass@1, unbiased pass@k, cons@k / maj@k with error bars, paired comparison of two runs.

Pure functions over a per-problem table (`ProblemSamples`). Definitions and formulas: docs/metrics.md.
The numeric kernels live in evaluator.metrics._kernels; the package `evaluator.metrics` re-exports the public names.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np

from evaluator.metrics._kernels import (
    MajEstimate,
    draw_difference,
    draw_fixed,
    draw_pass_rate,
    draw_vote,
    majority_vote,
    pass_at_k,
    percentile_ci,
    sign_flip_pvalue,
    two_level_bootstrap,
)
from evaluator.metrics.samples import ProblemSamples
from evaluator.metrics.specs import METRIC_SPECS, MetricSpec, problem_majorities


def _jsonable(value: object) -> object:
    """Plain JSON types: tuples to lists, int keys to str, non-finite floats to None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [_jsonable(item) for item in value]
    return value


class _ToDict:
    """Mixin: `to_dict()` for the result dataclasses (summary.json stores them)."""

    def to_dict(self) -> dict[str, object]:
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}  # type: ignore[arg-type]


@dataclass(frozen=True)
class RunMetrics(_ToDict):
    """Headline metrics of one run. CIs are None when bootstrap=0; SE is NaN (null) with one problem."""

    n_problems: int  # problems with at least one sample (the ones averaged over)
    n_empty: int  # problems with no sample yet, excluded
    n_samples: int
    samples_min: int
    samples_max: int
    pass1: float
    pass1_se: float
    pass1_ci: tuple[float, float] | None
    pass_at_k: dict[int, float]  # k = 1, 2, 4, ... <= samples_min, plus samples_min
    cons_k: int
    cons: float  # cons@cons_k: mean over problems of the (expected) majority-vote credit
    cons_mc_se: float  # Monte Carlo error of `cons` (0.0 when computed exactly)
    cons_ci: tuple[float, float] | None
    maj_at_k: dict[int, float]  # expected maj@k for k = 1, 2, 4, ... < cons_k
    maj_at_k_mc_se: dict[int, float]
    maj_at_k_exact: dict[int, bool]
    no_answer_rate: float  # fraction of all samples with no extracted answer
    confidence: float
    bootstrap: int
    resample_samples: bool  # two-level bootstrap (problems, then samples) vs problems only
    seed: int


@dataclass(frozen=True)
class ProblemRow(_ToDict):
    """Per-problem line of a report. Rate fields are None for a problem with no samples."""

    problem_id: str
    n: int
    n_correct: int
    pass_rate: float | None
    majority_answer: str | None  # on a tie, the tied answer seen first
    majority_share: float | None  # votes for majority_answer / n (all samples, abstentions included)
    majority_credit: float | None  # majority_vote credit over all n samples
    n_tied: int  # answers sharing the top vote count (> 1 means a tie)
    no_answer: int


@dataclass(frozen=True)
class PairedComparison(_ToDict):
    """Run A minus run B on the same problems: mean difference, paired bootstrap CI and sign-flip p-value."""

    metric: str
    k: int
    n_problems: int
    n_excluded: int  # problems without samples in either run
    mean_a: float
    mean_b: float
    diff: float
    ci: tuple[float, float] | None
    p_value: float
    p_value_exact: bool  # all 2^P sign patterns enumerated (else Monte Carlo with `permutations` draws)
    n_a_better: int
    n_b_better: int
    n_equal: int
    confidence: float
    bootstrap: int
    resample_samples: bool
    seed: int


def _check_unique(problems: Sequence[ProblemSamples]) -> None:
    dupes = sorted(pid for pid, count in Counter(p.problem_id for p in problems).items() if count > 1)
    if dupes:
        raise ValueError(f"duplicate problem ids: {', '.join(dupes[:5])}")


def _curve_ks(n: int) -> list[int]:
    """1, 2, 4, ... up to n, plus n itself."""
    ks = [1 << i for i in range(n.bit_length()) if 1 << i <= n]
    return ks if ks[-1] == n else [*ks, n]


def _mean_estimate(estimates: Sequence[MajEstimate]) -> MajEstimate:
    """Mean over problems; Monte Carlo errors of independent problems add in quadrature."""
    se = math.sqrt(sum(e.se**2 for e in estimates)) / len(estimates)
    return MajEstimate(float(np.mean([e.value for e in estimates])), se, all(e.exact for e in estimates))


def _check_k(k: int, samples_min: int, what: str) -> int:
    if not 1 <= k <= samples_min:
        raise ValueError(
            f"{what} needs 1 <= k <= {samples_min} (the fewest samples of any problem with samples), got k={k}"
        )
    return k


def _check_confidence(confidence: float, bootstrap: int) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    if bootstrap < 0:
        raise ValueError(f"bootstrap must be >= 0, got {bootstrap}")


def summarize(
    problems: Sequence[ProblemSamples],
    k: int | None = None,
    *,
    bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    resample_samples: bool = True,
) -> RunMetrics:
    """Headline metrics of a run; problems with no samples are excluded and counted in n_empty.

    `k` is the cons@k vote size, by default the fewest samples of any problem (so a finished run reports
    cons@n). Problems with more than k samples contribute their expected maj@k over k-subsets.
    The bootstrap resamples problems and, if `resample_samples`, each drawn problem's samples (see
    docs/metrics.md for why the two-level design is conservative).
    """
    _check_unique(problems)
    _check_confidence(confidence, bootstrap)
    included = [p for p in problems if p.n > 0]
    if not included:
        raise ValueError("no problem has any samples yet; nothing to summarize")
    ns = np.array([p.n for p in included])
    cs = np.array([p.n_correct for p in included])
    samples_min = int(ns.min())
    cons_k = _check_k(samples_min if k is None else k, samples_min, "cons@k")
    rates = cs / ns
    se = float(rates.std(ddof=1) / math.sqrt(rates.size)) if rates.size > 1 else math.nan

    votes = [(p.problem_id, p.clusters()) for p in included]
    maj_ks = [kk for kk in _curve_ks(cons_k) if kk < cons_k]
    per_k = [problem_majorities(cl, pid, [*maj_ks, cons_k], seed) for pid, cl in votes]
    cons_per_problem = [curve[cons_k] for curve in per_k]
    cons = _mean_estimate(cons_per_problem)
    maj = {kk: _mean_estimate([curve[kk] for curve in per_k]) for kk in maj_ks}

    pass1_ci = cons_ci = None
    if bootstrap > 0:
        rng = np.random.default_rng(seed)
        if resample_samples:
            pass_draws = [draw_pass_rate(p.n, p.n_correct) for p in included]
            vote_draws = [draw_vote(cl, cons_k) for _, cl in votes]
        else:
            pass_draws = [draw_fixed(rate) for rate in rates]
            vote_draws = [draw_fixed(e.value) for e in cons_per_problem]
        pass1_ci = percentile_ci(two_level_bootstrap(pass_draws, bootstrap, rng), confidence)
        cons_ci = percentile_ci(two_level_bootstrap(vote_draws, bootstrap, rng), confidence)

    return RunMetrics(
        n_problems=len(included),
        n_empty=len(problems) - len(included),
        n_samples=int(ns.sum()),
        samples_min=samples_min,
        samples_max=int(ns.max()),
        pass1=float(rates.mean()),
        pass1_se=se,
        pass1_ci=pass1_ci,
        pass_at_k={
            kk: float(np.mean([pass_at_k(p.n, p.n_correct, kk) for p in included]))
            for kk in _curve_ks(samples_min)
        },
        cons_k=cons_k,
        cons=cons.value,
        cons_mc_se=cons.se,
        cons_ci=cons_ci,
        maj_at_k={kk: e.value for kk, e in maj.items()},
        maj_at_k_mc_se={kk: e.se for kk, e in maj.items()},
        maj_at_k_exact={kk: e.exact for kk, e in maj.items()},
        no_answer_rate=sum(p.answers.count(None) for p in included) / int(ns.sum()),
        confidence=confidence,
        bootstrap=bootstrap,
        resample_samples=resample_samples,
        seed=seed,
    )


def per_problem(problems: Sequence[ProblemSamples]) -> list[ProblemRow]:
    """One row per problem, in input order, including problems with no samples yet."""
    rows = []
    for p in problems:
        votes = Counter(a for a in p.answers if a is not None)
        top = max(votes.values(), default=0)
        tied = [a for a, count in votes.items() if count == top]
        rows.append(
            ProblemRow(
                problem_id=p.problem_id,
                n=p.n,
                n_correct=p.n_correct,
                pass_rate=p.n_correct / p.n if p.n else None,
                majority_answer=tied[0] if tied else None,
                majority_share=top / p.n if p.n else None,
                majority_credit=majority_vote(p.answers, p.accepted) if p.n else None,
                n_tied=len(tied),
                no_answer=p.answers.count(None),
            )
        )
    return rows


def _parse_metric(metric: str, samples_min: int) -> tuple[MetricSpec, int]:
    """'pass@1', 'pass@8', 'cons@64', 'maj@16', 'cons@n' -> (its MetricSpec, k); maj is a synonym of cons."""
    name, at, k_text = metric.strip().partition("@")
    spec = METRIC_SPECS.get(name)
    if spec is None or not at or not (k_text == "n" or k_text.isdecimal()):
        raise ValueError(f"unknown metric {metric!r}; use {', '.join(f'{n}@K' for n in METRIC_SPECS)} or cons@n")
    k = samples_min if k_text == "n" else int(k_text)
    return spec, _check_k(k, samples_min, metric)


def paired_comparison(
    a: Sequence[ProblemSamples],
    b: Sequence[ProblemSamples],
    metric: str = "pass@1",
    *,
    bootstrap: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    permutations: int = 10_000,
    resample_samples: bool = False,
) -> PairedComparison:
    """Compare run A with run B problem by problem (diff = A - B).

    Both runs must cover the same problem ids; problems without samples in either run are excluded.
    The CI resamples problems jointly (and, with `resample_samples`, each run's samples too: off by
    default because it counts sampling noise twice and over-covers, see docs/metrics.md); the p-value is a two-sided
    paired sign-flip test on the per-problem differences (exact for <= 16 problems).
    """
    _check_unique(a)
    _check_unique(b)
    _check_confidence(confidence, bootstrap)
    by_id_a = {p.problem_id: p for p in a}
    by_id_b = {p.problem_id: p for p in b}
    if by_id_a.keys() != by_id_b.keys():
        only_a = sorted(by_id_a.keys() - by_id_b.keys())
        only_b = sorted(by_id_b.keys() - by_id_a.keys())
        raise ValueError(
            "paired_comparison needs the same problems in both runs: "
            f"{len(only_a)} only in A {only_a[:5]}, {len(only_b)} only in B {only_b[:5]}"
        )
    ids = [pid for pid in by_id_a if by_id_a[pid].n > 0 and by_id_b[pid].n > 0]
    if not ids:
        raise ValueError("paired_comparison: no problem has samples in both runs")
    samples_min = min(min(by_id_a[pid].n, by_id_b[pid].n) for pid in ids)
    spec, k = _parse_metric(metric, samples_min)

    per_a = [(spec.per_problem(by_id_a[pid], k, seed), spec.draw(by_id_a[pid], k)) for pid in ids]
    per_b = [(spec.per_problem(by_id_b[pid], k, seed), spec.draw(by_id_b[pid], k)) for pid in ids]
    points_a = np.array([value for value, _ in per_a])
    points_b = np.array([value for value, _ in per_b])
    diffs = points_a - points_b
    rng = np.random.default_rng(seed)
    ci = None
    if bootstrap > 0:
        if resample_samples:
            inner = [draw_difference(da, db) for (_, da), (_, db) in zip(per_a, per_b, strict=True)]
        else:
            inner = [draw_fixed(d) for d in diffs]
        ci = percentile_ci(two_level_bootstrap(inner, bootstrap, rng), confidence)
    p_value, exact = sign_flip_pvalue(diffs, rng, permutations)
    return PairedComparison(
        metric=f"{spec.name}@{k}",
        k=k,
        n_problems=len(ids),
        n_excluded=len(by_id_a) - len(ids),
        mean_a=float(points_a.mean()),
        mean_b=float(points_b.mean()),
        diff=float(diffs.mean()),
        ci=ci,
        p_value=p_value,
        p_value_exact=exact,
        n_a_better=int(np.count_nonzero(diffs > 0)),
        n_b_better=int(np.count_nonzero(diffs < 0)),
        n_equal=int(np.count_nonzero(diffs == 0)),
        confidence=confidence,
        bootstrap=bootstrap,
        resample_samples=resample_samples,
        seed=seed,
    )
