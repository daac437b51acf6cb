"""The end of a run lists each failed protocol check once, without naming a loader warning a second time:
the `dataset` check whose detail is the loader's warnings (printed before sampling) points at them; any
other failed check, or a `dataset` check that failed for another reason, keeps its detail. End to end:
tests/cli/test_cli_small_things.py::test_an_answer_that_is_not_math_is_named_with_its_line."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from evaluator.cli._run import failed_checks

BAD_KEY = "mine.jsonl:2: answer 'abc' is neither a number nor LaTeX math; check the answer key"
SHORT = "mine.jsonl: has 10 of the 30 problems of aime-2024"


def check(name: str, passed: bool, detail: str) -> dict[str, object]:
    return {"name": name, "passed": passed, "detail": detail}


@dataclass(frozen=True)
class Case:
    note: str
    checks: tuple[dict[str, object], ...]
    loader_warnings: tuple[str, ...]
    lines: list[tuple[str, str]]


CASES = (
    Case("all passed: nothing printed", (check("dataset", True, "aime-2024: MathArena copy"),), (), []),
    Case("dataset failed on the loader's warnings: a pointer, not a repeat",
         (check("truncation", True, "0 of 4"), check("dataset", False, f"{BAD_KEY}; {SHORT}")), (BAD_KEY, SHORT),
         [("check dataset", "failed on the 2 loader warning(s) printed before sampling")]),
    Case("dataset failed for an unknown copy (no loader warning): its detail",
         (check("dataset", False, "the text of aime-2024 (hash abc) is none of its known copies"),), (),
         [("check dataset", "the text of aime-2024 (hash abc) is none of its known copies")]),
    Case("other failed checks keep their detail, in order",
         (check("errors", False, "2 sample(s) failed for good"), check("dataset", False, BAD_KEY),
          check("no_answer", False, "5 of 8 samples")), (BAD_KEY,),
         [("check errors", "2 sample(s) failed for good"),
          ("check dataset", "failed on the 1 loader warning(s) printed before sampling"),
          ("check no_answer", "5 of 8 samples")]),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_failed_checks_name_each_warning_once(case: Case) -> None:
    assert failed_checks(case.checks, case.loader_warnings) == case.lines
