"""pass^k and G-Pass@k (evaluator/metrics/stability.py) against brute-force enumeration of k-subsets."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import pytest

from evaluator.metrics.estimators import ProblemSamples, pass_at_k
from evaluator.metrics.stability import g_pass_at_k, pass_hat_k, stability, threshold_count


def brute_share(n: int, c: int, k: int, need: int) -> Fraction:
    """Fraction of the k-subsets of n samples (the first c correct) holding at least `need` correct ones."""
    subsets = list(itertools.combinations(range(n), k))
    return Fraction(sum(sum(i < c for i in s) >= need for s in subsets), len(subsets))


def test_pass_hat_k_equals_enumeration_for_all_small_n() -> None:
    for n in range(1, 11):
        for c in range(n + 1):
            for k in range(1, n + 1):
                assert pass_hat_k(n, c, k) == pytest.approx(float(brute_share(n, c, k, k)), abs=1e-12)


@pytest.mark.parametrize("tau", [0.0, 0.25, 0.5, 0.75, 1.0])
def test_g_pass_at_k_equals_enumeration_for_all_small_n(tau: float) -> None:
    for n in range(1, 10):
        for c in range(n + 1):
            for k in range(1, n + 1):
                need = max(1, math.ceil(tau * k))
                assert g_pass_at_k(n, c, k, tau) == pytest.approx(float(brute_share(n, c, k, need)), abs=1e-12)


@pytest.mark.parametrize(("k", "tau", "need", "note"), [
    (4, 0.75, 3, "ceil(3.0) is 3, not 4: no float round-up"),
    (3, 0.5, 2, "ceil(1.5)"),
    (10, 0.7, 7, "0.7 * 10 is 7.000000000000001 in floats; still 7"),
    (8, 0.0, 1, "tau 0 needs one correct sample: pass@k"),
    (5, 1.0, 5, "tau 1 needs all: pass^k"),
])
def test_threshold_count(k: int, tau: float, need: int, note: str) -> None:
    assert threshold_count(k, tau) == need, note


def test_identities_with_pass_at_k() -> None:
    for n, c in [(16, 0), (16, 5), (16, 16), (64, 40)]:
        for k in (1, 2, 4, 8, 16):
            assert g_pass_at_k(n, c, k, 1.0) == pytest.approx(pass_hat_k(n, c, k))
            assert g_pass_at_k(n, c, k, 0.0) == pytest.approx(pass_at_k(n, c, k))
        assert pass_hat_k(n, c, 1) == pytest.approx(c / n)


@pytest.mark.parametrize(("n", "c", "k"), [(0, 0, 1), (4, 5, 1), (4, 2, 0), (4, 2, 5)])
def test_rejects_invalid_arguments(n: int, c: int, k: int) -> None:
    with pytest.raises(ValueError):
        pass_hat_k(n, c, k)
    with pytest.raises(ValueError):
        g_pass_at_k(n, c, k, 0.5)


def test_run_level_values_are_means_over_problems() -> None:
    problems = [
        ProblemSamples("a", ("1",), ("1", "1", "2", "1"), (True, True, False, True)),  # 3 of 4
        ProblemSamples("b", ("1",), ("1", "2", "2", "2"), (True, False, False, False)),  # 1 of 4
        ProblemSamples("c", ("1",), (), ()),  # no samples yet: excluded, as in summarize
    ]
    s = stability(problems)
    assert s.ks == (1, 2, 4)
    assert s.pass_hat_k == {1: 0.5, 2: pytest.approx((3 / 6 + 0) / 2), 4: 0.0}
    assert s.g_pass_at_k["0.75"][4] == pytest.approx(0.5)  # a: 3 of 4 correct always; b: never
    assert s.g_pass_at_k["0.5"][2] == pytest.approx((1.0 + 3 / 6) / 2)
    assert set(s.g_pass_at_k) == {"0.5", "0.75", "1.0"}
