"""Rule 4: a stated answer is the whole math expression (`$...$`, `\\(...\\)`, `\\[...\\]`, or the maximal
expression in plain text), never a number cut from inside it; an equation chain states its last
right-hand side; `.4` is a number; `1000,99` has a decimal comma, `1,024` a thousands separator."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.grading.extract import extract_answer
from evaluator.grading.grade import grade_response
from tests.support.case_corpus import Case, r1

CASES = [
    Case(r"Adding the two lengths, the perimeter is $14+4\sqrt{37}$. Therefore, the answer is $14+4\sqrt{37}$.",
         r"14+4\sqrt{37}", "weak", note="the answer is $radical sum$, not its 37"),
    Case(r"So the height of the cave is $\frac{9 \sqrt{23}}{23}$.", r"\frac{9\sqrt{23}}{23}", "weak",
         note="fraction with a radical, not its 23"),
    Case("Multiplying the independent probabilities, we get\n\\[\n\\frac{1}{576}\n\\]",
         r"\frac{1}{576}", "weak", note="display-math last line"),
    Case("Both roots are positive, so the larger one is what we want.\n\n\\frac{5}{2}", r"\frac{5}{2}", "weak",
         "stop", note="bare last line, not its 2"),
    Case("The expected number of flips is .4 per round, so the answer is .4.", ".4", "weak", note="leading dot"),
    Case("Converting the remaining cents, the total cost is 1000,99.", "1000.99", "weak",
         note="decimal comma"),
    Case("Counting all the arrangements, the total is 1,024.", "1024", "weak", note="thousands comma"),
    Case(r"Thus the ratio is $x = \frac{a}{b} = \frac{3}{4}$.", r"\frac{3}{4}", "weak",
         note="equation chain: last right-hand side"),
    Case(r"So $m+n = 25 + 8 = 33$.", "33", "weak", note="integer chain"),
    Case(r"So the value is $2^{25} \cdot 26!$.", "13532215908553332190020108288000000", "weak",
         note="integer-valued expression of any size, read whole"),
    Case(r"Hence the golden ratio appears: the answer is $\frac{1+\sqrt{5}}{2}$.", r"\frac{1+\sqrt{5}}{2}",
         "weak", note="no integer value: not the 2 of its denominator"),
    Case("Plugging back in, the distance simplifies to 14 + 4\\sqrt{37}.", r"14+4\sqrt{37}", "weak",
         note="plain-text expression after a verb"),
    Case("Therefore, x = 7/4.", "7/4", "weak", note="plain-text fraction after ="),
    Case(r"The area is \(8\sqrt{10}\).", r"8\sqrt{10}", "weak", note="inline paren math"),
    Case(r"**Final answer:** $\sqrt{23}-2 \sqrt{3}$", r"\sqrt{23}-2\sqrt{3}", "ok",
         note="bold final answer, difference of radicals"),
    Case(r"**$\frac{448}{3}$**", r"\frac{448}{3}", "weak", note="bold math answer"),
    Case(r"The distance is **14+4\sqrt{37}**", r"14+4\sqrt{37}", "weak", "stop", note="bold plain expression"),
    Case("We get 3 solutions: 1, 2, and 4.", "3", "weak", note="a count before the listed solutions"),
    Case(r"The roots are \frac{-1+\sqrt{17}}{2}, \frac{-1-\sqrt{17}}{2}.",
         r"\frac{-1+\sqrt{17}}{2},\frac{-1-\sqrt{17}}{2}", "weak", note="plain-text list of expressions"),
    Case(r"The final answer is $\frac{1311}{2017}$.", r"\frac{1311}{2017}", "ok", note="final answer is $...$"),
    Case(r"Answer: the minimum is $9\sqrt{15}$", r"9\sqrt{15}", "ok", note="answer line with a phrase"),
    Case("Answer: 12 (since each of the 3 rows has 4 seats)", "12", "ok", note="answer line opens with its value"),
    Case(r1([r"maybe \boxed{12}"], r"Combining the cases, the total is $1-\frac{2}{\pi}$."),
         r"1-\frac{2}{\pi}", "weak", note="R1 final part, constant pi"),
    Case("We need $2n+1$ to be prime, and the smallest such n is 2n+1 = 7.", "7", "weak",
         note="a formula is not cut for its leading digit"),
    Case(r"So the answer is approximately $x = \frac{1}{3} \approx 0.333$.", r"\frac{1}{3}", "weak",
         note="an approximation after the exact value is not the value"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_stated_answer_is_read_whole(case: Case) -> None:
    got = extract_answer(case.text, case.finish_reason)
    assert (got.answer, got.status) == (case.answer, case.status)


@dataclass(frozen=True)
class GradeCase:
    text: str
    gold: int | str
    correct: bool
    note: str


GRADES = [
    GradeCase(r"Therefore, the answer is $14+4\sqrt{37}$.", 37, False, "an integer key is not an inner number"),
    GradeCase(r"So the answer is $\frac{1+\sqrt{5}}{2}$.", 2, False, "a span with no integer value is not 2"),
    GradeCase(r"Thus $\frac{9 \sqrt{23}}{23}$ is the height.", 23, False, "not the 23 of the denominator"),
    GradeCase(r"So the answer is $\frac{84}{4}$.", 21, True, "an integral fraction has the integer value"),
    GradeCase(r"Therefore, the answer is $14+4\sqrt{37}$.", r"14+4\sqrt{37}", True, "the radical sum itself"),
    GradeCase("Both roots are positive.\n\n\\frac{5}{2}", r"\frac{5}{2}", True, "bare last line"),
    GradeCase("The answer is .4.", "0.4", True, "leading-dot decimal"),
    GradeCase("So the total is 1000,99.", "1000.99", True, "decimal comma"),
    GradeCase("So the total is 1000,99.", 99, False, "decimal comma is not its 99"),
    GradeCase(r"So $\frac{a}{b} = \frac{6}{8} = \frac{3}{4}$.", r"\frac{3}{4}", True, "last right-hand side"),
]


@pytest.mark.parametrize("case", GRADES, ids=lambda c: c.note)
def test_whole_span_is_graded(case: GradeCase) -> None:
    assert grade_response(case.text, case.gold, "stop").correct is case.correct
