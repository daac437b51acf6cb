"""The Beta prior on each problem's success rate that the same-problems intervals shrink towards, fitted to the run.

A problem seen 4/4 may be one that every sample solves, or one solved 90% of the time: how much variance an
interval should still give it depends on how the run's problems are spread. An AIME run is U-shaped (most
problems solved by nearly every sample or by nearly none), so there 4/4 usually means "always"; on a set of
coin-flip problems it is weak evidence. The prior Beta(s mu, s (1 - mu)) has its mean mu at the run's pooled
rate and its strength s (in pseudo-samples) chosen by the beta-binomial marginal likelihood of the run's
counts (empirical Bayes): the mode over log s of that likelihood times a normal hyperprior on log s,
centred on 2 pseudo-samples (one success, one failure). The hyperprior keeps s at 2 when the counts cannot
tell (one sample per problem) and keeps it above zero when every problem sits at 0 or 1 (such runs fit
s near 0.1, so a 4/4 still reads as about 98.6%). Coverage and the samples it saves: docs/metrics.md.
"""

from __future__ import annotations

import math
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
    the beta-binomial likelihood times the hyperprior, over log s (see the module docstring)."""
    mean = pooled_rate(c, n)
    a, b = _GRID * mean, _GRID * (1.0 - mean)
    # log P(c | n, Beta(a, b)) summed over problems, without the binomial coefficient (it does not depend on
    # the prior); each log-gamma is taken once per distinct count, so 100,000 problems fit in milliseconds
    loglik = (_summed_lgamma(a, c) + _summed_lgamma(b, n - c) - _summed_lgamma(a + b, n)
              + c.size * (_lgamma(a + b) - _lgamma(a) - _lgamma(b)))
    logprior = -((np.log(_GRID) - math.log(STRENGTH_CENTRE)) ** 2) / (2.0 * STRENGTH_SPREAD**2)
    return RatePrior(mean=mean, strength=float(_GRID[int(np.argmax(loglik + logprior))]))


def _summed_lgamma(x: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """sum over problems of lgamma(x + count), for every grid value x."""
    values, times = np.unique(counts, return_counts=True)
    return np.asarray(_lgamma(x[:, None] + values[None, :]) @ times.astype(float))
