"""Equality of two LaTeX answers. Imported only inside the symbolic worker process.

Decision: Math-Verify's `verify` (Hugging Face; sets, tuples, intervals, equations vs values,
decimals vs fractions, matrices) on both sides parsed by Math-Verify's LaTeX path
(`LatexExtractionConfig` only: its `ExprExtractionConfig` path calls sympy's `parse_expr`, i.e.
`eval`, on plain text). When Math-Verify cannot parse a side, our own parse (latex2sympy2_extended)
and `_same` decide.

No eval of model text: while either parser runs, every module-level reference to sympy's
`parse_expr` (sympy's own, `math_verify.parser`'s, `latex2sympy2_extended`'s; `sympify(str)` and
`sympy.Number(str)` reach it) is swapped for a guard that accepts only a decimal literal: the only
strings the LaTeX parsers hand to it are lexer NUMBER tokens. Sympy's own simplification later
sympifies internal constant names ("E", "G"), so the guard covers the parse step only.
Our `_same`: identical structure, else `simplify(a - b) == 0`, else numerically within 1e-9;
equations compare their sides' difference, sets/tuples/intervals compare element by element.
"""

from __future__ import annotations

import logging
import re
import sys
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
    """While active, every module's `parse_expr` accepts only decimal literals (no `eval` of text)."""
    original = sympy_parser.parse_expr

    def guarded(s: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(s, str) or not _NUMERIC_LITERAL.fullmatch(s):
            raise EvalRefused(f"refusing to eval {str(s)[:40]!r}")
        return original(s, *args, **kwargs)

    # read each module's own namespace: `getattr` would run lazy-module hooks (transformers imports
    # submodules on attribute access, and fails without torchvision)
    holders = [m for m in list(sys.modules.values()) if _namespace(m).get("parse_expr") is original]
    for module in holders:
        module.parse_expr = guarded  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for module in holders:
            module.parse_expr = original  # type: ignore[attr-defined]


def _namespace(module: object) -> dict[str, Any]:
    """A module's own attributes, without running its `__getattr__` (None-safe for odd sys.modules entries)."""
    namespace = getattr(module, "__dict__", None)
    return namespace if isinstance(namespace, dict) else {}


def parse_latex(text: str) -> object:
    """Sympy object for a LaTeX answer (raises on unparsable text, or on text it would eval).

    latex2sympy2_extended returns None for some text it cannot read (`\\langle 1 \\rangle`) instead of
    raising; two such answers would compare equal as None == None, so None counts as unparsable."""
    with numeric_only_parse_expr():
        parsed = latex2sympy(text, normalization_config=_NORMALISE, conversion_config=_CONVERT)
    if parsed is None:
        raise ValueError(f"no parse of {text[:80]!r}")
    return parsed


def math_verify_parse(text: str) -> list[Any]:
    """Math-Verify's parse of one answer (LaTeX path only, under the eval guard); [] if unparsable."""
    from math_verify import LatexExtractionConfig, parse

    logging.getLogger("math_verify").setLevel(logging.ERROR)  # it warns that we disabled its signal timeout
    config = LatexExtractionConfig(boxed_match_priority=0, try_extract_without_anchor=False)
    with numeric_only_parse_expr():
        try:
            return list(parse(f"\\boxed{{{text}}}", [config], fallback_mode="no_fallback", parsing_timeout=None))
        except Exception:
            return []


def latex_equal(answer: str, gold: str) -> tuple[bool | None, str]:
    """(equal, reason) for two LaTeX strings; equal is None when neither parser reads both."""
    from math_verify import verify

    ours, theirs = math_verify_parse(answer), math_verify_parse(gold)
    if ours and theirs:
        try:
            equal = verify(theirs, ours, timeout_seconds=None)  # our worker bounds the time
        except Exception:
            equal = False
        return (True, "equal") if equal else (False, "different")
    return _own_equal(answer, gold)


def _own_equal(answer: str, gold: str) -> tuple[bool | None, str]:
    """Fallback when Math-Verify cannot parse a side: latex2sympy2_extended and `_same`."""
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
