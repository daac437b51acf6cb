"""A mock reasoning model for offline runs and fast tests: R1-style responses, deterministic per seed.

`--model mock` sets a per-problem success rate of 0.7 for the *median* problem (`mock:0.9` sets it to
0.9; `mock:0.9:0.01` adds 0.01 s of latency per sample, with up to --concurrency samples waiting at
once). Difficulty varies by problem (spread on the logit scale), which pulls the mean towards 50%:
the pass@1 a run really gets is in MEASURED_PASS1 (k=64, seed 0) and `evaluate models` says so. Wrong answers cluster on a few distractors (so majority voting behaves as with
real models), and some responses are truncated or use messy formats (`\\boxed{073}`,
`\\boxed{\\text{73}}`, two boxes, "The final answer is ...") so extraction, grading and metrics are all
exercised. A LaTeX key (HMMT) is written in varied but equivalent forms (`\\dfrac`, `p/q`, `\\times` for
`\\cdot`, spacing) so the symbolic path and cons@k's equivalence classes are exercised; its wrong
answers are the key plus an offset (or an extra list element).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import math
import random
import re
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass

from evaluator.errors import BackendError
from evaluator.types import BackendConfig, Completion, Request, SamplingParams

DEFAULT_ACCURACY = 0.7
# pass@1 (k=64, seed 0) that `evaluate --model M --dataset D` really gives; checked by tests/backends/test_mock.py.
MEASURED_PASS1 = {("mock", "demo"): 0.462, ("mock", "aime-2024"): 0.608,
                  ("mock:0.9", "demo"): 0.688, ("mock:0.9", "aime-2024"): 0.764}
TRUNCATION_RATE = 0.03

_FILLER = (
    "Let me set up the equations carefully. ",
    "Wait, I should double-check that step. ",
    "Hmm, let me reconsider the constraint on the variables. ",
    "So the count splits into cases by parity. ",
    "Substituting back gives a consistent value. ",
    "Let me verify with a small example to be safe. ",
)

# How the final answer is written: (weight, format). `{a}` is the answer as an integer.
_FINAL_FORMATS: tuple[tuple[float, str], ...] = (
    (0.70, "Therefore, the answer is $\\boxed{{{a}}}$."),
    (0.08, "So the final answer is $\\boxed{{{a:03d}}}$."),
    (0.06, "Hence the result: \\boxed{{\\text{{{a}}}}}"),
    (0.08, "We get $\\boxed{{{a}}}$. Checking once more, the answer is $\\boxed{{{a}}}$."),
    (0.08, "**Final Answer:** The final answer is {a}."),
)


_SIMPLE_FRAC = re.compile(r"\\frac\{(\d{1,9})\}\{(\d{1,9})\}")


def latex_forms(key: str) -> tuple[str, ...]:
    """Equivalent spellings of a LaTeX key, the key itself first (order fixed, duplicates dropped)."""
    forms = (
        key,
        key.replace("\\frac", "\\dfrac"),
        _SIMPLE_FRAC.sub(r"\1/\2", key) if _SIMPLE_FRAC.fullmatch(key) else key,
        key.replace("\\cdot", "\\times"),
        key.replace("+", " + ").replace(", ", " , "),
    )
    return tuple(dict.fromkeys(forms))


def _latex_distractor(key: str, offset: int) -> str:
    return f"{key}, {offset}" if "," in key else f"{key}+{offset}"


def parse_spec(model: str) -> tuple[float, float]:
    """`mock[:ACCURACY[:LATENCY_S]]` -> (accuracy, latency per sample): `mock` -> (0.7, 0.0)."""
    parts = model.split(":")[1:]
    try:
        accuracy = float(parts[0]) if parts and parts[0] else DEFAULT_ACCURACY
        latency = float(parts[1]) if len(parts) > 1 else 0.0
    except ValueError:
        raise BackendError(f"bad mock model {model!r}: use mock, mock:0.9 or mock:0.9:0.01 (accuracy, latency)") from None
    if not 0.0 <= accuracy <= 1.0 or latency < 0:
        raise BackendError(f"bad mock model {model!r}: accuracy must be in [0, 1] and latency >= 0")
    return accuracy, latency


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _problem_rate(accuracy: float, problem_id: str) -> float:
    """Per-problem success rate: the target accuracy spread on the logit scale, fixed per problem."""
    if accuracy in (0.0, 1.0):
        return accuracy
    logit = math.log(accuracy / (1 - accuracy)) + 1.8 * _rng("difficulty", problem_id).gauss(0.0, 1.0)
    return 1 / (1 + math.exp(-logit))


@dataclass
class MockStats:
    """Live counters the progress bar reads (samples waiting out their latency)."""

    in_flight: int = 0
    retries: int = 0

    def notes(self) -> list[str]:
        """Nothing goes wrong without a model: no notes."""
        return []


class MockBackend:
    """Implements the Backend protocol without a model. Needs the answer key to be right on purpose."""

    name = "mock"

    def __init__(self, config: BackendConfig, answer_key: Mapping[str, int | str] | None = None) -> None:
        self.accuracy, self.latency_s = parse_spec(config.model)
        self.answer_key = dict(answer_key or {})
        self.concurrency = max(1, config.concurrency)
        self.stats = MockStats()

    def _gold(self, problem_id: str) -> int | str:
        gold = self.answer_key.get(problem_id)
        return _rng("gold", problem_id).randrange(1000) if gold is None else gold

    def respond(self, request: Request, sample_index: int, params: SamplingParams) -> Completion:
        """One deterministic response for (seed, problem, sample)."""
        started = time.perf_counter()
        rng = _rng(params.seed, request.problem_id, sample_index, params.temperature)
        gold = self._gold(request.problem_id)
        offsets = _rng("wrong", request.problem_id).sample(range(1, 999), 3)
        distractors = [(gold + d) % 1000 if isinstance(gold, int) else _latex_distractor(gold, d) for d in offsets]
        correct = rng.random() < _problem_rate(self.accuracy, request.problem_id)
        answer = gold if correct else rng.choices(distractors, weights=(6, 3, 1))[0]
        thinking = "".join(rng.choice(_FILLER) for _ in range(rng.randint(8, 40)))
        tentative = rng.choice(distractors + [gold])
        reasoning = f"{thinking}A first attempt gives \\boxed{{{tentative}}}, but that may be off. {thinking}"
        prompt_text = request.prompt or "".join(m.content for m in request.messages)
        if rng.random() < TRUNCATION_RATE:
            text = "<think>\n" + reasoning * 3
            budget = min(len(text), params.max_tokens * 4)
            # cut off at max_tokens, as an engine reports it: the text is a short stand-in for those tokens
            return self._completion(request, sample_index, text[: budget - 7], "length", prompt_text, started,
                                    tokens=params.max_tokens)
        weights, formats = zip(*_FINAL_FORMATS, strict=True)
        if isinstance(answer, int):
            final = rng.choices(formats, weights=weights)[0].format(a=answer)
        else:
            final = formats[0].format(a=rng.choice(latex_forms(answer)))
        text = f"<think>\n{reasoning}I am fairly confident now.\n</think>\n\nSummary of the solution. {final}"
        return self._completion(request, sample_index, text, "stop", prompt_text, started)

    def _completion(
        self, request: Request, index: int, text: str, finish: str, prompt: str, started: float,
        tokens: int | None = None,
    ) -> Completion:
        return Completion(
            problem_id=request.problem_id,
            sample_index=index,
            text=text,
            finish_reason=finish,
            prompt_tokens=max(1, len(prompt) // 4),
            completion_tokens=tokens if tokens is not None else max(1, len(text) // 4),
            latency_s=time.perf_counter() - started + self.latency_s,
        )

    async def generate(self, requests: Sequence[Request], params: SamplingParams) -> AsyncIterator[Completion]:
        """Yield every requested sample. With a latency, up to `concurrency` samples wait at once (as
        requests to a server would), so `mock:0.7:0.2 --k 64 --concurrency 64` takes ~30 x 0.2 s, not 1920 x."""
        jobs = [(request, index) for request in requests for index in request.sample_indices]
        if not self.latency_s:
            for request, index in jobs:
                await asyncio.sleep(0)
                yield self.respond(request, index, params)
            return
        pending: set[asyncio.Task[Completion]] = set()
        queue = iter(jobs)
        try:
            while True:
                for request, index in itertools.islice(queue, self.concurrency - len(pending)):
                    pending.add(asyncio.create_task(self._respond_later(request, index, params)))
                if not pending:
                    return
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in sorted(done, key=lambda t: (t.result().problem_id, t.result().sample_index)):
                    yield task.result()
        finally:
            for task in pending:
                task.cancel()

    async def _respond_later(self, request: Request, index: int, params: SamplingParams) -> Completion:
        self.stats.in_flight += 1
        try:
            await asyncio.sleep(self.latency_s)
        finally:
            self.stats.in_flight -= 1
        return self.respond(request, index, params)

    async def aclose(self) -> None:
        return None
