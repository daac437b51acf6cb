"""Every benchmark test sees an empty download cache of its own and offline mode, so what the user's
machine has cached (after `evaluate datasets --download`) or can reach never changes which source a
test loads. Tests of the download path turn offline mode off and serve files from 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluator.benchmarks import pinned


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "aime-eval-cache"
    monkeypatch.setattr(pinned, "cache_dir", lambda: cache)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return cache
