"""majority_vote and expected maj@k against brute-force enumeration, ties and abstentions included."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.metrics import expected_maj_at_k, majority_vote
from evaluator.metrics._kernels import clusters, expected_majority_curve, vote_credit


def brute_vote(answers: tuple[str | None, ...], golds: frozenset[str]) -> Fraction:
    """Independent tie rule: the accepted answers' share of the answers with the top vote count."""
    counts = Counter(a for a in answers if a is not None)
    if not counts:
        return Fraction(0)
    top = max(counts.values())
    tied = {a for a, c in counts.items() if c == top}
    return Fraction(len(tied & golds), len(tied))


def brute_expected(answers: list[str | None], golds: frozenset[str], k: int) -> Fraction:
    """Average vote over every k-subset of sample positions."""
    subsets = list(itertools.combinations(answers, k))
    return sum((brute_vote(s, golds) for s in subsets), Fraction(0)) / len(subsets)


@pytest.mark.parametrize(
    ("answers", "gold", "credit"),
    [
        (["1", "1", "2"], "1", 1.0),
        (["1", "2", "2"], "1", 0.0),
        (["1", "2"], "1", 0.5),
        (["1", "2", "3"], "1", 1 / 3),
        (["1", "2", "3", "3"], "1", 0.0),
        ([None, None, "1"], "1", 1.0),  # abstentions do not vote
        ([None, None, None], "1", 0.0),  # everyone abstains: wrong
        ([], "1", 0.0),
        (["80", "81", "5"], {"80", "81"}, 2 / 3),  # two accepted answers among three tied
        (["80", "80", "81", "81", "5", "5"], ("80", "81"), 2 / 3),
        (["80", "5"], frozenset({"80", "81"}), 0.5),
        (["073", "73"], "73", 0.5),  # answers are compared as canonical strings, nothing more
    ],
)
def test_majority_vote_cases(answers: list[str | None], gold: object, credit: float) -> None:
    assert majority_vote(answers, gold) == pytest.approx(credit)  # type: ignore[arg-type]


answer_lists = st.lists(st.sampled_from(["1", "2", "3", "4", None]), min_size=1, max_size=9)
gold_sets = st.sampled_from([frozenset({"1"}), frozenset({"1", "2"}), frozenset({"4"}), frozenset({"7"})])


@settings(max_examples=150, deadline=None)
@given(answers=answer_lists, golds=gold_sets)
def test_majority_vote_equals_brute_force(answers: list[str | None], golds: frozenset[str]) -> None:
    assert majority_vote(answers, golds) == pytest.approx(float(brute_vote(tuple(answers), golds)))
    counts = clusters(answers, golds)
    vector = vote_credit(counts.sizes[None, :], counts.accepted)[0]
    assert vector == pytest.approx(float(brute_vote(tuple(answers), golds)))


@settings(max_examples=120, deadline=None)
@given(answers=answer_lists, golds=gold_sets, data=st.data())
def test_expected_maj_at_k_equals_subset_enumeration(
    answers: list[str | None], golds: frozenset[str], data: st.DataObject
) -> None:
    k = data.draw(st.integers(1, len(answers)))
    estimate = expected_maj_at_k(answers, golds, k)
    assert estimate.exact and estimate.se == 0.0
    assert estimate.value == pytest.approx(float(brute_expected(answers, golds, k)), abs=1e-12)


def test_expected_maj_at_k_all_k_on_tie_heavy_cases() -> None:
    cases: list[tuple[list[str | None], frozenset[str]]] = [
        (["1", "1", "2", "2", "3", "3", None, None, "4", "5"], frozenset({"1"})),
        (["1", "2", "3", "4", "5", "6", "7", "8", "9", "1", "1", "2"], frozenset({"1"})),
        (["2", "2", "2", "1", "1", "1", None, None, None, None, None], frozenset({"1", "2"})),
        ([None] * 5 + ["1"], frozenset({"1"})),
        (["a", "b", "c", "d", "e", "f", "g", "h"], frozenset({"a", "h"})),
    ]
    for answers, golds in cases:
        for k in range(1, len(answers) + 1):
            assert expected_maj_at_k(answers, golds, k).value == pytest.approx(
                float(brute_expected(answers, golds, k)), abs=1e-12
            )
        assert expected_maj_at_k(answers, golds, len(answers)).value == majority_vote(answers, golds)


def hypergeometric_expected(sizes: list[int], abstain: int, k: int) -> Fraction:
    """Exact E[vote] for answer counts `sizes` (index 0 is the gold) by enumerating vote-count vectors."""
    n = sum(sizes) + abstain
    total = Fraction(0)
    for votes in itertools.product(*(range(min(m, k) + 1) for m in sizes)):
        rest = k - sum(votes)
        if not 0 <= rest <= abstain:
            continue
        ways = math.comb(abstain, rest) * math.prod(
            math.comb(m, x) for m, x in zip(sizes, votes, strict=True)
        )
        top = max(votes)
        if top > 0 and votes[0] == top:
            total += Fraction(ways, sum(v == top for v in votes))
    return total / math.comb(n, k)


@pytest.mark.parametrize(
    ("sizes", "abstain"), [([20, 20, 10], 14), ([9, 12, 12, 3, 3], 25), ([1] * 6 + [2, 2], 2)]
)
def test_expected_maj_at_k_matches_hypergeometric_counting_at_larger_n(
    sizes: list[int], abstain: int
) -> None:
    answers: list[str | None] = [str(i) for i, m in enumerate(sizes) for _ in range(m)] + [None] * abstain
    n = len(answers)
    for k in sorted(k for k in {1, 2, 3, 4, 7, 8, 16, n // 2, n - 1} if k < n):
        exact = expected_maj_at_k(answers, "0", k)
        assert exact.exact
        assert exact.value == pytest.approx(float(hypergeometric_expected(sizes, abstain, k)), abs=1e-12)


def test_monte_carlo_fallback_agrees_with_exact() -> None:
    rng = np.random.default_rng(11)
    answers = [str(x) if x < 6 else None for x in rng.integers(0, 8, 60)]
    for k in (3, 10, 31):
        exact = expected_maj_at_k(answers, {"0", "5"}, k)
        mc = expected_maj_at_k(answers, {"0", "5"}, k, seed=2, max_exact_cost=0)
        assert exact.exact and not mc.exact
        assert 0.0 < mc.se < 0.01
        assert abs(mc.value - exact.value) < 4 * mc.se
    again = expected_maj_at_k(answers, {"0", "5"}, 10, seed=2, max_exact_cost=0)
    assert again == expected_maj_at_k(answers, {"0", "5"}, 10, seed=2, max_exact_cost=0)


def test_large_n_uses_monte_carlo_and_stays_accurate() -> None:
    # 1200 samples: too many for float64 binomials, so Monte Carlo; "1" (40%) beats "2" (35%) at k=401.
    answers: list[str | None] = ["1"] * 480 + ["2"] * 420 + ["3"] * 100 + [None] * 200
    estimate = expected_maj_at_k(answers, "1", 401)
    assert not estimate.exact and estimate.se > 0.0
    assert 0.8 < estimate.value < 1.0
    small_k = expected_maj_at_k(answers, "1", 1)
    assert small_k.value == pytest.approx(0.4, abs=4 * small_k.se + 1e-12)


def test_expected_maj_at_k_validates_k() -> None:
    with pytest.raises(ValueError, match="1 <= k <= n"):
        expected_maj_at_k(["1", "2"], "1", 3)
    with pytest.raises(ValueError, match="1 <= k <= n"):
        expected_maj_at_k(["1", "2"], "1", 0)


def test_curve_in_one_pass_equals_one_k_at_a_time() -> None:
    rng = np.random.default_rng(5)
    answers = [str(x) if x < 7 else None for x in rng.integers(0, 9, 64)]
    cl = clusters(answers, {"0", "3"})
    ks = [1, 2, 4, 8, 16, 32, 63, 64]
    curve = expected_majority_curve(cl, ks, seed=(1, 2))
    for k in ks:
        assert curve[k] == expected_majority_curve(cl, [k], seed=(1, 2))[k]
        assert curve[k].value == pytest.approx(expected_maj_at_k(answers, {"0", "3"}, k).value, abs=1e-12)
