"""LLM-judge fallback for LaTeX keys: off by default (`--judge MODEL`), auditable, resumable, costed.

Asked only for samples whose rule verdict is wrong or no answer *and* whose key is not an integer
(integer keys are decided by rules alone). The judge sees the problem, the key and the sample's final
part (the extracted answer, or the response's closing text when none was extracted) and must reply
with one last line `VERDICT: EQUIVALENT` or `VERDICT: DIFFERENT`; anything else is "unparseable" and
counts as different (evalscope #1578 took any "Yes" in a judge's text as correct).

Every call is one line of `judge.jsonl` in the run directory (prompt, reply, verdict, tokens, cost),
appended and fsynced as it arrives; a call is keyed by (problem, sample, judge model, prompt hash), so
a rerun asks only for what is missing and a re-graded sample with a new final part is asked again.
The rule verdicts in samples.jsonl are never changed: the summary reports accuracy with and without
the judge side by side (`judge_summary`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluator.errors import StoreError
from evaluator.types import BackendConfig, Message, Problem, Request, SamplingParams

if TYPE_CHECKING:
    from evaluator.backends import Backend

JUDGE_FILE = "judge.jsonl"
FINAL_PART_CHARS = 2000
"""Closing text shown to the judge when no answer was extracted (the end of the response after </think>)."""
PROBLEM_CHARS = 6000
"""Problem text longer than this is cut (a TikZ figure can be long; the judge compares answers)."""
JUDGE_SAMPLING = SamplingParams(temperature=0.0, top_p=1.0, max_tokens=4096, seed=0)

PROMPT = """You are checking one answer to a competition math problem against the official answer.

Problem:
<<problem>>

Official answer: <<gold>>

Candidate's final answer:
<<answer>>

Is the candidate's final answer mathematically equivalent to the official answer? Equivalent forms of the \
same value(s) count (fractions, radicals, order of a list of values). An approximation, a partial answer, \
several different candidate answers, or a different value does not.
Reply with exactly one final line, either
VERDICT: EQUIVALENT
or
VERDICT: DIFFERENT"""

_VERDICT_LINE = re.compile(r"VERDICT: (EQUIVALENT|DIFFERENT)")
_ANY_VERDICT = re.compile(r"VERDICT", re.IGNORECASE)


@dataclass(frozen=True)
class JudgeCall:
    """One sample to be judged: the key its result is stored under, and the prompt."""

    problem_id: str
    sample: int
    prompt: str
    prompt_sha: str


def parse_verdict(reply: str) -> str:
    """`equivalent` / `different` from a strict reply, else `unparseable` (which counts as different).

    Strict: after any `<think>...</think>` block, the last non-empty line is exactly `VERDICT: EQUIVALENT`
    or `VERDICT: DIFFERENT`, and no other line mentions a verdict."""
    final = reply.rsplit("</think>", 1)[-1]
    lines = [line.strip() for line in final.splitlines() if line.strip()]
    if not lines or sum(bool(_ANY_VERDICT.search(line)) for line in lines) != 1:
        return "unparseable"
    match = _VERDICT_LINE.fullmatch(lines[-1])
    return match[1].lower() if match else "unparseable"


def final_part(record: Mapping[str, Any]) -> str:
    """What the judge is shown of a sample: its extracted answer, else the response's closing text."""
    if record.get("extracted"):
        return str(record["extracted"])
    response = str(record.get("response") or "")
    return response.rsplit("</think>", 1)[-1][-FINAL_PART_CHARS:].strip() or "(no final answer)"


def needs_judge(record: Mapping[str, Any], problem: Problem) -> bool:
    """Rule verdict wrong or no answer, on a non-integer key."""
    return not isinstance(problem.answer, int) and not record.get("correct") and record.get("status") != "error"


def judge_calls(records: Iterable[Mapping[str, Any]], problems: Mapping[str, Problem], k: int) -> list[JudgeCall]:
    """The calls a run needs: one per sample (index < k) that `needs_judge`, in record order."""
    calls = []
    for record in records:
        problem = problems.get(str(record["problem_id"]))
        if problem is None or int(record["sample"]) >= k or not needs_judge(record, problem):
            continue
        prompt = (PROMPT.replace("<<problem>>", problem.problem[:PROBLEM_CHARS])
                  .replace("<<gold>>", str(problem.answer)).replace("<<answer>>", final_part(record)))
        sha = hashlib.sha256(prompt.encode()).hexdigest()[:16]
        calls.append(JudgeCall(problem.id, int(record["sample"]), prompt, sha))
    return calls


def call_key(problem_id: str, sample: int, model: str, prompt_sha: str) -> tuple[str, int, str, str]:
    return (problem_id, sample, model, prompt_sha)


def load_judgements(directory: Path) -> dict[tuple[str, int, str, str], dict[str, Any]]:
    """judge.jsonl by call key (a torn last line from a crash is ignored: that call is made again)."""
    path = directory / JUDGE_FILE
    if not path.is_file():
        return {}
    out = {}
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        try:
            row = json.loads(line)
        except ValueError:
            continue
        try:
            out[call_key(row["problem_id"], int(row["sample"]), row["judge_model"], row["prompt_sha"])] = row
        except (KeyError, TypeError, ValueError):  # `{}`, a list, a sample that is no number
            raise StoreError(f"{path}:{number}: not a judge record (needs problem_id, sample, judge_model and "
                             "prompt_sha); move the file aside and the judge is asked again") from None
    return out


@dataclass
class JudgeProgress:
    """Counters of one judging pass (the summary is computed from judge.jsonl, not from these)."""

    needed: int = 0
    cached: int = 0
    asked: int = 0
    errors: int = 0


async def run_judge(
    directory: Path,
    records: Sequence[Mapping[str, Any]],
    problems: Sequence[Problem],
    k: int,
    backend: Backend,
    config: BackendConfig,
    cost_usd: Callable[[int, int], float | None] = lambda prompt_tokens, completion_tokens: None,
) -> JudgeProgress:
    """Ask the judge for every needed call not in judge.jsonl yet; append each answer as it arrives.
    `cost_usd(prompt_tokens, completion_tokens)` prices one call (the caller knows the price table)."""
    calls = judge_calls(records, {p.id: p for p in problems}, k)
    done = load_judgements(directory)
    todo = {(c.problem_id, c.sample): c for c in calls
            if call_key(c.problem_id, c.sample, config.model, c.prompt_sha) not in done}
    progress = JudgeProgress(needed=len(calls), cached=len(calls) - len(todo))
    if not todo:
        return progress
    requests = [Request(c.problem_id, (Message("user", c.prompt),), (c.sample,)) for c in todo.values()]
    with (directory / JUDGE_FILE).open("a", encoding="utf-8") as handle:
        async for completion in backend.generate(requests, JUDGE_SAMPLING):
            if completion.error is not None:
                progress.errors += 1  # not stored: the next run asks again
                continue
            call = todo[(completion.problem_id, completion.sample_index)]
            row = {
                "problem_id": call.problem_id, "sample": call.sample, "judge_model": config.model,
                "prompt_sha": call.prompt_sha, "prompt": call.prompt, "reply": completion.text,
                "reasoning": completion.reasoning, "verdict": parse_verdict(completion.text),
                "prompt_tokens": completion.prompt_tokens, "completion_tokens": completion.completion_tokens,
                "cost_usd": cost_usd(completion.prompt_tokens or 0, completion.completion_tokens or 0),
            }
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
            progress.asked += 1
    return progress


def judge_summary(
    directory: Path, records: Sequence[Mapping[str, Any]], problems: Sequence[Problem], k: int,
    judge_model: str | None = None,
) -> dict[str, Any] | None:
    """summary.json's `judge` block, or None when this run has no judge calls for `judge_model` (default:
    the model of the last stored call, so re-scoring a judged run keeps its judge block).

    judged: samples with a stored verdict; flipped: verdicts the judge turned from wrong to right;
    pass1 / pass1_with_judge: mean over problems of the share of correct samples, without and with flips."""
    done = load_judgements(directory)
    judge_model = judge_model or next(reversed(done), ("", 0, "", ""))[2]
    if not any(key[2] == judge_model for key in done):
        return None
    by_id = {p.id: p for p in problems}
    calls = judge_calls(records, by_id, k)
    rows = [done.get(call_key(c.problem_id, c.sample, judge_model, c.prompt_sha)) for c in calls]
    flipped = {(c.problem_id, c.sample) for c, row in zip(calls, rows, strict=True)
               if row and row["verdict"] == "equivalent"}
    costs = [row["cost_usd"] for row in rows if row and row.get("cost_usd") is not None]
    return {
        "model": judge_model,
        "needed": len(calls),
        "judged": sum(row is not None for row in rows),
        "flipped": len(flipped),
        "unparseable": sum(1 for row in rows if row and row["verdict"] == "unparseable"),
        "pending": sum(row is None for row in rows),
        "pass1": _pass1(records, by_id, k, set()),
        "pass1_with_judge": _pass1(records, by_id, k, flipped),
        "cost_usd": sum(costs) if costs else None,
    }


def _pass1(records: Iterable[Mapping[str, Any]], problems: Mapping[str, Problem], k: int,
           flipped: set[tuple[str, int]]) -> float | None:
    per_problem: dict[str, list[bool]] = {}
    for r in records:
        if r["problem_id"] in problems and int(r["sample"]) < k:
            ok = bool(r.get("correct")) or (str(r["problem_id"]), int(r["sample"])) in flipped
            per_problem.setdefault(str(r["problem_id"]), []).append(ok)
    rates = [sum(v) / len(v) for v in per_problem.values() if v]
    return sum(rates) / len(rates) if rates else None
