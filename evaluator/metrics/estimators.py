"""Run metrics: pass@1, unbiased pass@k, cons@k / maj@k with error bars, paired comparison of two runs.

Pure functions over a per-problem table (`ProblemSamples`). Definitions and formulas: docs/metrics.md.
The numeric kernels live in evaluator.metrics._kernels; the package `evaluator.metrics` re-exports the public names.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from statistics import NormalDist

import numpy as np

from evaluator.metrics._kernels import (
    MajEstimate,
    draw_fixed,
    pass_at_k,
    percentile_ci,
    sign_flip_pvalue,
    two_level_bootstrap,
    vote_credit,
)
from evaluator.metrics.intervals import (
    bayes_at_n,
    bayes_decision,
    cons_same_problems_se,
    difference_interval,
    normal_interval,
    pass1_same_problems_se,
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
    """Headline metrics of one run, each interval named by the question it answers (docs/metrics.md).

    `pass1_ci` and `cons_ci` are *same-problems* intervals (sampling noise only: the precision of this
    measurement on these problems); the `*_new_problems` ones resample problems (unseen problems of this
    kind) and are None when bootstrap=0. `pass1_se` is the new-problems SE (NaN, null, with one problem).
    """

    n_problems: int  # problems with at least one sample (the ones averaged over)
    n_empty: int  # problems with no sample yet, excluded
    n_samples: int
    samples_min: int
    samples_max: int
    pass1: float
    pass1_se: float
    pass1_se_same_problems: float
    pass1_ci: tuple[float, float]  # same problems
    pass1_ci_new_problems: tuple[float, float] | None
    bayes_mean: float  # Bayes@N posterior mean (uniform prior): mean of (c + 1)/(n + 2)
    bayes_sd: float
    bayes_ci: tuple[float, float]  # normal credible interval
    pass_at_k: dict[int, float]  # k = 1, 2, 4, ... <= samples_min, plus samples_min
    cons_k: int
    cons: float  # cons@cons_k: mean over problems of the (expected) majority-vote credit
    cons_mc_se: float  # Monte Carlo error of `cons` (0.0 when computed exactly)
    cons_se_same_problems: float
    cons_ci: tuple[float, float]  # same problems
    cons_ci_new_problems: tuple[float, float] | None
    maj_at_k: dict[int, float]  # expected maj@k for k = 1, 2, 4, ... < cons_k
    maj_at_k_mc_se: dict[int, float]
    maj_at_k_exact: dict[int, bool]
    no_answer_rate: float  # fraction of all samples with no answer to vote with (none extracted, or a hedge)
    confidence: float
    bootstrap: int  # replicates of the new-problems intervals
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
    """Run A minus run B on the same problems: mean difference with a same-problems CI and p-value (sampling
    noise of both runs), and the new-problems ones (paired bootstrap over problems, sign-flip test)."""

    metric: str
    k: int
    n_problems: int
    n_excluded: int  # problems without samples in either run
    mean_a: float
    mean_b: float
    diff: float
    se: float  # same problems
    ci: tuple[float, float]  # same problems
    p_value: float  # same problems: two-sided z-test of diff / se
    ci_new_problems: tuple[float, float] | None
    p_value_new_problems: float  # sign-flip test over problems
    p_value_new_problems_exact: bool  # all 2^P sign patterns enumerated (else Monte Carlo, `permutations` draws)
    bayes_decision: str | None  # pass@1 only: Bayes@N's rule (credible intervals overlap or not)
    n_a_better: int
    n_b_better: int
    n_equal: int
    confidence: float
    bootstrap: int
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
) -> RunMetrics:
    """Headline metrics of a run; problems with no samples are excluded and counted in n_empty.

    `k` is the cons@k vote size, by default the fewest samples of any problem (so a finished run reports
    cons@n). Problems with more than k samples contribute their expected maj@k over k-subsets.
    Same-problems intervals come from evaluator.metrics.intervals (`seed` fixes cons@k's posterior draws);
    the new-problems ones are percentile bootstraps over problems with `bootstrap` replicates.
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

    counts = [(p.n_correct, p.n) for p in included]
    pass1_same_se = pass1_same_problems_se(counts, confidence)
    # cons@1 is pass@1 (same values, and the vote model reduces to pass@1's at k = 1): the same interval
    cons_same_se = pass1_same_se if cons_k == 1 else cons_same_problems_se(included, cons_k, seed=seed)
    bayes = bayes_at_n(counts, confidence)
    pass1_new = cons_new = None
    if bootstrap > 0:
        # the same problem draws for both (one generator each, same seed): at k = 1 the two intervals coincide
        pass1_new = percentile_ci(two_level_bootstrap([draw_fixed(r) for r in rates], bootstrap,
                                                      np.random.default_rng(seed)), confidence)
        cons_new = percentile_ci(two_level_bootstrap([draw_fixed(e.value) for e in cons_per_problem], bootstrap,
                                                     np.random.default_rng(seed)), confidence)

    return RunMetrics(
        n_problems=len(included),
        n_empty=len(problems) - len(included),
        n_samples=int(ns.sum()),
        samples_min=samples_min,
        samples_max=int(ns.max()),
        pass1=float(rates.mean()),
        pass1_se=se,
        pass1_se_same_problems=pass1_same_se,
        pass1_ci=normal_interval(float(rates.mean()), pass1_same_se, confidence),
        pass1_ci_new_problems=pass1_new,
        bayes_mean=bayes.mean,
        bayes_sd=bayes.sd,
        bayes_ci=bayes.ci,
        pass_at_k={
            kk: float(np.mean([pass_at_k(p.n, p.n_correct, kk) for p in included]))
            for kk in _curve_ks(samples_min)
        },
        cons_k=cons_k,
        cons=cons.value,
        cons_mc_se=cons.se,
        cons_se_same_problems=cons_same_se,
        cons_ci=normal_interval(cons.value, cons_same_se, confidence),
        cons_ci_new_problems=cons_new,
        maj_at_k={kk: e.value for kk, e in maj.items()},
        maj_at_k_mc_se={kk: e.se for kk, e in maj.items()},
        maj_at_k_exact={kk: e.exact for kk, e in maj.items()},
        no_answer_rate=sum(p.answers.count(None) for p in included) / int(ns.sum()),
        confidence=confidence,
        bootstrap=bootstrap,
        seed=seed,
    )


def per_problem(problems: Sequence[ProblemSamples]) -> list[ProblemRow]:
    """One row per problem, in input order, including problems with no samples yet."""
    rows = []
    for p in problems:
        votes = Counter(key for key in p.vote_keys() if key is not None)
        top = max(votes.values(), default=0)
        tied = [key[0] for key, count in votes.items() if count == top]
        cl = p.clusters()
        rows.append(
            ProblemRow(
                problem_id=p.problem_id,
                n=p.n,
                n_correct=p.n_correct,
                pass_rate=p.n_correct / p.n if p.n else None,
                majority_answer=tied[0] if tied else None,  # None: a no-answer sample overridden to correct
                majority_share=top / p.n if p.n else None,
                majority_credit=float(vote_credit(cl.sizes[None, :], cl.accepted)[0]) if p.n else None,
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
) -> PairedComparison:
    """Compare run A with run B problem by problem (diff = A - B).

    Both runs must cover the same problem ids; problems without samples in either run are excluded.
    Same problems (`ci`, `p_value`): the two runs' sampling variances add, diff ± z·se and a two-sided
    z-test. New problems (`ci_new_problems`, `p_value_new_problems`): a paired bootstrap over problems and
    a two-sided sign-flip test on the per-problem differences (exact for <= 16 problems). docs/metrics.md.
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

    rows_a, rows_b = [by_id_a[pid] for pid in ids], [by_id_b[pid] for pid in ids]
    points_a = np.array([spec.per_problem(p, k, seed) for p in rows_a])
    points_b = np.array([spec.per_problem(p, k, seed) for p in rows_b])
    diffs = points_a - points_b
    diff = float(diffs.mean())
    variance = float(spec.variances(rows_a, k, seed).sum() + spec.variances(rows_b, k, seed).sum())
    se = math.sqrt(variance) / len(ids)
    p_same = 2.0 * (1.0 - NormalDist().cdf(abs(diff) / se)) if se > 0 else float(diff == 0)
    rng = np.random.default_rng(seed)
    ci_new = None
    if bootstrap > 0:
        ci_new = percentile_ci(two_level_bootstrap([draw_fixed(d) for d in diffs], bootstrap, rng), confidence)
    p_new, exact = sign_flip_pvalue(diffs, rng, permutations)
    decision = None
    if spec.name == "pass" and k == 1:
        decision = bayes_decision(bayes_at_n([(p.n_correct, p.n) for p in rows_a], confidence),
                                  bayes_at_n([(p.n_correct, p.n) for p in rows_b], confidence))
    return PairedComparison(
        metric=f"{spec.name}@{k}",
        k=k,
        n_problems=len(ids),
        n_excluded=len(by_id_a) - len(ids),
        mean_a=float(points_a.mean()),
        mean_b=float(points_b.mean()),
        diff=diff,
        se=se,
        ci=difference_interval(diff, se, confidence),
        p_value=p_same,
        ci_new_problems=ci_new,
        p_value_new_problems=p_new,
        p_value_new_problems_exact=exact,
        bayes_decision=decision,
        n_a_better=int(np.count_nonzero(diffs > 0)),
        n_b_better=int(np.count_nonzero(diffs < 0)),
        n_equal=int(np.count_nonzero(diffs == 0)),
        confidence=confidence,
        bootstrap=bootstrap,
        seed=seed,
    )
