"""Numeric kernels behind evaluator.metrics.estimators: pass@k, majority voting, bootstrap, sign-flip test.

Pure numpy, no I/O, no knowledge of runs or files. evaluator.metrics.estimators builds the per-run tables on top.
"""

from __future__ import annotations

import math
import operator
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: Largest n for which exact expected maj@k is attempted: C(n, n/2) must fit in a float64.
EXACT_MAX_N = 1000
#: Work budget (array element operations) above which expected maj@k falls back to Monte Carlo.
EXACT_MAX_COST = 30_000_000
#: Random k-subsets drawn by the Monte Carlo fallback of expected maj@k.
MC_DRAWS = 4000

InnerDraw = Callable[[np.random.Generator, int], np.ndarray]


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k (Chen et al., 2021): chance that a random k-subset of the n samples has a correct one.

    Computed as 1 - prod_{i=n-c+1..n} (1 - k/i), which equals 1 - C(n-c, k)/C(n, k) without huge binomials.
    """
    n, c, k = operator.index(n), operator.index(c), operator.index(k)
    if n < 1:
        raise ValueError(f"pass_at_k needs n >= 1 samples, got n={n}")
    if not 0 <= c <= n:
        raise ValueError(f"pass_at_k needs 0 <= c <= n, got c={c}, n={n}")
    if not 1 <= k <= n:
        raise ValueError(f"pass_at_k needs 1 <= k <= n, got k={k}, n={n}")
    if n - c < k:
        return 1.0
    if c == 0:
        return 0.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1, dtype=np.float64)))


def gold_set(gold: str | Collection[str]) -> frozenset[str]:
    """Accepted answers as a set; a bare string is one answer, not a collection of characters."""
    return frozenset((gold,)) if isinstance(gold, str) else frozenset(gold)


def majority_vote(answers: Sequence[str | None], gold: str | Collection[str]) -> float:
    """Credit of a majority vote: 1, 0, or, on a tie, the accepted answers' share of the tied set.

    `None` answers abstain; if every sample abstains the vote is wrong (0). `gold` is one canonical answer
    or a collection of accepted ones.
    """
    golds = gold_set(gold)
    counts = Counter(a for a in answers if a is not None)
    if not counts:
        return 0.0
    top = max(counts.values())
    tied = [a for a, c in counts.items() if c == top]
    return sum(a in golds for a in tied) / len(tied)


@dataclass(frozen=True, eq=False)
class Clusters:
    """Answers of one problem grouped by value: the vote only depends on these counts."""

    sizes: np.ndarray  # int, one entry per distinct non-None answer, in first-seen order
    accepted: np.ndarray  # bool, whether that answer counts as correct
    abstain: int  # number of samples with no answer

    @property
    def n(self) -> int:
        return int(self.sizes.sum()) + self.abstain


def clusters(answers: Sequence[str | None], accepted: Collection[str]) -> Clusters:
    """Group answers by value (first-seen order) and mark the accepted ones."""
    counts = Counter(a for a in answers if a is not None)
    keys = list(counts)
    return Clusters(
        sizes=np.array([counts[a] for a in keys], dtype=np.int64),
        accepted=np.array([a in accepted for a in keys], dtype=bool),
        abstain=sum(a is None for a in answers),
    )


def vote_credit(counts: np.ndarray, accepted: np.ndarray) -> np.ndarray:
    """Vectorised majority_vote: row-wise credit for vote counts of shape (rows, clusters)."""
    if counts.shape[1] == 0:
        return np.zeros(counts.shape[0])
    top = counts.max(axis=1, keepdims=True)
    tied = (counts == top) & (top > 0)
    n_tied = tied.sum(axis=1)
    return np.where(n_tied > 0, (tied & accepted).sum(axis=1) / np.maximum(n_tied, 1), 0.0)


@dataclass(frozen=True)
class MajEstimate:
    """Expected maj@k of one problem; `se` is the Monte Carlo standard error (0 when exact)."""

    value: float
    se: float
    exact: bool


@lru_cache(maxsize=4096)
def _binom_row(m: int, deg: int) -> np.ndarray:
    """C(m, s) for s = 0..deg as floats (exact integers rounded once)."""
    row = np.array([float(math.comb(m, s)) for s in range(deg + 1)])
    row.setflags(write=False)
    return row


@lru_cache(maxsize=256)
def _gauss_01(q: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights on [0, 1]; exact for polynomials of degree < 2q."""
    x, w = np.polynomial.legendre.leggauss(q)
    return (x + 1.0) / 2.0, w / 2.0


@lru_cache(maxsize=64)
def _lag(d: int) -> np.ndarray:
    """lag[i, j] = j - i: which kernel coefficient maps degree i to degree j in a truncated product."""
    idx = np.arange(d)
    return idx[None, :] - idx[:, None]


def _mul_trunc(poly: np.ndarray, kern: np.ndarray) -> np.ndarray:
    """Multiply every row of `poly` by the polynomial `kern`, dropping degrees >= poly.shape[1]."""
    d = poly.shape[1]
    size = min(kern.size, d)
    if size <= 4:
        out = poly * kern[0]
        for x in range(1, size):
            out[:, x:] += kern[x] * poly[:, : d - x]
        return out
    lag = _lag(d)
    toeplitz = np.where((lag >= 0) & (lag < size), kern[np.clip(lag, 0, size - 1)], 0.0)
    return poly @ toeplitz


def _exact_cost(cl: Clusters, k: int) -> int:
    """Array element operations _expected_majority_exact would perform (to choose exact vs Monte Carlo)."""
    cost = 0
    for g in np.flatnonzero(cl.accepted):
        vs = np.arange(1, min(int(cl.sizes[g]), k) + 1)
        n_big = (cl.sizes[None, :] >= vs[:, None]).sum(axis=1) - 1
        width = k - vs + 1
        cost += int((n_big * np.minimum(vs, width) * width * (n_big // 2 + 1) + width).sum())
    return cost


def _exact_cost_bound(cl: Clusters, k: int) -> int:
    """_exact_cost, or a cheap upper bound on it when that bound is already within any sensible budget."""
    r = cl.sizes.size
    bound = int(cl.accepted.sum()) * k * (r * k * k * (r // 2 + 1) + k)
    return bound if bound <= 1_000_000 else _exact_cost(cl, k)


def _expected_majority_exact(cl: Clusters, ks: Sequence[int]) -> dict[int, float]:
    """E[credit] of the vote among a uniformly random k-subset, for each k in ks, by exact counting.

    For an accepted answer g with x_g = v votes, every other answer must get <= v votes; the T answers that
    also get v share the credit 1/(1+T). Counting subsets is a product of per-answer polynomials in z (votes)
    and u (ties); 1/(1+T) = integral_0^1 u^T du is applied with Gauss-Legendre nodes, exact for polynomials.
    The coefficient of z^(k-v) serves every k at once, so the whole curve costs one pass.
    """
    sizes = cl.sizes
    k_max = max(ks)
    totals = dict.fromkeys(ks, 0.0)
    for g in np.flatnonzero(cl.accepted):
        others = np.delete(sizes, g)
        for v in range(1, min(int(sizes[g]), k_max) + 1):
            deg = k_max - v
            big = others[others >= v]
            small = cl.abstain + int(others[others < v].sum())
            if big.size == 0:  # no rival can reach v votes: the other k - v samples are free
                coefs = _binom_row(small, deg)
            else:
                nodes, weights = _gauss_01(big.size // 2 + 1)
                poly = np.tile(_binom_row(small, deg), (nodes.size, 1))
                for m in big:
                    low = _binom_row(int(m), min(v - 1, deg))
                    nxt = _mul_trunc(poly, low)
                    if v <= deg:
                        nxt[:, v:] += (nodes * math.comb(int(m), v))[:, None] * poly[:, : deg + 1 - v]
                    poly = nxt
                coefs = weights @ poly
            ways_g = float(math.comb(int(sizes[g]), v))
            for k in ks:
                if k >= v:
                    totals[k] += ways_g * float(coefs[k - v])
    return {k: total / float(math.comb(cl.n, k)) for k, total in totals.items()}


def sample_ids(cl: Clusters) -> np.ndarray:
    """One cluster index per sample; abstentions get the extra index len(sizes)."""
    return np.repeat(np.arange(cl.sizes.size + 1), np.append(cl.sizes, cl.abstain))


def _expected_majority_mc(cl: Clusters, k: int, draws: int, rng: np.random.Generator) -> tuple[float, float]:
    """Monte Carlo E[credit] over `draws` random k-subsets: (mean, standard error)."""
    ids = sample_ids(cl)
    width = cl.sizes.size + 1
    subsets = np.argpartition(rng.random((draws, cl.n)), k - 1, axis=1)[:, :k]
    flat = (ids[subsets] + width * np.arange(draws)[:, None]).ravel()
    counts = np.bincount(flat, minlength=draws * width).reshape(draws, width)
    credit = vote_credit(counts[:, :-1], cl.accepted)
    return float(credit.mean()), float(credit.std(ddof=1) / math.sqrt(draws))


def expected_majority_curve(
    cl: Clusters,
    ks: Sequence[int],
    *,
    seed: int | Sequence[int] = 0,
    draws: int = MC_DRAWS,
    max_exact_cost: int = EXACT_MAX_COST,
) -> dict[int, MajEstimate]:
    """Expected maj@k over uniformly random k-subsets of a problem's samples, for each k; exact unless costly.

    `seed` (an int or a tuple of ints, extended by k) fixes the Monte Carlo fallback; exact results ignore it.
    """
    for k in ks:
        if not 1 <= k <= cl.n:
            raise ValueError(f"expected maj@k needs 1 <= k <= n, got k={k}, n={cl.n}")
    out: dict[int, MajEstimate] = {}
    if not cl.accepted.any():
        return {k: MajEstimate(0.0, 0.0, True) for k in ks}
    rest = []
    for k in ks:
        if k == 1:
            out[k] = MajEstimate(float(cl.sizes[cl.accepted].sum()) / cl.n, 0.0, True)
        elif k == cl.n:
            out[k] = MajEstimate(float(vote_credit(cl.sizes[None, :], cl.accepted)[0]), 0.0, True)
        else:
            rest.append(k)
    exact = [k for k in rest if cl.n <= EXACT_MAX_N and _exact_cost_bound(cl, k) <= max_exact_cost]
    if exact:
        out.update({k: MajEstimate(v, 0.0, True) for k, v in _expected_majority_exact(cl, exact).items()})
    base = (seed,) if isinstance(seed, int) else tuple(seed)
    for k in rest:
        if k not in out:
            mean, se = _expected_majority_mc(cl, k, draws, np.random.default_rng([*base, k]))
            out[k] = MajEstimate(mean, se, False)
    return {k: out[k] for k in ks}


def expected_majority(
    cl: Clusters,
    k: int,
    *,
    seed: int | Sequence[int] = 0,
    draws: int = MC_DRAWS,
    max_exact_cost: int = EXACT_MAX_COST,
) -> MajEstimate:
    """Expected maj@k over uniformly random k-subsets of one problem's samples (see expected_majority_curve)."""
    return expected_majority_curve(cl, [k], seed=seed, draws=draws, max_exact_cost=max_exact_cost)[k]


def expected_maj_at_k(
    answers: Sequence[str | None],
    gold: str | Collection[str],
    k: int,
    *,
    seed: int = 0,
    draws: int = MC_DRAWS,
    max_exact_cost: int = EXACT_MAX_COST,
) -> MajEstimate:
    """Expected majority_vote over uniformly random k-subsets of `answers` (maj@k for k < n)."""
    cl = clusters(answers, gold_set(gold))
    return expected_majority(cl, k, seed=seed, draws=draws, max_exact_cost=max_exact_cost)


def draw_pass_rate(n: int, c: int) -> InnerDraw:
    """Inner bootstrap draw for pass@1: the pass rate of n samples redrawn with replacement."""
    return lambda rng, size: rng.binomial(n, c / n, size) / n


def draw_pass_at_k(n: int, c: int, k: int) -> InnerDraw:
    """Inner bootstrap draw for pass@k: the estimator recomputed on n samples redrawn with replacement."""
    table = np.array([pass_at_k(n, j, k) for j in range(n + 1)])
    return lambda rng, size: table[rng.binomial(n, c / n, size)]


def draw_vote(cl: Clusters, k: int) -> InnerDraw:
    """Inner bootstrap draw for cons@k: the vote among k samples drawn with replacement.

    For k == n this is exactly the vote on a resample of the problem's n samples. For k < n it is one
    random k-subset of such a resample, which adds the subset's own noise: the interval is conservative.
    """
    probs = np.append(cl.sizes, cl.abstain) / cl.n
    return lambda rng, size: vote_credit(rng.multinomial(k, probs, size)[:, :-1], cl.accepted)


def draw_difference(a: InnerDraw, b: InnerDraw) -> InnerDraw:
    """Inner draw of a paired difference: the two runs' samples are redrawn independently."""
    return lambda rng, size: a(rng, size) - b(rng, size)


def draw_fixed(value: float) -> InnerDraw:
    """Inner draw that keeps the problem's point estimate: the bootstrap then resamples problems only."""
    return lambda rng, size: np.full(size, value)


def two_level_bootstrap(inner: Sequence[InnerDraw], n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap replicates of a mean over problems: resample problems, then each drawn copy redraws samples.

    Returns n_boot replicate means. Replicate b holds copies[b, i] copies of problem i; the copies of a
    problem are iid, so each problem draws all its copies at once and cumulative sums split them.
    """
    p = len(inner)
    picks = rng.integers(0, p, size=(n_boot, p)) + p * np.arange(n_boot)[:, None]
    copies = np.bincount(picks.ravel(), minlength=n_boot * p).reshape(n_boot, p)
    totals = np.zeros(n_boot)
    for i, draw in enumerate(inner):
        ends = np.cumsum(copies[:, i])
        if ends[-1] == 0:
            continue
        sums = np.concatenate(([0.0], np.cumsum(draw(rng, int(ends[-1])))))
        totals += sums[ends] - sums[ends - copies[:, i]]
    return totals / p


def percentile_ci(replicates: np.ndarray, confidence: float) -> tuple[float, float]:
    """Percentile bootstrap interval at the given two-sided confidence level."""
    alpha = 1.0 - confidence
    lo, hi = np.quantile(replicates, [alpha / 2.0, 1.0 - alpha / 2.0])
    return float(lo), float(hi)


def sign_flip_pvalue(
    diffs: np.ndarray, rng: np.random.Generator, permutations: int = 10_000, exact_max: int = 16
) -> tuple[float, bool]:
    """Two-sided paired sign-flip test of mean(diffs) == 0: (p-value, whether it was enumerated exactly).

    Under H0 each problem's difference is as likely to have either sign. Up to `exact_max` problems all
    2^P sign patterns are enumerated; beyond that `permutations` random patterns are drawn.
    """
    p = diffs.size
    observed = abs(float(diffs.mean()))
    exact = p <= exact_max
    if exact:
        signs = ((np.arange(2**p)[:, None] >> np.arange(p)) & 1) * 2.0 - 1.0
    else:
        signs = rng.integers(0, 2, size=(permutations, p)).astype(np.float64) * 2.0 - 1.0
    stats = np.abs(signs @ diffs) / p
    hits = int(np.count_nonzero(stats >= observed - 1e-12 * max(1.0, observed)))
    if exact:
        return hits / signs.shape[0], True
    return (hits + 1) / (permutations + 1), False
