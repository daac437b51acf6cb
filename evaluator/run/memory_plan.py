"""How many GPUs one copy of a model needs for the DeepSeek protocol, and how to use the rest.

vLLM refuses to start when its memory budget (`--gpu-memory-utilization` x the GPU's memory) cannot
hold the weights, its start-up activations and the KV cache of one sequence of `--max-model-len`
tokens. With 32,768 new tokens that last term is large: one sequence of the 32B distill needs
64 layers x 8 KV heads x 128 x 2 (K and V) x 2 bytes = 256 KiB per token, 8.5 GiB for 34,816 tokens.
So this module does the arithmetic per GPU:

    weights / (TP x PP)  +  KV cache of `min_sequences` full-length sequences  +  headroom  <=  budget

and recommends the smallest tensor parallel size (then pipeline parallel) that fits; the other GPUs
become data-parallel copies (`--data-parallel-size`). Why the smallest: copies never wait for each
other, while every tensor-parallel layer ends in an all-reduce over its GPUs. The price is KV cache:
each copy holds its own weights, so a GPU of a smaller copy has less room for tokens in flight. With
32K-token reasoning the KV cache, not compute, often limits how many sequences decode at once, so
`alternative` names the next larger layout that fits and how many more tokens per GPU it holds
(14B on 8 x H100: TP 2 x 4 holds ~1.36x the tokens per GPU of TP 1 x 8). Which one is faster is an
A/B on the real GPUs (preemptions or a full KV cache in vllm.log favour the larger copy). The numbers come from each model's published
config.json (layers, KV heads, head size) and parameter count; they are an estimate, not a
measurement: no GPU has run them here (see docs/scaling.md). `HEADROOM_GIB` covers vLLM's profiled
activation peak, CUDA graphs and the CUDA/NCCL context; vLLM measures the real value when it starts.

KV cache per token and GPU, as vLLM lays it out:
- grouped-query attention (the distills): 2 x layers/PP x max(1, KV heads / TP) x head size x 2 bytes
  (bf16); when TP exceeds the KV heads, vLLM replicates them, so a GPU always holds at least one;
- multi-head latent attention (DeepSeek-R1 / R1-Zero, DeepSeek-V3 architecture): one latent of
  kv_lora_rank + qk_rope_head_dim = 512 + 64 values per token and layer shared by K and V, in bf16,
  replicated on every TP rank (MLA has a single KV head), so TP does not shrink it; PP does.

Run `python3 -m evaluator.run.memory_plan r1-distill-qwen-32b --gpus 8 --gpu-mib 81559` (the
`--gpu-mib` figure is `nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits`);
`--shell` prints `TP PP DP` for scripts/reproduce_deepseek_r1.sh.
"""

from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass

from evaluator.errors import BackendError

GIB = 2**30
HEADROOM_GIB = 6.0  # per GPU: vLLM's profiled activation peak, CUDA graphs, CUDA/NCCL context (an estimate)
PROTOCOL_MAX_MODEL_LEN = 34816  # 32,768 new tokens + room for an AIME prompt (docs/reproducing.md)
MIN_SEQUENCES = 4  # full-length sequences one copy must hold; vLLM pages the cache, so shorter ones run many more
TP_SIZES = (1, 2, 4, 8)  # tensor parallel stays inside one node (NVLink)
PP_SIZES = (1, 2, 4)  # pipeline parallel spans nodes


@dataclass(frozen=True, kw_only=True)
class ModelShape:
    """The numbers of one model that decide its memory (from its config.json and model card)."""

    name: str
    params_b: float  # billions of parameters that vLLM loads
    bytes_per_param: float  # 2 for bf16 weights, 1 for FP8
    layers: int
    attention_heads: int  # tensor parallel size must divide it
    kv_heads: int  # GQA key/value heads; 1 for MLA (one latent)
    kv_head_size: int  # GQA head_dim; MLA kv_lora_rank + qk_rope_head_dim
    mla: bool = False

    @property
    def weights_gib(self) -> float:
        return self.params_b * 1e9 * self.bytes_per_param / GIB

    def kv_bytes_per_token(self, tp: int, pp: int) -> int:
        """KV-cache bytes one token of one sequence takes on one GPU (bf16 cache)."""
        layers = math.ceil(self.layers / pp)
        if self.mla:
            return layers * self.kv_head_size * 2
        return 2 * layers * max(1, self.kv_heads // tp) * self.kv_head_size * 2

    def tp_allowed(self, tp: int) -> bool:
        """vLLM splits attention heads evenly over TP ranks, and KV heads evenly or replicated."""
        if self.attention_heads % tp:
            return False
        return self.mla or self.kv_heads % tp == 0 or tp % self.kv_heads == 0


def _gqa(name: str, params_b: float, layers: int, heads: int, kv_heads: int) -> ModelShape:
    return ModelShape(name=name, params_b=params_b, bytes_per_param=2, layers=layers, attention_heads=heads,
                      kv_heads=kv_heads, kv_head_size=128)  # fmt: skip


# DeepSeek-R1 / R1-Zero: 671B parameters in FP8 (1 byte each); the bf16 embedding and output matrices
# and the FP8 block scales add about 1% (the 14B multi-token-prediction module is not loaded).
_R1 = dict(params_b=671 * 1.01, bytes_per_param=1, layers=61, attention_heads=128, kv_heads=1,
           kv_head_size=512 + 64, mla=True)  # fmt: skip
SHAPES: dict[str, ModelShape] = {
    shape.name: shape
    for shape in (
        _gqa("r1-distill-qwen-1.5b", 1.78, layers=28, heads=12, kv_heads=2),  # Qwen2.5-Math-1.5B
        _gqa("r1-distill-qwen-7b", 7.62, layers=28, heads=28, kv_heads=4),  # Qwen2.5-Math-7B
        _gqa("r1-distill-llama-8b", 8.03, layers=32, heads=32, kv_heads=8),  # Llama-3.1-8B
        _gqa("r1-distill-qwen-14b", 14.77, layers=48, heads=40, kv_heads=8),  # Qwen2.5-14B
        _gqa("r1-distill-qwen-32b", 32.76, layers=64, heads=40, kv_heads=8),  # Qwen2.5-32B
        _gqa("r1-distill-llama-70b", 70.55, layers=80, heads=64, kv_heads=8),  # Llama-3.3-70B
        ModelShape(name="deepseek-r1", **_R1),  # type: ignore[arg-type]
        ModelShape(name="deepseek-r1-zero", **_R1),  # type: ignore[arg-type]
    )
}


@dataclass(frozen=True, kw_only=True)
class MemoryPlan:
    """One copy on `tp x pp` GPUs, `dp` copies; per-GPU figures in GiB; `sequences` full-length
    sequences fit in one copy's KV cache."""

    model: str
    tp: int
    pp: int
    dp: int
    budget_gib: float
    weights_gib: float
    sequence_gib: float
    headroom_gib: float
    sequences: int
    kv_tokens: int  # tokens one copy's KV cache holds (its GPUs each hold a slice of every token)

    @property
    def kv_cache_gib(self) -> float:
        """What is left for the KV cache on each GPU."""
        return self.budget_gib - self.weights_gib - self.headroom_gib

    @property
    def tokens_per_gpu(self) -> float:
        """Tokens in flight per GPU of the machine: the layouts' common currency (a copy of TP 2 uses two)."""
        return self.kv_tokens / (self.tp * self.pp)

    def layout(self) -> str:
        return f"TP {self.tp} x PP {self.pp} per copy, {self.dp} copies"

    def describe(self) -> str:
        return (
            f"{self.model}: {self.layout()}; per GPU "
            f"{self.weights_gib:.1f} GiB weights + {self.sequence_gib:.2f} GiB per full-length sequence + "
            f"{self.headroom_gib:.0f} GiB headroom of a {self.budget_gib:.1f} GiB budget: "
            f"{self.sequences} full-length sequences per copy; KV cache {self.kv_cache_gib:.1f} GiB per GPU = "
            f"{self.kv_tokens / 1e6:.2f}M tokens per copy"
        )

    def compare(self, other: MemoryPlan) -> str:
        """Why this layout and not `other` (the alternative), in one sentence."""
        ratio = other.tokens_per_gpu / self.tokens_per_gpu
        return (
            f"alternative: {other.layout()} holds {ratio:.2f}x the tokens in flight per GPU "
            f"({other.tokens_per_gpu / 1e3:.0f}K against {self.tokens_per_gpu / 1e3:.0f}K) at the cost of an "
            f"all-reduce per layer; chosen: the smallest copy, since copies never wait for each other. "
            f"A/B them when vllm.log shows the KV cache full or preemptions"
        )


def evaluate_plan(
    shape: ModelShape, *, tp: int, pp: int, gpus: int, gpu_gib: float, max_model_len: int,
    gpu_memory_utilization: float = 0.9, headroom_gib: float = HEADROOM_GIB,
) -> MemoryPlan:  # fmt: skip
    """The per-GPU arithmetic for one layout (`sequences` may be 0 or negative: it does not fit)."""
    budget = gpu_memory_utilization * gpu_gib
    weights = shape.weights_gib / (tp * pp)
    sequence = shape.kv_bytes_per_token(tp, pp) * max_model_len / GIB
    free = budget - weights - headroom_gib
    sequences = math.floor(free / sequence)
    kv_tokens = max(0, math.floor(free * GIB / shape.kv_bytes_per_token(tp, pp)))
    return MemoryPlan(model=shape.name, tp=tp, pp=pp, dp=gpus // (tp * pp), budget_gib=budget,
                      weights_gib=weights, sequence_gib=sequence, headroom_gib=headroom_gib,
                      sequences=sequences, kv_tokens=kv_tokens)  # fmt: skip


def plans(
    model: str, *, gpus: int, gpu_gib: float, max_model_len: int = PROTOCOL_MAX_MODEL_LEN,
    gpu_memory_utilization: float = 0.9, headroom_gib: float = HEADROOM_GIB,
) -> list[MemoryPlan]:  # fmt: skip
    """Every layout of `gpus` GPUs vLLM accepts for `model`, smallest copy first (then tensor before
    pipeline parallel), fitting or not. Raises `BackendError` for a model not in `SHAPES`."""
    shape = SHAPES.get(model)
    if shape is None:
        raise BackendError(f"no memory figures for {model!r}: known are {', '.join(SHAPES)}")
    if gpus < 1 or gpu_gib <= 0:
        raise BackendError(f"need at least one GPU with memory (got {gpus} GPU(s) of {gpu_gib} GiB)")
    layouts = sorted(((tp, pp) for tp in TP_SIZES for pp in PP_SIZES if tp * pp <= gpus and shape.tp_allowed(tp)),
                     key=lambda layout: (layout[0] * layout[1], layout[1]))  # fmt: skip
    return [
        evaluate_plan(shape, tp=tp, pp=pp, gpus=gpus, gpu_gib=gpu_gib, max_model_len=max_model_len,
                      gpu_memory_utilization=gpu_memory_utilization, headroom_gib=headroom_gib)
        for tp, pp in layouts
    ]  # fmt: skip


def recommend(
    model: str, *, gpus: int, gpu_gib: float, max_model_len: int = PROTOCOL_MAX_MODEL_LEN,
    gpu_memory_utilization: float = 0.9, min_sequences: int = MIN_SEQUENCES,
    headroom_gib: float = HEADROOM_GIB,
) -> MemoryPlan:  # fmt: skip
    """The smallest copy (fewest GPUs, then tensor before pipeline parallel) whose KV cache holds
    `min_sequences` full-length sequences; all `gpus` are used as `gpus // (tp x pp)` copies.

    Raises `BackendError` for a model not in `SHAPES` or one that fits on no layout of `gpus` GPUs.
    Example: `recommend("r1-distill-qwen-32b", gpus=8, gpu_gib=79.6)` is TP 2, DP 4.
    """
    candidates = plans(model, gpus=gpus, gpu_gib=gpu_gib, max_model_len=max_model_len,
                       gpu_memory_utilization=gpu_memory_utilization, headroom_gib=headroom_gib)  # fmt: skip
    fitting = [plan for plan in candidates if plan.sequences >= min_sequences]
    if fitting:
        return fitting[0]
    best = max(candidates, key=lambda plan: plan.sequences)
    raise BackendError(
        f"{model} does not fit {gpus} GPU(s) of {gpu_gib:.1f} GiB with {max_model_len} tokens per sequence: "
        f"TP {best.tp} x PP {best.pp} holds {max(best.sequences, 0)} of the {min_sequences} full-length "
        f"sequences needed ({best.weights_gib:.1f} GiB weights per GPU); use more or larger GPUs"
    )


def alternative(chosen: MemoryPlan, candidates: list[MemoryPlan]) -> MemoryPlan | None:
    """The next larger copy after `chosen` that holds more tokens in flight per GPU (the layout to
    A/B against it), or None when `chosen` already spans the GPUs or a larger copy gains nothing
    (R1's latent cache is replicated on every tensor-parallel rank)."""
    size = chosen.tp * chosen.pp
    larger = [p for p in candidates if p.tp * p.pp > size and p.tokens_per_gpu > chosen.tokens_per_gpu]
    return larger[0] if larger else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m evaluator.run.memory_plan", description=__doc__.split("\n")[0])
    parser.add_argument("model", choices=sorted(SHAPES))
    parser.add_argument("--gpus", type=int, required=True, help="GPUs available (all nodes together)")
    parser.add_argument("--gpu-mib", type=float, required=True, help="memory of one GPU in MiB (nvidia-smi)")
    parser.add_argument("--max-model-len", type=int, default=PROTOCOL_MAX_MODEL_LEN)
    parser.add_argument("--gpu-memory-utilization", type=float, default=0.9)
    parser.add_argument("--min-sequences", type=int, default=MIN_SEQUENCES)
    parser.add_argument("--shell", action="store_true", help="print only 'TP PP DP'")
    args = parser.parse_args(argv)
    gpu_gib, utilization = args.gpu_mib / 1024, args.gpu_memory_utilization
    try:
        plan = recommend(args.model, gpus=args.gpus, gpu_gib=gpu_gib, max_model_len=args.max_model_len,
                         gpu_memory_utilization=utilization, min_sequences=args.min_sequences)  # fmt: skip
    except BackendError as exc:
        print(f"memory_plan: {exc}", file=sys.stderr)
        return 2
    if args.shell:
        print(f"{plan.tp} {plan.pp} {plan.dp}")
        return 0
    print(plan.describe())
    other = alternative(plan, plans(args.model, gpus=args.gpus, gpu_gib=gpu_gib, max_model_len=args.max_model_len,
                                    gpu_memory_utilization=utilization))  # fmt: skip
    if other is not None:
        print(plan.compare(other))
    return 0


if __name__ == "__main__":
    sys.exit(main())
