"""The in-process vLLM commands of the README, the docs and the reproduction script agree on what names a
run folder.

`--dtype` and `--max-model-len` are part of a run's identity, so a distill run with `--dtype auto` and
one with `--dtype bfloat16` land in two folders although they load the same bf16 weights. Every
command for the distills gives `--dtype bfloat16`, every R1 command leaves it at its default (as the
script does), and every command for a published model gives the protocol's `--max-model-len 34816`.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SOURCES = ("README.md", "docs/scaling.md", "docs/reproducing.md", "scripts/reproduce_deepseek_r1.sh")
DISTILL_VARIABLES = {"$m", "$name"}  # reproducing.md loops over the distills as $m, the script as $name


def vllm_commands(path: Path) -> list[list[str]]:
    """Every `evaluate ... --backend vllm` command in `path`, continuation lines joined, as words."""
    text = re.sub(r"\\\n\s*", " ", path.read_text())
    commands = []
    for line in text.splitlines():
        line = line.strip().removeprefix("run ")
        if re.match(r'^("\$EVALUATE"|evaluate) ', line) and "--backend vllm" in line:
            commands.append(shlex.split(line.replace('"', ""), posix=False))
    return commands


def option(words: list[str], name: str) -> str | None:
    return words[words.index(name) + 1] if name in words else None


@pytest.mark.parametrize("source", SOURCES)
def test_distills_use_bfloat16_r1_the_default_and_all_the_protocols_context(source: str) -> None:
    commands = vllm_commands(REPO / source)
    assert commands, f"precondition: {source} has in-process vLLM commands"
    checked = 0
    for words in commands:
        model = option(words, "--model") or ""
        if model.startswith(("./", "/")):  # a local folder on CPU: not a published model
            continue
        distill = "distill" in model.lower() or model in DISTILL_VARIABLES
        assert distill or model == "deepseek-ai/DeepSeek-R1", (source, model)
        assert option(words, "--dtype") == ("bfloat16" if distill else None), (source, " ".join(words))
        assert option(words, "--max-model-len") in ("34816", "$MAX_MODEL_LEN"), (source, " ".join(words))
        checked += 1
    assert checked, source
