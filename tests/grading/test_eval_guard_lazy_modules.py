"""The eval guard swaps `parse_expr` in every loaded module by reading module namespaces, never by
`getattr`: lazy modules (transformers) import submodules on attribute access, and in CI that import
failed (no torchvision), which broke every guarded parse in a process where transformers was loaded."""

from __future__ import annotations

import sys
import types

import pytest


class _LazyModule(types.ModuleType):
    """Like transformers' lazy module: any unknown attribute triggers an import that fails."""

    def __getattr__(self, name: str) -> object:
        raise ModuleNotFoundError(f"No module named 'torchvision' (asked for {name})")


def test_guard_ignores_lazy_module_hooks_and_still_refuses_eval(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sympy")
    from evaluator.grading._sympy_compare import EvalRefused, numeric_only_parse_expr, parse_latex

    monkeypatch.setitem(sys.modules, "lazy_like_transformers", _LazyModule("lazy_like_transformers"))
    assert str(parse_latex("\\frac{1}{2}")) == "1/2"  # parsing works with the lazy module loaded
    from sympy.parsing import sympy_parser

    with numeric_only_parse_expr():
        assert sympy_parser.parse_expr("12.5") == 12.5
        with pytest.raises(EvalRefused):
            sympy_parser.parse_expr("__import__('os')")
