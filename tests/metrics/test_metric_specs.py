"""The MetricSpec table (evaluator.metrics.specs): which metric names a paired comparison accepts, what
each spec computes per problem, and what `evaluate compare` pairs runs on."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from evaluator.metrics import ProblemSamples, paired_comparison, pass_at_k
from evaluator.metrics.specs import CONS, METRIC_SPECS, METRICS, PAIRED_METRICS, PASS
from evaluator.reports import compare


@dataclass(frozen=True)
class Case:
    label: str
    metric: str
    expected: str  # the result's `metric` label, or the start of the ValueError
    note: str
    error: bool = False


# 3 problems with 4 samples each, so "n" means k = 4
CASES = [
    Case("pass-1", "pass@1", "pass@1", "the default"),
    Case("pass-k", "pass@3", "pass@3", "unbiased pass@k"),
    Case("pass-n", "pass@n", "pass@4", "n: the fewest samples of any problem, for every family"),
    Case("cons-n", "cons@n", "cons@4", "what `evaluate compare` uses"),
    Case("maj-is-cons", "maj@2", "cons@2", "maj is a synonym: the result is labelled cons"),
    Case("spaces", "  pass@2 ", "pass@2", "surrounding spaces are ignored"),
    Case("leading-zero", "pass@02", "pass@2", "k is read as a number"),
    Case("unknown-family", "accuracy", "unknown metric 'accuracy'; use pass@K, cons@K, maj@K or cons@n",
         "the message lists the table's families", error=True),
    Case("no-k", "pass@", "unknown metric", "a family needs @K or @n", error=True),
    Case("k-not-a-number", "pass@x", "unknown metric", "only digits or n after @", error=True),
    Case("case-matters", "Pass@1", "unknown metric", "family names are lower case", error=True),
    Case("k-zero", "pass@0", "pass@0 needs 1 <= k <= 4", "k starts at 1", error=True),
    Case("k-too-large", "cons@5", "cons@5 needs 1 <= k <= 4", "no problem can vote over more samples than it has", error=True),
]


def _run(answers: list[tuple[str | None, ...]]) -> list[ProblemSamples]:
    return [ProblemSamples(f"p{i}", ("1",), a, tuple(x == "1" for x in a)) for i, a in enumerate(answers)]


A = _run([("1", "1", "2", None), ("2", "2", "1", "3"), ("1", "1", "1", "1")])
B = _run([("1", "2", "2", "2"), ("3", None, None, "1"), ("1", "2", "1", "1")])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label)
def test_metric_names(case: Case) -> None:
    if case.error:
        with pytest.raises(ValueError) as info:
            paired_comparison(A, B, case.metric, bootstrap=0)
        assert str(info.value).startswith(case.expected), case.note
    else:
        assert paired_comparison(A, B, case.metric, bootstrap=0).metric == case.expected, case.note


def test_specs_compute_the_per_problem_values() -> None:
    p = A[0]  # 2 of 4 correct; votes: "1" twice, "2" once, one no-answer
    assert PASS.per_problem(p, 2, 0) == pass_at_k(4, 2, 2)
    assert CONS.per_problem(p, 4, 0) == 1.0  # all four samples: "1" wins the vote
    result = paired_comparison(A, B, "cons@4", bootstrap=0)
    expected = [CONS.per_problem(a, 4, 0) - CONS.per_problem(b, 4, 0) for a, b in zip(A, B, strict=True)]
    assert result.diff == pytest.approx(sum(expected) / 3)


def test_the_table() -> None:
    assert [spec.name for spec in METRICS] == ["pass", "cons"]
    assert METRIC_SPECS == {"pass": PASS, "cons": CONS, "maj": CONS}
    assert all(spec.higher_is_better for spec in METRICS)
    assert PAIRED_METRICS == ("pass@1", "cons@n") and compare.PAIRED_METRICS is PAIRED_METRICS
    with pytest.raises(dataclasses.FrozenInstanceError):
        PASS.name = "other"  # type: ignore[misc]
