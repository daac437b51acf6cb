"""cons@k classes of LaTeX answers are bounded work: canonical forms are merged without the symbolic checker,
only one representative per form is compared, a time cap per problem leaves the rest undecided (counted), a
pair the checker cannot decide is never merged, and every result is kept with the run so a re-summary or a
report compares nothing again. Ends with hostile answers through the real checker, at a small k."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.grading import equivalence
from evaluator.grading._symbolic_worker import MAX_TOWER, SymbolicChecker, tower_height
from evaluator.grading.equivalence import CLASSES_FILE, ClassStore, canonical_form, classify
from evaluator.metrics.summary import problem_table, summarize_run
from evaluator.types import Problem

GOLD = "\\frac{9\\sqrt{23}}{23}"


@dataclass(frozen=True)
class FormCase:
    a: str
    b: str
    same: bool
    note: str


FORM_CASES = (
    FormCase("\\frac{9}{23}", "\\dfrac{9}{23}", True, "\\dfrac is \\frac"),
    FormCase("\\frac{9}{23}", "9/23", True, "one exact rational value"),
    FormCase("0.5", "\\frac{2}{4}", True, "decimal and fraction"),
    FormCase("\\left(1+\\sqrt{2}\\right)", "(1 + \\sqrt{2})", True, "sizing commands and spaces"),
    FormCase("1+\\sqrt{2}", "1 + \\sqrt{2}\\,", True, "a LaTeX thin space"),
    FormCase("\\frac{1}{\\sqrt{2}}", "\\frac{\\sqrt{2}}{2}", False, "equal, but only the checker can tell"),
    FormCase("\\leftarrow", "arrow", False, "\\left inside a longer command is kept"),
)


@pytest.mark.parametrize("case", FORM_CASES, ids=[c.note for c in FORM_CASES])
def test_canonical_forms(case: FormCase) -> None:
    assert (canonical_form(case.a) == canonical_form(case.b)) is case.same


class Recorder:
    """A stand-in checker: answers from a table of equal pairs (None: undecided), and every pair it was asked."""

    def __init__(self, equal: dict[frozenset[str], bool | None] | None = None) -> None:
        self.equal = equal or {}
        self.asked: list[tuple[str, str]] = []

    def __call__(self, a: str, b: str) -> bool | None:
        self.asked.append((a, b))
        return self.equal.get(frozenset((a, b)), False)


def test_spellings_of_one_form_cost_no_comparison() -> None:
    answers = ("\\frac{9}{23}", "9/23", "\\dfrac{9}{23}", "\\frac{9}{ 23}", GOLD, None)
    compare = Recorder()
    result = classify(answers, (False, False, False, False, True, False), GOLD, compare=compare)
    assert result.representatives == ("\\frac{9}{23}",) * 4 + (GOLD, None)
    assert compare.asked == [] and result.compared == 0


def test_only_representatives_are_compared() -> None:
    answers = ("a+1", "b+1", "a + 1", "b+ 1", "c+1", "a+1")
    compare = Recorder({frozenset(("c+1", "a+1")): True})
    result = classify(answers, (False,) * 6, GOLD, compare=compare)
    assert result.representatives == ("a+1", "b+1", "a+1", "b+1", "a+1", "a+1")
    assert compare.asked == [("b+1", "a+1"), ("c+1", "a+1")]  # `a + 1`, `b+ 1`: their forms are known


def test_an_undecided_pair_is_never_merged_and_is_counted() -> None:
    answers = ("(n^{n^{n}})!", "(m^{m^{m}})!", "(m^{m^{m}})!", "\\frac{9}{23}")
    compare = Recorder({frozenset(answers[:2]): None})
    result = classify(answers, (False,) * 4, GOLD, compare=compare)
    assert result.representatives == answers[:3] + ("\\frac{9}{23}",)
    assert result.undecided == {"(m^{m^{m}})!"}  # left alone because the checker could not tell


def test_the_time_cap_leaves_the_rest_undecided() -> None:
    ticks = itertools.count()
    answers = tuple(f"x+{i}\\sqrt{{2}}" for i in range(10))
    compare = Recorder()
    result = classify(answers, (False,) * 10, GOLD, compare=compare, budget_s=5.0, clock=lambda: next(ticks))
    assert result.capped and len(set(result.representatives)) == 10  # nothing merged without proof
    assert len(compare.asked) < 45 and result.undecided  # not every pair was compared: those answers are counted
    assert len(result.undecided) == 10 - 3  # the first three were compared with every class before the cap


@pytest.fixture
def no_checker(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """Replaces the symbolic checker: records what it is asked, says "different" unless told otherwise."""
    asked: list[tuple[str, str]] = []

    def fake(a: str, b: str) -> bool | None:
        asked.append((a, b))
        return None if "^{" in a + b else False

    monkeypatch.setattr(equivalence, "symbolic_equal", fake)
    yield asked


PROBLEM = Problem("p", "Find the ratio.", GOLD)
ANSWERS = ("\\frac{9}{23}", "9^{9^{9}}", GOLD, "\\frac{1}{\\sqrt{23}}", "7^{7^{7}}", "9/23")
RECORDS = [{"problem_id": "p", "sample": i, "extracted": a, "correct": a == GOLD, "status": "ok"}
           for i, a in enumerate(ANSWERS)]


def test_classes_are_kept_with_the_run_and_never_compared_again(
        tmp_path: Path, no_checker: list[tuple[str, str]]) -> None:
    store = ClassStore.open(tmp_path)
    summary = summarize_run(RECORDS, [PROBLEM], 6, classes=store)
    assert no_checker  # the first summary compares
    # alone and not proved different from every class: both towers, and \frac{1}{\sqrt{23}} (its comparison
    # with the first tower was undecided); the two spellings of 9/23 are one form, compared before any tower
    assert summary["rates"]["undecided_class"] == pytest.approx(3 / 6)
    stored = json.loads((tmp_path / CLASSES_FILE).read_text())
    undecided = [pair for pair in stored["comparisons"] if pair[2] is None]
    assert undecided and all("^{" in pair[0] + pair[1] for pair in undecided)  # kept as undecided, not False
    assert stored["problems"]["p|6"]["representatives"][5] == "\\frac{9}{23}"

    no_checker.clear()
    again = summarize_run(RECORDS, [PROBLEM], 6, classes=ClassStore.open(tmp_path))  # `evaluate score`
    (row,) = problem_table(RECORDS, [PROBLEM], 6, ClassStore.open(tmp_path, read_only=True))  # the report
    assert no_checker == [] and again["metrics"] == summary["metrics"]
    assert row.answers == ("\\frac{9}{23}", "9^{9^{9}}", GOLD, "\\frac{1}{\\sqrt{23}}", "7^{7^{7}}", "\\frac{9}{23}")


def test_changed_answers_are_classified_again_from_the_stored_comparisons(
        tmp_path: Path, no_checker: list[tuple[str, str]]) -> None:
    summarize_run(RECORDS, [PROBLEM], 6, classes=ClassStore.open(tmp_path))
    first = list(no_checker)
    no_checker.clear()
    regraded = [dict(r, extracted="\\frac{2}{7}") if r["sample"] == 3 else r for r in RECORDS]
    summarize_run(regraded, [PROBLEM], 6, classes=ClassStore.open(tmp_path))
    assert no_checker and all("\\frac{2}{7}" in pair for pair in no_checker)  # only pairs with the new answer
    assert set(no_checker).isdisjoint(first)


@pytest.mark.parametrize("damage", ['{"version": 1, "problems": ', '{"version": 1, "problems": {"p": 5}, '
                                    '"comparisons": []}', '{"version": 1, "problems": {"p": {"answers": []}}, '
                                    '"comparisons": [[1]]}', '[]'])
def test_a_damaged_classes_file_is_rebuilt(tmp_path: Path, no_checker: list[tuple[str, str]], damage: str) -> None:
    (tmp_path / CLASSES_FILE).write_text(damage)
    summary = summarize_run(RECORDS, [PROBLEM], 6, classes=ClassStore.open(tmp_path))
    assert summary["metrics"] is not None and json.loads((tmp_path / CLASSES_FILE).read_text())["version"] == 1


@pytest.mark.parametrize(("text", "height"), [("x", 1), ("x^2", 2), ("e^{x^2}", 3), ("(n^{n^{n}})!", 3),
                                              ("(n^{n^{n^{n}}})!", 4), ("2^{25} \\cdot 26!", 2)])
def test_tower_height(text: str, height: int) -> None:
    assert tower_height(text) == height


def test_hostile_answers_at_a_small_k_finish_in_seconds(tmp_path: Path) -> None:
    """The real checker (one worker, 1 s per comparison) on k=8 hostile answers: towers four high are
    refused at once, three-high ones cost one timeout each at most, and nothing undecided is merged."""
    checker = SymbolicChecker(timeout_s=1.0)
    try:
        checker.compare("1", "2")  # the worker's start (importing sympy) is not what is bounded here
        answers = ("(n^{n^{n^{n}}})!", "(m^{m^{m^{m}}})!", "9^{9^{9^{9}}}", "9^{9^{9}}", "(n^{n^{n^{n}}})!",
                   "\\frac{9}{23}", "9/23", GOLD)
        began = time.monotonic()
        result = classify(answers, tuple(a == GOLD for a in answers), GOLD,
                          compare=lambda a, b: checker.compare(a, b).equal, budget_s=6.0)
        elapsed = time.monotonic() - began
    finally:
        checker.close()
    assert elapsed < 15.0, elapsed
    reps = result.representatives
    assert reps[0] == reps[4] == "(n^{n^{n^{n}}})!"  # the same text: one class, no comparison
    assert reps[5] == reps[6] == "\\frac{9}{23}" and reps[7] == GOLD
    assert len({reps[0], reps[1], reps[2], reps[3]}) == 4  # hostile answers never merged without proof
    assert {"(m^{m^{m^{m}}})!", "9^{9^{9^{9}}}", "9^{9^{9}}"} <= result.undecided
    assert MAX_TOWER == 3


def test_a_run_without_answers_writes_no_classes_file(tmp_path: Path, no_checker: list[tuple[str, str]]) -> None:
    """A failed start summarises zero samples: its run folder must stay empty enough to be removed."""
    summarize_run([], [PROBLEM], 6, classes=ClassStore.open(tmp_path))
    assert not (tmp_path / CLASSES_FILE).exists() and no_checker == []


def test_grading_comparisons_are_kept_with_the_run_undecided_ones_as_undecided(tmp_path: Path) -> None:
    """What the checker remembers (a timeout included) is written with the run and handed back to it before a
    re-grade: the timed-out pair is answered at once, still as a timeout, never as a verdict."""
    from evaluator.grading._symbolic_worker import SymbolicResult, default_checker
    from evaluator.grading.grade import grade_response

    checker = default_checker()
    checker.clear_cache()
    try:
        checker.remember({("9^{9^{9}}", "5.5"): SymbolicResult(None, "timeout")})  # as a first grading left it
        store = ClassStore.open(tmp_path)
        store.keep_checker_results()
        store.save()
        stored = json.loads((tmp_path / CLASSES_FILE).read_text())["grading"]
        assert ["9^{9^{9}}", "5.5", None, "timeout"] in stored

        checker.clear_cache()  # a new process: `evaluate score` on the same run
        ClassStore.open(tmp_path).lend_to_checker()
        began = time.monotonic()
        grade = grade_response("So $\\boxed{9^{9^{9}}}$.", "5.5")
        assert (grade.correct, grade.method) == (False, "timeout") and time.monotonic() - began < 1.0
    finally:
        checker.clear_cache()


def test_report_reads_the_classes_of_a_real_run_and_compares_nothing(
        tmp_path: Path, shared_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the command line: the mock on HMMT February 2025 (LaTeX keys, wrong answers in varied spellings),
    then `evaluate report` with the symbolic checker replaced by one that fails if asked anything."""
    from typer.testing import CliRunner

    from evaluator.cli import app

    monkeypatch.setenv("AIME_EVAL_DATA_DIR", str(shared_dir / "data"))
    result = CliRunner().invoke(app, ["--model", "mock", "--dataset", "hmmt-feb-2025", "--k", "4", "--output-dir",
                                      str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 0, result.output
    (run,) = (tmp_path / "o").iterdir()
    stored = json.loads((run / CLASSES_FILE).read_text())
    assert stored["problems"] and stored["comparisons"]  # wrong answers were compared, and that was kept

    def refuse(a: str, b: str) -> bool:
        raise AssertionError(f"the report compared {a!r} with {b!r}")

    monkeypatch.setattr(equivalence, "symbolic_equal", refuse)
    report = CliRunner().invoke(app, ["report", str(run)])
    assert report.exit_code == 0, report.output
    assert (run / "report.html").is_file()
