"""`evaluate budget RUN_DIR`: the token-budget curve of a stored run, written to RUN_DIR/budget.json.

Reads each sample's text once to find where its thinking ended and what its reasoning alone answers,
then hands plain numbers to evaluator.metrics.budget. Where the end of thinking lies, in tokens:
1. `think_end_tokens`, recorded by the vLLM backend from the generated token ids;
2. `reasoning_tokens`, the server's own count of thinking tokens (OpenAI-style usage), when the
   thinking ended;
3. a tokenizer the user names (`--tokenizer`, a local directory or a cached hub id), counting the
   tokens of the text up to `</think>`;
4. otherwise an estimate: completion tokens x the share of the characters that precede the end of
   thinking. budget.json says "tokens" only when every thinking sample had one of 1-3.

budget.json: {"method": "tokens"|"estimate", "k": K, "budgets": [{"budget", "pass1", "pass1_ci",
"cons", "cons_ci", "thinking_share", "mean_tokens"}, ...]} plus "max_tokens", "n_samples", "note".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from evaluator.errors import ReportError
from evaluator.metrics.budget import BudgetSample, budget_curve, default_budgets
from evaluator.metrics.samples import vote_answer
from evaluator.reports.runview import RunView, load_run
from evaluator.run.record_types import SampleRecord
from evaluator.run.store import write_json

BUDGET = "budget.json"
THINK_END = "</think>"
Counter = Callable[[str], int]


def load_tokenizer(name: str) -> Counter:
    """A token counter from `transformers` (or `tokenizers`), loaded from a local directory or the hub cache."""
    import importlib.util

    try:
        if importlib.util.find_spec("transformers") is not None:
            from transformers import AutoTokenizer

            tok = AutoTokenizer.from_pretrained(name)
            return lambda text: len(tok.encode(text, add_special_tokens=False))
        from tokenizers import Tokenizer

        path = Path(name) / "tokenizer.json"
        raw = Tokenizer.from_file(str(path)) if path.is_file() else Tokenizer.from_pretrained(name)
        return lambda text: len(raw.encode(text, add_special_tokens=False).ids)
    except ImportError as exc:
        raise ReportError("--tokenizer needs `transformers` or `tokenizers`: pip install transformers") from exc
    except Exception as exc:  # not found offline, no tokenizer files, a bad directory
        raise ReportError(f"cannot load tokenizer {name!r}: {type(exc).__name__}: {exc}; give a local model "
                          "directory, or leave --tokenizer out to estimate from characters") from exc


def _thinking(record: SampleRecord) -> tuple[str, str | None]:
    """(text as generated, the thinking part up to and including its end; None: never ended, "": none)."""
    response = str(record.get("response") or "")
    reasoning = record.get("reasoning")
    if reasoning:
        text = f"{reasoning}{response}"
        ended = bool(response.strip()) or record.get("finish_reason") != "length"
        return text, (str(reasoning) if ended else None)
    if THINK_END in response:
        return response, response[: response.rindex(THINK_END) + len(THINK_END)]
    return response, (None if "<think>" in response else "")


def _think_end(record: SampleRecord, text: str, thought: str | None, tokens: int,
               count: Counter | None) -> tuple[int | None, bool]:
    """(end of thinking in tokens, whether that is a token count rather than an estimate)."""
    if thought is None:
        return None, True
    if not thought:
        return 0, True
    if (think_end := record.get("think_end_tokens")) is not None:
        return int(think_end), True
    if record.get("reasoning") and (reasoning_tokens := record.get("reasoning_tokens")) is not None:
        return int(reasoning_tokens), True
    if count is not None:
        return min(tokens, count(thought)), True
    return round(tokens * len(thought) / max(1, len(text))), False


def _cut_answer(thought: str | None, golds: tuple[str, ...]) -> tuple[str | None, bool]:
    """What the grader reads in a response cut right after its thinking: the reasoning's last box."""
    if not thought:
        return None, False
    from evaluator.grading.grade import grade_response

    text = thought if thought.rstrip().endswith(THINK_END) else f"<think>\n{thought}\n{THINK_END}"
    grade = grade_response(text, golds, "length")
    return grade.extracted, bool(grade.correct)


def budget_samples(run: RunView, tokenizer: Counter | None = None) -> tuple[list[BudgetSample], bool]:
    """The run's samples for the curve, and whether every end of thinking is a token count."""
    table = {p.problem_id: p for p in run.table()}
    missing = sum(1 for r in run.records if r.get("completion_tokens") is None)
    if missing:
        raise ReportError(f"{run.directory}: {missing} sample(s) have no completion_tokens; a budget curve needs "
                          "the token count of every sample (imported runs often lack it)")
    samples, exact = [], True
    for r in run.records:
        pid = str(r["problem_id"])
        golds = tuple(sorted(table[pid].accepted)) if pid in table else (str(r.get("gold")),)
        tokens = r.get("completion_tokens")
        assert tokens is not None  # every sample has a count: checked above
        text, thought = _thinking(r)
        end, counted = _think_end(r, text, thought, tokens, tokenizer)
        exact = exact and counted
        cut, cut_ok = _cut_answer(thought, golds)
        samples.append(BudgetSample(pid, tokens, end, vote_answer(r), bool(r.get("correct")), cut, cut_ok))
    return samples, exact


def run_budget(run: RunView, budgets: Sequence[int] | None = None, tokenizer: Counter | None = None,
               *, bootstrap: int = 1000) -> dict[str, Any]:
    """The budget.json document of a run (see the module docstring)."""
    samples, exact = budget_samples(run, tokenizer)
    limit = int(run.identity.get("max_tokens") or max(s.tokens for s in samples))
    chosen = list(budgets) if budgets else default_budgets(limit)
    golds = {p.problem_id: p.golds for p in run.table()}
    k = int(run.metrics["cons_k"])
    points = budget_curve(samples, golds, chosen, k, bootstrap=bootstrap, seed=int(run.metrics.get("seed", 0)))
    method = "tokens" if exact else "estimate"
    note = ("end of thinking known in tokens for every sample" if exact else
            "end of thinking estimated: completion tokens x share of characters before </think>")
    return {"method": method, "k": k, "budgets": [p.to_dict() for p in points], "max_tokens": limit,
            "n_samples": len(samples), "note": note}


def write_budget(run_dir: Path, budgets: Sequence[int] | None = None, tokenizer: str | None = None) -> tuple[Path, dict]:
    """Compute the curve of RUN_DIR and write RUN_DIR/budget.json; returns (path, document)."""
    run = load_run(Path(run_dir))
    data = run_budget(run, budgets, load_tokenizer(tokenizer) if tokenizer else None)
    path = run.directory / BUDGET
    write_json(path, data)
    return path, data


def stored_or_computed(run: RunView) -> dict[str, Any] | None:
    """budget.json if the run has one for its current samples (the user's budgets and tokenizer), else the
    default curve; None when the run has no token counts (an imported run)."""
    path = run.directory / BUDGET
    if path.is_file():
        try:
            stored = dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as exc:
            raise ReportError(f"{path}: cannot read ({exc}); delete it or run `evaluate budget` again") from exc
        if stored.get("n_samples") == len(run.records) and stored.get("k") == run.metrics.get("cons_k"):
            return stored  # else the run grew since: recompute
    try:
        return run_budget(run)
    except ReportError:
        return None


def parse_budgets(text: str | None) -> list[int] | None:
    """'2048,4096,8192' -> [2048, 4096, 8192]; a bad list is a ReportError."""
    if not text:
        return None
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ReportError(f"--budgets {text!r}: give positive integers separated by commas, e.g. 2048,4096,8192") from None
    if not values or min(values) < 1:
        raise ReportError(f"--budgets {text!r}: give positive integers separated by commas, e.g. 2048,4096,8192")
    return values
