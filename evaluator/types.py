"""Records that move between the stages of a run. All frozen: a stage never mutates its input."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Closed sets of values, each written once (STYLE 15). They are the strings stored on disk, so the JSON
# stays what it was; a new value is added here first and the type checker finds every place to update.
Status = Literal["ok", "from_reasoning", "weak", "no_answer", "truncated", "ambiguous", "out_of_range", "hedged"]
"""How the final answer was found (grading/extract.py): a graded sample's `status` in samples.jsonl.
(errors.jsonl lines carry `"status": "error"`: they are failed samples, never graded, not a Status.)"""
GradeMethod = Literal["integer", "exact", "symbolic", "timeout", "unparsable", "too_long", "worker_error", "none"]
"""How equality with the gold was decided, or why it could not be (grading/grade.py, `Grade.method`)."""
BackendKind = Literal["mock", "openai", "vllm"]
"""`--backend`: the keys of `evaluator.backends.BACKENDS` (a test keeps the two equal)."""
ApiKind = Literal["chat", "completions"]
"""`--api`: which OpenAI-compatible endpoint a request goes to."""
ExportFormat = Literal["csv", "markdown", "json"]
"""`evaluate export --format`."""


@dataclass(frozen=True)
class Problem:
    """One benchmark problem. `answer` is an int for AIME, a string (LaTeX) for custom sets."""

    id: str
    problem: str
    answer: int | str
    accepted: tuple[int | str, ...] = ()
    source: str = ""

    @property
    def golds(self) -> tuple[int | str, ...]:
        """Every answer that counts as correct: the official one first, then accepted alternates."""
        return (self.answer, *(a for a in self.accepted if a != self.answer))


@dataclass(frozen=True, kw_only=True)
class SamplingParams:
    """How to sample. Each backend maps these to its own parameter names."""

    temperature: float = 0.6
    top_p: float = 0.95
    max_tokens: int = 32768
    seed: int = 0


@dataclass(frozen=True)
class Message:
    role: str
    content: str


@dataclass(frozen=True)
class Request:
    """Generate the samples `sample_indices` of one problem.

    `messages` is the chat form; `prompt` is the plain-completions form (R1-Zero template, or a
    chat template rendered by the caller). `assistant_prefix` (e.g. "<think>\\n") is text the
    assistant turn must start with, where the backend can force it.
    """

    problem_id: str
    messages: tuple[Message, ...]
    sample_indices: tuple[int, ...]
    prompt: str | None = None
    assistant_prefix: str = ""


@dataclass(frozen=True)
class Completion:
    """One finished (or failed) sample, as the backend returned it. Never graded here."""

    problem_id: str
    sample_index: int
    text: str
    reasoning: str | None = None
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    reasoning_tokens: int | None = None
    latency_s: float | None = None
    error: str | None = None
    attempts: int = 1
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, kw_only=True)
class BackendConfig:
    """Everything a backend needs besides the requests. Secrets are never stored here: only the
    *name* of the environment variable that holds the API key."""

    kind: BackendKind = "mock"
    model: str = "mock"  # model id sent to the server / loaded by vLLM / mock accuracy spec
    # OpenAI-compatible API
    base_url: str | None = None
    api_key_env: str | None = None
    api: ApiKind = "chat"
    concurrency: int = 32
    samples_per_request: int = 1  # the API's `n`; the backend fans out when a server rejects n > 1
    request_timeout_s: float = 3600.0
    max_retries: int = 8
    use_max_completion_tokens: bool = False  # OpenAI reasoning models want max_completion_tokens
    send_temperature: bool = True  # some reasoning endpoints reject or ignore temperature/top_p
    # vLLM engine
    tensor_parallel_size: int = 1
    pipeline_parallel_size: int = 1
    data_parallel_size: int = 1
    gpu_memory_utilization: float = 0.9
    max_model_len: int | None = None
    dtype: str = "auto"
    enable_prefix_caching: bool = True
    distributed_executor_backend: str | None = None
    enforce_eager: bool = False
    # OpenAI-compatible API, continued (appended by the API backend)
    continue_final_message: bool = False  # vLLM-style prefill of Request.assistant_prefix in chat requests
    send_seed: bool = True  # send a per-sample `seed` (providers that reject it turn this off)
    extra_body_json: str = ""  # a JSON object merged into every request body (provider routing, reasoning_effort)
    retry_initial_delay_s: float = 1.0  # first backoff; doubles per retry, with jitter
    retry_max_delay_s: float = 60.0  # backoff cap (a server's Retry-After is honoured up to 10 minutes)
    # None keeps vLLM's default; False on CPU, where chunked prefill crashes seeded requests
    enable_chunked_prefill: bool | None = None
    # data-parallel ranks per node (multi-node DP over Ray: GPUs per node / (TP x PP)); None = all on this node
    data_parallel_size_local: int | None = None
    max_num_seqs: int | None = None  # vLLM: sequences in one batch (None: vLLM's offline default)
