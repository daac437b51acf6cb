"""The main command's options are typed records: its parameters are exactly the fields of `RunOptions`
and `BackendOverrides` (an option added to `cli.run` and forgotten there fails here), every override is
named like the `BackendConfig` field it replaces, and only the overrides that were given replace one."""

from __future__ import annotations

from dataclasses import dataclass, fields

import pytest
import typer

from evaluator.cli import app
from evaluator.cli._options import BackendOverrides, RunOptions
from evaluator.types import BackendConfig


def _names(cls: type) -> set[str]:
    return {f.name for f in fields(cls)}


def test_main_command_parameters_are_the_fields_of_the_two_records() -> None:
    command = typer.main.get_command(app)
    parameters = {p.name for p in command.params}
    assert not _names(RunOptions) & _names(BackendOverrides), "a field in both records"
    assert parameters == _names(RunOptions) | _names(BackendOverrides)


def test_every_override_is_a_backend_config_field() -> None:
    assert _names(BackendOverrides) - _names(BackendConfig) == set()


@dataclass(frozen=True)
class Case:
    note: str
    overrides: BackendOverrides
    changed: dict[str, object]


BASE = BackendConfig(kind="openai", model="m", api_key_env="KEY", samples_per_request=8, max_model_len=4096)
CASES = (
    Case("nothing given: the preset's config as it is", BackendOverrides(), {}),
    Case("given values replace, None keeps the preset's",
         BackendOverrides(samples_per_request=1, dtype="bfloat16", api_key_env=None),
         {"samples_per_request": 1, "dtype": "bfloat16"}),
    Case("a falsy value is given, not absent", BackendOverrides(enable_prefix_caching=False, max_retries=0),
         {"enable_prefix_caching": False, "max_retries": 0}),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_overrides_replace_exactly_the_given_fields(case: Case) -> None:
    applied = case.overrides.applied_to(BASE)
    changed = {f.name: getattr(applied, f.name) for f in fields(BackendConfig)
               if getattr(applied, f.name) != getattr(BASE, f.name)}
    assert changed == case.changed


def test_records_are_keyword_only_and_frozen() -> None:
    with pytest.raises(TypeError):
        BackendOverrides(8)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        BackendOverrides().concurrency = 1  # type: ignore[misc]
