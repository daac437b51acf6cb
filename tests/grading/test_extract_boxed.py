"""Rule 2: the last balanced `\\boxed{...}` / `\\boxed ...` / `\\fbox{...}` is the answer."""

from __future__ import annotations

import pytest

from evaluator.grading.extract import AIME_RANGE, extract_answer
from tests.support.case_corpus import Case, r1

CASES = [
    Case(r"The answer is $\boxed{204}$.", "204", "ok", note="inline box"),
    Case("Thus\n\\[\n\\boxed{25}\n\\]", "25", "ok", note="display box"),
    Case(r"so the total is \boxed{073}.", "73", "ok", note="leading zero"),
    Case(r"so \boxed {116}", "116", "ok", note="space before brace"),
    Case(r"so \boxed 42 is it", "42", "ok", note="bare box argument"),
    Case(r"final: \boxed5", "5", "ok", note="bare digit argument"),
    Case(r"we get \fbox{321}", "321", "ok", note="fbox"),
    Case(r"first \boxed{12} then corrected \boxed{13}", "13", "ambiguous", note="last of two differs"),
    Case(r"\boxed{\text{45}}", "45", "ok", note="text inside box"),
    Case(r"\boxed{\textbf{55}}", "55", "ok", note="textbf inside box"),
    Case(r"\boxed{\mathbf{601}}", "601", "ok", note="mathbf inside box"),
    Case(r"\boxed{\mathrm{33}}", "33", "ok", note="mathrm inside box"),
    Case(r"\boxed{\dfrac{84}{4}}", "21", "ok", note="dfrac equal to an integer"),
    Case(r"\boxed{\frac{100}{4}}", "25", "ok", note="frac equal to an integer"),
    Case(r"\boxed{\frac{1}{2}}", r"\frac{1}{2}", "ok", note="non-integer fraction kept as LaTeX"),
    Case(r"\boxed{\frac{\sqrt{3}}{2}}", r"\frac{\sqrt{3}}{2}", "ok", note="nested braces"),
    Case(r"\boxed{{{7}}}", "7", "ok", note="redundant braces"),
    Case(r"\boxed{\boxed{9}}", "9", "ok", note="box in a box"),
    Case(r"\boxed{m+n=33}", "33", "ok", note="equation in box"),
    Case(r"\boxed{x = 5}", "5", "ok", note="assignment in box"),
    Case(r"\boxed{}  and then \boxed{17}", "17", "ok", note="empty box ignored"),
    Case(r"\boxed{17} and a dangling \boxed{", "17", "ok", note="unclosed box ignored"),
    Case(r"\boxed{17} then \boxed{\frac{1}{2}", "17", "ok", note="unbalanced nested box ignored"),
    Case(r"\boxed{\{1,2\}}", r"\{1,2\}", "ok", note="escaped braces in box"),
    Case(r"\boxed{1{,}000}", "1000", "out_of_range", note="latex thousands separator"),
    Case(r"\boxed{90^\circ}", "90", "ok", note="degrees"),
    Case(r"\boxed{90^{\circ}}", "90", "ok", note="degrees braced"),
    Case(r"\boxed{45\%}", "45", "ok", note="percent"),
    Case(r"\boxed{204\text{ minutes}}", "204", "ok", note="unit in text"),
    Case(r"\boxed{(073)}", "73", "ok", note="parenthesised"),
    Case(r"\boxed{ 8 }", "8", "ok", note="spaces"),
    Case(r"\boxed{8.}", "8", "ok", note="trailing full stop"),
    Case(r"\boxed{2\sqrt{3}}", r"2\sqrt{3}", "ok", note="surd"),
    Case(r"\boxed{-\frac{12}{4}}", "-3", "out_of_range", note="negative integral fraction"),
    Case(r"$\boxed{480}$" + "\n\n<|end_of_solution|>", "480", "ok", note="end marker after box"),
    Case(r"The answer is \boxed{0}.", "0", "ok", note="zero"),
    Case(r"The answer is \boxed{000}.", "0", "ok", note="triple zero"),
    Case(r"\boxed{699}" + " text " * 50, "699", "ok", note="text after the box"),
    Case(
        r1([r"First guess \boxed{10}.", r"Second guess \boxed{11}."], r"Therefore $\boxed{12}$."),
        "12",
        "ok",
        note="R1 tentative boxes in thinking ignored",
    ),
    Case(r"\boxed{12} is wrong, it is actually \boxed{12}", "12", "ok", note="same value twice"),
    Case(r"\boxed{\displaystyle 23}", "23", "ok", note="displaystyle"),
    Case(r"\boxed{\left(5\right)}", "5", "ok", note="left right parens"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_boxed(case: Case) -> None:
    got = extract_answer(case.text, case.finish_reason, AIME_RANGE)  # these responses answer AIME problems
    assert (got.answer, got.status) == (case.answer, case.status)


def test_box_source_and_candidates_are_recorded() -> None:
    got = extract_answer(r"\boxed{3} then \boxed{4} then \boxed{3}")
    assert got.source == "box"
    assert got.candidates == ("3", "4")


def test_very_long_box_is_not_an_answer() -> None:
    text = r"\boxed{1} and \boxed{" + "x" * 5000 + "}"
    assert extract_answer(text).answer == "1"
