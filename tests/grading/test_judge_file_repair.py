"""judge.jsonl is repaired on open like samples.jsonl: a last line cut by a crash is truncated away before the
next row is appended (never appended onto, which would lose that row and pay for the call again), and the
call whose row was cut is asked again. Over real HTTP against our OpenAI-compatible server playing a judge."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluator.backends import create_backend
from evaluator.grading.judge import JUDGE_FILE, JudgeProgress, judge_summary, load_judgements, run_judge
from evaluator.run.store import repair_torn_tail
from evaluator.testing.fake_openai_server import FakeOpenAIServer, FakeServerConfig
from evaluator.types import BackendConfig, Problem

PROBLEM = Problem("ratio", "Find the ratio of the areas.", "\\frac{9\\sqrt{23}}{23}")
WRONG = ("\\frac{9}{23}", "\\frac{\\sqrt{23}}{9}", "9\\sqrt{23}")
RECORDS = [{"problem_id": "ratio", "sample": i, "correct": False, "status": "ok", "extracted": answer,
            "finish_reason": "stop", "response": f"<think>Work.</think>\nThe ratio is $\\boxed{{{answer}}}$."}
           for i, answer in enumerate(WRONG)]


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    fake = FakeOpenAIServer(FakeServerConfig(models=("fake-judge",), judge=lambda prompt: "VERDICT: DIFFERENT"))
    fake.start()
    yield fake
    fake.stop()


def _judge_pass(server: FakeOpenAIServer, directory: Path) -> JudgeProgress:
    config = BackendConfig(kind="openai", model="fake-judge", base_url=server.url, concurrency=1, max_retries=0)

    async def go() -> JudgeProgress:
        backend = create_backend(config)
        try:
            return await run_judge(directory, RECORDS, [PROBLEM], 3, backend, config, repair_torn_tail)
        finally:
            await backend.aclose()

    return asyncio.run(go())


def test_a_torn_last_row_is_cut_and_its_call_asked_again(server: FakeOpenAIServer, tmp_path: Path) -> None:
    assert _judge_pass(server, tmp_path).asked == 3
    path = tmp_path / JUDGE_FILE
    lines = path.read_bytes().splitlines(keepends=True)
    torn = lines[-1][: len(lines[-1]) // 2]  # a kill in the middle of writing the last row
    path.write_bytes(b"".join(lines[:-1]) + torn)
    assert len(load_judgements(tmp_path)) == 2  # the torn row is no verdict

    again = _judge_pass(server, tmp_path)
    assert (again.repaired_bytes, again.cached, again.asked) == (len(torn), 2, 1)
    rows = [json.loads(line) for line in path.read_text().splitlines()]  # every line whole JSON again
    assert len(rows) == 3 and sorted(r["sample"] for r in rows) == [0, 1, 2]
    assert path.read_bytes().endswith(b"\n")
    summary = judge_summary(tmp_path, RECORDS, [PROBLEM], 3, "fake-judge")
    assert summary is not None and (summary["judged"], summary["pending"]) == (3, 0)
    assert _judge_pass(server, tmp_path).asked == 0  # nothing asked twice after the repair


def test_a_whole_file_is_left_as_it_is(server: FakeOpenAIServer, tmp_path: Path) -> None:
    _judge_pass(server, tmp_path)
    before = (tmp_path / JUDGE_FILE).read_bytes()
    progress = _judge_pass(server, tmp_path)
    assert (progress.repaired_bytes, progress.asked) == (0, 0)
    assert (tmp_path / JUDGE_FILE).read_bytes() == before
