"""`evaluate`: run a benchmark (and resume it), re-score, list models. Wires the stages; nothing else
knows the CLI. Errors the user can fix become one line on stderr and exit code 2."""

from __future__ import annotations

import contextlib
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from evaluator.cli._group import OneLineErrors
from evaluator.cli._imports import FormatHelp, import_generations
from evaluator.cli._options import BackendOverrides, RunOptions
from evaluator.cli._rescore import rescore
from evaluator.cli._run import fail, run_evaluation, warn
from evaluator.cli._run_folders import scored_runs
from evaluator.errors import EvaluatorError

app = typer.Typer(
    cls=OneLineErrors,
    add_completion=False,
    no_args_is_help=False,
    rich_markup_mode=None,
    help="Evaluate reasoning models on AIME-style math: pass@1, pass@k and cons@k with error bars.\n\n"
    "Run: evaluate --model deepseek-r1 --k 64 [--dataset aime-2024]. "
    "Other commands: import, score, report, compare, export, budget, models, datasets "
    "(see `evaluate COMMAND --help`).",
)


class BackendKind(str, Enum):
    mock = "mock"
    openai = "openai"
    vllm = "vllm"


class ApiKind(str, Enum):
    chat = "chat"
    completions = "completions"


@app.callback(invoke_without_command=True)
def run(
    ctx: typer.Context,
    model: Annotated[str | None, typer.Option("--model", "-m", help="Preset name (see `evaluate models`), "
                     "a model id with --backend/--base-url, a local model directory (vLLM), or mock[:ACCURACY].")] = None,
    k: Annotated[int, typer.Option("--k", min=1, help="Samples per problem (DeepSeek-R1 protocol: 64).")] = 64,
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="A named set (see `evaluate datasets`: aime-2024, "
                       "aime-2026, hmmt-feb-2025, ...), a comma list or group (aime-2025,aime-2026), or a "
                       ".jsonl/.json/.parquet file.")] = "aime-2024",
    data_dir: Annotated[Path | None, typer.Option(help="Folder with aime_2024.jsonl etc. "
                        "(default $AIME_EVAL_DATA_DIR; else downloaded and cached, see `evaluate datasets`).")] = None,
    backend: Annotated[BackendKind | None, typer.Option(help="Override the preset's backend.")] = None,
    base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server URL (implies --backend openai).")] = None,
    api_key_env: Annotated[str | None, typer.Option(help="Name of the env variable holding the API key.")] = None,
    api: Annotated[ApiKind | None, typer.Option(help="chat (default) or completions (base models, R1-Zero).")] = None,
    prompt_template: Annotated[str | None, typer.Option(help="Preset (r1, r1-zero) or a file with {problem}.")] = None,
    protocol: Annotated[str, typer.Option(help="deepseek (default: one template for every contest) or matharena "
                        "(MathArena's instruction per contest).")] = "deepseek",
    judge: Annotated[str | None, typer.Option(help="LLM judge for LaTeX keys (off by default): a preset or a "
                     "model id on --judge-base-url; asked only about wrong/no-answer samples.")] = None,
    judge_base_url: Annotated[str | None, typer.Option(help="OpenAI-compatible server of the judge.")] = None,
    judge_api_key_env: Annotated[str | None, typer.Option(help="Env variable with the judge's API key.")] = None,
    think_prefix: Annotated[bool | None, typer.Option(help="Force the assistant turn to start with '<think>\\n' "
                            "(default: the preset's choice; on for DeepSeek-R1 and the distills).")] = None,
    temperature: Annotated[float | None, typer.Option(min=0.0, help="Default: the preset's (0.6 for DeepSeek).")] = None,
    top_p: Annotated[float | None, typer.Option(min=0.0, max=1.0, help="Default: the preset's (0.95).")] = None,
    max_tokens: Annotated[int | None, typer.Option(min=1, help="Max new tokens per sample (default 32768).")] = None,
    seed: Annotated[int, typer.Option(help="Sampling seed (per-sample seeds derive from it).")] = 0,
    concurrency: Annotated[int, typer.Option(min=1, help="API requests in flight.")] = 32,
    samples_per_request: Annotated[int | None, typer.Option(min=1, help="API `n` per request (fans out if "
                                   "rejected; default: the preset's).")] = None,
    extra_body_json: Annotated[str | None, typer.Option("--extra-body", help="JSON object merged into every API "
                               "request body (part of the run's identity; may not set n, model, messages, max_tokens, "
                               "temperature, seed ...).")] = None,
    request_timeout_s: Annotated[float, typer.Option("--request-timeout", min=1.0, help="Seconds per API request "
                                 "attempt, the whole body included.")] = 3600.0,
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
    dry_run: Annotated[bool, typer.Option(help="Print what the run would generate and cost (samples, tokens, "
                       "dollars, wall time, KV cache) and stop: writes nothing, needs no API key.")] = False,
    pilot: Annotated[int | None, typer.Option(min=1, help="Generate N samples per problem first (kept in the run), "
                     "print the forecast from them, and ask before going on (on a terminal only).")] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Go on after --pilot without asking.")] = False,
    target_halfwidth: Annotated[float | None, typer.Option(min=0.01, max=50.0, help="Adaptive: sample in rounds, "
                                "more where pass@1 is uncertain, until its same-problems interval is +- this many "
                                "points (--k is the cap per problem).")] = None,
    price_in: Annotated[float | None, typer.Option(min=0.0, help="USD per 1M prompt tokens (forecast and cost "
                        "line; default: the price table).")] = None,
    price_out: Annotated[float | None, typer.Option(min=0.0, help="USD per 1M output tokens.")] = None,
) -> None:
    """Run (or resume) an evaluation."""
    if ctx.invoked_subcommand is not None:
        return
    if model is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    options = RunOptions(
        model=model, k=k, dataset=dataset, data_dir=data_dir, backend=backend.value if backend else None,
        base_url=base_url, prompt_template=prompt_template, protocol=protocol, judge=judge,
        judge_base_url=judge_base_url, judge_api_key_env=judge_api_key_env, think_prefix=think_prefix,
        temperature=temperature, top_p=top_p, max_tokens=max_tokens, seed=seed, output_dir=output_dir,
        run_dir=run_dir, force_new=force_new, per_problem=per_problem, quiet=quiet, dry_run=dry_run,
        pilot=pilot, yes=yes, target_halfwidth=target_halfwidth, price_in=price_in, price_out=price_out,
    )
    overrides = BackendOverrides(
        api_key_env=api_key_env, api=api.value if api else None, concurrency=concurrency,
        samples_per_request=samples_per_request, request_timeout_s=request_timeout_s, max_retries=max_retries,
        tensor_parallel_size=tensor_parallel_size, pipeline_parallel_size=pipeline_parallel_size,
        data_parallel_size=data_parallel_size, data_parallel_size_local=data_parallel_size_local,
        gpu_memory_utilization=gpu_memory_utilization, max_model_len=max_model_len, max_num_seqs=max_num_seqs,
        dtype=dtype, enable_prefix_caching=enable_prefix_caching,
        distributed_executor_backend=distributed_executor_backend, enforce_eager=enforce_eager,
        extra_body_json=extra_body_json,
    )
    try:
        with _sigterm_as_interrupt():
            run_evaluation(options, overrides)
    except EvaluatorError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted; every finished sample is saved; run the same command again to continue")


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Any:
    """SIGTERM (a job scheduler, `kill`) ends a run the way Ctrl-C does: summary written, message printed."""
    import signal

    try:
        previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    except ValueError:  # not the main thread (the CLI called from a thread): leave SIGTERM alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@app.command()
def score(
    run_dir: Annotated[Path | None, typer.Argument(help="A run directory written by `evaluate`.")] = None,
    k: Annotated[int | None, typer.Option(min=1, help="Score the first k samples (default: the run's k).")] = None,
    data_dir: Annotated[Path | None, typer.Option(help="Folder with the problem files.")] = None,
    import_file: Annotated[Path | None, typer.Option("--import", help="Import someone else's generations "
                           "(the same as `evaluate import FILE`).")] = None,
    format: Annotated[str | None, typer.Option("--format", help="With --import: " + FormatHelp)] = None,
    dataset: Annotated[str, typer.Option(help="With --import: the benchmark the generations answer.")] = "aime-2024",
    model: Annotated[str | None, typer.Option(help="With --import: keep only this model's rows.")] = None,
    output_dir: Annotated[Path, typer.Option(help="With --import: where the run directories go.")] = Path("runs"),
    override: Annotated[Path | None, typer.Option("--override", help="JSON lines of human verdicts (problem_id, "
                        "sample, correct, reason) applied on top of the grader's; see docs/grading.md.")] = None,
) -> None:
    """Re-grade a run's samples with the current grader and recompute its metrics, or (--import)
    build run directories from foreign generations and score them."""
    try:
        if import_file is not None:
            if override is not None:
                fail("--override applies to a run directory: import first, then `evaluate score RUN --override FILE`")
            import_generations(import_file, format, dataset, output_dir, data_dir, model)
        elif run_dir is not None:
            rescore(run_dir, k, data_dir, override)
        else:
            fail("give a run directory (to import generations: evaluate import FILE)")
    except EvaluatorError as exc:
        fail(str(exc))


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A generations dump: our samples.jsonl, "
                                         "Qwen2.5-Math/SkyThought, lighteval details, MathArena outputs or "
                                         "generic JSONL.")],
    format: Annotated[str | None, typer.Option("--format", help=FormatHelp)] = None,
    dataset: Annotated[str, typer.Option(help="The benchmark the generations answer.")] = "aime-2024",
    model: Annotated[str | None, typer.Option(help="Keep only this model's rows.")] = None,
    output_dir: Annotated[Path, typer.Option(help="Where the run directories go.")] = Path("runs"),
    data_dir: Annotated[Path | None, typer.Option(help="Folder with the problem files.")] = None,
) -> None:
    """Import someone else's generations: one run directory per model, graded by our grader, with every
    verdict that differs from the dump's own (then report, compare, export as any run)."""
    try:
        import_generations(file, format, dataset, output_dir, data_dir, model)
    except EvaluatorError as exc:
        fail(str(exc))


RunDirs = Annotated[list[Path], typer.Argument(help="Run directories written by `evaluate`.")]
Reference = Annotated[str | None, typer.Option(help="Show published numbers beside the run(s) and judge the run "
                     "against them: a set (deepseek-r1) or a model it lists (deepseek-r1-zero).")]
Target = Annotated[str | None, typer.Option(help="Published numbers not in our table, in percent: "
                   "pass1=71.0,cons=86.7 (cons@64=86.7 names the vote size).")]


@app.command()
def report(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by `evaluate`.")],
    reference: Reference = None,
    target: Target = None,
) -> None:
    """Write RUN_DIR/report.html (plots, per-problem table, one line per sample) and RUN_DIR/report_samples/
    (every response, one page per problem): a static folder to open, zip or share."""
    from rich.console import Console

    from evaluator.reports.report import write_report
    from evaluator.reports.verdicts import no_targets_note, verdict_terminal

    try:
        path = write_report(run_dir, reference, target)
        verdict = json.loads((path.parent / "summary.json").read_text(encoding="utf-8")).get("verdict")
    except EvaluatorError as exc:
        fail(str(exc))
    if (reference or target) and verdict:
        from evaluator.metrics.verdict import VerdictRow

        rows = [VerdictRow(**{**r, "ci": tuple(r["ci"]), "gap_ci": tuple(r["gap_ci"])}) for r in verdict["rows"]]
        if rows:
            Console().print(verdict_terminal(rows, "reproduction verdict"))
        else:  # an empty table said nothing: say why and what to ask instead
            model = json.loads((path.parent / "config.json").read_text(encoding="utf-8")).get("model_name", "")
            warn(Console(stderr=True, soft_wrap=True), "note", no_targets_note(reference, model))
    typer.echo(str(path))


@app.command()
def compare(
    run_dirs: RunDirs,
    html: Annotated[Path | None, typer.Option(help="Also write an HTML dashboard here.")] = None,
    reference: Reference = None,
    target: Target = None,
) -> None:
    """Compare runs: a table in the terminal, and with --html a dashboard with paired comparisons."""
    from rich.console import Console

    from evaluator.reports.compare import compare_insights, compare_table, write_compare_html

    try:
        run_dirs = scored_runs(run_dirs)
        console = Console()
        console.print(compare_table(run_dirs))
        for renderable in compare_insights(run_dirs, reference, target):
            console.print(renderable)
        if html is not None:
            typer.echo(str(write_compare_html(run_dirs, html, reference, target)))
    except EvaluatorError as exc:
        fail(str(exc))


@app.command()
def export(
    run_dirs: RunDirs,
    format: Annotated[str, typer.Option("--format", metavar="<csv|markdown|json>",
                                        help="csv, markdown or json.")] = "markdown",
    output: Annotated[Path | None, typer.Option(help="Write here instead of standard output.")] = None,
) -> None:
    """A leaderboard table of runs for other dashboards (schema: docs/results-format.md)."""
    from rich.console import Console

    from evaluator.reports.export import export_format, export_runs, mixed_datasets

    try:
        fmt = export_format(format)  # a mistyped format is named before any run is read
        run_dirs = scored_runs(run_dirs)
        if (mixed := mixed_datasets(run_dirs, fmt)) is not None:
            warn(Console(stderr=True, soft_wrap=True), "warning", mixed)
        text = export_runs(run_dirs, fmt)
        if output is None:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        else:
            output.write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror or exc}")
    except EvaluatorError as exc:
        fail(str(exc))


@app.command("datasets")
def list_datasets(
    name: Annotated[str | None, typer.Argument(metavar="NAME", help="A set or group: show its details.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the details as JSON.")] = False,
    download: Annotated[bool, typer.Option("--download", help="Fetch and verify every set's pinned files (or "
                        "NAME's) into the user cache, for offline use.")] = False,
) -> None:
    """List the named sets and groups, one line each; NAME shows one in full (text source, download, hub
    copies, known texts, key provenance, licence)."""
    from dataclasses import asdict

    from evaluator._suggest import did_you_mean
    from evaluator.benchmarks.catalog import dataset_rows, details, listing

    rows = dataset_rows()
    by_name = {row.name: row for row in rows}
    if name is not None and name not in by_name:
        fail(f"unknown dataset {name!r}: {did_you_mean(name, list(by_name))}choose one of {', '.join(by_name)}")
    chosen = [by_name[name]] if name else rows
    if download:
        _download_sets(list(by_name[name].members or (name,)) if name else [r.name for r in rows if not r.members])
    elif as_json:
        data = [asdict(row) for row in chosen]
        typer.echo(json.dumps(data[0] if name else data, indent=1, ensure_ascii=False))
    else:
        for line in details(chosen[0]) if name else listing(chosen):
            typer.echo(line)


def _download_sets(names: list[str]) -> None:
    """Prefetch each set's pinned files, one line per set; exit 2 when any could not be fetched."""
    from evaluator.benchmarks.remote import prefetch

    failed = 0
    for set_name in names:
        try:
            typer.echo(prefetch(set_name))
        except EvaluatorError as exc:  # one set's failure (offline, a refused hash) must not hide the others
            failed += 1
            typer.echo(str(exc), err=True)
    if failed:
        raise typer.Exit(2)


@app.command()
def budget(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by `evaluate`.")],
    budgets: Annotated[str | None, typer.Option(help="Token budgets, e.g. 2048,4096,8192 (default: powers of "
                       "two up to the run's max_tokens).")] = None,
    tokenizer: Annotated[str | None, typer.Option(help="Count thinking tokens with this tokenizer (a local "
                         "model directory or cached hub id; needs transformers) instead of estimating.")] = None,
) -> None:
    """Accuracy against the token budget from one run: writes RUN_DIR/budget.json (docs/metrics.md)."""
    from rich.console import Console

    from evaluator.reports.budget import parse_budgets, write_budget
    from evaluator.reports.display import budget_table

    try:
        path, data = write_budget(run_dir, parse_budgets(budgets), tokenizer)
    except EvaluatorError as exc:
        fail(str(exc))
    Console().print(budget_table(data))
    typer.echo(str(path))


@app.command("models")
def list_models() -> None:
    """List the model presets, what each really runs, and how its prompt really ends."""
    from rich.console import Console

    from evaluator.reports.display import models_list
    from evaluator.run.presets import PRESETS, prompt_ending

    Console().print(models_list(PRESETS, prompt_ending), highlight=False)


def main() -> None:
    app(prog_name="evaluate")

