"""Content hashes of the problem texts we know, per named set: the `dataset` protocol check compares a
run's `dataset_hash` (evaluator.benchmarks.benchmark.content_hash of ids, texts and keys) with these,
and the network loader trusts a copy whose hash is here (evaluator.benchmarks.remote).

A hash is a fact about a text, not the text: the texts themselves stay out of the repository. Each was
computed with `load_benchmark(NAME).content_hash` over the copy named (docs/provenance.md); the pinned
network sources (problems/sources.json) parse to exactly these hashes (tests/benchmarks/test_pinned_sources.py).
"""

from __future__ import annotations

# set name -> {content hash: which copy of the text it is}
KNOWN_TEXTS: dict[str, dict[str, str]] = {
    "aime-2022": {"847da56a67a7a978": "AoPS wording (rllm-org/rllm@d68c703)"},
    "aime-2023": {"ee97181eec5ed176": "AoPS wording (rllm-org/rllm@d68c703)"},
    "aime-2024": {
        "5195672f750fe485": "official MAA wording (MathArena, eth-sri/matharena@81f103e)",
        "c332293a6b15d3dd": "AI-MO wording used by most published AIME 2024 numbers (HuggingFaceH4/aime_2024)",
    },
    "aime-2025": {"51dc9fa60eb8a4fd": "official MAA wording (MathArena, eth-sri/matharena@81f103e)"},
    "aime-2026": {"03331d15302228e5": "official wording (math-ai/aime26 with I-10, I-13, II-10 restored)"},
    "aime-1983-2023": {"aeed545f447aa029": "AoPS wording (rllm-org/rllm@d68c703)"},
    "hmmt-feb-2025": {"9417c04a283ebfec": "MathArena text (eth-sri/matharena@81f103e = MathArena/hmmt_feb_2025)"},
}


def known_text(dataset: str, content_hash: str) -> tuple[bool, str | None]:
    """(whether the set has known texts, the name of the copy this hash is, or None)."""
    known = KNOWN_TEXTS.get(dataset)
    if not known:
        return False, None
    return True, known.get(content_hash)
