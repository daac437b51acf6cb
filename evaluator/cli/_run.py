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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from evaluator._suggest import did_you_mean
from evaluator.cli._options import BackendOverrides, RunOptions
from evaluator.errors import PricesError, TemplateError

if TYPE_CHECKING:
    from evaluator.run.presets import ModelPreset
    from evaluator.run.record_types import Summary
    from evaluator.types import BackendConfig

EXIT_SAMPLES_LEFT = 3  # the run ended, but samples (errors.jsonl) or judge calls are pending: run it again


def fail(message: str) -> NoReturn:
    """Print `error: message` (one line, escaped) on stderr and exit 2."""
    from rich.console import Console
    from rich.markup import escape

    from evaluator._safe_text import terminal_text

    text = escape(terminal_text(message, newlines=True))  # outside text inside a message never drives the terminal
    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {text}", highlight=False)
    raise typer.Exit(2)


def warn(console: Any, label: str, message: str) -> None:
    """A yellow label and an escaped message (file names and JSON may contain [brackets])."""
    from rich.markup import escape

    from evaluator._safe_text import terminal_text

    console.print(f"[yellow]{escape(terminal_text(label))}:[/] {escape(terminal_text(message, newlines=True))}",
                  highlight=False)


def _backend_config(options: RunOptions, overrides: BackendOverrides) -> tuple[ModelPreset, BackendConfig, str]:
    """(preset, BackendConfig, the extra body sent without --extra-body) for --model and the override
    flags; the preset is an ad-hoc one for model ids that are not presets. A bad --extra-body is
    refused here, before anything else happens."""
    from evaluator.backends import BackendError
    from evaluator.backends._credentials import refuse_url_credentials
    from evaluator.backends._request_body import parse_extra_body
    from evaluator.run.presets import PRESETS, ModelPreset, backend_config, find_preset

    refuse_url_credentials(options.base_url)  # before anything stores or prints it
    refuse_url_credentials(options.judge_base_url, "--judge-base-url")
    name = options.model
    kind = options.backend
    if options.base_url and kind is None:
        kind = "openai"
    preset = find_preset(name)
    if preset is None:
        with contextlib.suppress(OSError):  # a name longer than a file name can be is no directory
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
    directory = options.run_dir or config.run_dir(options.output_dir)
    prices = _prices(options)
    if options.dry_run:  # before the backend: no key, no network, nothing written
        from evaluator.cli._cost import dry_run

        dry_run(console, config, benchmark, directory, prices=prices, model_name=name, preset_name=preset.name,
                target_points=options.target_halfwidth, pilot=options.pilot)
        return
    # A bad API key or mock spec fails here, before a run directory exists.
    backend = create_backend(backend_config, {p.id: p.answer for p in benchmark.problems}, log_dir=directory)
    fresh = not directory.exists()
    try:
        summary, progress = _sample(config, benchmark, backend, directory, options, err, judge_config, prices)
    except BaseException:
        if fresh:  # a failed start (server down, model refused, ^C before any sample) leaves no folder
            discard_if_empty(directory)
        raise
    console.print(summary_table(f"{name} on {benchmark.name} (k={config.k})", summary))
    if summary.get("contests"):
        from evaluator.reports.display import contest_table

        console.print(contest_table(summary))
    if adaptive := summary.get("adaptive"):
        counts = adaptive["samples_per_problem"].values()
        console.print(f"adaptive: {sum(counts):,} samples ({min(counts)}-{max(counts)} per problem; k={config.k} for "
                      f"every problem would be {config.k * len(counts):,}); pass@1 +-{adaptive['halfwidth']:.2f} "
                      f"points on these problems; stopped: {adaptive['stopped']}", highlight=False, soft_wrap=True)
    if options.per_problem:
        console.print(per_problem_table(summary, {p.id: str(p.answer) for p in benchmark.problems}))
    console.print(f"run directory: {directory}", highlight=False, soft_wrap=True)
    me, run = invoked_as(sys.argv, sys.orig_argv, shutil.which), shell_path(directory)
    console.print(f"next: {me} report {run} (HTML page) · {me} compare {run} OTHER_RUN... · "
                  f"{me} export {run} --format markdown · {me} score {run} (re-grade)",
                  highlight=False, soft_wrap=True)
    for label, detail in failed_checks(summary["checks"], benchmark.warnings):
        warn(err, label, detail)
    for note in run_notes(summary, progress.backend_stats if progress else None):
        warn(err, "warning", note)
    if undecided := summary["rates"].get("undecided_class"):
        warn(err, "note", f"{100 * undecided:.1f}% of samples have an answer the symbolic checker could not compare "
             "(a timeout, or the time cap per problem): each keeps a cons@k class of its own (docs/grading.md)")
    if summary["errors"]:
        err.print(f"[yellow]{summary['errors']} of {summary['expected_samples']} sample(s) still failed "
                  f"(in {directory / 'errors.jsonl'}); run the same command again to retry them", highlight=False)
    judged = summary.get("judge") if options.judge else None
    if judged and judged["pending"]:
        err.print(f"[yellow]{judged['pending']} of {judged['needed']} judge call(s) failed and are pending (not "
                  "counted as judged); run the same command again to ask only those", highlight=False)
    if summary["errors"] or (judged and judged["pending"]):
        raise typer.Exit(EXIT_SAMPLES_LEFT)


def _prices(options: RunOptions) -> tuple[float, float] | None:
    """(in, out) USD per 1M tokens from --price-in/--price-out (both or neither), else None: the table's."""
    if (options.price_in is None) != (options.price_out is None):
        raise PricesError("give both --price-in and --price-out (USD per 1M prompt / output tokens), or neither")
    return None if options.price_in is None or options.price_out is None else (options.price_in, options.price_out)


def _sample(config: Any, benchmark: Any, backend: Any, directory: Path, options: RunOptions,
            err: Any, judge_config: Any, prices: tuple[float, float] | None = None) -> tuple[Summary, Any]:
    """Open the run directory, generate what is missing, ask the judge (if any), write summary.json (for
    the run's largest k); returns the summary for the k asked and the run's progress counters."""
    from evaluator.reports.progress import sampling_progress
    from evaluator.run.runner import execute, pending_samples, run_sync
    from evaluator.run.store import RunStore

    name, seed = options.model, options.seed
    judge_model = judge_config.model if judge_config is not None and options.judge is not None else None
    try:
        store = RunStore.open(directory, config.to_json(), config_hash=config.config_hash(),
                              force_new=options.force_new)
    except BaseException:
        run_sync(backend.aclose())
        raise
    with store:
        from evaluator.grading.equivalence import ClassStore

        ClassStore.open(store.directory).lend_to_checker()  # symbolic comparisons kept with the run: not paid twice
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
        rounds: list[Any] = []

        async def generate(targets: dict[str, int] | None) -> None:
            with sampling_progress(err, f"{name} on {benchmark.name}", options.quiet or todo == 0) as update:
                rounds.append(await execute(config, benchmark, store, backend, update, targets))

        try:  # one event loop for every round: the API client is bound to the loop it started on
            adaptive = run_sync(_execute_and_close(_generate_all(config, benchmark, store, options, err, generate,
                                                                 prices), backend))
        except BaseException:
            with contextlib.suppress(Exception):  # best effort: the original error is what the user must see
                store.write_summary(summarize_run_dir(store.directory, benchmark, store.k, seed, name,
                                                      judge_model=judge_model, prices=prices))
            raise
        progress = rounds[-1] if rounds else None
        if judge_config is not None and options.judge is not None:
            _judge(store.directory, benchmark, store.k, judge_config, options.judge, err)
        summary = summarize_run_dir(store.directory, benchmark, store.k, seed, name, judge_model=judge_model,
                                    prices=prices)
        if adaptive is not None:
            summary["adaptive"] = adaptive
            summary["complete"] = summary["errors"] == 0 and adaptive["stopped"] is not None
        store.write_summary(summary)
    return (summarize_run_dir(directory, benchmark, config.k, seed, name, judge_model=judge_model,
                              prices=prices) if store.k > config.k
            else summary), progress


async def _generate_all(config: Any, benchmark: Any, store: Any, options: RunOptions, err: Any,
                        generate: Callable[[dict[str, int] | None], Awaitable[None]],
                        prices: tuple[float, float] | None) -> dict[str, Any] | None:
    """Every sample the options ask for: adaptive rounds (returns summary.json's `adaptive` block), or a
    pilot, its forecast and the question, then the rest; or simply all k per problem."""
    from evaluator.cli._cost import adaptive_rounds, confirm, held_samples, make_forecast, print_forecast
    from evaluator.metrics.adaptive import DEFAULT_PILOT

    if options.target_halfwidth is not None:
        return await adaptive_rounds(store, benchmark, target_points=options.target_halfwidth, k=config.k,
                               pilot=min(config.k, options.pilot or DEFAULT_PILOT), generate=generate,
                               say=lambda line: err.print(line, highlight=False, soft_wrap=True))
    if options.pilot is not None and options.pilot < config.k:
        await generate({p.id: options.pilot for p in benchmark.problems})
        held = held_samples(store.directory, config.k)
        full = {p.id: config.k for p in benchmark.problems}
        from evaluator.run.presets import find_preset

        preset = find_preset(options.model)
        forecast = make_forecast(config, benchmark, held, full, prices, options.model,
                                 preset.name if preset else options.model)
        if forecast.samples == 0:
            return None
        print_forecast(err, f"after the pilot ({options.pilot} per problem), to reach k={config.k}:", forecast)
        if not confirm(err, f"generate the remaining {forecast.samples:,} samples?", options.yes):
            err.print("stopped after the pilot; its samples are kept: run the same command again (with --yes to "
                      "skip the question) to go on", highlight=False, soft_wrap=True)
            return None
    await generate(None)
    return None


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


def shell_path(path: Path) -> str:
    """`path` as one word a shell passes on and the command reads as a path, not an option: quoted,
    with `./` before a name that starts with `-` (a model called `-x` run with --output-dir .).

    >>> shell_path(Path("-x-demo-1a2b")), shell_path(Path("runs/my run"))
    ('./-x-demo-1a2b', "'runs/my run'")
    """
    from evaluator._safe_text import terminal_text

    text = str(path)
    return terminal_text(shlex.quote(f"./{text}" if text.startswith("-") else text))


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
    from evaluator.run.store import load_samples, repair_torn_tail

    backend = create_backend(config)
    done = run_sync(_execute_and_close(run_judge(
        directory, load_samples(directory), benchmark.problems, k, backend, config, repair_torn_tail,
        lambda prompt_tokens, completion_tokens: cost_usd(judge_name, prompt_tokens, completion_tokens)), backend))
    if done.repaired_bytes:
        err.print(f"[yellow]note:[/] cut a torn last line of judge.jsonl ({done.repaired_bytes} bytes) left by a "
                  "crash; that call is asked again", highlight=False, soft_wrap=True)
    err.print(f"judge {judge_name}: {done.needed} sample(s) need it, {done.cached} already judged, "
              f"{done.asked} asked now, {done.errors} failed (asked again next run)", highlight=False)


def _summarised_judge(directory: Path) -> str | None:
    """The judge model named by the run's summary.json, if any (unreadable: none)."""
    import json

    from evaluator.run.store import SUMMARY

    with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
        judge = json.loads((directory / SUMMARY).read_text(encoding="utf-8")).get("judge")
        return str(judge["model"]) if isinstance(judge, dict) and judge.get("model") else None
    return None


def summarize_run_dir(directory: Path, benchmark: Any, k: int, seed: int, model_name: str,
                      judge_model: str | None = None, prices: tuple[float, float] | None = None) -> Summary:
    """summary.json of a run directory. The judge block is for `judge_model` (the judge asked for now),
    else for the judge the previous summary.json names (re-scoring keeps it), else there is none."""
    from evaluator.grading.equivalence import ClassStore
    from evaluator.grading.judge import judge_summary
    from evaluator.metrics.contests import contest_summaries
    from evaluator.metrics.summary import summarize_run
    from evaluator.run.checks import run_checks
    from evaluator.run.pricing import cost_usd
    from evaluator.run.store import load_errors, load_samples

    records = load_samples(directory)
    classes = ClassStore.open(directory)  # cons@k classes and comparisons kept with the run: never paid twice
    summary = summarize_run(records, benchmark.problems, k, errors=len(load_errors(directory)), seed=seed,
                            classes=classes)
    classes.keep_checker_results()
    classes.save()
    tokens = summary["tokens"]
    summary["cost_usd"] = cost_usd(model_name, tokens["prompt_total"], tokens["completion_total"],
                                   {model_name: prices} if prices else None)
    if contests := contest_summaries(records, benchmark.problems, getattr(benchmark, "contests", ()), k, seed):
        summary["contests"] = contests
    if judged := judge_summary(directory, records, benchmark.problems, k, judge_model or _summarised_judge(directory)):
        summary["judge"] = judged
    summary.update(run_checks(directory, records, k, summary["errors"], benchmark.warnings))
    return summary
