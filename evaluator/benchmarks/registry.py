"""The benchmark registry: which problems a named set has, their official answers (facts only), and
where each set's text comes from, under which licence.

The JSON files live in the top-level `problems/` folder (installed as `evaluator.registry`) and are
written by `scripts/build_registry.py`. Problem text is third-party data: it is never in the
registry, the loader fetches it (`problems/sources.json` pins the public files it comes from). A set
whose key file is absent (a contest MathArena keeps on the hub only, whose key no public file could
confirm yet) is not offered: without a key nothing a copy says could be checked.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

Key = int | str  # an integer answer, or the LaTeX text of a non-integer one
AIME_ANSWERS = range(0, 1000)


@dataclass(frozen=True)
class Wording:
    """One circulating wording of a problem whose key depends on it: a phrase only that wording has."""

    marker: str
    answer: Key
    label: str


@dataclass(frozen=True)
class RegistryEntry:
    id: str
    answer: Key | None  # None only for the demo's own answers before they are read
    accepted: tuple[Key, ...] = ()
    wordings: tuple[Wording, ...] = ()


@dataclass(frozen=True)
class SetInfo:
    """What `evaluate datasets` shows: which wording the text is, its licence, and hub pins, if any."""

    text_source: str
    licence: str
    hub_revisions: tuple[tuple[str, str], ...] = ()  # (repo, commit sha) pins known to be clean


@dataclass(frozen=True)
class RegistrySet:
    """A named benchmark: its ids in official order, answers, and where to find the text."""

    name: str
    entries: tuple[RegistryEntry, ...]
    data_file: str | None  # file name looked up in a data directory
    hub: tuple[tuple[str, ...], ...]  # hub dataset groups, tried in order; a group is concatenated
    info: SetInfo | None = None
    answer_type: str = "integer"  # integer | latex
    answer_sources: tuple[str, ...] = ()
    provenance: str = ""

    def by_id(self) -> dict[str, RegistryEntry]:
        return {e.id: e for e in self.entries}

    @property
    def answer_range(self) -> range | None:
        """The integers an answer can be: 0-999 for the integer-answer (AIME-format) sets, whose keys the
        loader already holds to 0-999; None (any size) for the other contests."""
        return AIME_ANSWERS if self.answer_type == "integer" else None


_AIME_TEXT = "official MAA wording (MathArena)"
_AOPS_TEXT = "AoPS wording (rllm-org/rllm)"
_MAA = "problems (c) MAA; keys are facts"
_MATHARENA = "MathArena problem text and keys, CC BY-NC-SA 4.0 (non-commercial, share-alike)"

# name -> (registry json in problems/, data file, hub dataset groups in order of preference, info)
_SETS: dict[str, tuple[str | None, str | None, tuple[tuple[str, ...], ...], SetInfo]] = {
    "aime-2024": (
        "aime_2024.json",
        "aime_2024.jsonl",
        (("MathArena/aime_2024_I", "MathArena/aime_2024_II"), ("HuggingFaceH4/aime_2024",)),
        SetInfo(_AIME_TEXT, _MAA),
    ),
    "aime-2025": ("aime_2025.json", "aime_2025.jsonl", (("MathArena/aime_2025",),), SetInfo(_AIME_TEXT, _MAA)),
    "aime-2026": (
        "aime_2026.json",
        "aime_2026.jsonl",
        (("MathArena/aime_2026",),),
        SetInfo("official wording (math-ai/aime26 with I-10, I-13, II-10 restored)",
                _MAA + "; math-ai/aime26 text Apache-2.0, MathArena text CC BY-NC-SA 4.0"),
    ),
    "hmmt-feb-2025": (
        "hmmt_feb_2025.json",
        "hmmt_feb_2025.jsonl",
        (("MathArena/hmmt_feb_2025",),),
        SetInfo("MathArena text (= MathArena/hmmt_feb_2025)", _MATHARENA),
    ),
    "hmmt-feb-2026": ("hmmt_feb_2026.json", "hmmt_feb_2026.jsonl", (("MathArena/hmmt_feb_2026",),),
                      SetInfo("MathArena/hmmt_feb_2026", _MATHARENA)),
    "brumo-2025": ("brumo_2025.json", "brumo_2025.jsonl", (("MathArena/brumo_2025",),),
                   SetInfo("MathArena/brumo_2025", _MATHARENA)),
    "cmimc-2025": ("cmimc_2025.json", "cmimc_2025.jsonl", (("MathArena/cmimc_2025",),),
                   SetInfo("MathArena/cmimc_2025", _MATHARENA)),
    "aime-2022": ("aime_2022.json", "aime_2022.jsonl", (), SetInfo(_AOPS_TEXT, _MAA)),
    "aime-2023": ("aime_2023.json", "aime_2023.jsonl", (), SetInfo(_AOPS_TEXT, _MAA)),
    "aime-1983-2023": ("aime_1983_2023.json", "aime_1983_2023.jsonl", (), SetInfo(_AOPS_TEXT, _MAA)),
    "demo": (None, None, (), SetInfo("shipped with aime-eval (original problems)", "Apache-2.0 (ours)")),
}


def _has_keys(json_name: str | None) -> bool:
    return json_name is None or resources.files("evaluator.registry").joinpath(json_name).is_file()


NAMES: tuple[str, ...] = tuple(name for name, spec in _SETS.items() if _has_keys(spec[0]))
"""Named sets on offer: those whose answer key is shipped."""

GROUPS: dict[str, tuple[str, ...]] = {
    "aime-2024-2026": ("aime-2024", "aime-2025", "aime-2026"),
    "matharena-2025": ("aime-2025", "hmmt-feb-2025"),
}
"""Named collections (`--dataset aime-2024-2026`); a comma list (`aime-2025,aime-2026`) works too."""

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


def _key(value: object) -> Key:
    return value if isinstance(value, int) and not isinstance(value, bool) else str(value)


def _entry(raw: dict) -> RegistryEntry:
    wordings = tuple(Wording(w["marker"], _key(w["answer"]), w["label"]) for w in raw.get("wordings", ()))
    return RegistryEntry(raw["id"], _key(raw["answer"]), tuple(_key(a) for a in raw.get("accepted", ())), wordings)


@cache
def registry_set(name: str) -> RegistrySet:
    """The registry of a named set. Raises KeyError for unknown names."""
    json_name, data_file, hub, info = _SETS[name]
    if json_name is None:
        rows = _read_package_jsonl("demo.jsonl")
        entries = tuple(RegistryEntry(r["id"], int(r["answer"])) for r in rows)
        return RegistrySet(name, entries, data_file, hub, info)
    raw = json.loads(resources.files("evaluator.registry").joinpath(json_name).read_text(encoding="utf-8"))
    return RegistrySet(
        name, tuple(_entry(p) for p in raw["problems"]), data_file, hub, info,
        answer_type=raw.get("answer_type", "integer"), answer_sources=tuple(raw.get("answer_sources", ())),
        provenance=raw.get("provenance", ""),
    )


def _read_package_jsonl(filename: str) -> list[dict]:
    text = resources.files("evaluator.registry").joinpath(filename).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def demo_rows() -> list[dict]:
    """The demo set: original AIME-style problems written for this project (text included, ours)."""
    return _read_package_jsonl("demo.jsonl")


@cache
def _integer_answer_ids() -> frozenset[str]:
    return frozenset(e.id for name in NAMES if registry_set(name).answer_range is not None
                     for e in registry_set(name).entries)


def answer_range(problem_id: str) -> range | None:
    """The range of a problem's integer answers: 0-999 for a problem of an AIME-format set (or with an
    AIME id such as `2024-I-4`, which the loader holds to 0-999 too), else None: no range check."""
    if id_sort_key(problem_id)[0] < 10**6 or problem_id in _integer_answer_ids():
        return AIME_ANSWERS
    return None


def set_for_ids(ids: list[str]) -> RegistrySet | None:
    """The smallest registry set that contains every id (to check a file that names no set), or None."""
    wanted = set(ids)
    by_size = sorted(NAMES, key=lambda name: len(registry_set(name).entries))
    for name in by_size:
        known = {e.id for e in registry_set(name).entries}
        if wanted and wanted <= known:
            return registry_set(name)
    return None
