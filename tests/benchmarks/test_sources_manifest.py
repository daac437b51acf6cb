"""The shipped manifest of download sources is complete and well-formed, and nothing a user sees (the
package and its registry) names a folder a fresh clone does not have."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evaluator.benchmarks.pinned import pinned_source
from evaluator.benchmarks.registry import NAMES, registry_set

REPO = Path(__file__).resolve().parents[2]
NETWORK_SETS = [name for name in NAMES if name != "demo"]


@pytest.mark.parametrize("name", NETWORK_SETS)
def test_every_listed_set_has_a_pinned_source(name: str) -> None:
    source = pinned_source(name)
    assert source is not None and re.fullmatch(r"[0-9a-f]{40}", source.commit)
    assert source.layout in ("matharena", "prompt-jsonl", "rllm") and source.files
    assert all(re.fullmatch(r"[0-9a-f]{64}", sha) for _, sha in source.files)
    ids = {e.id for e in registry_set(name).entries}
    assert {target for target, _, _ in source.corrections} <= ids
    assert f"https://raw.githubusercontent.com/{source.repo}/{source.commit}/" in source.what()


def test_matharena_sources_hold_every_problem_and_both_answer_files() -> None:
    for name in ("aime-2024", "aime-2025"):
        paths = [path for path, _ in pinned_source(name).files]
        assert len([p for p in paths if p.endswith(".tex")]) == 30 and sum(p.endswith("answers.csv") for p in paths) == 2


@pytest.mark.parametrize("folder", ["evaluator", "problems"])
def test_no_user_facing_text_names_the_local_data_folder(folder: str) -> None:
    named = [str(path.relative_to(REPO)) for path in (REPO / folder).rglob("*")
             if path.suffix in (".py", ".json", ".jsonl") and re.search(r"\.\./shared|shared/data", path.read_text())]
    assert named == []
