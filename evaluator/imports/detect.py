"""Which import format a dump is in, told from the fields of its first row, and, when the format a user
named fails, which format would have read the file (so the error can say so).

`SIGNATURES` is the table: a format matches when its row has every field of `all_of` and, if `any_of` is
given, at least one of those. The harness-specific formats are tried first; the generic `jsonl` only when
none of them matches (our own samples.jsonl also reads as `jsonl`, but `samples` keeps more of it). Two
harness formats matching one row is ambiguous: the user is asked to name one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluator.errors import ImportFileError
from evaluator.imports.readers import FORMATS, ForeignSample, first_row, read_foreign


@dataclass(frozen=True, kw_only=True)
class Signature:
    format: str
    all_of: frozenset[str]
    any_of: frozenset[str] = frozenset()

    def matches(self, row: Mapping[str, Any]) -> bool:
        return self.all_of <= row.keys() and (not self.any_of or bool(self.any_of & row.keys()))


SIGNATURES: tuple[Signature, ...] = (
    # our samples.jsonl: every line has its grading status
    Signature(format="samples", all_of=frozenset({"problem_id", "sample", "response", "status"})),
    # Qwen2.5-Math / SkyThought: one row per problem with the responses in `code`; or its normalised rows
    Signature(format="qwen-math", all_of=frozenset({"question", "code"})),
    Signature(format="qwen-math", all_of=frozenset({"response"}), any_of=frozenset({"reported_pred", "qwen_idx"})),
    # lighteval details: `predictions` up to 0.9, `model_response` from 0.10
    Signature(format="lighteval", all_of=frozenset(), any_of=frozenset({"predictions", "model_response"})),
    # MathArena outputs: the problem's index and the full response in `answer` (or the message list)
    Signature(format="matharena", all_of=frozenset({"problem_idx"}), any_of=frozenset({"answer", "all_messages"})),
)
GENERIC = Signature(format="jsonl", all_of=frozenset({"response"}),
                    any_of=frozenset({"problem_id", "id", "question", "problem"}))


def detect_format(path: Path) -> str:
    """The one format whose signature the file's first row matches; ImportFileError when none or
    several do (the message lists the row's fields and asks for --format)."""
    row = first_row(path)
    if row is None:
        raise ImportFileError(f"{path}: no rows to tell the format from")
    specific = sorted({s.format for s in SIGNATURES if s.matches(row)})
    if len(specific) == 1:
        return specific[0]
    if len(specific) > 1:
        raise ImportFileError(f"{path}: its rows fit more than one format ({', '.join(specific)}): "
                              "name one with --format")
    if GENERIC.matches(row):
        return GENERIC.format
    fields = ", ".join(sorted(map(str, row))[:12]) or "none"
    raise ImportFileError(f"{path}: cannot tell the format from its fields ({fields}): name it with --format "
                          f"({', '.join(FORMATS)}; docs/reproducing.md describes each)")


def read_any(path: Path, fmt: str | None) -> tuple[str, list[ForeignSample]]:
    """(the format used, every response in `path`): `fmt`, or the detected format when it is None. When
    the named format fails on the file and another reads it, the error says which."""
    if fmt is None:
        fmt = detect_format(path)
    try:
        return fmt, read_foreign(path, fmt)
    except ImportFileError as exc:
        other = _format_that_reads(path, fmt) if fmt in FORMATS and path.is_file() else None
        if other is None:
            raise
        raise ImportFileError(f"{exc}; the file reads as --format {other}") from exc


def _format_that_reads(path: Path, failed: str) -> str | None:
    """The first format other than `failed` that reads `path` without an error (the detected one first)."""
    try:
        detected: list[str] = [detect_format(path)]
    except ImportFileError:
        detected = []
    for fmt in dict.fromkeys([*detected, *FORMATS]):
        if fmt == failed:
            continue
        try:
            read_foreign(path, fmt)
        except ImportFileError:
            continue
        return fmt
    return None
