"""One run: what determines it (`RunConfig`), where it lives, and the loop that fills it.

The loop asks the backend only for the (problem, sample) pairs the run directory does not hold yet,
grades each completion as it arrives and appends it at once, so an interrupted run resumes where it
stopped and the same command never generates a finished sample twice.
"""

from __future__ import annotations

import asyncio
import platform
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from evaluator.backends import Backend, LiveStats
from evaluator.backends._credentials import is_secret_name
from evaluator.backends._request_body import canonical_extra_body
from evaluator.benchmarks.loader import Benchmark
from evaluator.grading.records import error_record, graded_record
from evaluator.run.prompts import PromptTemplate, build_request
from evaluator.run.record_types import Summary
from evaluator.run.store import RunStore, identity_hash
from evaluator.types import BackendConfig, Completion, Problem, SamplingParams

_PACKAGES = ("aime-eval", "numpy", "sympy", "openai", "datasets", "latex2sympy2_extended", "vllm", "torch")


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    """Everything that determines a run. `identity()` (what changes the samples) names its directory;
    k, concurrency and retries do not, so raising k later extends the same run."""

    model_name: str
    backend: BackendConfig
    dataset: str
    dataset_origin: str
    dataset_hash: str
    template: PromptTemplate
    sampling: SamplingParams
    k: int
    assistant_prefix: str = ""
    # per-contest templates (`--protocol matharena`); empty = `template` for every problem (DeepSeek protocol)
    contest_templates: tuple[tuple[str, PromptTemplate], ...] = ()
    # the extra body the model's preset sends when --extra-body is not given: left out of the identity,
    # so preset runs keep their directory names; any other extra body is part of the identity
    default_extra_body: str = ""

    def identity(self) -> dict[str, Any]:
        """What changes the samples. Raises BackendError for an unusable extra body. Per-contest templates and an
        extra body enter only when set, so existing runs keep their directory names (tests/run guards this)."""
        extra_body = canonical_extra_body(self.backend.extra_body_json)
        extra = {"contest_templates": {c: t.text for c, t in self.contest_templates}} if self.contest_templates else {}
        return {
            "model": self.backend.model,
            "backend": self.backend.kind,
            "base_url": public_url(self.backend.base_url),
            "api": self.backend.api,
            "dtype": self.backend.dtype if self.backend.kind == "vllm" else None,
            "dataset": self.dataset,
            "dataset_hash": self.dataset_hash,
            "template": self.template.text,
            "template_kind": self.template.kind,
            "assistant_prefix": self.assistant_prefix,
            **asdict(self.sampling),
            **extra,
            **({"extra_body": extra_body} if extra_body != canonical_extra_body(self.default_extra_body) else {}),
            **engine_identity(self.backend),
        }

    def templates_by_problem(self, contests: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, PromptTemplate]:
        """The template of each problem id that has a contest template (others use `template`)."""
        by_contest = dict(self.contest_templates)
        return {pid: by_contest[name] for name, ids in contests if name in by_contest for pid in ids}

    def config_hash(self) -> str:
        return identity_hash(self.identity())

    def run_name(self) -> str:
        return run_dir_name(self.model_name, self.dataset, self.config_hash())

    def run_dir(self, output_dir: Path) -> Path:
        """Where this run lives under `output_dir` (an existing older-style name included)."""
        return find_run_dir(output_dir, self.model_name, self.dataset, self.config_hash())

    def to_json(self) -> dict[str, Any]:
        """config.json: every setting, package versions, the dataset's name and content hash.
        Holds the *name* of the API-key variable, never a key."""
        return {
            "identity": self.identity(),
            "model_name": self.model_name,
            "k": self.k,
            "backend_config": {**asdict(self.backend), "base_url": public_url(self.backend.base_url)},
            "dataset_origin": self.dataset_origin,
            "template_name": self.template.name,
            "prompt_protocol": "matharena" if self.contest_templates else "deepseek",
            "contest_templates": {c: {"name": t.name, "text": t.text} for c, t in self.contest_templates},
            "versions": package_versions(),
            "python": platform.python_version(),
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }


def engine_identity(backend: BackendConfig) -> dict[str, Any]:
    """The vLLM engine settings, besides `dtype`, that change what a sample can be, each only when set:
    `max_model_len` caps prompt + answer (a sample that reaches it ends with "length", so two values
    cut the same long answers differently). Left at vLLM's default a setting stays out, so runs that
    never set it keep their directory names. Parallelism, memory, batching, prefix caching and CUDA
    graphs change speed (and on GPUs which batch a sequence shares, hence its floating-point path),
    not the distribution a sample is drawn from: tests/run/test_identity_settings.py lists each setting."""
    if backend.kind != "vllm" or backend.max_model_len is None:
        return {}
    return {"max_model_len": backend.max_model_len}


def public_url(url: str | None) -> str | None:
    """The URL without any `user:password@` part and with the value of a query parameter named like a
    key (`?api-key=...`) replaced by `***`, so a credential in a URL never reaches a file. (The CLI and
    the API backend refuse such URLs outright; this covers a RunConfig built in Python.)"""
    if not url:
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(is_secret_name(name) for name, _ in query):
        parts = parts._replace(query=urlencode([(n, "***" if is_secret_name(n) else v) for n, v in query], safe="*"))
    if parts.username is None and parts.password is None:
        return urlunsplit(parts)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc))


def run_dir_name(model: str, dataset: str, config_hash: str) -> str:
    """`<model>-<dataset>-<hash>`: the name of a run directory, for runs and imports alike. Names keep
    their hyphens (`mock-aime-2024-<hash>`); other characters outside [A-Za-z0-9._-] become `_`."""
    return f"{_slug(model, _UNSAFE)}-{_slug(dataset, _UNSAFE)}-{config_hash}"


def find_run_dir(output_dir: Path, model: str, dataset: str, config_hash: str) -> Path:
    """The run directory for this run under `output_dir`: the current name, or the name used before
    hyphens were kept (`mock-aime_2024-<hash>`) when only that one exists, so the same command still
    resumes a run started by an older version (the hash, which decides identity, is the same)."""
    current = output_dir / run_dir_name(model, dataset, config_hash)
    legacy = output_dir / f"{_slug(model, _UNSAFE_BEFORE)}-{_slug(dataset, _UNSAFE_BEFORE)}-{config_hash}"
    return legacy if not current.exists() and legacy.is_dir() else current


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_UNSAFE_BEFORE = re.compile(r"[^A-Za-z0-9._]+")  # the rule before hyphens were kept: aime-2024 -> aime_2024


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:  # a name part longer than 255 bytes: no such path
        return False


def _slug(text: str, unsafe: re.Pattern[str]) -> str:
    text = Path(text).name if ("/" in text and _exists(Path(text))) else text
    return unsafe.sub("_", text).strip("_")[:60] or "run"


def package_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


@dataclass
class RunProgress:
    """Live counters for the progress bar (mutated by the loop, read by the display)."""

    total: int
    done: int = 0
    errors: int = 0
    retries: int = 0
    completion_tokens: int = 0
    started: float = field(default_factory=time.monotonic)
    backend_stats: LiveStats | None = None  # the backend's live counters, where it has them (`Backend.stats`)

    def live_retries(self) -> int:
        """Retries so far, including those of requests still in flight (where the backend counts them)."""
        return max(self.retries, self.backend_stats.retries if self.backend_stats is not None else 0)

    def in_flight(self) -> int | None:
        return self.backend_stats.in_flight if self.backend_stats is not None else None

    def tokens_per_s(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.completion_tokens / elapsed if elapsed > 0 else 0.0


def pending_samples(
    problems: tuple[Problem, ...], finished: set[tuple[str, int]], k: int | Mapping[str, int]
) -> dict[str, tuple[int, ...]]:
    """For each problem, the sample indices < k that the run does not hold yet; `k` may be a number per
    problem id (an adaptive round, a pilot), the indices always a prefix 0..k-1 of the run's samples."""
    limit = (lambda pid: k) if isinstance(k, int) else (lambda pid: k.get(pid, 0))
    pending = {p.id: tuple(i for i in range(limit(p.id)) if (p.id, i) not in finished) for p in problems}
    return {pid: idx for pid, idx in pending.items() if idx}


async def execute(
    config: RunConfig,
    benchmark: Benchmark,
    store: RunStore,
    backend: Backend,
    on_progress: Callable[[RunProgress], None] | None = None,
    targets: Mapping[str, int] | None = None,
) -> RunProgress:
    """Generate, grade and append every missing sample of the run: `config.k` per problem, or `targets[id]`
    samples of each problem (a pilot or an adaptive round; indices stay a prefix, so seeds do not change)."""
    pending = pending_samples(benchmark.problems, store.finished(), config.k if targets is None else targets)
    problems = {p.id: p for p in benchmark.problems}
    templates = config.templates_by_problem(benchmark.contests)
    requests = [
        build_request(problems[pid], templates.get(pid, config.template), indices, config.assistant_prefix)
        for pid, indices in pending.items()
    ]
    progress = RunProgress(total=sum(len(i) for i in pending.values()), backend_stats=backend.stats)
    if on_progress:
        on_progress(progress)
    if not requests:
        return progress
    async for completion in backend.generate(requests, config.sampling):
        progress.done += 1
        progress.retries += max(0, completion.attempts - 1)
        if completion.error is not None:
            progress.errors += 1
            store.append_error(error_record(completion))
        else:
            progress.completion_tokens += completion.completion_tokens or 0
            store.append_sample(await _grade(completion, problems[completion.problem_id]))
        if on_progress:
            on_progress(progress)
    return progress


async def _grade(completion: Completion, problem: Problem) -> dict[str, Any]:
    """Integer golds are graded in place (microseconds); a symbolic comparison can take up to its
    timeout, so it runs in a thread and the backend's requests keep flowing meanwhile."""
    if isinstance(problem.answer, int):
        return graded_record(completion, problem)
    return await asyncio.to_thread(graded_record, completion, problem)


def run_sync(coro: Any) -> Any:
    """Run a coroutine from synchronous code (the CLI)."""
    return asyncio.run(coro)


def run_notes(summary: Summary, backend_stats: LiveStats | None) -> list[str]:
    """Warnings for the end of a run: what the server did wrong without costing a sample (the
    backend's own notes), and samples a provider's content filter stopped."""
    notes = list(backend_stats.notes()) if backend_stats is not None else []
    filtered = (summary.get("rates") or {}).get("content_filter")
    if filtered:
        notes.append(f"{filtered:.1%} of the samples were stopped by the provider's content filter "
                     "(finish_reason content_filter; rates.content_filter in summary.json); they are graded as returned")
    return notes
