"""The Beta prior on each problem's success rate that the same-problems intervals shrink towards, fitted to the run.

A problem seen 4/4 may be one that every sample solves, or one solved 90% of the time: how much variance an
interval should still give it depends on how the run's problems are spread. An AIME run is U-shaped (most
problems solved by nearly every sample or by nearly none), so there 4/4 usually means "always"; on a set of
coin-flip problems it is weak evidence. The prior Beta(s mu, s (1 - mu)) has its mean mu at the run's pooled
rate and its strength s (in pseudo-samples) chosen by the beta-binomial marginal likelihood of the run's
counts (empirical Bayes). A log-normal hyperprior centred on 2 pseudo-samples (one success, one failure)
keeps s there when the counts cannot tell (one sample per problem) and stops a run whose problems all sit
at 0 or 1 from fitting a prior that trusts every pilot. Coverage and the samples it saves: docs/metrics.md.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

#: Centre of the hyperprior on the strength: one success and one failure.
STRENGTH_CENTRE = 2.0
#: Spread of the hyperprior, in log pseudo-samples: a factor of e either way is one standard deviation.
STRENGTH_SPREAD = 1.0
#: Strengths tried (a grid keeps the fit deterministic and its time bounded by the number of distinct counts).
_GRID = np.exp(np.linspace(math.log(0.05), math.log(1000.0), 121))
_lgamma = np.vectorize(math.lgamma, otypes=[float])


@dataclass(frozen=True)
class RatePrior:
    """Beta(alpha, beta) with alpha = strength * mean: the pseudo-samples each problem's rate starts from."""

    mean: float
    strength: float

    @property
    def alpha(self) -> float:
        return self.strength * self.mean

    @property
    def beta(self) -> float:
        return self.strength * (1.0 - self.mean)


def pooled_rate(c: np.ndarray, n: np.ndarray) -> float:
    """The run's pooled success rate, itself kept off 0 and 1 ((sum c + 1)/(sum n + 2)): a run that solved
    everything it tried still has a non-zero interval, shrinking as it tries more."""
    return float((c.sum() + 1.0) / (n.sum() + 2.0))


def fit_rate_prior(c: np.ndarray, n: np.ndarray) -> RatePrior:
    """The prior for per-problem counts c of n (validated arrays): mean the pooled rate, strength the mode of
    the beta-binomial likelihood times the hyperprior (see the module docstring)."""
    mean = pooled_rate(c, n)
    pairs = Counter(zip(c.astype(int).tolist(), n.astype(int).tolist(), strict=True))
    cs = np.array([ci for ci, _ in pairs], dtype=float)
    ns = np.array([ni for _, ni in pairs], dtype=float)
    weight = np.array(list(pairs.values()), dtype=float)
    a, b = (_GRID * mean)[:, None], (_GRID * (1.0 - mean))[:, None]
    # log P(c | n, Beta(a, b)) without the binomial coefficient, which does not depend on the prior
    loglik = (_lgamma(a + cs) - _lgamma(a) + _lgamma(b + ns - cs) - _lgamma(b)
              - _lgamma(a + b + ns) + _lgamma(a + b)) @ weight
    logprior = -((np.log(_GRID) - math.log(STRENGTH_CENTRE)) ** 2) / (2.0 * STRENGTH_SPREAD**2)
    return RatePrior(mean=mean, strength=float(_GRID[int(np.argmax(loglik + logprior))]))
