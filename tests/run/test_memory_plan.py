"""The memory plan for the published sizes: weights + full-length sequences + headroom per GPU.

The figures checked by hand: one 34,816-token sequence of the 32B distill needs ~8.5 GiB
of KV cache, so 32B does not fit one 80 GB GPU next to its 61 GiB of weights; 70B needs TP 4 on
80 GB GPUs; 14B does not fit one 40 GB GPU. The GPU sizes are nvidia-smi's memory.total in MiB.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.errors import BackendError
from evaluator.run.memory_plan import GIB, SHAPES, evaluate_plan, recommend

REPO = Path(__file__).resolve().parents[2]
A100_40, L40S_48, H100_80, H200_141 = 40960, 46068, 81559, 143771  # MiB


@dataclass(frozen=True)
class Case:
    model: str
    gpus: int
    gpu_mib: int
    layout: tuple[int, int, int] | None  # (TP, PP, DP); None: does not fit
    note: str


CASES = (
    Case("r1-distill-qwen-1.5b", 8, H100_80, (1, 1, 8), "3.3 GiB of weights: one copy per GPU"),
    Case("r1-distill-qwen-7b", 8, H100_80, (1, 1, 8), "one copy per GPU"),
    Case("r1-distill-llama-8b", 8, H100_80, (1, 1, 8), "one copy per GPU"),
    Case("r1-distill-qwen-14b", 8, H100_80, (1, 1, 8), "27.5 GiB weights + 5 x 6.4 GiB sequences"),
    Case("r1-distill-qwen-14b", 8, A100_40, (2, 1, 4), "not on one 40 GB card: 27.5 + 6 headroom + 6.4 > 36"),
    Case("r1-distill-qwen-14b", 1, A100_40, None, "one 40 GB card cannot hold it at all"),
    Case("r1-distill-qwen-32b", 8, H100_80, (2, 1, 4), "61 GiB weights + 8.5 GiB sequence: not on one 80 GB GPU"),
    Case("r1-distill-qwen-32b", 1, H100_80, None, "one 80 GB GPU: vLLM would refuse to start"),
    Case("r1-distill-qwen-32b", 8, H200_141, (1, 1, 8), "a 141 GB GPU holds 32B alone"),
    Case("r1-distill-llama-70b", 8, H100_80, (4, 1, 2), "TP 2 leaves no room for a sequence"),
    Case("r1-distill-llama-70b", 8, H200_141, (2, 1, 4), "141 GB GPUs: two per copy"),
    Case("r1-distill-llama-70b", 8, A100_40, (8, 1, 1), "40 GB GPUs: the whole node for one copy"),
    Case("deepseek-r1", 8, H200_141, (8, 1, 1), "671B FP8 on 8 x H200 (TP 8)"),
    Case("deepseek-r1", 8, H100_80, None, "8 x 80 GB hold the weights but no sequence"),
    Case("deepseek-r1", 16, H100_80, (8, 2, 1), "two nodes of 8 x 80 GB: TP 8 x PP 2"),
    Case("deepseek-r1-zero", 8, H200_141, (8, 1, 1), "same architecture as R1"),
    Case("r1-distill-qwen-7b", 4, 24576, (2, 1, 2), "24 GB: 14.2 GiB weights + 6 headroom leave < one 1.9 GiB sequence"),
    Case("r1-distill-qwen-7b", 8, 16384, (4, 1, 2), "16 GB: two GPUs hold the weights but fewer than 4 sequences"),
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.model}-{c.gpus}x{c.gpu_mib}")
def test_recommended_layout(case: Case) -> None:
    if case.layout is None:
        with pytest.raises(BackendError, match="does not fit"):
            recommend(case.model, gpus=case.gpus, gpu_gib=case.gpu_mib / 1024)
        return
    plan = recommend(case.model, gpus=case.gpus, gpu_gib=case.gpu_mib / 1024)
    assert (plan.tp, plan.pp, plan.dp) == case.layout, case.note
    assert plan.tp * plan.pp * plan.dp <= case.gpus


def test_the_32b_sequence_and_weights_by_hand() -> None:
    """64 layers x 8 KV heads x 128 x 2 (K, V) x 2 bytes per token, 34,816 tokens; 32.76B bf16 weights."""
    plan = evaluate_plan(SHAPES["r1-distill-qwen-32b"], tp=1, pp=1, gpus=1, gpu_gib=H100_80 / 1024,
                         max_model_len=34816)  # fmt: skip
    assert plan.sequence_gib == pytest.approx(64 * 8 * 128 * 2 * 2 * 34816 / GIB) == pytest.approx(8.5)
    assert plan.weights_gib == pytest.approx(32.76e9 * 2 / GIB)
    assert plan.sequences == 0  # 71.7 - 61.0 - 6 = 4.7 GiB < 8.5: vLLM refuses to start
    halved = evaluate_plan(SHAPES["r1-distill-qwen-32b"], tp=2, pp=1, gpus=2, gpu_gib=H100_80 / 1024,
                           max_model_len=34816)  # fmt: skip
    assert halved.sequence_gib == pytest.approx(plan.sequence_gib / 2)


def test_mla_cache_is_replicated_over_tensor_parallel_and_split_by_pipeline() -> None:
    r1 = SHAPES["deepseek-r1"]
    per_token = 61 * (512 + 64) * 2  # one latent per layer, bf16
    assert r1.kv_bytes_per_token(1, 1) == r1.kv_bytes_per_token(8, 1) == per_token
    assert r1.kv_bytes_per_token(8, 2) == 31 * (512 + 64) * 2


def test_kv_heads_are_replicated_when_tensor_parallel_exceeds_them() -> None:
    small = SHAPES["r1-distill-qwen-1.5b"]  # 2 KV heads
    assert small.kv_bytes_per_token(4, 1) == small.kv_bytes_per_token(2, 1) == 2 * 28 * 1 * 128 * 2
    assert not SHAPES["r1-distill-qwen-7b"].tp_allowed(8)  # 28 attention heads


def test_unknown_model_is_a_user_error() -> None:
    with pytest.raises(BackendError, match="no memory figures"):
        recommend("my-model", gpus=8, gpu_gib=80)


def test_command_line_prints_the_layout_for_scripts_and_one_line_errors() -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "evaluator.run.memory_plan", *args], cwd=REPO,
                              capture_output=True, text=True, timeout=60)  # fmt: skip

    shell = run("r1-distill-llama-70b", "--gpus", "8", "--gpu-mib", str(H100_80), "--shell")
    assert (shell.returncode, shell.stdout) == (0, "4 1 2\n")
    human = run("r1-distill-qwen-32b", "--gpus", "8", "--gpu-mib", str(H100_80))
    assert human.returncode == 0 and "TP 2 x PP 1 per copy, 4 copies" in human.stdout and "4.25 GiB per full-length sequence" in human.stdout
    refused = run("deepseek-r1", "--gpus", "8", "--gpu-mib", str(H100_80), "--shell")
    assert refused.returncode == 2 and refused.stdout == ""
    assert len(refused.stderr.strip().splitlines()) == 1 and "does not fit" in refused.stderr


DOC_MODELS = {"Distill-Qwen-1.5B": "r1-distill-qwen-1.5b", "Distill-Qwen-7B": "r1-distill-qwen-7b",
              "Distill-Llama-8B": "r1-distill-llama-8b", "Distill-Qwen-14B": "r1-distill-qwen-14b",
              "Distill-Qwen-32B": "r1-distill-qwen-32b", "Distill-Llama-70B": "r1-distill-llama-70b",
              "DeepSeek-R1 / R1-Zero (FP8, MLA)": "deepseek-r1"}  # fmt: skip


def test_the_table_in_docs_scaling_is_what_the_plan_says() -> None:
    """docs/scaling.md's layouts for 8 GPUs of 40, 80 and 141 GB, row by row."""
    rows = [line.split("|")[1:-1] for line in (REPO / "docs" / "scaling.md").read_text().splitlines()
            if line.startswith("| ") and line.split("|")[1].strip() in DOC_MODELS]  # fmt: skip
    assert len(rows) == len(DOC_MODELS)
    for cells in rows:
        model = DOC_MODELS[cells[0].strip()]
        for cell, mib in zip(cells[3:6], (A100_40, H100_80, H200_141), strict=True):
            try:
                plan = recommend(model, gpus=8, gpu_gib=mib / 1024)
                shown = f"TP {plan.tp} x {plan.dp}"
            except BackendError:
                shown = "no"
            assert cell.strip().startswith(shown), (model, mib, cell)
