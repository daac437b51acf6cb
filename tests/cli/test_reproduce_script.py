"""scripts/reproduce_deepseek_r1.sh in DRY_RUN mode: the commands it would run (nothing is run).

The distills take their layout from the memory plan and use every GPU (data parallel = GPUs / TP);
R1-Zero's target sends the published template with no "<think>\\n" after "Assistant:".
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "reproduce_deepseek_r1.sh"


def dry_run(*args: str, **env: str) -> list[list[str]]:
    """The `+ evaluate ...` lines the script prints, split into words."""
    full_env = {**os.environ, "DRY_RUN": "1", "PYTHON": sys.executable, **env}
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    result = subprocess.run(["bash", str(SCRIPT), *args], cwd=REPO, env=full_env, capture_output=True, text=True,
                            timeout=120, check=True)  # fmt: skip
    return [line[2:].split() for line in result.stderr.splitlines() if line.startswith("+ ")]


def flag(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_distills_use_every_gpu_with_the_planned_tensor_parallel_size() -> None:
    commands = {flag(c, "--model"): c for c in dry_run("distills", GPUS="8", GPU_MIB="81559")}
    layouts = {model: (flag(c, "--tensor-parallel-size"), flag(c, "--data-parallel-size")) for model, c in commands.items()}
    assert layouts == {
        "r1-distill-qwen-1.5b": ("1", "8"),
        "r1-distill-qwen-7b": ("1", "8"),
        "r1-distill-llama-8b": ("1", "8"),
        "r1-distill-qwen-14b": ("1", "8"),
        "r1-distill-qwen-32b": ("2", "4"),
        "r1-distill-llama-70b": ("4", "2"),
    }
    for command in commands.values():
        assert flag(command, "--max-model-len") == "34816" and "--think-prefix" in command


def test_a_40_gb_node_gives_14b_two_gpus_per_copy() -> None:
    (command,) = dry_run("distill", "r1-distill-qwen-14b", GPUS="8", GPU_MIB="40960")
    assert (flag(command, "--tensor-parallel-size"), flag(command, "--data-parallel-size")) == ("2", "4")


def test_r1_zero_target_forces_no_think_prefix() -> None:
    (command,) = dry_run("server-zero")
    assert flag(command, "--api") == "completions" and flag(command, "--prompt-template") == "r1-zero"
    assert "--no-think-prefix" in command and "--think-prefix" not in command
