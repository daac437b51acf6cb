"""`evaluate`: run a benchmark (and resume it), re-score, list models. Wires the stages; nothing else
knows the CLI. Errors the user can fix become one line on stderr and exit code 2."""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections import Counter
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from evaluator._cli_group import OneLineErrors
from evaluator.errors import EvaluatorError

app = typer.Typer(
    cls=OneLineErrors,
    add_completion=False,
    no_args_is_help=False,
    rich_markup_mode=None,
    help="Evaluate reasoning models on AIME-style math: pass@1, pass@k and cons@k with error bars.\n\n"
    "Run: evaluate --model deepseek-r1 --k 64 [--dataset aime-2024]. "
    "Other commands: score, report, compare, export, models (see `evaluate COMMAND --help`).",
)


class BackendKind(str, Enum):
    mock = "mock"
    openai = "openai"
    vllm = "vllm"


class ApiKind(str, Enum):
    chat = "chat"
    completions = "completions"


def _fail(message: str) -> NoReturn:
    from rich.console import Console
    from rich.markup import escape

    Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(2)


def _warn(console: Any, label: str, message: str) -> None:
    """A yellow label and an escaped message (file names and JSON may contain [brackets])."""
    from rich.markup import escape

    console.print(f"[yellow]{escape(label)}:[/] {escape(message)}", highlight=False)


@app.callback(invoke_without_command=True)
def run(
    ctx: typer.Context,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Preset name (see `evaluate models`), "
                     "a model id with --backend/--base-url, a local model directory (vLLM), or mock[:ACCURACY].")] = None,
    k: Annotated[int, typer.Option("--k", min=1, help="Samples per problem (DeepSeek-R1 protocol: 64).")] = 64,
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="aime-2024, aime-2025, aime-2026, aime-2022, "
                       "aime-2023, aime-1983-2023, demo, or a .jsonl/.json/.parquet file.")] = "aime-2024",
    data_dir: Annotated[Path | None, typer.Option(help="Folder with aime_2024.jsonl etc. "
                        "(default $AIME_EVAL_DATA_DIR; else the Hugging Face hub).")] = None,
    backend: Annotated[BackendKind | None, typer.Option(help="Override the preset's backend.")] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server URL (implies --backend openai).")] = None,
    api_key_env: Annotated[str | None, typer.Option(help="Name of the env variable holding the API key.")] = None,
    api: Annotated[ApiKind | None, typer.Option(help="chat (default) or completions (base models, R1-Zero).")] = None,
    prompt_template: Annotated[str | None, typer.Option(help="Preset (r1, r1-zero) or a file with {problem}.")] = None,
    think_prefix: Annotated[bool | None, typer.Option(help="Force the assistant turn to start with '<think>\\n' "
                            "(default: the preset's choice; on for DeepSeek-R1 and the distills).")] = None,
    temperature: Annotated[float | None, typer.Option(min=0.0, help="Default: the preset's (0.6 for DeepSeek).")] = None,
    top_p: Annotated[float | None, typer.Option(min=0.0, max=1.0, help="Default: the preset's (0.95).")] = None,
    max_tokens: Annotated[int | None, typer.Option(min=1, help="Max new tokens per sample (default 32768).")] = None,
    seed: Annotated[int, typer.Option(help="Sampling seed (per-sample seeds derive from it).")] = 0,
    concurrency: Annotated[int, typer.Option(min=1, help="API requests in flight.")] = 32,
    samples_per_request: Annotated[int | None, typer.Option(min=1, help="API `n` per request (fans out if "
                                   "rejected; default: the preset's).")] = None,
    extra_body: Annotated[str | None, typer.Option(help="JSON merged into every API request body.")] = None,
    request_timeout: Annotated[float, typer.Option(min=1.0, help="Seconds per API request.")] = 3600.0,
    max_retries: Annotated[int, typer.Option(min=0, help="Retries per API request (429/5xx/timeouts).")] = 8,
    tensor_parallel_size: Annotated[int, typer.Option(min=1)] = 1,
    pipeline_parallel_size: Annotated[int, typer.Option(min=1)] = 1,
    data_parallel_size: Annotated[int, typer.Option(min=1)] = 1,
    data_parallel_size_local: Annotated[int | None, typer.Option(min=1, help="vLLM: data-parallel ranks on "
                                        "this node (multi-node data parallel; docs/scaling.md).")] = None,
    gpu_memory_utilization: Annotated[float, typer.Option(min=0.05, max=1.0)] = 0.9,
    max_model_len: Annotated[int | None, typer.Option(min=1)] = None,
    max_num_seqs: Annotated[int | None, typer.Option(min=1, help="vLLM: sequences per batch (lower it to "
                            "save memory; default: vLLM's).")] = None,
    dtype: Annotated[str, typer.Option(help="vLLM dtype: auto, bfloat16, float16.")] = "auto",
    enable_prefix_caching: Annotated[bool, typer.Option()] = True,
    distributed_executor_backend: Annotated[str | None, typer.Option(help="vLLM: 'ray' for multi-node.")] = None,
    enforce_eager: Annotated[bool, typer.Option(help="vLLM: no CUDA graphs / torch.compile warm-up: faster start, "
                                            "slower decoding (optional, also on CPU).")] = False,
    output_dir: Annotated[Path, typer.Option(help="Where run directories go.")] = Path("runs"),
    run_dir: Annotated[Path | None, typer.Option(help="Use exactly this run directory.")] = None,
    force_new: Annotated[bool, typer.Option(help="Move a conflicting run directory aside and start again.")] = False,
    per_problem: Annotated[bool, typer.Option(help="Also print one row per problem.")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Run (or resume) an evaluation."""
    if ctx.invoked_subcommand is not None:
        return
    if model is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    options = {name: value for name, value in locals().items() if name not in ("ctx",)}
    try:
        _run(options)
    except EvaluatorError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted; every finished sample is saved; run the same command again to continue")


def _backend_config(options: dict[str, Any]) -> tuple[Any, Any]:
    """(preset, BackendConfig) for --model and the override flags; the preset is an ad-hoc one for
    model ids that are not presets."""
    from evaluator.backends import BackendError
    from evaluator.run.presets import PRESETS, ModelPreset, backend_config, find_preset

    name: str = options["model"]
    kind = options["backend"].value if options["backend"] else None
    if options["base_url"] and kind is None:
        kind = "openai"
    preset = find_preset(name)
    if preset is None:
        if kind is None and Path(name).expanduser().is_dir():
            kind = "vllm"
        if kind is None:
            known = ", ".join(p.name for p in PRESETS)
            raise BackendError(f"unknown model {name!r}: known presets are {known}; for any other model add "
                               "--backend openai --base-url URL, or --backend vllm (or give a local model directory)")
        preset = ModelPreset(name, kind, name, "ad hoc", assistant_prefix="")
    fields = ("concurrency", "samples_per_request", "max_retries", "tensor_parallel_size", "pipeline_parallel_size",
              "data_parallel_size", "data_parallel_size_local", "gpu_memory_utilization", "max_model_len",
              "max_num_seqs", "dtype", "enable_prefix_caching", "distributed_executor_backend", "enforce_eager")
    config = backend_config(
        preset, backend=kind, base_url=options["base_url"], api_key_env=options["api_key_env"],
        api=options["api"].value if options["api"] else None, request_timeout_s=options["request_timeout"],
        extra_body_json=options["extra_body"], **{key: options[key] for key in fields},
    )
    if config.kind == "mock":
        config = dataclasses.replace(config, model=name)  # mock:0.9 carries its accuracy in the name
    return preset, config


def _run(options: dict[str, Any]) -> None:
    from rich.console import Console

    from evaluator.backends import create_backend
    from evaluator.benchmarks.loader import load_benchmark
    from evaluator.reports.display import per_problem_table, summary_table
    from evaluator.run.pricing import price_table
    from evaluator.run.prompts import load_template
    from evaluator.run.runner import RunConfig
    from evaluator.run.store import discard_if_empty
    from evaluator.types import SamplingParams

    console, err = Console(), Console(stderr=True)
    name = options["model"]
    preset, backend_config = _backend_config(options)
    price_table()  # a bad $AIME_EVAL_PRICES is reported now, not after hours of sampling
    if preset.warning:
        _warn(err, f"warning ({preset.name})", preset.warning)
    benchmark = load_benchmark(options["dataset"], options["data_dir"])
    for warning in benchmark.warnings:
        _warn(err, "warning", warning)
    default_template = "r1-zero" if backend_config.api == "completions" else "r1"
    template = load_template(options["prompt_template"] or default_template)
    config = RunConfig(
        model_name=name, backend=backend_config, dataset=benchmark.name, dataset_origin=benchmark.origin,
        dataset_hash=benchmark.content_hash, template=template,
        sampling=SamplingParams(
            preset.temperature if options["temperature"] is None else options["temperature"],
            preset.top_p if options["top_p"] is None else options["top_p"],
            options["max_tokens"] or preset.max_tokens,
            options["seed"],
        ),
        k=options["k"],
        assistant_prefix=preset.assistant_prefix if options["think_prefix"] is None
        else ("<think>\n" if options["think_prefix"] else ""),
    )
    # A bad API key or mock spec fails here, before a run directory exists.
    backend = create_backend(backend_config, {p.id: p.answer for p in benchmark.problems})
    directory = options["run_dir"] or config.run_dir(options["output_dir"])
    fresh = not directory.exists()
    try:
        summary = _sample(config, benchmark, backend, directory, options, err)
    except BaseException:
        if fresh:  # a failed start (server down, model refused, ^C before any sample) leaves no folder
            discard_if_empty(directory)
        raise
    console.print(summary_table(f"{name} on {benchmark.name} (k={config.k})", summary))
    if options["per_problem"]:
        console.print(per_problem_table(summary, {p.id: str(p.answer) for p in benchmark.problems}))
    console.print(f"run directory: {directory}", highlight=False, soft_wrap=True)
    console.print(f"next: evaluate report {directory} (HTML page) · evaluate compare {directory} OTHER_RUN... · "
                  f"evaluate export {directory} --format markdown · evaluate score {directory} (re-grade)",
                  highlight=False, soft_wrap=True)
    if summary["errors"]:
        err.print(f"[yellow]{summary['errors']} sample(s) failed for good; run the same command again to retry them",
                  highlight=False)


def _sample(config: Any, benchmark: Any, backend: Any, directory: Path, options: dict[str, Any],
            err: Any) -> dict[str, Any]:
    """Open the run directory, generate what is missing, write summary.json (for the run's largest k);
    returns the summary for the k asked."""
    from evaluator.reports.display import sampling_progress
    from evaluator.run.runner import execute, pending_samples, run_sync
    from evaluator.run.store import RunStore

    name, seed = options["model"], options["seed"]
    try:
        store = RunStore.open(directory, config.to_json(), config_hash=config.config_hash(),
                              force_new=options["force_new"])
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
            with sampling_progress(err, f"{name} on {benchmark.name}", options["quiet"] or todo == 0) as update:
                run_sync(_execute_and_close(execute(config, benchmark, store, backend, update), backend))
        except BaseException:
            with contextlib.suppress(Exception):  # best effort: the original error is what the user must see
                store.write_summary(_summarize(store.directory, benchmark, store.k, seed, name))
            raise
        summary = _summarize(store.directory, benchmark, store.k, seed, name)
        store.write_summary(summary)
    return _summarize(directory, benchmark, config.k, seed, name) if store.k > config.k else summary


async def _execute_and_close(coro: Any, backend: Any) -> Any:
    try:
        return await coro
    finally:
        await backend.aclose()


def _summarize(directory: Path, benchmark: Any, k: int, seed: int, model_name: str) -> dict[str, Any]:
    from evaluator.metrics.summary import summarize_run
    from evaluator.run.pricing import cost_usd
    from evaluator.run.store import load_errors, load_samples

    records = load_samples(directory)
    summary = summarize_run(records, benchmark.problems, k, errors=len(load_errors(directory)), seed=seed)
    tokens = summary["tokens"]
    summary["cost_usd"] = cost_usd(model_name, tokens["prompt_total"], tokens["completion_total"])
    return summary


@app.command()
def score(
    run_dir: Annotated[Path | None, typer.Argument(help="A run directory written by `evaluate`.")] = None,
    k: Annotated[int | None, typer.Option(min=1, help="Score the first k samples (default: the run's k).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Folder with the problem files.")] = None,
    import_file: Annotated[Path | None, typer.Option("--import", help="Import someone else's generations.")] = None,
    format: Annotated[str | None, typer.Option("--format", help="With --import: samples, qwen-math, lighteval, "
                      "matharena or jsonl.")] = None,
    dataset: Annotated[str, typer.Option(help="With --import: the benchmark the generations answer.")] = "aime-2024",
    model: Annotated[str | None, typer.Option(help="With --import: keep only this model's rows.")] = None,
    output_dir: Annotated[Path, typer.Option(help="With --import: where the run directories go.")] = Path("runs"),
) -> None:
    """Re-grade a run's samples with the current grader and recompute its metrics, or (--import)
    build run directories from foreign generations and score them."""
    try:
        if import_file is not None:
            _import(import_file, format, dataset, output_dir, data_dir, model)
        elif run_dir is not None:
            _score(run_dir, k, data_dir)
        else:
            _fail("give a run directory, or --import FILE --format FORMAT")
    except EvaluatorError as exc:
        _fail(str(exc))


def _import(file: Path, fmt: str | None, dataset: str, output_dir: Path, data_dir: Path | None,
            model: str | None) -> None:
    from rich.console import Console

    from evaluator.imports.runs import FORMATS, import_runs
    from evaluator.reports.display import summary_table

    if fmt not in FORMATS:
        _fail(f"--format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    console, err = Console(), Console(stderr=True)
    for run in import_runs(file, fmt, dataset, output_dir, data_dir, model):
        for warning in run.warnings:
            _warn(err, "warning", warning)
        console.print(summary_table(f"{run.model} on {dataset} (imported, {run.n_samples} samples)", run.summary))
        console.print(f"verdicts that differ from the dump's own: {run.n_disagreements}", highlight=False)
        console.print(f"run directory: {run.directory}", highlight=False, soft_wrap=True)


def _score(run_dir: Path, k: int | None, data_dir: Path | None) -> None:
    from rich.console import Console

    from evaluator.benchmarks.loader import DatasetError, load_benchmark
    from evaluator.grading.records import regrade
    from evaluator.run.store import RunStore, load_config

    config = load_config(run_dir)
    dataset = config["identity"]["dataset"]
    benchmark = load_benchmark(config["dataset_origin"] if Path(config["dataset_origin"]).is_file() else dataset,
                               data_dir)
    problems = {p.id: p for p in benchmark.problems}
    k = k or int(config["k"])
    with RunStore.open(run_dir, config, config_hash=config["config_hash"]) as store:
        records = store.samples()
        unknown = sorted({r["problem_id"] for r in records} - set(problems))
        if unknown:  # never drop a sample: the benchmark changed under the run
            raise DatasetError(f"{run_dir}: samples for problems not in {dataset}: {', '.join(unknown[:5])}; "
                               "re-score against the dataset the run was made on (--data-dir)")
        regraded = [regrade(r, problems[r["problem_id"]]) for r in records]
        changed = sum(1 for old, new in zip(records, regraded, strict=True) if old.get("correct") != new["correct"])
        store.rewrite_samples(regraded)
        summary = _summarize(run_dir, benchmark, k, int(config["identity"]["seed"]), config["model_name"])
        if "imported" in config:
            from evaluator.imports.runs import imported_summary

            summary["imported"] = imported_summary(regraded, config["imported"])
        store.write_summary(summary)
    from evaluator.reports.display import summary_table

    Console().print(summary_table(f"{config['model_name']} on {dataset} (k={k}, re-scored)", summary))
    Console(stderr=True).print(f"{len(regraded)} samples re-graded, {changed} verdict(s) changed", highlight=False)

class ExportFormat(str, Enum):
    csv = "csv"
    markdown = "markdown"
    json = "json"


RunDirs = Annotated[list[Path], typer.Argument(help="Run directories written by `evaluate`.")]
Reference = Annotated[str | None, typer.Option(help="Show published numbers beside the run(s), e.g. deepseek-r1.")]


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by `evaluate`.")],
    reference: Reference = None,
) -> None:
    """Write RUN_DIR/report.html (plots, per-problem table, one line per sample) and RUN_DIR/report_samples/
    (every response, one page per problem): a static folder to open, zip or share."""
    from evaluator.reports.report import write_report

    try:
        typer.echo(str(write_report(run_dir, reference)))
    except EvaluatorError as exc:
        _fail(str(exc))


def _scored_runs(run_dirs: list[Path]) -> list[Path]:
    """The run directories that have a summary; one warning line for each one skipped."""
    from rich.console import Console

    from evaluator.reports.runview import ReportError, with_summary

    kept, skipped = with_summary(run_dirs)
    err = Console(stderr=True, soft_wrap=True)
    for line in skipped:
        _warn(err, "warning", line)
    if run_dirs and not kept:
        raise ReportError("none of the given directories holds a scored run")
    return kept


@app.command()
def compare(
    run_dirs: RunDirs,
    html: Annotated[Path | None, typer.Option(help="Also write an HTML dashboard here.")] = None,
    reference: Reference = None,
) -> None:
    """Compare runs: a table in the terminal, and with --html a dashboard with paired comparisons."""
    from rich.console import Console

    from evaluator.reports.compare import compare_table, write_compare_html

    try:
        run_dirs = _scored_runs(run_dirs)
        Console().print(compare_table(run_dirs))
        if html is not None:
            typer.echo(str(write_compare_html(run_dirs, html, reference)))
    except EvaluatorError as exc:
        _fail(str(exc))


@app.command()
def export(
    run_dirs: RunDirs,
    format: Annotated[ExportFormat, typer.Option("--format", help="csv, markdown or json.")] = ExportFormat.markdown,
    output: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
) -> None:
    """A leaderboard table of runs for other dashboards (schema: docs/results-format.md)."""
    from rich.console import Console

    from evaluator.reports.export import export_runs, mixed_datasets

    try:
        run_dirs = _scored_runs(run_dirs)
        if (mixed := mixed_datasets(run_dirs)) is not None:
            _warn(Console(stderr=True, soft_wrap=True), "warning", mixed)
        text = export_runs(run_dirs, format.value)
        if output is None:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        else:
            output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")
    except EvaluatorError as exc:
        _fail(str(exc))


@app.command("models")
def list_models() -> None:
    """List the model presets and what each really runs."""
    from rich.console import Console

    from evaluator.reports.display import models_list
    from evaluator.run.presets import PRESETS

    Console().print(models_list(PRESETS), highlight=False)


def main() -> None:
    app(prog_name="evaluate")


if __name__ == "__main__":
    main()
