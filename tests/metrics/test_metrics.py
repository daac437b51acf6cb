"""pass@k against brute force, and the table-level API (summarize, per_problem, paired_comparison)."""

from __future__ import annotations

import itertools
import json
import math
from fractions import Fraction

import numpy as np
import pytest

from evaluator.metrics import (
    ProblemSamples,
    paired_comparison,
    pass_at_k,
    per_problem,
    summarize,
)


def brute_pass_at_k(n: int, c: int, k: int) -> Fraction:
    """Fraction of the k-subsets of n samples (the first c correct) that contain a correct sample."""
    subsets = list(itertools.combinations(range(n), k))
    return Fraction(sum(any(i < c for i in s) for s in subsets), len(subsets))


def test_pass_at_k_equals_enumeration_for_all_small_n() -> None:
    for n in range(1, 13):
        for c in range(n + 1):
            for k in range(1, n + 1):
                assert pass_at_k(n, c, k) == pytest.approx(float(brute_pass_at_k(n, c, k)), abs=1e-12)


def test_pass_at_k_large_n_is_finite_monotone_and_exact() -> None:
    n = 1024
    for c in (0, 1, 2, 3, 10, 100, 512, 1000, 1023, 1024):
        curve = np.array([pass_at_k(n, c, k) for k in range(1, n + 1)])
        assert np.isfinite(curve).all()
        assert ((curve >= 0.0) & (curve <= 1.0)).all()
        assert (np.diff(curve) >= 0.0).all()
        assert curve[0] == pytest.approx(c / n, abs=1e-12)
        for k in (1, 7, 64, 500, 1024):
            exact = 1 - Fraction(math.comb(n - c, k), math.comb(n, k))
            assert curve[k - 1] == pytest.approx(float(exact), abs=1e-12)


@pytest.mark.parametrize(("n", "c", "k"), [(0, 0, 1), (4, 5, 1), (4, -1, 1), (4, 2, 0), (4, 2, 5)])
def test_pass_at_k_rejects_invalid_arguments(n: int, c: int, k: int) -> None:
    with pytest.raises(ValueError):
        pass_at_k(n, c, k)


def make(pid: str, gold: str, answers: list[str | None]) -> ProblemSamples:
    """A problem whose grader marks exactly the answers equal to `gold` correct."""
    return ProblemSamples(pid, (gold,), tuple(answers), tuple(a == gold for a in answers))


def small_run() -> list[ProblemSamples]:
    return [
        make("a", "1", ["1", "1", "2", None]),
        make("b", "4", ["3", "4", "4", "3"]),
        make("c", "9", []),
    ]


def test_problem_samples_validates_and_coerces() -> None:
    with pytest.raises(ValueError, match="3 answers but 2 verdicts"):
        ProblemSamples("x", ("1",), ("1", "2", "3"), (True, False))
    p = ProblemSamples("x", "073", ("073",), (True,))  # type: ignore[arg-type]
    assert p.golds == ("073",)
    assert ProblemSamples("x", (73,), (73,), (1,)).golds == ("73",)  # type: ignore[arg-type]
    assert ProblemSamples("x", (73,), (73,), (1,)).answers == ("73",)  # type: ignore[arg-type]


def test_summarize_hand_computed_values() -> None:
    m = summarize(small_run(), bootstrap=0)
    assert (m.n_problems, m.n_empty, m.n_samples, m.samples_min, m.samples_max) == (2, 1, 8, 4, 4)
    assert m.pass1 == pytest.approx(0.5)
    assert m.pass1_se == pytest.approx(0.0)
    assert m.pass_at_k == pytest.approx({1: 0.5, 2: 5 / 6, 4: 1.0})
    assert m.cons_k == 4
    assert m.cons == pytest.approx((1.0 + 0.5) / 2)  # b is a 2-2 tie between "3" and "4"
    # maj@2: a -> 4/6 of the pairs win ({1,2} ties count 1/2); b -> 3/6
    assert m.maj_at_k == pytest.approx({1: 0.5, 2: (4 / 6 + 3 / 6) / 2})
    assert m.maj_at_k_exact == {1: True, 2: True}
    assert m.maj_at_k_mc_se == {1: 0.0, 2: 0.0}
    assert m.no_answer_rate == pytest.approx(1 / 8)
    assert m.pass1_ci_new_problems is None and m.cons_ci_new_problems is None  # bootstrap=0
    assert m.pass1_ci[0] <= m.pass1 <= m.pass1_ci[1] and m.cons_ci[0] <= m.cons <= m.cons_ci[1]


def test_summarize_unequal_counts_and_explicit_k() -> None:
    run = [make("a", "1", ["1", "2", "1", "1", "2", "2"]), make("b", "5", ["5", "6", "6"])]
    m = summarize(run, bootstrap=200)
    assert (m.samples_min, m.samples_max, m.cons_k) == (3, 6, 3)
    assert m.pass1 == pytest.approx((3 / 6 + 1 / 3) / 2)
    assert sorted(m.pass_at_k) == [1, 2, 3]
    # a: expected vote of a random 3-subset of 3x"1", 3x"2" is 1/2 by symmetry; b: "6" wins outright
    assert m.cons == pytest.approx(0.25)
    assert m.cons_ci is not None and m.cons_ci[0] <= m.cons_ci[1]
    assert summarize(run, k=2, bootstrap=0).cons_k == 2
    with pytest.raises(ValueError, match="1 <= k <= 3"):
        summarize(run, k=4)


def test_summarize_vote_accepts_answers_the_grader_marked_correct() -> None:
    p = ProblemSamples("x", ("0.5",), ("1/2", "1/2", "7"), (True, True, False))
    assert summarize([p], bootstrap=0).cons == 1.0
    assert per_problem([p])[0].majority_credit == 1.0


def test_summarize_rejects_bad_tables() -> None:
    with pytest.raises(ValueError, match="no problem has any samples"):
        summarize([make("a", "1", [])])
    with pytest.raises(ValueError, match="duplicate problem ids: a"):
        summarize([make("a", "1", ["1"]), make("a", "1", ["2"])])
    with pytest.raises(ValueError, match="confidence"):
        summarize(small_run(), confidence=1.5)


def test_to_dict_is_plain_json_and_round_trips() -> None:
    m = summarize([make("a", "1", ["1", "2", None, "1"])], bootstrap=100)
    d = m.to_dict()
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    assert d["pass1_se"] is None  # one problem: no spread over problems
    assert d["pass_at_k"] == pytest.approx({"1": 0.5, "2": 5 / 6, "4": 1.0})
    assert isinstance(d["pass1_ci"], list) and len(d["pass1_ci"]) == 2
    rows = [r.to_dict() for r in per_problem(small_run())]
    assert json.loads(json.dumps(rows, allow_nan=False)) == rows
    c = paired_comparison(small_run(), small_run(), bootstrap=50).to_dict()
    assert json.loads(json.dumps(c, allow_nan=False)) == c


def test_per_problem_rows() -> None:
    a, b, c = per_problem(small_run())
    assert (a.n, a.n_correct, a.pass_rate, a.majority_answer, a.majority_share) == (4, 2, 0.5, "1", 0.5)
    assert (a.majority_credit, a.n_tied, a.no_answer) == (1.0, 1, 1)
    assert (b.majority_answer, b.n_tied, b.majority_credit, b.majority_share) == ("3", 2, 0.5, 0.5)
    assert (c.n, c.pass_rate, c.majority_answer, c.majority_share, c.majority_credit) == (
        0,
        None,
        None,
        None,
        None,
    )
    all_abstain = per_problem([make("d", "1", [None, None])])[0]
    assert (all_abstain.majority_answer, all_abstain.majority_credit, all_abstain.no_answer) == (None, 0.0, 2)


def test_paired_comparison_rejects_different_problem_sets() -> None:
    other = [*small_run()[:2], make("z", "1", ["1"])]
    with pytest.raises(ValueError, match=r"1 only in A \['c'\], 1 only in B \['z'\]"):
        paired_comparison(small_run(), other)
    with pytest.raises(ValueError, match="unknown metric"):
        paired_comparison(small_run(), small_run(), metric="accuracy")


def test_paired_comparison_identical_runs() -> None:
    run = small_run()
    c = paired_comparison(run, run, bootstrap=200)
    assert (c.n_problems, c.n_excluded, c.diff, c.p_value, c.n_equal) == (2, 1, 0.0, 1.0, 2)
    assert c.p_value_new_problems_exact and c.p_value_new_problems == 1.0
    assert c.ci is not None and c.ci[0] <= 0.0 <= c.ci[1]


def test_paired_comparison_exact_sign_flip_pvalue() -> None:
    a = [make(str(i), "1", ["1", "1", "1", "2"]) for i in range(5)]
    b = [make(str(i), "1", ["1", "2", "2", "2"]) for i in range(5)]
    c = paired_comparison(a, b, bootstrap=0)
    # five equal positive differences: only all-plus and all-minus of the 32 sign patterns are as extreme
    assert c.p_value_new_problems == pytest.approx(2 / 32)
    assert (c.diff, c.n_a_better, c.n_b_better, c.mean_a, c.mean_b) == (0.5, 5, 0, 0.75, 0.25)
    cons = paired_comparison(a, b, metric="cons@n", bootstrap=0)
    assert (cons.metric, cons.k, cons.diff) == ("cons@4", 4, 1.0)
    pk = paired_comparison(a, b, metric="pass@2", bootstrap=0)
    assert pk.diff == pytest.approx(1.0 - 0.5)  # pass@2: 1 (3 of 4 correct) vs 1 - C(3,2)/C(4,2)


def test_paired_comparison_excludes_problems_empty_in_one_run() -> None:
    a = [make("x", "1", ["1", "1"]), make("y", "1", ["1"])]
    b = [make("x", "1", ["2", "2"]), make("y", "1", [])]
    c = paired_comparison(a, b, bootstrap=0)
    assert (c.n_problems, c.n_excluded, c.diff) == (1, 1, 1.0)


def test_results_are_deterministic_given_the_seed() -> None:
    rng = np.random.default_rng(3)
    run = [make(str(i), "1", [str(x) for x in rng.integers(0, 3, 16)]) for i in range(12)]
    assert summarize(run, seed=5) == summarize(run, seed=5)
    assert summarize(run, seed=5).pass1_ci_new_problems != summarize(run, seed=6).pass1_ci_new_problems
    other = [make(str(i), "1", [str(x) for x in rng.integers(0, 3, 16)]) for i in range(12)]
    assert paired_comparison(run, other, seed=1) == paired_comparison(run, other, seed=1)
