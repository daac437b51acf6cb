"""AIME 2026 II-10 circulates in two wordings with two keys (340: the greatest BC; 850: the sum of all BC).
The loader tells them apart by a marker phrase, whatever the line breaks and spacing of the copy: a copy
re-wrapped at another width is the same wording and keeps its own key. A re-wrapped official text carrying
the other wording's key is refused, not graded against that key as an "unrecognised wording".
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.benchmarks.loader import DatasetError, load_benchmark

OFFICIAL = "greatest possible value of $BC"
MATH_AI = "sum of all possible values of $BC"


def _rewrapped(text: str, phrase: str) -> str:
    """The text as a copy printed at 38 columns would hold it: the phrase is broken across lines."""
    wrapped = textwrap.fill(text, width=38, break_long_words=False)
    assert phrase in text and phrase not in wrapped, "the re-wrap must break the marker phrase"
    return wrapped.replace("\n", "\n  ")  # and indented, as a quoted block would be


@dataclass(frozen=True)
class Case:
    label: str
    alt_text: bool  # the math-ai wording (`problem_alt` in the shared file) instead of the official one
    answer: int  # the key the copy carries
    refused: str  # the error's text when the copy must be refused, else ""
    note: str


CASES = (
    Case("official-own-key", False, 340, "", "re-wrapped official text with its key: graded against 340"),
    Case("official-other-key", False, 850, "disagrees with the official answer 340",
         "re-wrapped official text carrying math-ai's key: refused"),
    Case("math-ai-own-key", True, 850, "", "re-wrapped math-ai text with its key: graded against 850"),
    Case("math-ai-other-key", True, 340, "disagrees with the official answer 850",
         "re-wrapped math-ai text carrying the official key: refused"),
)


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_a_rewrapped_copy_keeps_its_wordings_key(case: Case, shared_dir: Path, tmp_path: Path) -> None:
    lines = (shared_dir / "data" / "aime_2026.jsonl").read_text().splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    row = next(r for r in rows if r["id"] == "2026-II-10")
    text = row["problem_alt"] if case.alt_text else row["problem"]
    row.update(problem=_rewrapped(text, MATH_AI if case.alt_text else OFFICIAL), answer=case.answer)
    (tmp_path / "aime_2026.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    if case.refused:
        with pytest.raises(DatasetError, match=case.refused):
            load_benchmark("aime-2026", tmp_path)
        return
    bench = load_benchmark("aime-2026", tmp_path)
    assert {p.id: p.answer for p in bench.problems}["2026-II-10"] == case.answer, case.note
    notes = [w for w in bench.warnings if "2026-II-10" in w]
    if not case.alt_text:  # the official wording, recognised, needs no note (an unrecognised one gets one)
        assert notes == [], notes
        return
    (warning,) = notes
    assert f"graded against key {case.answer}" in warning and "not recognised" not in warning, warning
