"""A synthetic run directory of any size, for report benchmarks and browser tests.

The mock model's responses (graded by the real grader) with their thinking padded to `chars`
characters, so a run can have DeepSeek-R1's shape (30 problems x 64 samples of ~45k characters,
about 90 MB of text) without a model. The directory has what `evaluate` writes: config.json,
samples.jsonl, errors.jsonl and summary.json.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from evaluator.backends.mock import MockBackend
from evaluator.grading.records import graded_record
from evaluator.metrics.summary import summarize_run
from evaluator.run.prompts import build_request, load_template
from evaluator.run.store import CONFIG, ERRORS, SAMPLES, SUMMARY, write_json
from evaluator.types import BackendConfig, Problem, SamplingParams

_PAD = "Let me re-derive this carefully, checking each case against the constraint once more. "


def synthetic_problems(n: int) -> tuple[Problem, ...]:
    """n problems with integer answers 0-999 (deterministic)."""
    return tuple(Problem(id=f"synth-{i + 1}", problem=f"Synthetic problem {i + 1}: find the value.",
                         answer=int(hashlib.sha256(str(i).encode()).hexdigest(), 16) % 1000) for i in range(n))


def write_synthetic_run(directory: Path, *, n_problems: int = 30, k: int = 64, chars: int = 45_000,
                        model: str = "mock:0.7") -> Path:
    """Write a finished run of `n_problems` x `k` samples whose responses are about `chars` long."""
    directory.mkdir(parents=True, exist_ok=True)
    problems = synthetic_problems(n_problems)
    backend = MockBackend(BackendConfig(kind="mock", model=model), {p.id: p.answer for p in problems})
    params = SamplingParams(temperature=0.6, top_p=0.95, max_tokens=32768, seed=0)
    template = load_template("r1")
    records = []
    with open(directory / SAMPLES, "w", encoding="utf-8") as out:
        for problem in problems:
            request = build_request(problem, template, tuple(range(k)))
            for index in range(k):
                completion = backend.respond(request, index, params)
                pad = _PAD * max(0, (chars - len(completion.text)) // len(_PAD))
                text = completion.text.replace("<think>\n", "<think>\n" + pad, 1)
                completion = dataclasses.replace(completion, text=text, completion_tokens=len(text) // 4)
                record = graded_record(completion, problem)
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                records.append({key: value for key, value in record.items() if key not in ("response", "reasoning")})
    (directory / ERRORS).write_text("", encoding="utf-8")
    identity = {"model": model, "backend": "mock", "dataset": "synthetic", "dataset_hash": "synthetic",
                "temperature": params.temperature, "top_p": params.top_p, "max_tokens": params.max_tokens,
                "seed": params.seed}
    write_json(directory / CONFIG, {"identity": identity, "model_name": model, "k": k, "config_hash": "synthetic",
                                    "created_at": "synthetic", "schema_version": 1})
    write_json(directory / SUMMARY, summarize_run(records, problems, k))
    return directory
