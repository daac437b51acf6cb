"""Rule 4: a finished response with no answer form: read the concluding sentence, status `weak`."""

from __future__ import annotations

import pytest

from evaluator.grading.extract import AIME_RANGE, extract_answer
from tests.support.case_corpus import Case, r1

CASES = [
    Case("It is 4.", "4", "weak", note="bare sentence"),
    Case("We add the parts: $180 + 24 = 204$.", "204", "weak", note="final math expression"),
    Case("Thus the total is \\(3 \\times 60 + 24 = 204\\) minutes.", "204", "weak", note="paren math"),
    Case("Adding, \\[ m + n = 25 + 8 = 33 \\]", "33", "weak", note="display math at the end"),
    Case("So we get 12 ways in total for 3 cases.", "12", "weak", note="number after verb preferred"),
    Case("Die Antwort ist 42.", "42", "weak", note="German"),
    Case("所以答案是 204。", "204", "weak", note="Chinese full stop"),
    Case("Donc la réponse est 73 !", "73", "weak", note="French"),
    Case("The answer is thirty-three.", "33", "weak", note="words"),
    Case("So the count is 45. Hope this helps!", "45", "weak", note="look back past a closing remark"),
    Case("It equals 1,024.", "1024", "out_of_range", note="weak and out of range"),
    Case("Therefore $x = -5$.", "-5", "out_of_range", note="negative weak"),
    Case("It is 4", "4", "weak", finish_reason="stop", note="no full stop but finished"),
    Case("It is 4", None, "no_answer", tempting="4", note="no full stop, finish unknown"),
    Case(
        "Wait, no, for n=4, the number is 6.\n\nWait, no,",
        None,
        "no_answer",
        tempting="6",
        note="ends mid-sentence",
    ),
    Case("I could not solve this problem.", None, "no_answer", note="no number"),
    Case("", None, "no_answer", note="empty"),
    Case("   \n\n  ", None, "no_answer", note="whitespace"),
    Case("It is the only one.", None, "no_answer", note="number word not after verb"),
    Case("The sum is 480.<|end_of_solution|>", "480", "weak", note="end marker stripped"),
    Case(r1(["tentative 5"], "Putting it together, $BD^2 = 480$."), "480", "weak", note="R1 final part weak"),
    Case("So the probability is $\\frac{1}{2}$.", "\\frac{1}{2}", "weak", note="non-integer value"),
    Case("So $p = 2.5$.", "2.5", "weak", note="decimal value"),
    Case("Hence $r = 2\\sqrt{3}$.", "2\\sqrt{3}", "weak", note="surd value"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_weak(case: Case) -> None:
    got = extract_answer(case.text, case.finish_reason, AIME_RANGE)  # these responses answer AIME problems
    assert (got.answer, got.status) == (case.answer, case.status)


def test_weak_never_applies_after_length() -> None:
    got = extract_answer(r1([], "It is 4."), finish_reason="length")
    assert (got.answer, got.status) == (None, "truncated")


def test_weak_source_is_recorded() -> None:
    assert extract_answer("It is 4.").source == "weak"
