#!/usr/bin/env bash
# Reproduce DeepSeek-R1's AIME 2024 numbers with the paper's protocol (docs/reproducing.md):
# 64 samples per problem, temperature 0.6, top-p 0.95, at most 32,768 new tokens, no system prompt,
# the boxed-answer instruction after the problem, and the answer forced to start with "<think>\n"
# (R1 and the distills; R1-Zero gets the paper's Table 1 template, which ends at "Assistant:").
#
# Usage: scripts/reproduce_deepseek_r1.sh TARGET [extra evaluate flags...]
#   hosted                 DeepSeek-R1 (original weights) through OpenRouter; needs OPENROUTER_API_KEY
#   server                 your own `vllm serve` of deepseek-ai/DeepSeek-R1; needs BASE_URL=http://HOST:8000/v1
#   server-zero            your own `vllm serve` of deepseek-ai/DeepSeek-R1-Zero (plain completions, R1-Zero template)
#   engine                 vLLM in-process, one node, tensor parallel 8 (8 GPUs with >= 141 GB each, e.g. H200)
#   engine-multinode       vLLM in-process over a Ray cluster: TP 8 x PP 2 (2 nodes of 8 x 80 GB GPUs)
#   distill NAME           one distilled model, vLLM in-process, on every GPU of this node: tensor parallel
#                          as small as fits (python3 -m evaluator.run.memory_plan), data parallel over the rest
#   distills               all six distilled models, one after the other
# Environment: OUTPUT_DIR (default runs/reproduce-r1), DATASET (default aime-2024), AIME_EVAL_DATA_DIR,
# EVALUATE (default: this checkout's .venv/bin/evaluate, else `evaluate` on PATH), PYTHON (default: the
# python3 next to EVALUATE, else python3), MODEL (server target: default deepseek-ai/DeepSeek-R1), DRY_RUN=1
# prints the commands without checking anything or running them (distills then plan for GPUS x GPU_MIB,
# default 8 x 81559 MiB, an H100 80GB).
# Runs resume: the same command again continues where it stopped (finished samples are kept).
set -euo pipefail

OUTPUT_DIR="${OUTPUT_DIR:-runs/reproduce-r1}"
DATASET="${DATASET:-aime-2024}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -z "${EVALUATE:-}" ]]; then  # the project's own interpreter first: `evaluate` is often only in .venv/bin
  if [[ -x "$ROOT/.venv/bin/evaluate" ]]; then EVALUATE="$ROOT/.venv/bin/evaluate"; else EVALUATE=evaluate; fi
fi
if [[ -z "${PYTHON:-}" ]]; then  # the interpreter aime-eval is installed in (its `evaluate` sits beside it)
  evaluate_path=$(command -v "$EVALUATE" 2>/dev/null || true)
  if [[ -n "$evaluate_path" && -x "$(dirname "$evaluate_path")/python3" ]]; then
    PYTHON="$(dirname "$evaluate_path")/python3"
  else
    PYTHON=python3
  fi
fi
DISTILLS=(r1-distill-qwen-1.5b r1-distill-qwen-7b r1-distill-llama-8b r1-distill-qwen-14b r1-distill-qwen-32b
  r1-distill-llama-70b)
# The paper's sampling protocol (DeepSeek-R1 report, section 3 "Evaluation Setup").
PROTOCOL=(--k 64 --temperature 0.6 --top-p 0.95 --max-tokens 32768 --seed 0 --dataset "$DATASET"
  --output-dir "$OUTPUT_DIR" --per-problem)
CHAT=(--prompt-template r1 --think-prefix)  # problem + boxed instruction, one user turn, "<think>\n" forced
MAX_MODEL_LEN=34816                          # 32,768 new tokens + room for the prompt

die() {
  echo "reproduce_deepseek_r1.sh: $*" >&2
  exit 2
}

usage() {  # the comment block at the top of this file, without the code after it
  awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0" >&2
  exit 2
}

dry() { [[ "${DRY_RUN:-0}" == "1" ]]; }
if dry; then BASE_URL="${BASE_URL:-http://HOST:8000/v1}"; fi  # printed, never contacted

need_evaluate() {
  dry && return 0
  command -v "$EVALUATE" >/dev/null 2>&1 || die "'$EVALUATE' not found: run \`python3 -m venv .venv && .venv/bin/pip install -e '.[vllm]'\` in $ROOT (Python >= 3.11), or set EVALUATE=/path/to/evaluate"
}

need_env() {
  dry && return 0
  [[ -n "${!1:-}" ]] || die "$1 is not set: $2"
}

need_gpus() {  # need_gpus COUNT MIN_GB WHY
  dry && return 0
  command -v nvidia-smi >/dev/null 2>&1 || die "no NVIDIA GPU here (nvidia-smi not found): $3"
  local count mem
  count=$(nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits | wc -l)
  mem=$(nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits | sort -n | head -n1)
  ((count >= $1)) || die "found $count GPU(s), need $1: $3"
  ((mem >= $2 * 1000)) || die "smallest GPU has ${mem} MiB, need about $2 GB each: $3"
  "$PYTHON" -c 'import vllm' 2>/dev/null || die "vllm is not importable by $PYTHON: pip install -e '.[vllm]' in the aime-eval clone (Python >= 3.11)"
}

gpu_inventory() {  # sets GPU_COUNT and GPU_MIB (the smallest GPU's memory) from nvidia-smi
  if dry; then
    GPU_COUNT="${GPUS:-8}" GPU_MIB="${GPU_MIB:-81559}"
    return 0
  fi
  command -v nvidia-smi >/dev/null 2>&1 || die "no NVIDIA GPU here (nvidia-smi not found): the distills run on local GPUs"
  GPU_COUNT=$(nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits | wc -l)
  GPU_MIB=$(nvidia-smi --query-gpu=memory.total --format=csv,noheader,nounits | sort -n | head -n1)
}

need_ray() {
  dry && return 0
  command -v ray >/dev/null 2>&1 || die "ray not found: multi-node runs need a Ray cluster (ray start --head on node 1, ray start --address=HEAD:6379 on node 2)"
  ray status >/dev/null 2>&1 || die "no Ray cluster reachable (ray status failed): start it on both nodes first"
}

run() {
  echo "+ $*" >&2
  dry || "$@"
}

[[ $# -ge 1 ]] || usage
target="$1"
shift

case "$target" in
  hosted)
    # OpenRouter routes deepseek/deepseek-r1 to hosts serving the original January 2025 weights.
    # DeepSeek's own `deepseek-reasoner` is NOT R1 any more (it serves V3.x thinking models).
    need_evaluate
    need_env OPENROUTER_API_KEY "the hosted run goes through OpenRouter (https://openrouter.ai/keys)"
    run "$EVALUATE" --model deepseek-r1 "${PROTOCOL[@]}" "${CHAT[@]}" --concurrency 16 "$@"
    ;;
  server)
    need_evaluate
    need_env BASE_URL "start 'vllm serve deepseek-ai/DeepSeek-R1 --tensor-parallel-size 8 --max-model-len $MAX_MODEL_LEN' and set BASE_URL=http://HOST:8000/v1"
    run "$EVALUATE" --model "${MODEL:-deepseek-ai/DeepSeek-R1}" --backend openai --base-url "$BASE_URL" \
      "${PROTOCOL[@]}" "${CHAT[@]}" --samples-per-request 8 --concurrency 64 "$@"
    ;;
  server-zero)
    # R1-Zero was trained on a plain-text template (paper, Table 1), not a chat template.
    need_evaluate
    need_env BASE_URL "start 'vllm serve deepseek-ai/DeepSeek-R1-Zero --tensor-parallel-size 8 --max-model-len $MAX_MODEL_LEN' and set BASE_URL=http://HOST:8000/v1"
    # The prompt ends at "Assistant:": no "<think>\n" after it (that advice is for R1 and the distills).
    run "$EVALUATE" --model deepseek-ai/DeepSeek-R1-Zero --backend openai --base-url "$BASE_URL" --api completions \
      --prompt-template r1-zero --no-think-prefix "${PROTOCOL[@]}" --samples-per-request 8 --concurrency 64 "$@"
    ;;
  engine)
    need_evaluate
    need_gpus 8 140 "DeepSeek-R1 (671B, FP8 weights ~690 GB) with tensor parallel 8 needs 8 GPUs of >= 141 GB (H200/B200); on 80 GB GPUs use engine-multinode"
    run "$EVALUATE" --model deepseek-ai/DeepSeek-R1 --backend vllm --tensor-parallel-size 8 \
      --max-model-len "$MAX_MODEL_LEN" --gpu-memory-utilization 0.92 "${PROTOCOL[@]}" "${CHAT[@]}" "$@"
    ;;
  engine-multinode)
    need_evaluate
    need_ray
    need_gpus 8 80 "each node needs 8 GPUs of >= 80 GB (H100/A100-80G); run this on the Ray head node"
    run "$EVALUATE" --model deepseek-ai/DeepSeek-R1 --backend vllm --tensor-parallel-size 8 \
      --pipeline-parallel-size 2 --distributed-executor-backend ray --max-model-len "$MAX_MODEL_LEN" \
      "${PROTOCOL[@]}" "${CHAT[@]}" "$@"
    ;;
  distill | distills)
    if [[ "$target" == distill ]]; then
      [[ $# -ge 1 ]] || die "distill needs a model name: ${DISTILLS[*]}"
      names=("$1")
      shift
    else
      names=("${DISTILLS[@]}")
    fi
    need_evaluate
    gpu_inventory
    for name in "${names[@]}"; do
      [[ " ${DISTILLS[*]} " == *" $name "* ]] || die "unknown distill '$name': choose one of ${DISTILLS[*]}"
      # weights + KV cache of full-length sequences + headroom per GPU -> "TP PP DP" (docs/scaling.md)
      plan=$("$PYTHON" -m evaluator.run.memory_plan "$name" --gpus "$GPU_COUNT" --gpu-mib "$GPU_MIB" \
        --max-model-len "$MAX_MODEL_LEN" --shell) || die "no memory plan for $name (message above)"
      read -r tp pp dp <<<"$plan"
      need_gpus $((tp * pp * dp)) $((GPU_MIB / 1000)) "$name: TP $tp x PP $pp, $dp copies"
      run "$EVALUATE" --model "$name" --backend vllm --tensor-parallel-size "$tp" --pipeline-parallel-size "$pp" \
        --data-parallel-size "$dp" --dtype bfloat16 --max-model-len "$MAX_MODEL_LEN" "${PROTOCOL[@]}" "${CHAT[@]}" "$@"
    done
    ;;
  -h | --help | help) usage ;;
  *) die "unknown target '$target' (hosted, server, server-zero, engine, engine-multinode, distill NAME, distills)" ;;
esac
