"""LLM-judge fallback for LaTeX keys: off by default (`--judge MODEL`), auditable, resumable, costed.

Asked only for samples that stated an answer the rules graded wrong, on a key whose value is not an
integer: never for a sample with no answer, cut inside its thinking or hedging (nothing to judge: the
answer was never committed), nor for an integer-valued key such as `2^{25} \\cdot 26!` (rules decide
integers exactly). The judge sees the problem, the key, the sample's final section (the text after
its reasoning, its last FINAL_PART_CHARS characters) and the whole stated answer span as written
(`14+4\\sqrt{37}`, never an integer cut from it), and must reply with one last line
`VERDICT: EQUIVALENT` or `VERDICT: DIFFERENT`; anything else is "unparseable" and counts as different
(a judge harness that took any "Yes" in the reply as correct credited hedges).

Every call is one line of `judge.jsonl` in the run directory (prompt, reply, verdict, tokens, cost),
appended and fsynced as it arrives; a call is keyed by (problem, sample, judge model, prompt hash), so
a rerun asks only for what is missing and a re-graded sample with a new final part is asked again. A
torn last line (a crash mid-write) is cut off before appending, with the run store's own repair, so
the next row never lands on it. A call that fails is not stored: it stays pending, and the run says
so (exit 3) until a rerun has asked it. The rule verdicts in samples.jsonl are never changed: the
summary reports accuracy with and without the judge side by side (`judge_summary`), for the judge
asked for.
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

from evaluator._files import open_nofollow
from evaluator.errors import StoreError
from evaluator.grading.extract import THINK_END, extract_answer
from evaluator.grading.grade import gold_integer
from evaluator.types import BackendConfig, Message, Problem, Request, SamplingParams

if TYPE_CHECKING:
    from evaluator.backends import Backend

JUDGE_FILE = "judge.jsonl"
FINAL_PART_CHARS = 2000
"""Characters of the final section (the response after its reasoning) shown to the judge: its end,
where the answer is stated."""
NOT_ANSWERS = ("error", "no_answer", "truncated", "hedged")
"""Sample statuses with no committed answer: a failed sample, none stated, cut inside its thinking,
or several values offered (a hedge is never correct, so no judge may make it so)."""
PROBLEM_CHARS = 6000
"""Problem text longer than this is cut (a TikZ figure can be long; the judge compares answers)."""
JUDGE_SAMPLING = SamplingParams(temperature=0.0, top_p=1.0, max_tokens=4096, seed=0)

PROMPT = """You are checking one answer to a competition math problem against the official answer.

Problem:
<<problem>>

Official answer: <<gold>>

Candidate's final section (the end of the response, after its reasoning):
<<final>>

Candidate's stated final answer: <<answer>>

Is the candidate's stated final answer mathematically equivalent to the official answer? Equivalent forms of the \
same value(s) count (fractions, radicals, order of a list of values). An approximation, a partial answer, \
several different candidate answers, or a different value does not.
Reply with exactly one final line, either
VERDICT: EQUIVALENT
or
VERDICT: DIFFERENT"""

_VERDICT_LINE = re.compile(r"VERDICT: (EQUIVALENT|DIFFERENT)")
_ANY_VERDICT = re.compile(r"VERDICT", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"<<(problem|gold|final|answer)>>")


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


def final_section(response: str) -> str:
    """The response after its last end-of-thinking marker, its last FINAL_PART_CHARS characters."""
    cut = max((i + len(m) if (i := response.rfind(m)) >= 0 else 0) for m in THINK_END)
    return response[cut:][-FINAL_PART_CHARS:].strip()


def stated_span(record: Mapping[str, Any]) -> str | None:
    """The whole answer the sample stated, as written (the extraction's span), or None when the response
    commits to no answer (none stated, cut inside its thinking)."""
    extraction = extract_answer(str(record.get("response") or ""), record.get("finish_reason"))
    if extraction.answer is None or extraction.status in NOT_ANSWERS:
        return None
    return extraction.span or extraction.answer


def integer_key(problem: Problem) -> bool:
    """Every accepted answer has an integer value (`42`, `2^{25} \\cdot 26!`): rules alone decide."""
    return all(not isinstance(g, bool) and gold_integer(g) is not None for g in problem.golds)


def needs_judge(record: Mapping[str, Any], problem: Problem) -> bool:
    """A stated answer the rules graded wrong, on a key whose value is not an integer."""
    return (not record.get("correct") and record.get("status") not in NOT_ANSWERS
            and record.get("extracted") is not None and not integer_key(problem))


def judge_calls(records: Iterable[Mapping[str, Any]], problems: Mapping[str, Problem], k: int) -> list[JudgeCall]:
    """The calls a run needs: one per sample (index < k) that `needs_judge` and states an answer, in
    record order."""
    calls = []
    for record in records:
        problem = problems.get(str(record["problem_id"]))
        if problem is None or int(record["sample"]) >= k or not needs_judge(record, problem):
            continue
        span = stated_span(record)
        if span is None:
            continue
        prompt = _fill(PROMPT, {"problem": problem.problem[:PROBLEM_CHARS], "gold": str(problem.answer),
                                "final": final_section(str(record.get("response") or "")), "answer": span})
        sha = hashlib.sha256(prompt.encode()).hexdigest()[:16]
        calls.append(JudgeCall(problem.id, int(record["sample"]), prompt, sha))
    return calls


def _fill(template: str, values: Mapping[str, str]) -> str:
    """The template with each `<<name>>` replaced in one pass (model text holding `<<answer>>` stays as is)."""
    return _PLACEHOLDER.sub(lambda m: values[m[1]], template)


def call_key(problem_id: str, sample: int, model: str, prompt_sha: str) -> tuple[str, int, str, str]:
    return (problem_id, sample, model, prompt_sha)


def load_judgements(directory: Path) -> dict[tuple[str, int, str, str], dict[str, Any]]:
    """judge.jsonl by call key. Only complete lines count: a torn last line (a crash mid-write) is not a
    verdict, and `run_judge` cuts it off before appending."""
    path = directory / JUDGE_FILE
    if not path.is_file():
        return {}
    out = {}
    # the last piece has no newline: empty, or a line torn by a crash (cut on the next open, asked again)
    for number, line in enumerate(path.read_bytes().split(b"\n")[:-1], 1):
        try:
            row = json.loads(line)
        except ValueError:
            continue  # not JSON (hand-edited): that call is asked again
        try:
            out[call_key(str(row["problem_id"]), int(row["sample"]), str(row["judge_model"]), str(row["prompt_sha"]))] = row
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
    repaired_bytes: int = 0  # a torn last line of judge.jsonl cut off before appending


async def run_judge(
    directory: Path,
    records: Sequence[Mapping[str, Any]],
    problems: Sequence[Problem],
    k: int,
    backend: Backend,
    config: BackendConfig,
    repair_tail: Callable[[Path], int],
    cost_usd: Callable[[int, int], float | None] = lambda prompt_tokens, completion_tokens: None,
) -> JudgeProgress:
    """Ask the judge for every needed call not in judge.jsonl yet; append each answer as it arrives.

    `repair_tail(path)` cuts a torn last line off a JSONL file and returns the bytes removed (the run
    store's own repair, passed in because grading does not import the run package); it runs before the
    file is read or appended to. `cost_usd(prompt_tokens, completion_tokens)` prices one call."""
    repaired = repair_tail(directory / JUDGE_FILE)
    calls = judge_calls(records, {p.id: p for p in problems}, k)
    done = load_judgements(directory)
    todo = {(c.problem_id, c.sample): c for c in calls
            if call_key(c.problem_id, c.sample, config.model, c.prompt_sha) not in done}
    progress = JudgeProgress(needed=len(calls), cached=len(calls) - len(todo), repaired_bytes=repaired)
    if not todo:
        return progress
    requests = [Request(c.problem_id, (Message("user", c.prompt),), (c.sample,)) for c in todo.values()]
    with open_nofollow(directory / JUDGE_FILE, "a") as handle:  # a received run's link is refused, not followed
        async for completion in backend.generate(requests, JUDGE_SAMPLING):
            if completion.error is not None:
                progress.errors += 1  # not stored: pending until a rerun asks again
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
    judge_model: str | None,
) -> dict[str, Any] | None:
    """summary.json's `judge` block for `judge_model` (the model id the judge was asked as), or None when
    no judge is named. Named, it is the judge asked for even when judge.jsonl also holds calls of
    another judge, or none yet (then every needed call is pending).

    judged: samples with a stored verdict; flipped: verdicts the judge turned from wrong to right;
    pending: needed calls with no stored verdict (failed or never asked: a rerun asks them);
    pass1 / pass1_with_judge: mean over problems of the share of correct samples, without and with flips."""
    if not judge_model:
        return None
    done = load_judgements(directory)
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
