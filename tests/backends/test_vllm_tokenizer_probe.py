"""The tokenizer round-trip probe: a tokenizer that does not give text back unchanged stops the run
before the engine starts, with one line naming the fix.

The case it exists for, reproduced with a synthetic tokenizer of the Llama-based distills' settings in
the Hugging Face cache layout (tests/support/distill_tokenizer.py): transformers 5 loads it correctly by
hub id but, from the cache's snapshot folder, as LlamaTokenizer with a Metaspace pre-tokenizer
("hello world" -> "helloworld"). vLLM resolves every tokenizer name to that local folder before loading
(vllm/tokenizers/registry.py), so passing the hub id cannot help: the folder's tokenizer_config.json is
the fix, and the test checks that the fix the message names works.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.backends._vllm_setup import TOKENIZER_PROBE, tokenizer_problem
from tests.support.distill_tokenizer import HUB_ID, build_distill_tokenizer

REPO = Path(__file__).resolve().parents[2]
LOST_SPACES = TOKENIZER_PROBE.replace(" ", "")


@dataclass(frozen=True)
class Case:
    decoded: str
    tokenizer_class: str
    transformers: str | None
    expected: tuple[str, ...] | None  # phrases of the message; None: the tokenizer is fine
    note: str


CASES = (
    Case(TOKENIZER_PROBE, "CachedLlamaTokenizer", "5.19.0", None, "a byte-level tokenizer loaded right"),
    Case(TOKENIZER_PROBE, "Qwen2TokenizerFast", "4.57.1", None, "any class, any version: only the text counts"),
    Case(LOST_SPACES, "CachedLlamaTokenizer", "5.19.0",
         ('"tokenizer_class": "PreTrainedTokenizerFast"', "/snap/tokenizer_config.json", "Metaspace",
          "'helloworld,theansweris042."), "the distills under transformers 5: the fix is named"),
    Case(TOKENIZER_PROBE.replace("\n", " "), "LlamaTokenizerFast", "4.57.1",
         ("fix the tokenizer files", "/snap/tokenizer_config.json"), "transformers 4: not the Metaspace case"),
    Case("<ValueError: no vocab>", "Qwen2Tokenizer", None, ("transformers None", "<ValueError"),
         "a tokenizer that raises is as unusable"),
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.note)
def test_probe_verdicts(case: Case) -> None:
    message = tokenizer_problem("m", case.decoded, tokenizer_class=case.tokenizer_class,
                                transformers_version=case.transformers, folder="/snap")  # fmt: skip
    if case.expected is None:
        assert message is None
        return
    assert message is not None and "\n" not in message and message.startswith("m: ")
    for phrase in case.expected:
        assert phrase in message, (phrase, message)


def test_the_probe_text_has_what_a_broken_tokenizer_loses_first() -> None:
    assert "  " in TOKENIZER_PROBE and "\n" in TOKENIZER_PROBE and "\t" in TOKENIZER_PROBE
    assert any(c.isdigit() for c in TOKENIZER_PROBE) and "\\frac{" in TOKENIZER_PROBE and "\\boxed{" in TOKENIZER_PROBE


_LOADERS = """
import json, sys
from pathlib import Path
from transformers import AutoTokenizer
from evaluator.backends._vllm_setup import TOKENIZER_PROBE
from evaluator.backends._vllm_checks import tokenizer_check
from evaluator.backends._vllm_engine_start import import_vllm

def round_trip(tokenizer):
    return tokenizer.decode(tokenizer.encode(TOKENIZER_PROBE, add_special_tokens=False)) == TOKENIZER_PROBE

hub_id, snapshot = sys.argv[1], Path(sys.argv[2])
vllm = import_vllm()
out = {"by_hub_id": round_trip(AutoTokenizer.from_pretrained(hub_id)),
       "by_folder": round_trip(AutoTokenizer.from_pretrained(snapshot)),
       "vllm_by_hub_id": round_trip(vllm.get_tokenizer(hub_id)),
       "problem": tokenizer_check(vllm, hub_id)}
config = snapshot / "tokenizer_config.json"
config.write_text(config.read_text().replace('"LlamaTokenizerFast"', '"PreTrainedTokenizerFast"'))
out["problem_after_fix"] = tokenizer_check(vllm, hub_id)
print(json.dumps(out))
"""


def _env(hf_home: Path) -> dict[str, str]:
    env = {**os.environ, "HF_HOME": str(hf_home), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    env.pop("HF_HUB_CACHE", None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


@pytest.mark.vllm
def test_vllm_loads_the_cache_folder_and_the_probe_names_the_fix_that_works(tiny_model_dir: Path, tmp_path: Path) -> None:
    """tiny_model_dir only makes the test skip without vllm (it needs vllm's tokenizer loader)."""
    snapshot = build_distill_tokenizer(tmp_path / "hf")
    result = subprocess.run([sys.executable, "-c", _LOADERS, HUB_ID, str(snapshot)], env=_env(tmp_path / "hf"),
                            cwd=REPO, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["by_hub_id"] is True, "transformers routes the hub id to its byte-level backend"
    assert out["by_folder"] is False, "from the folder it is LlamaTokenizer with Metaspace (the breakage)"
    assert out["vllm_by_hub_id"] is False, "vLLM loads the folder even when given the hub id"
    problem = out["problem"]
    assert problem.startswith(f"{HUB_ID}: the tokenizer does not give text back unchanged") and "\n" not in problem
    assert f"{snapshot}/tokenizer_config.json" in problem and "PreTrainedTokenizerFast" in problem
    assert out["problem_after_fix"] is None, "the fix the message names makes the probe pass"


@pytest.mark.vllm
def test_evaluate_refuses_before_the_engine_starts(tiny_model_dir: Path, tmp_path: Path) -> None:
    build_distill_tokenizer(tmp_path / "hf")
    result = subprocess.run(
        [sys.executable, "-m", "evaluator.cli", "--model", HUB_ID, "--backend", "vllm", "--k", "2", "--dataset", "demo",
         "--quiet", "--max-model-len", "4096", "--output-dir", str(tmp_path / "runs")],
        env=_env(tmp_path / "hf"), cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "PreTrainedTokenizerFast" in errors[0] and "tokenizer_config.json" in errors[0]
    logs = list((tmp_path / "runs").glob("*/vllm.log"))
    assert not any("EngineCore" in log.read_text() for log in logs), "no engine was started"
