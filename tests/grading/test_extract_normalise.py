"""Rule 3: every spelling of an integer answer canonicalises to plain decimal; the rest to tidy LaTeX."""

from __future__ import annotations

import pytest

from evaluator.grading.extract import extract_answer
from evaluator.grading.normalise import as_integer, canonical_answer, words_to_int

CANONICAL = [
    ("73", "73"),
    ("073", "73"),
    ("0073", "73"),
    ("$73$", "73"),
    ("\\(73\\)", "73"),
    ("\\[73\\]", "73"),
    ("\\text{73}", "73"),
    ("\\textbf{73}", "73"),
    ("\\mathrm{73}", "73"),
    ("\\mathbf{73}", "73"),
    ("\\text{\\textbf{73}}", "73"),
    ("7 3", "73"),  # math mode ignores spaces: this renders as 73
    ("1,000", "1000"),
    ("12,345", "12345"),
    ("1{,}000", "1000"),
    ("1\\,000", "1000"),
    ("1\\!000", "1000"),
    ("90^\\circ", "90"),
    ("90^{\\circ}", "90"),
    ("90°", "90"),
    ("90 degrees", "90"),
    ("45\\%", "45"),
    ("45%", "45"),
    ("\\$25", "25"),
    ("204 \\text{ minutes}", "204"),
    ("204 minutes", "204"),
    ("12 ways", "12"),
    ("5 square units", "5"),
    ("16 cm^2", "16"),
    ("33.", "33"),
    ("(073)", "73"),
    ("{073}", "73"),
    ("204.0", "204"),
    ("204.00", "204"),
    ("\\dfrac{84}{4}", "21"),
    ("\\frac{84}{4}", "21"),
    ("\\tfrac{84}{4}", "21"),
    ("\\frac84", "2"),
    ("84/4", "21"),
    ("-\\frac{9}{3}", "-3"),
    ("\\frac{0}{5}", "0"),
    ("thirty-three", "33"),
    ("Thirty three", "33"),
    ("one hundred and four", "104"),
    ("seven hundred twenty-one", "721"),
    ("nine hundred ninety-nine", "999"),
    ("zero", "0"),
    ("two thousand and twenty-four", "2024"),
    ("m+n=33", "33"),
    ("x = 5", "5"),
    ("\\left(5\\right)", "5"),
    ("**73**", "73"),
    ("\u221273", "-73"),
    ("\\frac{1}{2}", "\\frac{1}{2}"),
    ("\\dfrac{1}{2}", "\\frac{1}{2}"),
    ("\\frac{5}{0}", "\\frac{5}{0}"),
    ("2.5", "2.5"),
    ("2 \\sqrt{3}", "2\\sqrt{3}"),
    ("(1, 2)", "(1,2)"),
    ("(100,200)", "(100,200)"),
    ("\\text{(C)}", "(C)"),
    ("", None),
    ("$ $", None),
]


@pytest.mark.parametrize(("raw", "expected"), CANONICAL)
def test_canonical_answer(raw: str, expected: str | None) -> None:
    assert canonical_answer(raw) == expected


WORDS = [
    ("one", 1),
    ("twelve", 12),
    ("twenty", 20),
    ("twenty-one", 21),
    ("ninety nine", 99),
    ("one hundred", 100),
    ("three hundred and five", 305),
    ("four thousand", 4000),
    ("one one", None),
    ("twenty thirty", None),
    ("twenty twelve", None),
    ("hundred", None),
    ("and", None),
    ("five and", None),
    ("eleven hundred", None),
    ("thirty-three apples", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "expected"), WORDS)
def test_words_to_int(text: str, expected: int | None) -> None:
    assert words_to_int(text) == expected


@pytest.mark.parametrize("raw", ["5 or 6", "x^2", "3, 5", "\\sqrt{5}", "12 apples and 3 pears", "1.5"])
def test_not_an_integer(raw: str) -> None:
    assert as_integer(raw) is None


def test_extraction_answer_is_canonical() -> None:
    assert extract_answer(r"\boxed{\text{0}\text{73}}").answer == "73"
    assert extract_answer(r"\boxed{\$1{,}0\,00}").answer == "1000"
