"""The closed sets of evaluator/types.py (STYLE 15) are the values the code really uses: each `Literal` equals
the table or the CLI choices it types, so a value added in one place and not the other fails here (mypy
checks the rest: every literal assigned to these fields is in its set)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, get_args

import pytest
import typer.main

from evaluator.backends import BACKENDS
from evaluator.cli import app
from evaluator.grading import STATUSES, grade_response
from evaluator.grading._symbolic_worker import UNDECIDED
from evaluator.reports.export import FORMATS as EXPORT_FORMATS
from evaluator.run.presets import PRESETS
from evaluator.run.prompts import PRESETS as TEMPLATES
from evaluator.types import ApiKind, BackendKind, ExportFormat, GradeMethod, Status


def _choices(option: str, subcommand: str | None = None) -> list[str]:
    """What the CLI accepts for `option` (the values it offers for completion: its choices)."""
    command = typer.main.get_command(app)
    context = command.make_context("evaluate", [], resilient_parsing=True)
    if subcommand is not None:
        command = command.get_command(context, subcommand)
        context = command.make_context(subcommand, [], parent=context, resilient_parsing=True)
    (param,) = (p for p in command.params if p.name == option)
    return [item.value for item in param.shell_complete(context, "")]


@dataclass(frozen=True)
class Case:
    note: str
    literal: Any
    used: tuple[str, ...]
    ordered: bool = False  # compared in order, not only as sets


CASES = (
    Case("the extraction statuses the grading package exports, in the same order", Status, STATUSES, ordered=True),
    Case("--backend offers exactly the backends of the BACKENDS table", BackendKind, tuple(BACKENDS)),
    Case("--backend choices", BackendKind, tuple(_choices("backend"))),
    Case("--api choices", ApiKind, tuple(_choices("api"))),
    Case("evaluate export --format: a plain string checked against FORMATS (so a typo gets close matches)",
         ExportFormat, EXPORT_FORMATS),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_literal_equals_the_values_in_use(case: Case) -> None:
    values = get_args(case.literal)
    assert (values if case.ordered else sorted(values)) == (case.used if case.ordered else sorted(case.used))


def test_presets_and_templates_stay_inside_their_sets() -> None:
    assert {p.backend for p in PRESETS} <= set(get_args(BackendKind))
    assert {p.api for p in PRESETS} | {t.kind for t in TEMPLATES.values()} <= set(get_args(ApiKind))


def test_grade_methods_cover_the_undecided_reasons_and_what_grading_returns() -> None:
    assert set(UNDECIDED) <= set(get_args(GradeMethod))
    seen = {grade_response(text, gold).method for text, gold in (
        ("\\boxed{73}", 73),  # integer
        ("\\boxed{7/4}", "\\frac{7}{4}"),  # exact
        ("no answer here", 73),  # none
    )}
    assert seen == {"integer", "exact", "none"} and seen <= set(get_args(GradeMethod))
