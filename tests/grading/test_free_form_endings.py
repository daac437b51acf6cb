"""A response without an answer marker is read from its last math expression or
concluding sentence, past signatures and restated formulas; garbage is no answer."""

from __future__ import annotations

import pytest

from evaluator.grading.extract import extract_answer
from tests.support.case_corpus import Case, r1

CASES = [
    Case("So the number of valid colourings is $3 \\cdot 4 = 12$.\n\n-user2019", "12", "weak",
         note="AoPS signature after the answer"),
    Case("Adding the two cases gives 204 ways.\n\nLaTeXed by MathFan", "204", "weak", note="LaTeXed-by credit"),
    Case("Therefore the answer is 37.\n~edited by mod_42", "37", "weak", note="edited-by credit"),
    Case("Therefore the answer is 37.\n\n~bluesky\n~edited by mod_42", "37", "weak", note="two credit lines"),
    Case("So $m + n = 17 + 8 = 25$. As a check, recall\n$$f(x) = x^2 + 3x + 1$$", "25", "weak",
         note="trailing display formula is a restatement, not a value"),
    Case("In 2019 the price was 40 dollars, and by 2021 it rises by 250%.", "250", "weak",
         note="prose ending with a percentage"),
    Case("The price is 40 dollars now, so it rises by 250 percent.", "250", "weak", note="percent word"),
    Case("لذلك يدفع كل شخص 3 مرات، والمجموع **45 ريالاً** لكل 15 دقيقة.", "45", "weak",
         note="bold answer in Arabic wins over earlier and later numbers"),
    Case("**Step 3:** combine. Then the total is **204**.", "204", "weak", note="bold answer, heading skipped"),
    Case("The code on the box reads QX7ZB.", None, "no_answer", note="letters around a digit are not a number"),
    Case("QX7ZB", None, "no_answer", note="garbage"),
    Case("So the answer is 7/4.", "7/4", "weak", note="a fraction after the verb is not 7"),
    Case("So the ratio is 0.25.", "0.25", "weak", note="decimal after the verb"),
    Case("The solutions are 2, 4, 6, and 8.", "2,4,6,8", "weak", note="a stated list is the answer, not its first item"),
    Case(r1(["we try 3"], "Counting all cases we obtain 91.\n\n— solver123"), "91", "weak",
         note="R1 final part with a dash signature"),
    Case("So the answer is 12.\n- 7 apples", "7", "weak", finish_reason="stop",
         note="a bullet with a number is content, not a signature"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_free_form_endings(case: Case) -> None:
    got = extract_answer(case.text, case.finish_reason)
    assert (got.answer, got.status) == (case.answer, case.status)


def test_the_span_keeps_the_whole_list() -> None:
    assert extract_answer("The solutions are 2, 4, 6, and 8.").span == "2, 4, 6, 8"
