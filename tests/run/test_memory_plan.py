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
from evaluator.run.memory_plan import GIB, SHAPES, alternative, evaluate_plan, plans, recommend

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
    assert "alternative: TP 4 x PP 1 per copy, 2 copies" in human.stdout
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


@dataclass(frozen=True)
class Alternative:
    model: str
    gpus: int
    gpu_mib: int
    other: tuple[int, int] | None  # (TP, PP) of the layout to A/B against the chosen one; None: nothing larger gains
    ratio: float  # tokens in flight per GPU, alternative / chosen
    note: str


ALTERNATIVES = (
    Alternative("r1-distill-qwen-14b", 8, H100_80, (2, 1), 1.36,
                "TP 1: 71.7 - 27.5 - 6 = 38.2 GiB KV; TP 2: 71.7 - 13.8 - 6 = 51.9 GiB for half of each token"),
    Alternative("r1-distill-qwen-7b", 8, H100_80, (2, 1), 1.14, "7B's weights are a smaller share: less to gain"),
    Alternative("deepseek-r1", 8, H200_141, None, 0, "TP 8 already spans the node"),
    Alternative("r1-distill-qwen-1.5b", 1, H100_80, None, 0, "one GPU: nothing larger"),
)


@pytest.mark.parametrize("case", ALTERNATIVES, ids=lambda c: f"{c.model}-{c.gpus}x{c.gpu_mib}")
def test_the_plan_names_the_larger_copy_to_compare_against(case: Alternative) -> None:
    chosen = recommend(case.model, gpus=case.gpus, gpu_gib=case.gpu_mib / 1024)
    other = alternative(chosen, plans(case.model, gpus=case.gpus, gpu_gib=case.gpu_mib / 1024))
    if case.other is None:
        assert other is None, case.note
        return
    assert other is not None and (other.tp, other.pp) == case.other, case.note
    assert other.tokens_per_gpu / chosen.tokens_per_gpu == pytest.approx(case.ratio, abs=0.005)
    assert f"{case.ratio:.2f}x the tokens in flight per GPU" in chosen.compare(other)


def test_kv_tokens_by_hand_match_the_first_gpu_run_estimate() -> None:
    """7B on one H100: (71.7 - 14.2 - 6) GiB of KV cache at 28 layers x 4 KV heads x 128 x 2 x 2 bytes a token
    is the ~0.95M tokens the first-run estimate uses (scripts/gpu_smoke.sh prints vLLM's own figure to compare)."""
    plan = recommend("r1-distill-qwen-7b", gpus=1, gpu_gib=H100_80 / 1024)
    per_token = 28 * 4 * 128 * 2 * 2
    assert plan.kv_tokens == int(plan.kv_cache_gib * GIB / per_token)
    assert plan.kv_cache_gib == pytest.approx(51.5, abs=0.05) and 0.95e6 < plan.kv_tokens < 0.97e6


def test_the_vllm_claim_in_docs_benchmarks_is_the_plans_arithmetic() -> None:
    """1.5B on one H100: the KV cache holds 2.34M tokens, 67 full-length sequences; the claim states both."""
    plan = recommend("r1-distill-qwen-1.5b", gpus=1, gpu_gib=H100_80 / 1024)
    text = " ".join((REPO / "docs" / "benchmarks.md").read_text().split())
    assert f"{plan.kv_tokens / 1e6:.2f}M tokens" in text and f"{plan.sequences} sequences of the full" in text
    assert "1,920 sequences in flight" not in text  # the old claim: the cache holds 67 of them, or ~270 shorter ones
