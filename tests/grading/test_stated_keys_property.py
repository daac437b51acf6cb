"""Every key, stated the ways models state answers, is credited; a wrong variant of it never is.

Keys: every answer of hmmt_feb_2025 (../shared/data, LaTeX and integers of any size, graded with no
range, as a contest whose answers are not AIME's) and every integer key of the AIME sets in problems/
(graded with the AIME range). Forms: a box, "the answer is $K$", "**Final answer:** K", a display-math
last line, a bare last line, "Therefore, x = K." Hypothesis draws the prose around them and whether the
response is an R1-style one with its thinking before `</think>`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluator.grading._symbolic_worker import SymbolicChecker
from evaluator.grading.extract import AIME_RANGE
from evaluator.grading.grade import grade_response
from tests.support.case_corpus import THINK_FILLER


@dataclass(frozen=True)
class Form:
    """One way a model states its final answer `k` at the end of a response."""

    note: str
    write: Callable[[str], str]


FORMS = (
    Form("boxed", lambda k: f"Therefore, the answer is $\\boxed{{{k}}}$."),
    Form("the answer is $...$", lambda k: f"Therefore, the answer is ${k}$."),
    Form("bold final answer", lambda k: f"**Final answer:** ${k}$"),
    Form("display math last line", lambda k: f"Putting everything together, we obtain\n\\[\n{k}\n\\]"),
    Form("bare last line", lambda k: f"So the final value is:\n\n{k}"),
    Form("therefore x =", lambda k: f"Therefore, $x = {k}$."),
)
LEADS = (
    "We now combine the cases computed above.",
    "Checking the boundary cases confirms the count.",
    "Let me double-check with a small example: it works.",
    "Substituting back, both conditions hold.",
)
HEDGES = (
    Form("A or B", lambda k: f"So the answer is ${k}$ or ${k}+1$."),
    Form("not K", lambda k: f"After checking every case, the answer is not ${k}$."),
    Form("cannot be K", lambda k: f"Hence the value cannot be ${k}$."),
    Form("rule out K", lambda k: f"This lets us rule out ${k}$."),
    Form("alternatives in one box", lambda k: f"Thus $\\boxed{{x = {k} \\text{{ or }} x = 0}}$."),
)


def _hmmt_keys() -> list[str]:
    path = Path(__file__).resolve().parents[3] / "shared" / "data" / "hmmt_feb_2025.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["answer"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _aime_keys() -> list[int]:
    keys: set[int] = set()
    for item in resources.files("evaluator.registry").iterdir():
        if item.name.startswith("aime_") and item.name.endswith(".json"):
            problems = json.loads(item.read_text(encoding="utf-8"))["problems"]
            keys.update(int(p["answer"]) for p in problems)
    return sorted(keys)


HMMT_KEYS = _hmmt_keys()
AIME_KEYS = _aime_keys()
_FIRST_DIGIT = re.compile(r"\d")


def rewrite(key: str) -> str:
    """An equivalent way of writing a LaTeX key: `\\dfrac`, no spaces, `\\times` for `\\cdot`."""
    return key.replace("\\frac", "\\dfrac").replace("\\cdot", "\\times").replace(" ", "")


def wrong(key: str) -> str:
    """A different value written like the key: its first digit changed (`14+4\\sqrt{37}` -> `24+4\\sqrt{37}`)."""
    digit = _FIRST_DIGIT.search(key)
    assert digit is not None, key
    return key[: digit.start()] + str((int(digit.group()) + 1) % 10) + key[digit.end() :]


def respond(final: str, lead: str, thinking: bool) -> str:
    if not thinking:
        return f"{lead}\n\n{final}"
    return f"<think>\n{THINK_FILLER}So maybe it is 12? Let me verify.\n</think>\n\n{lead}\n\n{final}"


@pytest.fixture(scope="module")
def checker() -> SymbolicChecker:
    return SymbolicChecker(timeout_s=20.0)


def test_the_hmmt_keys_are_there() -> None:
    if not HMMT_KEYS:
        pytest.skip("../shared/data/hmmt_feb_2025.jsonl is absent")
    assert len(HMMT_KEYS) == 30


@pytest.mark.parametrize("key", HMMT_KEYS or ["absent"])
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lead=st.sampled_from(LEADS), thinking=st.booleans())
def test_every_hmmt_key_in_every_form(key: str, lead: str, thinking: bool, checker: SymbolicChecker) -> None:
    if not HMMT_KEYS:
        pytest.skip("../shared/data/hmmt_feb_2025.jsonl is absent")
    for form in FORMS:
        for stated, credited in ((key, True), (rewrite(key), True), (wrong(key), False)):
            grade = grade_response(respond(form.write(stated), lead, thinking), key, "stop", checker)
            assert (form.note, stated, grade.correct) == (form.note, stated, credited), grade
    for hedge in HEDGES:
        grade = grade_response(respond(hedge.write(key), lead, thinking), key, "stop", checker)
        assert (hedge.note, grade.correct, grade.status) == (hedge.note, False, "hedged")


@settings(max_examples=300, deadline=None)
@given(key=st.sampled_from(AIME_KEYS), lead=st.sampled_from(LEADS), thinking=st.booleans())
def test_aime_integer_keys_in_every_form(key: int, lead: str, thinking: bool) -> None:
    run_integer_key(key, lead, thinking)


def test_every_aime_integer_key() -> None:
    """Each distinct integer key of the AIME sets, every form, once (hypothesis above varies the prose)."""
    assert len(AIME_KEYS) > 500
    for i, key in enumerate(AIME_KEYS):
        run_integer_key(key, LEADS[i % len(LEADS)], i % 2 == 0)


def run_integer_key(key: int, lead: str, thinking: bool) -> None:
    other = (key + 1) % 1000
    for form in FORMS:
        cases = (
            (str(key), True),
            (f"\\frac{{{2 * key}}}{{2}}", True),  # an equivalent rewrite with the same integer value
            (str(other), False),
            (f"\\frac{{{key}}}{{\\sqrt{{2}}}}", False),  # contains the key, has no integer value
            (f"{key}\\sqrt{{3}}", False),
        )
        for stated, credited in cases:
            grade = grade_response(respond(form.write(stated), lead, thinking), key, "stop",
                                   answer_range=AIME_RANGE)
            assert (form.note, stated, grade.correct) == (form.note, stated, credited), grade
    for hedge in HEDGES:
        grade = grade_response(respond(hedge.write(str(key)), lead, thinking), key, "stop", answer_range=AIME_RANGE)
        assert (hedge.note, grade.correct, grade.status) == (hedge.note, False, "hedged")
