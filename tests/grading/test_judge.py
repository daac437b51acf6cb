"""LLM-judge fallback: strict verdict parsing, and a judging pass over real HTTP against our OpenAI-compatible
test server playing a judge (strict and sloppy replies, HTTP errors), cached and resumed; the summary is for
the judge asked for. Which samples are asked and what the judge sees: test_judge_what_it_sees.py."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.backends import create_backend
from evaluator.grading.judge import (
    JUDGE_FILE,
    judge_calls,
    judge_summary,
    parse_verdict,
    run_judge,
)
from evaluator.run.store import repair_torn_tail
from evaluator.testing.fake_openai_server import FakeOpenAIServer, FakeServerConfig
from evaluator.types import BackendConfig, Problem


@dataclass(frozen=True)
class Reply:
    label: str
    text: str
    verdict: str
    note: str = ""


REPLIES = [
    Reply("strict-equivalent", "The two values agree.\nVERDICT: EQUIVALENT", "equivalent"),
    Reply("strict-different", "VERDICT: DIFFERENT", "different"),
    Reply("trailing-spaces", "VERDICT: EQUIVALENT  \n\n", "equivalent"),
    Reply("after-think", "<think>VERDICT: DIFFERENT? no...</think>\nVERDICT: EQUIVALENT", "equivalent",
          "reasoning before </think> is not read"),
    Reply("sloppy-yes", "Yes, they are equivalent.", "unparseable", "evalscope #1578 counted this as correct"),
    Reply("sloppy-lowercase", "verdict: equivalent", "unparseable"),
    Reply("sloppy-markdown", "**VERDICT: EQUIVALENT**", "unparseable"),
    Reply("two-verdicts", "VERDICT: DIFFERENT\nVERDICT: EQUIVALENT", "unparseable", "hedging both ways"),
    Reply("verdict-not-last", "VERDICT: EQUIVALENT\nbecause 1/2 = 0.5", "unparseable"),
    Reply("empty", "", "unparseable"),
]


@pytest.mark.parametrize("reply", REPLIES, ids=[r.label for r in REPLIES])
def test_parse_verdict(reply: Reply) -> None:
    assert parse_verdict(reply.text) == reply.verdict, reply.note


PROBLEMS = [Problem("half", "Compute $x$ with $2x = 1$.", "\\frac{1}{2}"), Problem("int", "Compute 7*6.", 42)]


def _record(pid: str, sample: int, extracted: str | None, correct: bool, response: str = "",
            status: str = "") -> dict:
    return {"problem_id": pid, "sample": sample, "extracted": extracted, "correct": correct, "finish_reason": "stop",
            "status": status or ("ok" if extracted else "no_answer"),
            "response": response or f"<think>Let me solve.</think>So $x = \\boxed{{{extracted}}}$."}


RECORDS = [
    _record("half", 0, "\\frac{1}{2}", True),   # right by rules: never asked
    _record("half", 1, "0.50", False),          # wrong by rules (pretend): asked
    _record("half", 2, "1/2.0", False, "<think>long</think>Dividing, x is one half: $\\boxed{1/2.0}$."),  # asked
    _record("half", 3, "\\frac{1}{3}", False),  # wrong: asked
    _record("half", 5, None, False, "<think>long</think>So x is one half."),  # no answer stated: never asked
    _record("int", 0, "41", False),             # integer key: never asked
    _record("half", 4, "\\frac{1}{2}", True),
]


def test_only_stated_wrong_answers_of_latex_keys_are_asked() -> None:
    calls = judge_calls(RECORDS, {p.id: p for p in PROBLEMS}, k=6)
    assert [(c.problem_id, c.sample) for c in calls] == [("half", 1), ("half", 2), ("half", 3)]
    assert "stated final answer: 0.50\n" in calls[0].prompt and "Official answer: \\frac{1}{2}" in calls[0].prompt
    assert "x is one half" in calls[1].prompt and "long" not in calls[1].prompt.split("Candidate")[1]
    assert calls[0].prompt.rstrip().endswith("VERDICT: DIFFERENT")


def _judge(prompt: str) -> str:
    """Plays a grader: strict EQUIVALENT for 0.50, a sloppy 'Yes' for 1/2.0, strict DIFFERENT else."""
    answer = re.search(r"Candidate's stated final answer: (.*?)\n\nIs the", prompt, re.S)
    assert answer is not None
    if answer[1] == "0.50":
        return "0.50 = 1/2.\nVERDICT: EQUIVALENT"
    if answer[1] == "1/2.0":
        return "Yes, they are equivalent."
    return "VERDICT: DIFFERENT"


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    fake = FakeOpenAIServer(FakeServerConfig(models=("fake-judge",), judge=_judge))
    fake.start()
    yield fake
    fake.stop()


def _judge_pass(server: FakeOpenAIServer, directory: Path):
    config = BackendConfig(kind="openai", model="fake-judge", base_url=server.url, concurrency=2, max_retries=0,
                           retry_initial_delay_s=0.01, retry_max_delay_s=0.02)

    async def go():
        backend = create_backend(config)
        try:
            return await run_judge(directory, RECORDS, PROBLEMS, 6, backend, config, repair_torn_tail)
        finally:
            await backend.aclose()

    return asyncio.run(go())


def _judge_requests(server: FakeOpenAIServer) -> int:
    return sum(r.path.endswith("/chat/completions") for r in server.received)


def test_judging_pass_stores_each_call_and_resumes_after_errors(server: FakeOpenAIServer, tmp_path: Path) -> None:
    server.config.script = ["500"]  # the first judge request fails for good (no retries)
    first = _judge_pass(server, tmp_path)
    assert (first.needed, first.cached, first.asked, first.errors) == (3, 0, 2, 1)
    second = _judge_pass(server, tmp_path)  # asks only for the failed one
    assert (second.needed, second.cached, second.asked, second.errors) == (3, 2, 1, 0)
    assert _judge_requests(server) == 4
    third = _judge_pass(server, tmp_path)
    assert (third.asked, _judge_requests(server)) == (0, 4)  # fully cached: no request at all

    rows = {(r["problem_id"], r["sample"]): r for r in map(json.loads, (tmp_path / JUDGE_FILE).read_text().splitlines())}
    assert {key: r["verdict"] for key, r in rows.items()} == {
        ("half", 1): "equivalent", ("half", 2): "unparseable", ("half", 3): "different"}
    assert all(r["prompt"].startswith("You are checking") and r["reply"] and r["prompt_sha"] for r in rows.values())

    summary = judge_summary(tmp_path, RECORDS, PROBLEMS, 6, "fake-judge")
    assert summary is not None
    assert (summary["judged"], summary["flipped"], summary["unparseable"], summary["pending"]) == (3, 1, 1, 0)
    # half: 2 of 6 right by rules, 3 of 6 with the judge; int: 0 of 1
    assert summary["pass1"] == pytest.approx((2 / 6 + 0) / 2)
    assert summary["pass1_with_judge"] == pytest.approx((3 / 6 + 0) / 2)
    assert summary["cost_usd"] is None  # no price for the fake judge


def test_a_regraded_sample_is_asked_again(server: FakeOpenAIServer, tmp_path: Path) -> None:
    _judge_pass(server, tmp_path)
    changed = [_record("half", 3, "\\frac{2}{5}", False) if (r["problem_id"], r["sample"]) == ("half", 3) else r
               for r in RECORDS]
    calls = judge_calls(changed, {p.id: p for p in PROBLEMS}, 6)
    summary = judge_summary(tmp_path, changed, PROBLEMS, 6, "fake-judge")
    assert summary is not None and summary["pending"] == 1 and len(calls) == 3


def test_no_judge_named_no_judge_block(tmp_path: Path, server: FakeOpenAIServer) -> None:
    _judge_pass(server, tmp_path)
    assert judge_summary(tmp_path, RECORDS, PROBLEMS, 6, None) is None


def test_the_summary_names_the_judge_asked_for_not_the_last_stored(server: FakeOpenAIServer, tmp_path: Path) -> None:
    _judge_pass(server, tmp_path)
    rows = (tmp_path / JUDGE_FILE).read_text().splitlines()
    other = [json.dumps(dict(json.loads(line), judge_model="another-judge", verdict="equivalent")) for line in rows]
    (tmp_path / JUDGE_FILE).write_text("\n".join(rows + other) + "\n")  # another judge's calls stored last
    summary = judge_summary(tmp_path, RECORDS, PROBLEMS, 6, "fake-judge")
    assert summary is not None and (summary["model"], summary["flipped"]) == ("fake-judge", 1)
    fresh = judge_summary(tmp_path, RECORDS, PROBLEMS, 6, "a-third-judge")  # asked for, never answered yet
    assert fresh is not None and (fresh["model"], fresh["judged"], fresh["pending"]) == ("a-third-judge", 0, 3)
