"""The main command's options as two typed records, built once by `cli.run` from its parameters.

- `RunOptions`: what the run is (model, dataset, sampling, where it goes, how it is shown).
- `BackendOverrides`: flags that replace one `BackendConfig` field each; a field is named exactly like
  the `BackendConfig` field it replaces, and `None` means "not given: keep the preset's value".

Invariant (tests/cli/test_cli_options.py): the main command's parameters are exactly the fields of
these two classes, and every `BackendOverrides` field is a `BackendConfig` field; so an option added
to `cli.run` and forgotten here (or renamed in one place only) fails a test instead of being ignored.
`--backend` and `--base-url` are `RunOptions`: they choose which preset settings apply
(`presets.backend_config`) rather than replace one field.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from evaluator.types import ApiKind, BackendConfig, BackendKind


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """Everything `evaluate --model M ...` takes besides the backend overrides (see `cli.run` for help)."""

    model: str
    k: int
    dataset: str
    data_dir: Path | None
    backend: BackendKind | None  # None: the preset's
    base_url: str | None
    prompt_template: str | None
    protocol: str
    judge: str | None
    judge_base_url: str | None
    judge_api_key_env: str | None
    think_prefix: bool | None
    temperature: float | None
    top_p: float | None
    max_tokens: int | None
    seed: int
    output_dir: Path
    run_dir: Path | None
    force_new: bool
    per_problem: bool
    quiet: bool
    dry_run: bool = False  # print the forecast, write nothing, need no key
    pilot: int | None = None  # samples per problem first, then the forecast and a question
    yes: bool = False  # go on after the pilot without asking
    target_halfwidth: float | None = None  # adaptive rounds until pass@1 is +- this many points (same problems)
    price_in: float | None = None  # USD per 1M prompt tokens, for the forecast
    price_out: float | None = None  # USD per 1M output tokens


@dataclass(frozen=True, kw_only=True)
class BackendOverrides:
    """`BackendConfig` fields given on the command line; None = not given (the preset's value stays)."""

    api_key_env: str | None = None
    api: ApiKind | None = None
    concurrency: int | None = None
    samples_per_request: int | None = None
    request_timeout_s: float | None = None
    max_retries: int | None = None
    tensor_parallel_size: int | None = None
    pipeline_parallel_size: int | None = None
    data_parallel_size: int | None = None
    data_parallel_size_local: int | None = None
    gpu_memory_utilization: float | None = None
    max_model_len: int | None = None
    max_num_seqs: int | None = None
    dtype: str | None = None
    enable_prefix_caching: bool | None = None
    distributed_executor_backend: str | None = None
    enforce_eager: bool | None = None
    extra_body_json: str | None = None

    def applied_to(self, config: BackendConfig) -> BackendConfig:
        """`config` with every field given here (not None) replaced, in one step."""
        given = {f.name: value for f in dataclasses.fields(self) if (value := getattr(self, f.name)) is not None}
        return dataclasses.replace(config, **given)
