"""Canonical forms of a final answer: plain decimal for integers, tidy LaTeX otherwise.

Pure string functions on short inputs (callers cut answers to MAX_ANSWER_CHARS first); every
regex here has bounded quantifiers or no nested repetition, so each call is linear time.
"""

from __future__ import annotations

import re

from evaluator.grading._exact_arith import exact_value

MAX_ANSWER_CHARS = 300
"""Longest answer text we canonicalise; longer candidates are not answers a grader would accept."""

_UNWRAP_PASSES = 6
"""How many levels of `\\text{...}`-style wrappers are peeled off (each pass is linear)."""

# Wrappers whose argument is the answer itself: `\text{73}`, `\boxed{73}`, `\mathbf{73}`.
_WRAPPER = re.compile(
    r"\\(?:text|textbf|textit|textrm|textnormal|textsf|mathrm|mathbf|mathit|mathsf|mbox|hbox|boxed|fbox|bf|rm|operatorname)"
    r"\s{0,3}\{([^{}]*)\}"
)

# A thousands separator written with LaTeX spacing or braces, possibly with a space after the comma:
# `12,\! 345`, `31 {, }416`, `2,\,500`. Only between a digit and exactly three digits.
_LATEX_THOUSANDS = re.compile(r"(?<=\d)\s{0,2}(?:\{\s{0,2},\s{0,2}\}|,\s{0,2}\\[!,]|\\[!,]\s{0,2},)\s{0,2}(?=\d{3}(?!\d))")

# Literal replacements applied in order (old, new): spacing, degree, percent, currency, style.
_REPLACEMENTS: tuple[tuple[str, str], ...] = (
    ("{,}", ","),
    ("\\dfrac", "\\frac"),
    ("\\tfrac", "\\frac"),
    ("\\displaystyle", ""),
    ("\\left", ""),
    ("\\right", ""),
    ("^{\\circ}", ""),
    ("^\\circ", ""),
    ("\\circ", ""),
    ("\\degree", ""),
    ("°", ""),
    ("\\%", ""),
    ("%", ""),
    ("\\$", ""),
    ("$", ""),
    ("€", ""),
    ("£", ""),
    ("¥", ""),
    ("₹", ""),
    ("₽", ""),
    ("₩", ""),
    ("\\(", ""),
    ("\\)", ""),
    ("\\[", ""),
    ("\\]", ""),
    ("\\,", ""),
    ("\\!", ""),
    ("\\;", " "),
    ("\\:", " "),
    ("\\quad", " "),
    ("\\qquad", " "),
    ("\\ ", " "),
    ("~", " "),
    ("\u2212", "-"),
    ("\u2013", "-"),
    ("**", ""),
)

# Unit and counting words that may follow an integer answer: "204 minutes", "12 ways".
_UNIT_WORDS = frozenset(
    {
        "minute", "minutes", "hour", "hours", "second", "seconds", "day", "days", "year", "years",
        "week", "weeks", "degree", "degrees", "cm", "m", "km", "mm", "meter", "meters", "metre",
        "metres", "inch", "inches", "foot", "feet", "ft", "mile", "miles", "unit", "units", "square",
        "cubic", "sq", "dollar", "dollars", "cent", "cents", "percent", "ways", "way", "people",
        "students", "points", "integers", "numbers", "solutions", "pairs", "triples", "values",
        "elements", "residents", "items", "rectangles", "triangles", "paths", "squares",
        "intersections", "divisors", "digits", "games", "coins", "cookies", "pct", "percentage",
        "euro", "euros", "yuan", "rupees", "pounds", "km/h", "mph", "kg", "g", "grams", "liters",
    }
)

_INT = re.compile(r"-?\d{1,40}")
_BARE_INT = re.compile(r"-?\d{1,40}")  # `204` as it stands, the most common answer of all
_THOUSANDS = re.compile(r"-?\d{1,3}(?:,\d{3}){1,12}")
_SPACED_THOUSANDS = re.compile(r"-?\d{1,3}(?: \d{3}){1,12}")  # `2 500`, French/SI style
_ZERO_DECIMAL = re.compile(r"(-?(?:\d{1,3}(?:,\d{3}){1,12}|\d{1,40}))\.0{1,20}")
_FRAC = re.compile(r"(-?)\\frac\{(-?\d{1,40})\}\{(-?\d{1,40})\}")
_FRAC_SHORT = re.compile(r"(-?)\\frac(\d)(\d)")
_SLASH = re.compile(r"(-?\d{1,40})/(-?\d{1,40})")
_UNIT_TAIL = re.compile(r"(-?[\d,.]{1,60})\s{0,3}([A-Za-z][A-Za-z/ \t^23.]{0,60})")
_FOREIGN_TAIL = re.compile(r"(-?[\d,.]{1,60})\s{0,3}([^\x00-\x7f\d\s]{1,30})")  # `45 ريالاً`, `45 руб`
_SPACES = re.compile(r"\s+")
_DECIMAL_COMMA = re.compile(r"[-+]?\d{1,40},(?:\d{1,2}|\d{4,40})")
_NEEDS_REPLACING = re.compile(r"[\\{$%°~*\u2212\u2013€£¥₹₽₩]")  # a character some replacement or wrapper acts on

_ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}
NUMBER_WORDS = frozenset({*_ONES, *_TENS, "hundred", "thousand", "and"})
_WORD_SPLIT = re.compile(r"[\s\-]+")


def clean_latex(raw: str) -> str:
    """Strip delimiters, styling wrappers, spacing commands and decorations; collapse spaces."""
    s = raw[:MAX_ANSWER_CHARS]
    if _NEEDS_REPLACING.search(s) is None:  # fast path: `204`, `m+n`, `2, 4`
        return _decimal_comma(_strip_edges(_SPACES.sub(" ", s).strip()))
    s = _LATEX_THOUSANDS.sub(",", s)
    for old, new in _REPLACEMENTS:
        s = s.replace(old, new)
    for _ in range(_UNWRAP_PASSES):
        unwrapped = _WRAPPER.sub(r"\1", s)
        if unwrapped == s:
            break
        s = unwrapped
    s = _SPACES.sub(" ", s).strip()
    return _decimal_comma(_strip_edges(s))


def _decimal_comma(s: str) -> str:
    """`1000,99` is 1000.99: a comma inside a lone number that is not followed by exactly three digits
    (those are thousands: `1,024`) is a decimal comma."""
    return s.replace(",", ".") if _DECIMAL_COMMA.fullmatch(s) else s


def _strip_edges(s: str) -> str:
    """Remove a trailing full stop, a `(073)` wrapper around an integer, and outer braces `{...}`."""
    for _ in range(_UNWRAP_PASSES):
        before = s
        s = s.strip().rstrip(".").strip()
        inner = s[1:-1]
        int_in_parens = s[:1] == "(" and s[-1:] == ")" and _INT.fullmatch(inner.strip()) is not None
        braced = s[:1] == "{" and s[-1:] == "}" and _balanced_inside(inner)
        if int_in_parens or braced:
            s = inner
        if s == before:
            break
    return s


def _balanced_inside(s: str) -> bool:
    """True when `s` has no unmatched brackets, so `(1)+(2)` is not mistaken for a wrapper."""
    depth = 0
    for ch in s:
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def words_to_int(text: str) -> int | None:
    """Integer written in English words ("thirty-three", "one hundred and four"), else None."""
    tokens = [t for t in _WORD_SPLIT.split(text.lower().strip()) if t]
    if not tokens or len(tokens) > 12 or any(t not in NUMBER_WORDS for t in tokens):
        return None
    if tokens[0] == "and" or tokens[-1] == "and":
        return None
    total, current, last = 0, 0, ""
    for tok in tokens:
        if tok == "and":
            if last not in ("hundred", "thousand"):
                return None
        elif tok in _ONES:
            if last in _ONES or (last in _TENS and _ONES[tok] >= 10):
                return None
            current += _ONES[tok]
        elif tok in _TENS:
            if last in _ONES or last in _TENS:
                return None
            current += _TENS[tok]
        elif tok == "hundred":
            if not 0 < current < 10:
                return None
            current *= 100
        else:  # thousand
            if current == 0:
                return None
            total += current * 1000
            current = 0
        last = tok
    return total + current


def _plain_int(s: str) -> int | None:
    """Integer from digits, thousands commas or spaces, `+45`, `2,000.0`, an integral fraction, or words."""
    s = s.strip()
    if s[:1] == "+":
        s = s[1:]
    if _INT.fullmatch(s) or _THOUSANDS.fullmatch(s) or _SPACED_THOUSANDS.fullmatch(s):
        return int(s.replace(",", "").replace(" ", ""))
    match = _ZERO_DECIMAL.fullmatch(s)
    if match:
        return int(match.group(1).replace(",", ""))
    for pattern in (_FRAC, _FRAC_SHORT):
        match = pattern.fullmatch(s.replace(" ", ""))
        if match:
            return _integral_ratio(match.group(1), match.group(2), match.group(3))
    match = _SLASH.fullmatch(s.replace(" ", ""))
    if match:
        return _integral_ratio("", match.group(1), match.group(2))
    return words_to_int(s)


def _integral_ratio(sign: str, num: str, den: str) -> int | None:
    """`num/den` when it is a whole number (negated for a leading minus), else None."""
    n, d = int(num), int(den)
    if d == 0 or n % d:
        return None
    return -(n // d) if sign else n // d


def as_integer(raw: str) -> int | None:
    """The integer an answer denotes (`\\boxed{073}`, `1{,}000`, `204 minutes`, `\\frac{84}{4}`), else None."""
    if _BARE_INT.fullmatch(raw):
        return int(raw)
    s = clean_latex(raw)
    if not s:
        return None
    if "=" in s:  # `m+n = 33`, `x=5`, a chain `x = a = b`: the value is the last right-hand side
        sides = s.split("=")
        if any("," in side for side in sides[1:-1]):
            return None  # `x=5, x=7`: several equations, not one value
        s = _strip_edges(sides[-1])
    value = _plain_int(s)
    if value is not None:
        return value
    match = _UNIT_TAIL.fullmatch(s)
    if match and all(w.strip("^23.") in _UNIT_WORDS for w in match.group(2).lower().split()):
        return _plain_int(match.group(1).rstrip("."))
    match = _FOREIGN_TAIL.fullmatch(s)  # a unit or currency word in another script
    if match and not any(ch.isdigit() for ch in match.group(2)):
        return _plain_int(match.group(1).rstrip("."))
    exact = exact_value(s)  # `(7+5)`, `\frac{146}{2}`, `\sqrt{5^2+12^2}`, `2^{10}-24`
    if exact is not None and exact.denominator == 1:
        return int(exact)
    return None


def canonical_answer(raw: str) -> str | None:
    """Canonical text of an answer: `73` for any spelling of 73, else cleaned LaTeX; None if empty."""
    value = as_integer(raw)
    if value is not None:
        return str(value)
    s = clean_latex(raw).replace(" ", "")
    return s or None


def integer_value(canonical: str | None) -> int | None:
    """The integer of a canonical answer, or None when it is not a plain integer."""
    if canonical is not None and _INT.fullmatch(canonical):
        return int(canonical)
    return None
