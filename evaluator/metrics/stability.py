"""Stability metrics: pass^k (all k samples correct) and G-Pass@k_tau (at least ceil(tau*k) of k correct).

Both are unbiased estimators over uniformly random k-subsets (without replacement) of a problem's n
samples, averaged over problems, exactly as pass@k is. They answer "how reliably does the model solve
it", where pass@k answers "can it solve it at all". Formulas: docs/metrics.md.

- pass^k = C(c, k) / C(n, k) (evalscope's `pass_hat_k`; tau-bench's pass^k).
- G-Pass@k_tau = sum_{j=ceil(tau*k)}^{min(c,k)} C(c, j) C(n-c, k-j) / C(n, k) (Liu et al. 2024,
  "Are Your LLMs Capable of Stable Reasoning?", OpenCompass / lighteval). G-Pass@k_1.0 == pass^k.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from evaluator.metrics.estimators import ProblemSamples, _curve_ks, _ToDict

#: Thresholds reported for G-Pass@k (those of the G-Pass@k paper and OpenCompass).
THRESHOLDS = (0.5, 0.75, 1.0)


def _check(n: int, c: int, k: int) -> tuple[int, int, int]:
    n, c, k = operator.index(n), operator.index(c), operator.index(k)
    if n < 1 or not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"needs n >= 1, 0 <= c <= n and 1 <= k <= n, got n={n}, c={c}, k={k}")
    return n, c, k


def threshold_count(k: int, tau: float) -> int:
    """Correct samples needed among k at threshold tau: ceil(tau * k), at least 1 (tau=0 is pass@k)."""
    if not 0.0 <= tau <= 1.0:
        raise ValueError(f"tau must be in [0, 1], got {tau}")
    return max(1, math.ceil(round(tau * k, 9)))


def g_pass_at_k(n: int, c: int, k: int, tau: float) -> float:
    """Chance that a random k-subset of n samples (c correct) holds at least ceil(tau*k) correct ones."""
    n, c, k = _check(n, c, k)
    need = threshold_count(k, tau)
    total = math.comb(n, k)
    hits = sum(math.comb(c, j) * math.comb(n - c, k - j) for j in range(need, min(c, k) + 1))
    return hits / total


def pass_hat_k(n: int, c: int, k: int) -> float:
    """pass^k: chance that a random k-subset of n samples (c correct) is all correct, C(c, k) / C(n, k)."""
    n, c, k = _check(n, c, k)
    return math.comb(c, k) / math.comb(n, k)


@dataclass(frozen=True)
class Stability(_ToDict):
    """Run-level pass^k and G-Pass@k (means over problems with samples), for k = 1, 2, 4, ... <= samples_min."""

    ks: tuple[int, ...]
    pass_hat_k: dict[int, float]
    g_pass_at_k: dict[str, dict[int, float]]  # threshold ("0.5", "0.75", "1.0") -> k -> value


def stability(problems: Sequence[ProblemSamples], thresholds: Sequence[float] = THRESHOLDS) -> Stability:
    """pass^k and G-Pass@k_tau of a run over its problems with at least one sample."""
    included = [p for p in problems if p.n > 0]
    if not included:
        raise ValueError("no problem has any samples yet; nothing to summarize")
    ks = tuple(_curve_ks(min(p.n for p in included)))

    def mean(value: Callable[[ProblemSamples], float]) -> float:
        return sum(value(p) for p in included) / len(included)

    return Stability(
        ks=ks,
        pass_hat_k={k: mean(partial(_hat, k=k)) for k in ks},
        g_pass_at_k={str(float(tau)): {k: mean(partial(_g, k=k, tau=tau)) for k in ks} for tau in thresholds},
    )


def _hat(p: ProblemSamples, k: int) -> float:
    return pass_hat_k(p.n, p.n_correct, k)


def _g(p: ProblemSamples, k: int, tau: float) -> float:
    return g_pass_at_k(p.n, p.n_correct, k, tau)
