"""The reproduction verdict (evaluator/metrics/verdict.py): consistent exactly when the target is inside the
run's CI (the summary's CI), the gap and its CI, and the sample-size projection."""

from __future__ import annotations

import math

import numpy as np
import pytest

from evaluator.metrics.estimators import ProblemSamples, summarize
from evaluator.metrics.verdict import Target, parse_targets, reproduction_verdict


def run_with_rates(correct_counts: list[int], n: int) -> list[ProblemSamples]:
    """Problems with n samples each, the first c correct (answer "1", gold "1"; wrong answers "2")."""
    return [ProblemSamples(f"p{i}", ("1",), tuple("1" if j < c else "2" for j in range(n)),
                           tuple(j < c for j in range(n))) for i, c in enumerate(correct_counts)]


RUN = run_with_rates([16, 16, 12, 10, 8, 8, 6, 4, 2, 0, 16, 14, 9, 3, 0], 16)


def test_consistent_exactly_when_the_target_is_inside_the_summary_ci() -> None:
    m = summarize(RUN, bootstrap=500, seed=3)
    assert m.pass1_ci is not None
    lo, hi = m.pass1_ci
    inside, below, above = (lo + hi) / 2, lo - 0.01, hi + 0.01
    rows = reproduction_verdict(RUN, [Target("pass1", v, "t") for v in (inside, below, above)], bootstrap=500, seed=3)
    assert [r.consistent for r in rows] == [True, False, False]
    for row, target in zip(rows, (inside, below, above), strict=True):
        assert row.ci == (lo, hi) and row.estimate == m.pass1  # the summary's own CI, not a new one
        assert row.gap == pytest.approx(m.pass1 - target)
        assert row.gap_ci == pytest.approx((lo - target, hi - target))
        assert (row.gap_ci[0] <= 0 <= row.gap_ci[1]) == row.consistent


def test_cons_target_uses_the_cons_ci_and_flags_another_k() -> None:
    m = summarize(RUN, bootstrap=500, seed=0)
    assert m.cons_ci is not None
    (same, other) = reproduction_verdict(RUN, [Target("cons", m.cons, "t"), Target("cons", m.cons, "paper", k=64)],
                                         bootstrap=500)
    assert same.metric == "cons@16" and same.ci == m.cons_ci and same.consistent and same.comparable
    assert not other.comparable and "cons@64" in other.note


def test_no_number_of_samples_helps_when_problems_are_all_or_nothing() -> None:
    """Half the problems always solved, half never: the spread across problems is the whole CI."""
    run = run_with_rates([8] * 15 + [0] * 15, 8)
    (row,) = reproduction_verdict(run, [Target("pass1", 0.5, "t")], bootstrap=300)
    assert row.samples_for_1pt is None and "only more problems" in row.note
    assert row.floor == pytest.approx(1.959964 * math.sqrt(np.var([1.0] * 15 + [0.0] * 15, ddof=1) / 30), rel=1e-4)
    assert row.samples_for_1pt_fixed_problems == 1  # no sampling noise at all: one sample per problem says it all


def test_samples_needed_when_every_problem_has_the_same_rate() -> None:
    """All 30 problems at rate 1/2: no spread across problems, so only sampling noise is left."""
    run = run_with_rates([4] * 30, 8)
    (row,) = reproduction_verdict(run, [Target("pass1", 0.5, "t")], bootstrap=300)
    z, w = 1.959964, 0.25 * 8 / 7  # within-problem variance, unbiased
    assert row.floor == 0.0
    assert row.samples_for_1pt == math.ceil(w / (30 * (0.01 / z) ** 2))  # new problems: noise counted once
    assert row.samples_for_1pt_fixed_problems == math.ceil(z**2 * w / (30 * 0.01**2))


@pytest.mark.parametrize(("text", "expected", "note"), [
    ("pass1=71.0,cons=86.7", [("pass1", 0.71, None), ("cons", 0.867, None)], "the README's example"),
    ("pass@1=50", [("pass1", 0.5, None)], "pass@1 spelled out"),
    ("cons@64=80", [("cons", 0.8, 64)], "the published vote size"),
    (" maj@16 = 60.5 ", [("cons", 0.605, 16)], "maj is cons; spaces are fine"),
])
def test_parse_targets(text: str, expected: list[tuple[str, float, int | None]], note: str) -> None:
    got = [(t.metric, t.value, t.k) for t in parse_targets(text)]
    assert got == [(m, pytest.approx(v), k) for m, v, k in expected], note


@pytest.mark.parametrize("text", ["pass1", "pass1=abc", "pass2=50", "pass1=150", "", "cons=-3"])
def test_parse_targets_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_targets(text)


def test_a_number_published_on_another_problem_set_is_not_comparable() -> None:
    target = Target("pass1", 0.5, "paper", dataset="aime-2024")
    (same,) = reproduction_verdict(RUN, [target], bootstrap=200, dataset="aime-2024")
    (other,) = reproduction_verdict(RUN, [target], bootstrap=200, dataset="aime-2025")
    assert same.comparable and not other.comparable and "published on aime-2024" in other.note
