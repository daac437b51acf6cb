"""Collections: several named sets run as one benchmark (`--dataset aime-2025,aime-2026`, or a group
name from `registry.GROUPS`), with each contest's problem ids kept so metrics are reported per
contest and overall (`metrics.contests`).

Each member is loaded and checked exactly as on its own; ids must not collide (AIME ids carry the
year, other contests a prefix such as `hmmt-feb-2025-`).
"""

from __future__ import annotations

from collections.abc import Callable

from evaluator.benchmarks.benchmark import Benchmark, content_hash
from evaluator.benchmarks.registry import GROUPS
from evaluator.errors import DatasetError


def collection_names(spec: str) -> tuple[str, ...]:
    """The set names of a collection spec: a group name, or a comma list (duplicates dropped, order kept);
    `a+b`, the name a collection run records in its config, reads like `a,b`."""
    names = GROUPS.get(spec) or tuple(n.strip() for n in spec.replace("+", ",").split(",") if n.strip())
    if spec not in GROUPS and any(n in GROUPS for n in names):
        raise DatasetError(f"{spec}: a comma list names sets, not groups ({', '.join(GROUPS)}); give the group alone")
    unique = tuple(dict.fromkeys(names))
    if len(unique) < 2:
        raise DatasetError(f"{spec}: a collection needs at least two different sets (e.g. aime-2025,aime-2026)")
    return unique


def load_collection(spec: str, load_set: Callable[[str], Benchmark]) -> Benchmark:
    """One Benchmark of several sets, each loaded by `load_set(name)` (the loader passes its own, so the
    two modules do not import each other): problems in the given order, `contests` = ((set, ids), ...)."""
    names = collection_names(spec)
    parts = [load_set(name) for name in names]
    seen: dict[str, str] = {}
    for part in parts:
        for problem in part.problems:
            if problem.id in seen:
                raise DatasetError(f"{spec}: problem id {problem.id!r} is in both {seen[problem.id]} and {part.name}")
            seen[problem.id] = part.name
    problems = [p for part in parts for p in part.problems]
    return Benchmark(
        name=spec if spec in GROUPS else "+".join(names),
        problems=tuple(problems),
        origin="; ".join(f"{part.name}: {part.origin}" for part in parts),
        content_hash=content_hash(problems),
        warnings=tuple(w for part in parts for w in part.warnings),
        contests=tuple((part.name, tuple(p.id for p in part.problems)) for part in parts),
    )
