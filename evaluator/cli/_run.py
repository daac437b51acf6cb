"""The main command's work, behind `evaluate --model M ...`: resolve the model, load the benchmark, open
the run directory, sample what is missing, ask the judge, summarise, and say what happened.

Kept apart from cli.py (which only declares the commands and their options) so each file has one job.
Heavy packages are imported inside the functions, so `evaluate --help` stays instant."""

from __future__ import annotations

import contextlib
import dataclasses
import shlex
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from evaluator._suggest import did_you_mean
from evaluator.cli._options import BackendOverrides, RunOptions
from evaluator.errors import TemplateError

if TYPE_CHECKING:
    from evaluator.run.presets import ModelPreset
    from evaluator.run.record_types import Summary
    from evaluator.types import BackendConfig

EXIT_SAMPLES_LEFT = 3  # the run ended, but errors.jsonl still holds samples: run the same command again


def fail(message: str) -> NoReturn:
    """Print `error: message` (one line, escaped) on stderr and exit 2."""
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(2)


def warn(console: Any, label: str, message: str) -> None:
    """A yellow label and an escaped message (file names and JSON may contain [brackets])."""
    from rich.markup import escape

    console.print(f"[yellow]{escape(label)}:[/] {escape(message)}", highlight=False)


def _backend_config(options: RunOptions, overrides: BackendOverrides) -> tuple[ModelPreset, BackendConfig, str]:
    """(preset, BackendConfig, the extra body sent without --extra-body) for --model and the override
    flags; the preset is an ad-hoc one for model ids that are not presets. A bad --extra-body is
    refused here, before anything else happens."""
    from evaluator.backends import BackendError
    from evaluator.backends._request_body import parse_extra_body
    from evaluator.run.presets import PRESETS, ModelPreset, backend_config, find_preset

    name = options.model
    kind = options.backend
    if options.base_url and kind is None:
        kind = "openai"
    preset = find_preset(name)
    if preset is None:
        if kind is None and Path(name).expanduser().is_dir():
            kind = "vllm"
        if kind is None:
            names = [p.name for p in PRESETS]
            raise BackendError(f"unknown model {name!r}: {did_you_mean(name, names)}known presets are "
                               f"{', '.join(names)}; for any other model add --backend openai --base-url URL, "
                               "or --backend vllm (or give a local model directory)")
        preset = ModelPreset(name=name, backend=kind, model=name, description="ad hoc", assistant_prefix="")
    preset_config = backend_config(preset, backend=kind, base_url=options.base_url)
    config = overrides.applied_to(preset_config)
    if config.kind == "mock":
        config = dataclasses.replace(config, model=name)  # mock:0.9 carries its accuracy in the name
    parse_extra_body(config.extra_body_json)
    return preset, config, preset_config.extra_body_json


def run_evaluation(options: RunOptions, overrides: BackendOverrides) -> None:
    from rich.console import Console

    from evaluator.backends import create_backend
    from evaluator.benchmarks.loader import load_benchmark
    from evaluator.reports.display import per_problem_table, summary_table
    from evaluator.run.presets import default_template
    from evaluator.run.pricing import price_table
    from evaluator.run.prompts import contest_templates, load_template
    from evaluator.run.runner import RunConfig, run_notes
    from evaluator.run.store import discard_if_empty
    from evaluator.types import SamplingParams

    console, err = Console(), Console(stderr=True)
    name = options.model
    preset, backend_config, default_body = _backend_config(options, overrides)
    price_table()  # a bad $AIME_EVAL_PRICES is reported now, not after hours of sampling
    if preset.warning:
        warn(err, f"warning ({preset.name})", preset.warning)
    benchmark = load_benchmark(options.dataset, options.data_dir)
    for warning in benchmark.warnings:
        warn(err, "warning", warning)
    template = load_template(options.prompt_template or default_template(backend_config.api))
    if options.protocol != "deepseek" and options.prompt_template:
        raise TemplateError("--prompt-template and --protocol matharena both set the prompt: give one")
    judge_config = None
    if options.judge:
        from evaluator.run.presets import judge_backend_config

        judge_config = judge_backend_config(options.judge, options.judge_base_url, options.judge_api_key_env)
    config = RunConfig(
        model_name=name, backend=backend_config, dataset=benchmark.name, dataset_origin=benchmark.origin,
        dataset_hash=benchmark.content_hash, template=template,
        sampling=SamplingParams(
            temperature=preset.temperature if options.temperature is None else options.temperature,
            top_p=preset.top_p if options.top_p is None else options.top_p,
            max_tokens=options.max_tokens or preset.max_tokens,
            seed=options.seed,
        ),
        k=options.k,
        assistant_prefix=preset.assistant_prefix if options.think_prefix is None
        else ("<think>\n" if options.think_prefix else ""),
        contest_templates=contest_templates(options.protocol, [name for name, _ in benchmark.contests],
                                            own_file=Path(options.dataset).suffix in (".jsonl", ".json", ".parquet")),
        default_extra_body=default_body,
    )
    # A bad API key or mock spec fails here, before a run directory exists.
    directory = options.run_dir or config.run_dir(options.output_dir)
    backend = create_backend(backend_config, {p.id: p.answer for p in benchmark.problems}, log_dir=directory)
    fresh = not directory.exists()
    try:
        summary, progress = _sample(config, benchmark, backend, directory, options, err, judge_config)
    except BaseException:
        if fresh:  # a failed start (server down, model refused, ^C before any sample) leaves no folder
            discard_if_empty(directory)
        raise
    console.print(summary_table(f"{name} on {benchmark.name} (k={config.k})", summary))
    if summary.get("contests"):
        from evaluator.reports.display import contest_table

        console.print(contest_table(summary))
    if options.per_problem:
        console.print(per_problem_table(summary, {p.id: str(p.answer) for p in benchmark.problems}))
    console.print(f"run directory: {directory}", highlight=False, soft_wrap=True)
    me = invoked_as(sys.argv, sys.orig_argv, shutil.which)
    console.print(f"next: {me} report {directory} (HTML page) · {me} compare {directory} OTHER_RUN... · "
                  f"{me} export {directory} --format markdown · {me} score {directory} (re-grade)",
                  highlight=False, soft_wrap=True)
    for label, detail in failed_checks(summary["checks"], benchmark.warnings):
        warn(err, label, detail)
    for note in run_notes(summary, progress.backend_stats if progress else None):
        warn(err, "warning", note)
    if summary["errors"]:
        err.print(f"[yellow]{summary['errors']} of {summary['expected_samples']} sample(s) still failed "
                  f"(in {directory / 'errors.jsonl'}); run the same command again to retry them", highlight=False)
        raise typer.Exit(EXIT_SAMPLES_LEFT)


def _sample(config: Any, benchmark: Any, backend: Any, directory: Path, options: RunOptions,
            err: Any, judge_config: Any) -> tuple[Summary, Any]:
    """Open the run directory, generate what is missing, ask the judge (if any), write summary.json (for
    the run's largest k); returns the summary for the k asked and the run's progress counters."""
    from evaluator.reports.progress import sampling_progress
    from evaluator.run.runner import execute, pending_samples, run_sync
    from evaluator.run.store import RunStore

    name, seed = options.model, options.seed
    try:
        store = RunStore.open(directory, config.to_json(), config_hash=config.config_hash(),
                              force_new=options.force_new)
    except BaseException:
        run_sync(backend.aclose())
        raise
    with store:
        if store.repaired_bytes:
            err.print(f"[yellow]note:[/] cut a torn last line ({store.repaired_bytes} bytes) left by a crash; "
                      "that sample is generated again", highlight=False, soft_wrap=True)
        finished = store.finished()
        total = config.k * len(benchmark.problems)
        todo = sum(len(i) for i in pending_samples(benchmark.problems, finished, config.k).values())
        if store.k > config.k:
            present = max(Counter(pid for pid, i in finished if i < store.k).values(), default=0)
            err.print(f"note: {present} samples per problem present; summarising {config.k} (the run keeps "
                      f"k={store.k}: config.json and summary.json are not lowered)", highlight=False, soft_wrap=True)
        if todo == 0:
            err.print(f"all {total} samples are already in {directory}; nothing to generate", highlight=False, soft_wrap=True)
        elif todo < total:
            err.print(f"resuming: {total - todo} of {total} samples already there; generating {todo}",
                      highlight=False, soft_wrap=True)
        try:
            with sampling_progress(err, f"{name} on {benchmark.name}", options.quiet or todo == 0) as update:
                progress = run_sync(_execute_and_close(execute(config, benchmark, store, backend, update), backend))
        except BaseException:
            with contextlib.suppress(Exception):  # best effort: the original error is what the user must see
                store.write_summary(summarize_run_dir(store.directory, benchmark, store.k, seed, name))
            raise
        if judge_config is not None and options.judge is not None:
            _judge(store.directory, benchmark, store.k, judge_config, options.judge, err)
        summary = summarize_run_dir(store.directory, benchmark, store.k, seed, name)
        store.write_summary(summary)
    return (summarize_run_dir(directory, benchmark, config.k, seed, name) if store.k > config.k else summary), progress


def invoked_as(argv: Sequence[str], orig_argv: Sequence[str], which: Callable[[str], str | None]) -> str:
    """The command that started this program, as the user can type it again (the `next:` hint), from
    sys.argv, sys.orig_argv and shutil.which: `evaluate` when that name on PATH is this very program;
    the interpreter's words for `python -m evaluator.cli` (argv[0] is then the module's .py file); else
    argv[0] as typed, such as README's `.venv/bin/evaluate`. Quoted for a shell."""
    argv0 = argv[0] if argv else ""
    if not argv0 or argv0 == "-c":  # called from Python code (a notebook, CliRunner): the installed name
        return "evaluate"
    if argv0.endswith(".py"):  # the interpreter, its flags, then `-m module` or the script's path
        words = orig_argv[: len(orig_argv) - len(argv) + 1]
        return shlex.join(words) if words else "evaluate"
    name = Path(argv0).name
    found = which(name)
    if found is not None and Path(found).resolve() == Path(argv0).resolve():
        return name
    return shlex.quote(argv0)


def failed_checks(checks: Sequence[Mapping[str, Any]], loader_warnings: Sequence[str]) -> list[tuple[str, str]]:
    """(label, detail) of each failed protocol check, for the end of a run. A `dataset` check whose detail
    is just the loader's warnings points at them instead: they were printed one per line before sampling,
    and each defect is named once (summary.json and the report keep the full detail)."""
    lines = []
    for check in checks:
        if check["passed"]:
            continue
        detail = str(check["detail"])
        if check["name"] == "dataset" and loader_warnings and detail == "; ".join(loader_warnings):
            detail = f"failed on the {len(loader_warnings)} loader warning(s) printed before sampling"
        lines.append((f"check {check['name']}", detail))
    return lines


async def _execute_and_close(coro: Any, backend: Any) -> Any:
    try:
        return await coro
    finally:
        await backend.aclose()


def _judge(directory: Path, benchmark: Any, k: int, config: Any, judge_name: str, err: Any) -> None:
    """The judge pass: ask about the samples that need it and are not in judge.jsonl yet."""
    from evaluator.backends import create_backend
    from evaluator.grading.judge import run_judge
    from evaluator.run.pricing import cost_usd
    from evaluator.run.runner import run_sync
    from evaluator.run.store import load_samples

    backend = create_backend(config)
    done = run_sync(_execute_and_close(run_judge(
        directory, load_samples(directory), benchmark.problems, k, backend, config,
        lambda prompt_tokens, completion_tokens: cost_usd(judge_name, prompt_tokens, completion_tokens)), backend))
    err.print(f"judge {judge_name}: {done.needed} sample(s) need it, {done.cached} already judged, "
              f"{done.asked} asked now, {done.errors} failed (asked again next run)", highlight=False)


def summarize_run_dir(directory: Path, benchmark: Any, k: int, seed: int, model_name: str) -> Summary:
    from evaluator.grading.judge import judge_summary
    from evaluator.metrics.contests import contest_summaries
    from evaluator.metrics.summary import summarize_run
    from evaluator.run.checks import run_checks
    from evaluator.run.pricing import cost_usd
    from evaluator.run.store import load_errors, load_samples

    records = load_samples(directory)
    summary = summarize_run(records, benchmark.problems, k, errors=len(load_errors(directory)), seed=seed)
    tokens = summary["tokens"]
    summary["cost_usd"] = cost_usd(model_name, tokens["prompt_total"], tokens["completion_total"])
    if contests := contest_summaries(records, benchmark.problems, getattr(benchmark, "contests", ()), k, seed):
        summary["contests"] = contests
    if judged := judge_summary(directory, records, benchmark.problems, k):
        summary["judge"] = judged
    summary.update(run_checks(directory, records, k, summary["errors"], benchmark.warnings))
    return summary
