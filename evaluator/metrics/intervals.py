"""Intervals named by the question they answer: *same problems* (sampling noise only) and Bayes@N.

"Did I reproduce the paper on these 30 problems?" and "is A better than B on AIME 2024?" are questions
about a fixed set of problems: the only randomness is which samples the model happened to draw. The
*same-problems* intervals here count exactly that noise. The *new-problems* intervals (problems
resampled: "how would it do on unseen problems of this kind?") are percentile bootstraps over problems,
built in `estimators`.

- pass@1: each problem's rate c/n has variance p(1-p)/n. p is estimated with a Beta(alpha, beta) prior
  fitted to the run (`_rate_prior`: mean the pooled rate, strength by empirical Bayes), q = (c + alpha) /
  (n + alpha + beta), so a problem solved 64/64 still carries a little variance, a single sample per problem
  is not taken at face value, and a 4/4 counts as more certain on a set where most problems are settled.
- cons@k: the vote's credit on a problem is a draw with mean m = P(the k-vote is correct). Its variance
  comes from the posterior predictive of a Dirichlet over the problem's answer classes, where a wrong
  answer seen once is not a class that can win a vote later: it is one draw of a pool of answers that
  never repeat (Good-Turing: the mass of once-seen answers estimates the mass of answers yet unseen).
  Re-voting resampled samples instead turns one-off wrong answers into majorities that never existed.
  With n > k samples the run's value is the mean over k-subsets, whose variance is at most k/n of one
  vote's (Hoeffding's bound for U-statistics). The prior is the pass@1 one (alpha on the correct answer,
  beta on a new wrong answer), so at k = 1 the interval is exactly pass@1's.
- Bayes@N (Hariri et al., ICLR 2026): the posterior mean of the success rate under a uniform Dirichlet
  prior, (c + 1)/(n + 2) averaged over problems, with a normal credible interval.

Every interval is estimate ± z·SE clipped to [0, 1], so it always contains its own estimate.
Coverage of each, by simulation: scripts/bench_intervals.py and docs/metrics.md.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from evaluator.metrics._rate_prior import RatePrior, fit_rate_prior
from evaluator.metrics.samples import ProblemSamples

#: Posterior-predictive votes drawn per problem to estimate the variance of its cons@k credit.
VOTE_DRAWS = 1000

Interval = tuple[float, float]


def z_value(confidence: float) -> float:
    """Two-sided normal quantile: 1.96 for 0.95."""
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    return NormalDist().inv_cdf(0.5 + confidence / 2)


def normal_interval(estimate: float, se: float, confidence: float) -> Interval:
    """estimate ± z·se, clipped to [0, 1] (for a difference of rates use `difference_interval`)."""
    half = z_value(confidence) * se
    return max(0.0, estimate - half), min(1.0, estimate + half)


def difference_interval(diff: float, se: float, confidence: float) -> Interval:
    """diff ± z·se, clipped to [-1, 1]."""
    half = z_value(confidence) * se
    return max(-1.0, diff - half), min(1.0, diff + half)


def _check_counts(counts: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    c = np.array([int(ci) for ci, _ in counts], dtype=float)
    n = np.array([int(ni) for _, ni in counts], dtype=float)
    if c.size == 0:
        raise ValueError("needs at least one problem")
    if (n < 1).any() or (c < 0).any() or (c > n).any():
        raise ValueError("every problem needs n >= 1 and 0 <= n_correct <= n")
    return c, n


def rate_prior(counts: Sequence[tuple[int, int]]) -> RatePrior:
    """The Beta prior on the per-problem rates of these (n_correct, n) counts, fitted to them."""
    return fit_rate_prior(*_check_counts(counts))


def smoothed_rates(counts: Sequence[tuple[int, int]]) -> np.ndarray:
    """Each problem's posterior mean success rate under the run's prior: (c + alpha) / (n + alpha + beta).

    With one sample per problem nothing tells the problems apart, and every rate is the pooled one: the
    mean of p_i(1 - p_i) is at most p_bar(1 - p_bar) (concavity), so the interval allows for the worst
    spread instead of inventing one (shrunk rates undercovered on sets of equal problems, 88-92%)."""
    c, n = _check_counts(counts)
    prior = fit_rate_prior(c, n)
    if (n == 1).all():
        return np.full(n.size, prior.mean)
    return (c + prior.alpha) / (n + prior.strength)


def pass1_variances(counts: Sequence[tuple[int, int]], samples: int | None = None) -> np.ndarray:
    """Per-problem variance of a pass rate measured on `samples` samples (default: the problem's own n)."""
    q = smoothed_rates(counts)
    _, n = _check_counts(counts)
    over = n if samples is None else np.full(n.size, float(samples))
    return q * (1.0 - q) / over


def pass1_same_problems(
    counts: Sequence[tuple[int, int]], confidence: float = 0.95
) -> tuple[float, float, float]:
    """pass@1 on exactly these problems from per-problem (n_correct, n): (estimate, lo, hi).

    n may differ between problems. The estimate is the mean of c_i/n_i; the interval counts only the
    sampling noise of each problem's rate (see the module docstring), for adaptive sampling and reports.
    """
    c, n = _check_counts(counts)
    estimate = float((c / n).mean())
    lo, hi = normal_interval(estimate, pass1_same_problems_se(counts, confidence), confidence)
    return estimate, lo, hi


def pass1_same_problems_se(counts: Sequence[tuple[int, int]], confidence: float = 0.95) -> float:
    """The standard error behind `pass1_same_problems`: sqrt(sum_i q_i(1 - q_i)/n_i) / P, or, when every
    sample is right (or every one wrong), the larger z-scaled distance to the exact bound (`_exact_gap`)."""
    c, n = _check_counts(counts)
    se = math.sqrt(float(pass1_variances(counts).sum())) / c.size
    return max(se, _exact_gap(c, n, confidence) / z_value(confidence))


def _exact_gap(c: np.ndarray, n: np.ndarray, confidence: float) -> float:
    """How far the mean rate can be from 1 (every sample right) or 0 (every one wrong), exactly, else 0.

    prod_i p_i^n_i <= prod_i p_i^n_min <= mean(p)^(P n_min) (AM-GM), so a mean rate below
    L = (alpha/2)^(1/(P n_min)) makes what was seen less likely than alpha/2 whatever the problems' spread:
    1 - L is a one-sided exact bound. The normal interval cannot give it (every q_i sits near 1: on sets
    of problems solved 99% of the time it covered 69%), and adaptive sampling would stop after its pilot.
    """
    if 0 < c.sum() < n.sum():
        return 0.0
    return 1.0 - ((1.0 - confidence) / 2.0) ** (1.0 / (c.size * float(n.min())))


@dataclass(frozen=True)
class BayesAtN:
    """Bayes@N: posterior mean and SD of the mean success rate, uniform Dirichlet prior, normal credible interval."""

    mean: float
    sd: float
    ci: Interval


def bayes_at_n(counts: Sequence[tuple[int, int]], confidence: float = 0.95) -> BayesAtN:
    """Bayes@N of per-problem (n_correct, n) counts (Hariri et al., "Don't Pass@k", ICLR 2026).

    Each problem's posterior is Beta(c + 1, n - c + 1): mean (c + 1)/(n + 2), variance mean(1 - mean)/(n + 3).
    The run's posterior mean is their average and its variance the sum of theirs over P^2. With equal n this
    is the paper's binary Bayes@N (scorio's `bayes`); unequal n uses each problem's own n.
    """
    c, n = _check_counts(counts)
    post = (c + 1.0) / (n + 2.0)
    mean = float(post.mean())
    sd = math.sqrt(float((post * (1.0 - post) / (n + 3.0)).sum())) / c.size
    return BayesAtN(mean, sd, normal_interval(mean, sd, confidence))


def bayes_decision(a: BayesAtN, b: BayesAtN) -> str:
    """The paper's rule for two runs: a difference only when the credible intervals do not overlap."""
    if a.ci[0] > b.ci[1]:
        return "A better"
    if b.ci[0] > a.ci[1]:
        return "B better"
    return "no difference"


@dataclass(frozen=True)
class VoteClasses:
    """A problem's samples as the posterior sees them: Dirichlet weights of the classes that can win a vote.

    `weights[j]` is a class's count plus its prior share; `correct[j]` whether its vote counts as correct.
    `fresh` is the weight of the pool of never-repeating wrong answers (answers seen once, plus the prior's
    wrong share); `abstain` that of samples with no answer.
    """

    weights: np.ndarray
    correct: np.ndarray
    fresh: float
    abstain: float


def vote_classes(problem: ProblemSamples, prior: RatePrior) -> VoteClasses:
    """The Dirichlet posterior of one problem's vote classes (see the module docstring)."""
    counts = Counter(problem.vote_keys())
    keys = [key for key in counts if key is not None]
    abstain = float(counts.get(None, 0))
    repeated = [key for key in keys if counts[key] > 1 or key[1]]  # a correct answer seen once is still its class
    fresh = float(sum(counts[key] for key in keys if key not in repeated))
    weights = np.array([float(counts[key]) for key in repeated])
    correct = np.array([bool(key[1]) for key in repeated], dtype=bool)
    share = prior.alpha
    if correct.any():  # the prior's success mass goes to the answer most often graded correct
        weights[int(np.argmax(np.where(correct, weights, -1.0)))] += share
    else:
        weights, correct = np.append(weights, share), np.append(correct, True)
    return VoteClasses(weights, correct, fresh + prior.beta, abstain)


def _credits(classes: VoteClasses, counts: np.ndarray) -> np.ndarray:
    """Credit of each vote from its class counts (columns: named classes, then the fresh pool, then abstain)."""
    named = counts[:, : classes.weights.size]
    fresh = counts[:, classes.weights.size]
    top = np.maximum(named.max(axis=1, initial=0), np.minimum(fresh, 1))
    at_top = (named == top[:, None]) & (top[:, None] > 0)
    n_tied = at_top.sum(axis=1) + np.where(top == 1, fresh, 0)
    wins = (at_top & classes.correct).sum(axis=1)
    return np.where(n_tied > 0, wins / np.maximum(n_tied, 1), 0.0)


def _multinomial_rows(k: int, probs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One Multinomial(k, probs[r]) per row, as a chain of binomials over the columns (one vectorised call
    per class instead of one call per row: the posterior has few classes and many draws)."""
    counts = np.zeros(probs.shape, dtype=np.int64)
    left = np.full(probs.shape[0], k, dtype=np.int64)
    mass = np.ones(probs.shape[0])
    for j in range(probs.shape[1] - 1):
        share = np.clip(probs[:, j] / np.maximum(mass, 1e-300), 0.0, 1.0)
        counts[:, j] = rng.binomial(left, share)
        left -= counts[:, j]
        mass -= probs[:, j]
    counts[:, -1] = left
    return counts


def vote_sampling_variance(classes: VoteClasses, k: int, draws: int, rng: np.random.Generator) -> float:
    """E over the posterior of Var(one k-vote's credit | answer distribution).

    Two independent votes per posterior draw: E[V1 V2] = E[m^2], so mean(V^2) - mean(V1 V2) is the expected
    sampling variance. (The predictive variance mean(V^2) - mean(V)^2 would add the posterior's own spread
    of m, which is not noise of this measurement, and over-cover.)"""
    alpha = np.concatenate((classes.weights, [classes.fresh, classes.abstain]))
    live = alpha > 0
    probs = np.zeros((draws, alpha.size))
    probs[:, live] = rng.dirichlet(alpha[live], size=draws)
    first = _credits(classes, _multinomial_rows(k, probs, rng))
    second = _credits(classes, _multinomial_rows(k, probs, rng))
    return max(0.0, float((first**2 + second**2).mean() / 2 - (first * second).mean()))


def cons_vote_variances(
    problems: Sequence[ProblemSamples], k: int, *, seed: int = 0, draws: int = VOTE_DRAWS
) -> np.ndarray:
    """Per-problem sampling variance of ONE k-vote's credit, averaged over the Dirichlet posterior.

    At k = 1 the credit is a single sample's verdict, Bernoulli(q) with pass@1's smoothed q: q(1 - q), exactly
    the formula pass@1 uses (for k = 1 the posterior-averaged variance would be q(1 - q) (n + s)/(n + s + 1),
    s the prior's strength; the plug-in keeps cons@1's interval identical to pass@1's).
    """
    counts = [(p.n_correct, p.n) for p in problems]
    if k == 1:
        q = smoothed_rates(counts)
        return q * (1.0 - q)
    prior = rate_prior(counts)
    rng = np.random.default_rng([seed, k])
    return np.array([vote_sampling_variance(vote_classes(p, prior), k, draws, rng) for p in problems])


def cons_same_problems_se(problems: Sequence[ProblemSamples], k: int, *, seed: int = 0) -> float:
    """SE of cons@k on these problems: sqrt(sum_i (k/n_i) var_i) / P (k/n_i: the k-subset average's bound)."""
    return math.sqrt(float(cons_variances(problems, k, seed).sum())) / len(problems)


def pass_at_k_variances(problems: Sequence[ProblemSamples], k: int, seed: int = 0) -> np.ndarray:
    """Per-problem same-problems variance of unbiased pass@k: (k/n) pi(1 - pi), pi = 1 - (1 - q)^k (Hoeffding's
    bound; exact at k = 1, where it is pass@1's q(1 - q)/n). `seed` is unused: the formula is closed."""
    counts = [(p.n_correct, p.n) for p in problems]
    q = smoothed_rates(counts)
    n = np.array([p.n for p in problems], dtype=float)
    solved = 1.0 - (1.0 - q) ** k
    return (k / n) * solved * (1.0 - solved)


def cons_variances(problems: Sequence[ProblemSamples], k: int, seed: int = 0) -> np.ndarray:
    """Per-problem same-problems variance of cons@k (maj@k over k-subsets): (k/n) times one vote's variance."""
    n = np.array([p.n for p in problems], dtype=float)
    return cons_vote_variances(problems, k, seed=seed) * (k / n)
