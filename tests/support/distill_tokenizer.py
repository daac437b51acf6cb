"""A synthetic tokenizer with the settings of the Llama-based R1 distills, in the Hugging Face cache layout.

The distills ship a byte-level BPE `tokenizer.json` (Llama 3's) with "tokenizer_class": "LlamaTokenizerFast"
in tokenizer_config.json and model_type "llama" in config.json. Under transformers 5 that class, loaded
from a folder, replaces the byte-level pre-tokenizer with Metaspace, and "hello world" decodes to
"helloworld"; loaded by hub id, transformers routes these checkpoints to its generic backend instead.
Built offline in about a second (a 600-token vocabulary trained on a few lines); no weights.
"""

from __future__ import annotations

import json
from pathlib import Path

HUB_ID = "deepseek-ai/DeepSeek-R1-Distill-Llama-8B"
REVISION = "0" * 40
SPECIALS = ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>")
_TRAINING_TEXT = ("hello world, the answer is 042. Let $x^2 + y^2 = 25$, so \\frac{3}{4} \\cdot \\sqrt{7} = "
                  "\\boxed{204}.\n  indented line\tand a tab")  # fmt: skip


def build_distill_tokenizer(hf_home: Path) -> Path:
    """Write the tokenizer as HF_HOME/hub/models--deepseek-ai--DeepSeek-R1-Distill-Llama-8B/snapshots/<rev>/
    (with refs/main, so an offline load of HUB_ID finds it) and return the snapshot folder."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    repo = Path(hf_home) / "hub" / f"models--{HUB_ID.replace('/', '--')}"
    snapshot = repo / "snapshots" / REVISION
    snapshot.mkdir(parents=True, exist_ok=True)
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(REVISION)
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=list(SPECIALS), show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())  # fmt: skip
    bpe.train_from_iterator([_TRAINING_TEXT] * 20, trainer)
    bpe.save(str(snapshot / "tokenizer.json"))
    tokenizer_config = {"tokenizer_class": "LlamaTokenizerFast", "bos_token": SPECIALS[0], "eos_token": SPECIALS[1],
                        "add_bos_token": True, "add_eos_token": False, "legacy": True, "model_max_length": 16384,
                        "clean_up_tokenization_spaces": False}  # fmt: skip
    (snapshot / "tokenizer_config.json").write_text(json.dumps(tokenizer_config, indent=1))
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "vocab_size": 600, "hidden_size": 64,
              "num_hidden_layers": 2, "num_attention_heads": 2, "num_key_value_heads": 1, "intermediate_size": 128,
              "max_position_embeddings": 4096, "bos_token_id": 0, "eos_token_id": 1, "torch_dtype": "bfloat16"}  # fmt: skip
    (snapshot / "config.json").write_text(json.dumps(config, indent=1))
    return snapshot
