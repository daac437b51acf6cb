"""One run: what determines it, the prompts it sends, and the loop that fills its directory.

- `presets`: what `--model NAME` really runs (`PRESETS`, `find_preset`, `backend_config`);
- `prompts`: prompt templates (`load_template`, `build_request`); DeepSeek-R1's protocol by default;
- `runner`: `RunConfig` (its hash names the run directory) and `execute`, which asks the backend only
  for missing samples and grades and stores each as it arrives;
- `store`: the run directory (config.json, append-only samples.jsonl, errors.jsonl, summary.json, lock);
- `pricing`: list prices for the cost line of the summary.
"""

from evaluator.run.presets import PRESETS, ModelPreset, backend_config, find_preset
from evaluator.run.prompts import PromptTemplate, build_request, load_template
from evaluator.run.runner import RunConfig, RunProgress, execute, run_sync
from evaluator.run.store import RunStore, load_config, load_errors, load_samples

__all__ = [
    "PRESETS",
    "ModelPreset",
    "PromptTemplate",
    "RunConfig",
    "RunProgress",
    "RunStore",
    "backend_config",
    "build_request",
    "execute",
    "find_preset",
    "load_config",
    "load_errors",
    "load_samples",
    "load_template",
    "run_sync",
]
