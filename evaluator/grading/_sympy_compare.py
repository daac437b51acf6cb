"""Sympy comparison of two LaTeX answers. Imported only inside the symbolic worker process.

Parsing: latex2sympy2_extended (ANTLR grammar; maintained by Hugging Face for Math-Verify). While
it parses, sympy's `parse_expr` (which calls `eval`, and which `sympify(str)` and
`sympy.Number(str)` reach) is swapped for a guard that accepts only a decimal literal: the only
strings latex2sympy2_extended hands to it are lexer NUMBER tokens. Sympy's own simplification
later sympifies internal constant names ("E", "G"), so the guard covers the parse step only.
Equality: identical structure, else `simplify(a - b) == 0`, else numerically within 1e-9;
equations compare their sides' difference, sets/tuples/intervals compare element by element.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sympy
import sympy.parsing.sympy_parser as sympy_parser
from latex2sympy2_extended import NormalizationConfig, latex2sympy
from latex2sympy2_extended.latex2sympy2 import ConversionConfig

_NORMALISE = NormalizationConfig(basic_latex=True, units=True, malformed_operators=True, nits=True, boxed="all")
_CONVERT = ConversionConfig(interpret_as_mixed_fractions=True, lowercase_symbols=False)
_TOLERANCE = 1e-9
_NUMERIC_LITERAL = re.compile(r"\s{0,4}\d{1,400}(?:\.\d{0,400})?\s{0,4}")


class EvalRefused(ValueError):
    """Raised when parsing would have handed non-numeric text to sympy's eval-based parser."""


@contextmanager
def numeric_only_parse_expr() -> Iterator[None]:
    """While active, `sympy_parser.parse_expr` accepts only decimal literals (no `eval` of text)."""
    original = sympy_parser.parse_expr

    def guarded(s: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(s, str) or not _NUMERIC_LITERAL.fullmatch(s):
            raise EvalRefused(f"refusing to eval {str(s)[:40]!r}")
        return original(s, *args, **kwargs)

    sympy_parser.parse_expr = guarded
    try:
        yield
    finally:
        sympy_parser.parse_expr = original


def parse_latex(text: str) -> object:
    """Sympy object for a LaTeX answer (raises on unparsable text, or on text it would eval)."""
    with numeric_only_parse_expr():
        return latex2sympy(text, normalization_config=_NORMALISE, conversion_config=_CONVERT)


def latex_equal(answer: str, gold: str) -> tuple[bool | None, str]:
    """(equal, reason) for two LaTeX strings; equal is None when either does not parse."""
    try:
        a, b = parse_latex(answer), parse_latex(gold)
    except Exception:  # the ANTLR parser and sympy raise many exception types on bad input
        return None, "unparsable"
    try:
        return (True, "equal") if _same(a, b) else (False, "different")
    except Exception:
        return False, "different"


def _same(a: object, b: object) -> bool:
    """Mathematical equality of two parsed answers (see module docstring)."""
    if a == b:
        return True
    if isinstance(a, sympy.Eq) and isinstance(b, sympy.Eq):
        da, db = a.lhs - a.rhs, b.lhs - b.rhs
        return _same(da, db) or _same(da, -db)
    if isinstance(a, sympy.Eq):  # `x = 3` against `3`
        return _same(a.rhs, b)
    if isinstance(b, sympy.Eq):
        return _same(a, b.rhs)
    if isinstance(a, sympy.FiniteSet) and isinstance(b, sympy.FiniteSet):
        return len(a) == len(b) and all(any(_same(x, y) for y in b) for x in a)
    if isinstance(a, sympy.Interval) and isinstance(b, sympy.Interval):
        return (a.left_open, a.right_open) == (b.left_open, b.right_open) and _same(a.start, b.start) and _same(a.end, b.end)
    if isinstance(a, tuple | sympy.Tuple) and isinstance(b, tuple | sympy.Tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, sympy.MatrixBase) and isinstance(b, sympy.MatrixBase):
        return a.shape == b.shape and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, sympy.Expr) and isinstance(b, sympy.Expr):
        return _expr_equal(a, b)
    return False


def _expr_equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Expressions: zero difference after simplify, or numerically equal when both are constants."""
    diff = a - b
    if diff == 0 or sympy.simplify(diff) == 0:
        return True
    if not diff.free_symbols:
        value = sympy.N(diff, 30)
        scale = max(1.0, abs(float(sympy.N(b, 30))))
        return bool(value.is_real) and abs(float(value)) <= _TOLERANCE * scale
    return False
