"""What a loaded problem set is: a `Benchmark` of checked `Problem` records, named and hashed.

Its own module so that the loader (one set, or a collection) and `collections` (several sets as one)
both build it without importing each other.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from evaluator.types import Problem

HubLoader = Callable[..., Iterable[Mapping[str, Any]]]  # (repo, revision=sha or None) -> rows


@dataclass(frozen=True)
class Benchmark:
    name: str
    problems: tuple[Problem, ...]
    origin: str  # where the text came from: a path or hub dataset ids
    content_hash: str
    warnings: tuple[str, ...] = ()
    contests: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (set name, its problem ids); >1 for a collection


def content_hash(problems: Sequence[Problem]) -> str:
    """A short hash of ids, texts and keys: the run's identity changes when the problems do."""
    payload = json.dumps([[p.id, p.problem, p.answer, list(p.accepted)] for p in problems], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
