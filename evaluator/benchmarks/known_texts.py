"""Content hashes of the problem texts we know, per named set: the `dataset` protocol check compares a
run's `dataset_hash` (evaluator.benchmarks.loader's hash of ids, texts and answers) with these.

A hash is a fact about a text, not the text: the texts themselves stay out of the repository. Computed
with `load_benchmark(NAME).content_hash` over the files described in shared/data/PROVENANCE.md.
"""

from __future__ import annotations

# set name -> {content hash: which copy of the text it is}
KNOWN_TEXTS: dict[str, dict[str, str]] = {
    "aime-2022": {"847da56a67a7a978": "official AoPS wording (shared/data aime_2022.jsonl)"},
    "aime-2023": {"ee97181eec5ed176": "official AoPS wording (shared/data aime_2023.jsonl)"},
    "aime-2024": {
        "5195672f750fe485": "official AoPS wording (shared/data aime_2024.jsonl)",
        "c332293a6b15d3dd": "AI-MO wording used by most published AIME 2024 numbers (shared/data problem_alt)",
    },
    "aime-2025": {"51dc9fa60eb8a4fd": "official AoPS wording (shared/data aime_2025.jsonl)"},
    "aime-2026": {"03331d15302228e5": "official wording (shared/data aime_2026.jsonl)"},
    "aime-1983-2023": {"aeed545f447aa029": "AoPS wording (shared/data aime_1983_2023.jsonl)"},
}


def known_text(dataset: str, content_hash: str) -> tuple[bool, str | None]:
    """(whether the set has known texts, the name of the copy this hash is, or None)."""
    known = KNOWN_TEXTS.get(dataset)
    if not known:
        return False, None
    return True, known.get(content_hash)
