"""The records that carry settings and verdicts take their fields by keyword only (STYLE 6), so two
strings of the same type (a preset's name and its model id, a grade's status and its method) can never
be swapped silently by position."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import pytest

from evaluator.grading import Grade
from evaluator.run.presets import ModelPreset
from evaluator.run.prompts import PRESETS as TEMPLATES
from evaluator.run.runner import RunConfig
from evaluator.types import BackendConfig, SamplingParams


@dataclass(frozen=True)
class Case:
    note: str
    cls: type
    values: dict[str, Any]  # a valid set of fields, in declaration order


CASES = (
    Case("a preset's name, backend, model id and description are four strings", ModelPreset,
         {"name": "p", "backend": "openai", "model": "org/model", "description": "ad hoc"}),
    Case("temperature and top_p are two floats", SamplingParams,
         {"temperature": 0.6, "top_p": 0.95, "max_tokens": 100, "seed": 1}),
    Case("kind and model are two strings", BackendConfig, {"kind": "openai", "model": "m"}),
    Case("status and method are two strings", Grade,
         {"correct": True, "extracted": "73", "status": "ok", "method": "integer", "matched": "73"}),
    Case("dataset, origin and hash are three strings", RunConfig,
         {"model_name": "m", "backend": BackendConfig(), "dataset": "aime-2024", "dataset_origin": "x",
          "dataset_hash": "abc", "template": TEMPLATES["r1"], "sampling": SamplingParams(), "k": 4}),
)


@pytest.mark.parametrize("case", CASES, ids=[c.cls.__name__ for c in CASES])
def test_fields_are_keyword_only_and_positional_calls_are_refused(case: Case) -> None:
    assert all(f.kw_only for f in fields(case.cls)), case.note
    by_keyword = case.cls(**case.values)
    assert all(getattr(by_keyword, name) == value for name, value in case.values.items())
    with pytest.raises(TypeError, match="positional argument"):
        case.cls(*case.values.values())
