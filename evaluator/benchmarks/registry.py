"""The benchmark registry: which problems a named set has and their official answers (facts only).

The JSON files live in the top-level `problems/` folder (installed as `evaluator.registry`).
Problem text is third-party data: it is never in the registry, the loader fetches it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class RegistryEntry:
    id: str
    answer: int | None  # None where the set's answers come from its hub dataset (aime-2026)
    accepted: tuple[int, ...] = ()


@dataclass(frozen=True)
class RegistrySet:
    """A named benchmark: its ids in official order, answers, and where to find the text."""

    name: str
    entries: tuple[RegistryEntry, ...]
    data_file: str | None  # file name looked up in a data directory
    hub: tuple[tuple[str, ...], ...]  # hub dataset groups, tried in order; a group is concatenated

    def by_id(self) -> dict[str, RegistryEntry]:
        return {e.id: e for e in self.entries}


def _aime_ids(year: int) -> list[str]:
    return [f"{year}-{exam}-{n}" for exam in ("I", "II") for n in range(1, 16)]


# name -> (registry json in problems/, data file, hub dataset groups in order of preference)
_SETS: dict[str, tuple[str | None, str | None, tuple[tuple[str, ...], ...]]] = {
    "aime-2024": (
        "aime_2024.json",
        "aime_2024.jsonl",
        (("MathArena/aime_2024_I", "MathArena/aime_2024_II"), ("HuggingFaceH4/aime_2024",)),
    ),
    "aime-2025": ("aime_2025.json", "aime_2025.jsonl", (("MathArena/aime_2025",),)),
    "aime-2026": (None, "aime_2026.jsonl", (("MathArena/aime_2026",),)),
    "aime-2022": ("aime_2022.json", "aime_2022.jsonl", ()),
    "aime-2023": ("aime_2023.json", "aime_2023.jsonl", ()),
    "aime-1983-2023": ("aime_1983_2023.json", "aime_1983_2023.jsonl", ()),
    "demo": (None, None, ()),
}

NAMES: tuple[str, ...] = tuple(_SETS)

_ID_RE = re.compile(r"^(?P<year>\d{4})(?:-(?P<exam>I{1,2}))?-(?P<number>\d{1,2})$")


def id_sort_key(problem_id: str) -> tuple[int, str, int, int]:
    """Official order: year, exam I before II, number — not the lexicographic order of URLs. Other
    ids sort after AIME ids, by prefix and then trailing number (demo-2 before demo-10)."""
    m = _ID_RE.match(problem_id)
    if m:
        return (int(m["year"]), "", len(m["exam"] or ""), int(m["number"]))
    tail = re.search(r"(\d+)$", problem_id)
    prefix = problem_id[: tail.start()] if tail else problem_id
    return (10**6, prefix, 0, int(tail[1]) if tail else 0)


@cache
def registry_set(name: str) -> RegistrySet:
    """The registry of a named set. Raises KeyError for unknown names."""
    json_name, data_file, hub = _SETS[name]
    if json_name is None:
        entries: tuple[RegistryEntry, ...]
        if name == "demo":
            rows = _read_package_jsonl("demo.jsonl")
            entries = tuple(RegistryEntry(r["id"], int(r["answer"])) for r in rows)
        else:
            entries = tuple(RegistryEntry(i, None) for i in _aime_ids(int(name.split("-")[1])))
        return RegistrySet(name, entries, data_file, hub)
    raw = json.loads(resources.files("evaluator.registry").joinpath(json_name).read_text(encoding="utf-8"))
    entries = tuple(
        RegistryEntry(p["id"], int(p["answer"]), tuple(int(a) for a in p.get("accepted", ()))) for p in raw["problems"]
    )
    return RegistrySet(name, entries, data_file, hub)


def _read_package_jsonl(filename: str) -> list[dict]:
    text = resources.files("evaluator.registry").joinpath(filename).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def demo_rows() -> list[dict]:
    """The demo set: original AIME-style problems written for this project (text included, ours)."""
    return _read_package_jsonl("demo.jsonl")


def set_for_ids(ids: list[str]) -> RegistrySet | None:
    """The smallest registry set that contains every id (to check a file that names no set), or None."""
    wanted = set(ids)
    for name in ("aime-2022", "aime-2023", "aime-2024", "aime-2025", "aime-1983-2023", "demo"):
        known = {e.id for e in registry_set(name).entries}
        if wanted and wanted <= known:
            return registry_set(name)
    return None
