"""Every preset's prompt ends exactly as its protocol says, and `evaluate models` shows that ending.

The headline case is R1-Zero: the paper's Table 1 template ends at "Assistant:" and nothing may follow
it (DeepSeek's "<think>\\n" advice is for R1 and the distills). A preset that inherits the default
prefix sends "...Assistant:<think>\\n" and measures a different protocol.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.run.presets import PRESETS, backend_config, default_template, find_preset, prompt_ending
from evaluator.run.prompts import PRESETS as TEMPLATES
from evaluator.run.prompts import build_request
from evaluator.types import Problem

REPO = Path(__file__).resolve().parents[2]
BOXED = '"…t your final answer within \\boxed{}."'
THINK_SHOWN = '"<think>\\n"'


@dataclass(frozen=True)
class Case:
    preset: str
    ending: str
    note: str


CASES = (
    Case("mock", f"{BOXED} ⟶ assistant: {THINK_SHOWN}", "the mock gets the distills' request"),
    Case("deepseek-r1", f"{BOXED} ⟶ assistant: (not forced: {THINK_SHOWN} needs continue_final_message; "
         "the host's template decides)", "OpenRouter's chat API cannot prefill; R1's template adds it"),
    Case("deepseek-reasoner", f"{BOXED} ⟶ assistant: (nothing forced)", "DeepSeek's API: V3.x thinking mode"),
    Case("deepseek-r1-0528", f"{BOXED} ⟶ assistant: (nothing forced)", "0528's own template opens the think"),
    Case("deepseek-r1-zero", '"…answer>. User: {problem}. Assistant:"',
         "paper, Table 1, verbatim: nothing after 'Assistant:'"),
    *(Case(name, f"{BOXED} ⟶ assistant: {THINK_SHOWN}", "DeepSeek's advice for the distills: force <think>\\n")
      for name in ("r1-distill-qwen-1.5b", "r1-distill-qwen-7b", "r1-distill-llama-8b", "r1-distill-qwen-14b",
                   "r1-distill-qwen-32b", "r1-distill-llama-70b")),
    *(Case(name, f"{BOXED} ⟶ assistant: (nothing forced)", "OpenAI reasoning models: no prefill")
      for name in ("o1", "o3-mini", "o4-mini")),
)  # fmt: skip


def test_every_preset_has_a_pinned_ending() -> None:
    assert sorted(c.preset for c in CASES) == sorted(p.name for p in PRESETS)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.preset)
def test_prompt_ending(case: Case) -> None:
    preset = find_preset(case.preset)
    assert preset is not None
    assert prompt_ending(preset) == case.ending, case.note


def test_r1_zero_sends_the_published_template_and_nothing_after_it() -> None:
    """The whole request, not only the displayed tail: the template verbatim, no assistant prefix, on
    the completions API, whether it runs on your own server or in-process."""
    preset = find_preset("deepseek-ai/DeepSeek-R1-Zero")
    assert preset is not None and preset.name == "deepseek-r1-zero" and preset.assistant_prefix == ""
    for config in (backend_config(preset), backend_config(preset, backend="vllm"),
                   backend_config(preset, base_url="http://127.0.0.1:9/v1")):  # fmt: skip
        assert config.api == "completions" and default_template(config.api) == "r1-zero"
    problem = Problem("2024-I-1", "Find x.", 1)
    request = build_request(problem, TEMPLATES["r1-zero"], (0,), preset.assistant_prefix)
    assert request.prompt is not None and request.assistant_prefix == ""
    assert request.prompt.startswith("A conversation between User and Assistant. The user asks a question")
    assert request.prompt.endswith("<answer> answer here </answer>. User: Find x.. Assistant:")


def test_evaluate_models_shows_every_ending() -> None:
    env = {**os.environ, "COLUMNS": "1000"}  # each ending printed unbroken on its own line
    result = subprocess.run([sys.executable, "-m", "evaluator.cli", "models"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=60, check=True)  # fmt: skip
    lines = result.stdout.splitlines()
    for case in CASES:  # a preset's block: "NAME  (backend)", "  runs ID", "  prompt ends with ENDING", notes
        head = next(i for i, line in enumerate(lines) if line.startswith(f"{case.preset}  ("))
        assert lines[head + 2] == f"  prompt ends with {case.ending}", case.preset
