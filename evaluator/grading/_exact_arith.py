"""Exact value of a short arithmetic answer (`(7+5)`, `\\frac8{4}`, `\\sqrt{5^2+12^2}`, `2^{10}-24`).

A small recursive-descent parser over a fixed token set, computing with `fractions.Fraction`: no
`eval`, no sympy, nothing from the text is ever executed. Anything outside the grammar (a letter
variable, `\\pi`, a comma, an irrational root) gives None, so the caller falls back to treating the
answer as text or to the symbolic worker. Every step is bounded: at most MAX_EXPR_CHARS of input,
MAX_TOKENS tokens, MAX_DEPTH nesting, and no intermediate value larger than MAX_BITS bits (so
`9^{9^{9}}` is refused before it is computed).

Grammar (LaTeX or plain text, after `clean_latex`):
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "\\cdot" | "\\times" | "/" | "\\div" | implicit) unary)*
    unary   := ("-" | "+") unary | power
    power   := atom ("!")? ("^" atom)?
    atom    := number | "(" sum ")" | "{" sum "}" | "[" sum "]"
             | "\\frac" arg arg | "\\sqrt" ("[" sum "]")? arg | "\\binom" arg arg
    arg     := "{" sum "}" | one digit (brace-less `\\frac84`) | number
`2^10` means 1024 (the plain-text reading a model intends), as does `2^{10}`.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

MAX_EXPR_CHARS = 200  # an answer longer than this is not a short arithmetic expression
MAX_TOKENS = 120
MAX_DEPTH = 24  # nesting of brackets and fractions
MAX_BITS = 4_096  # largest numerator/denominator kept (about 1,233 digits)
MAX_FACTORIAL = 200

_TOKEN = re.compile(r"\s*(\\[A-Za-z]+|\d{1,400}(?:\.\d{1,400})?|\.\d{1,400}|[-+*/^(){}\[\]!×·÷−])")
_TIMES = frozenset({"*", "\\cdot", "\\times", "×", "·"})
_DIVIDE = frozenset({"/", "\\div", "÷"})
_FRAC = frozenset({"\\frac", "\\dfrac", "\\tfrac"})
_OPEN = {"(": ")", "{": "}", "[": "]"}
_IMPLICIT_START = frozenset({"(", "\\sqrt", "\\binom"})  # never before `\frac`: `3\frac12` is a mixed number
_HAS_OPERATOR = re.compile(r"[-+*/^(){}!×·÷−]|\\(?:frac|dfrac|tfrac|sqrt|binom|cdot|times|div)")


class _NotExact(ValueError):
    """The text is outside the grammar or its value is not a bounded rational."""


_DECIMAL = re.compile(r"[-+]?(?:\d{1,400}(?:\.\d{0,400})?|\.\d{1,400})")


def rational_value(text: str) -> Fraction | None:
    """Exact value of a plain number (`0.25`, `-3`) or of an arithmetic answer (`\\frac{7}{4}`), else None."""
    text = text.strip()
    if len(text) <= MAX_EXPR_CHARS and _DECIMAL.fullmatch(text):
        return Fraction(text)
    return exact_value(text)


_INFINITY = {"\\infty": "inf", "+\\infty": "inf", "-\\infty": "-inf", "∞": "inf", "-∞": "-inf"}
_BRACKETS = {("(", ")"): "tuple", ("[", "]"): "closed", ("(", "]"): "left-open", ("[", ")"): "right-open"}
MAX_ITEMS = 32
_THOUSANDS_LIKE = re.compile(r"\d,\d{3}(?!\d)")


def split_collection(text: str) -> tuple[str, tuple[Fraction | str, ...]] | None:
    """(kind, items) of a tuple `(3, 8)`, interval `(1, 2]`, set `\\{1, 2\\}` or bare list `2, 4, 6` whose
    items are exact rationals or +-infinity; None otherwise. Bare lists are sets, as Math-Verify reads
    them; `(a, b)` is one kind whether it is a point or an open interval (both compare in order)."""
    if _THOUSANDS_LIKE.search(text):
        return None  # `1,000` is a number, not the list 1, 0
    text = text.replace(" ", "")
    kind = "set"
    if text.startswith("\\{") and text.endswith("\\}"):
        body = text[2:-2]
    elif (text[:1], text[-1:]) in _BRACKETS:
        kind, body = _BRACKETS[text[:1], text[-1:]], text[1:-1]
    elif "," in text:
        body = text
    else:
        return None
    parts = _top_level_split(body)
    if parts is None or not 2 <= len(parts) <= MAX_ITEMS or (kind != "set" and kind != "tuple" and len(parts) != 2):
        return None
    items: list[Fraction | str] = []
    for part in parts:
        value = _INFINITY.get(part) or rational_value(part)
        if value is None:
            return None
        items.append(value)
    return kind, tuple(items)


def _top_level_split(body: str) -> list[str] | None:
    """Split at commas outside brackets and braces; None if they do not balance."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                return None
        elif ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return None if depth or any(not p for p in parts) else parts


def exact_value(text: str) -> Fraction | None:
    """The exact rational value of an arithmetic answer, or None (see the module docstring)."""
    if len(text) > MAX_EXPR_CHARS or not _HAS_OPERATOR.search(text):
        return None
    tokens = _tokens(text)
    if tokens is None or not tokens or len(tokens) > MAX_TOKENS:
        return None
    parser = _Parser(tokens)
    try:
        value = parser.sum(0)
    except (_NotExact, ZeroDivisionError, OverflowError, ValueError):
        return None
    return value if parser.pos == len(tokens) else None


def _tokens(text: str) -> list[str] | None:
    """Split into grammar tokens; None when some character is not part of the grammar."""
    out: list[str] = []
    pos, end = 0, len(text.rstrip())
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None:
            return None
        token = match.group(1)
        out.append("-" if token == "−" else token)
        pos = match.end()
    return out


def _checked(value: Fraction) -> Fraction:
    if value.numerator.bit_length() > MAX_BITS or value.denominator.bit_length() > MAX_BITS:
        raise _NotExact("too large")
    return value


def _number(token: str) -> Fraction:
    if not (token[:1].isdigit() or token[:1] == "."):
        raise _NotExact(token)
    return _checked(Fraction(token))


class _Parser:
    """Recursive descent over `tokens`; each method returns the value of what it consumed."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise _NotExact("unexpected end")
        self.pos += 1
        return token

    def expect(self, token: str) -> None:
        if self.take() != token:
            raise _NotExact(f"expected {token}")

    def sum(self, depth: int) -> Fraction:
        if depth > MAX_DEPTH:
            raise _NotExact("too deep")
        value = self.product(depth)
        while self.peek() in ("+", "-"):
            sign = self.take()
            rhs = self.product(depth)
            value = _checked(value + rhs if sign == "+" else value - rhs)
        return value

    def product(self, depth: int) -> Fraction:
        value = self.unary(depth)
        while True:
            token = self.peek()
            if token in _TIMES or token in _DIVIDE:
                self.take()
                rhs = self.unary(depth)
                value = _checked(value * rhs if token in _TIMES else value / rhs)
            elif token in _IMPLICIT_START:  # `2(3+4)`, `2\sqrt{9}`
                value = _checked(value * self.power(depth))
            else:
                return value

    def unary(self, depth: int) -> Fraction:
        token = self.peek()
        if token in ("-", "+"):
            self.take()
            value = self.unary(depth + 1)
            return -value if token == "-" else value
        return self.power(depth)

    def power(self, depth: int) -> Fraction:
        value = self.atom(depth)
        if self.peek() == "!":
            self.take()
            value = _factorial(value)
        if self.peek() == "^":
            self.take()
            if self.peek() in ("-", "+"):
                sign = self.take()
                exponent = self.atom(depth + 1)
                exponent = -exponent if sign == "-" else exponent
            else:
                exponent = self.atom(depth + 1)
            value = _power(value, exponent)
        return value

    def atom(self, depth: int) -> Fraction:
        token = self.take()
        if token in _OPEN:
            value = self.sum(depth + 1)
            self.expect(_OPEN[token])
            return value
        if token in _FRAC:
            num = self.arg(depth + 1)
            den = self.arg(depth + 1)
            return _checked(num / den)
        if token == "\\sqrt":
            index = Fraction(2)
            if self.peek() == "[":
                self.take()
                index = self.sum(depth + 1)
                self.expect("]")
            return _root(self.arg(depth + 1), index)
        if token == "\\binom":
            n, k = self.arg(depth + 1), self.arg(depth + 1)
            if n.denominator != 1 or k.denominator != 1 or not 0 <= n <= 10_000:
                raise _NotExact("binomial")
            return _checked(Fraction(math.comb(int(n), int(k)) if 0 <= k <= n else 0))
        return _number(token)

    def arg(self, depth: int) -> Fraction:
        token = self.peek()
        if token == "{":
            return self.atom(depth)
        token = self.take()
        if token[:1].isdigit() and len(token) > 1 and "." not in token:
            # brace-less `\frac84` is 8/4: the argument is one digit; the rest stays for the next one
            self.tokens[self.pos - 1 : self.pos] = [token[0], token[1:]]
            token = token[0]
        return _number(token)


def _power(base: Fraction, exponent: Fraction) -> Fraction:
    """base ** exponent for an integer exponent, refused when the result would exceed MAX_BITS."""
    if exponent.denominator != 1:
        return _root(_power(base, Fraction(exponent.numerator)), Fraction(exponent.denominator))
    e = int(exponent)
    if base == 0 and e < 0:
        raise ZeroDivisionError
    size = max(base.numerator.bit_length(), base.denominator.bit_length(), 1)
    if abs(base) != 1 and size * abs(e) > MAX_BITS:
        raise _NotExact("power too large")
    return _checked(base**e)


def _root(value: Fraction, index: Fraction) -> Fraction:
    """The exact `index`-th root of a rational, when it is rational (else _NotExact)."""
    if index.denominator != 1 or not 2 <= index <= 64:
        raise _NotExact("root index")
    k = int(index)
    if value < 0 and k % 2 == 0:
        raise _NotExact("even root of a negative number")
    sign = -1 if value < 0 else 1
    num, den = _int_root(abs(value.numerator), k), _int_root(value.denominator, k)
    return Fraction(sign * num, den)


def _int_root(n: int, k: int) -> int:
    if k == 2:
        r = math.isqrt(n)
    else:
        r = round(n ** (1.0 / k)) if n.bit_length() < 1000 else 0
        r = next((c for c in (r - 1, r, r + 1) if c >= 0 and c**k == n), -1)
    if r < 0 or r**k != n:
        raise _NotExact("irrational root")
    return r


def _factorial(value: Fraction) -> Fraction:
    if value.denominator != 1 or not 0 <= value <= MAX_FACTORIAL:
        raise _NotExact("factorial")
    return Fraction(math.factorial(int(value)))
