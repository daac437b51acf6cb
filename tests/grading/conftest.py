"""The symbolic worker most grading tests share (a module that needs other settings defines its own)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from evaluator.grading._symbolic_worker import SymbolicChecker


@pytest.fixture(scope="module")
def checker() -> Iterator[SymbolicChecker]:
    checker = SymbolicChecker(timeout_s=60.0)  # generous: the machine is shared; this is not a timing test
    yield checker
    checker.close()
