"""Property tests reproduce in CI: under CI=true the derandomised `aime-eval-ci` profile (tests/conftest.py)
is active, and that profile draws the same examples on every run."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import CI_PROFILE


def draws(profile: settings) -> list[int]:
    """The examples one run of a property test sees under `profile`."""
    seen: list[int] = []

    @settings(profile, max_examples=30)
    @given(st.integers())
    def record(value: int) -> None:
        seen.append(value)

    record()
    return seen


def test_the_ci_profile_draws_the_same_examples_every_run() -> None:
    profile = settings.get_profile(CI_PROFILE)
    first = draws(profile)
    assert len(set(first)) > 5 and draws(profile) == first
    assert profile.print_blob and profile.database is None  # a failure prints how to replay it


def test_the_ci_profile_is_active_exactly_under_ci() -> None:
    in_ci = os.environ.get("CI") == "true"
    assert (settings.get_current_profile_name() == CI_PROFILE) is in_ci
    if in_ci:  # what every @given test without its own derandomize inherits
        assert settings.default.derandomize and settings.default.print_blob
