"""A tiny random-weight Qwen2 chat model, built offline at test time for real vLLM tests.

Its answers are gibberish; the point is the real serving surface (chat template, n samples, seeds,
token counts, finish_reason "length") without downloading anything. Built in a few seconds, ~0.5 MB.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

VOCAB_SIZE = 1024
SPECIAL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
THINK_TOKENS = ("<think>", "</think>")  # added (non-special) so reasoning parsers find them in the vocab

# ChatML, as Qwen2 uses it; `add_generation_prompt` opens the assistant turn.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] }}"
    "{% if not (loop.last and continue_final_message is defined and continue_final_message) %}"
    "{{ '<|im_end|>\n' }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

_WORDS_TEXT = (
    "find the number of ordered pairs of positive integers such that the sum of all real roots "
    "let triangle ABC have sides and circle with radius tangent to line probability that a randomly "
    "chosen point lies inside the square remainder when divided by 1000 answer is boxed integer "
    "so we need to compute wait let me check again therefore hence the final answer think step "
    "equation polynomial sequence digits base prime factor gcd lcm modulo area volume perimeter"
)
_SYMBOLS = ("\\frac{", "}{", "}", "\\sqrt{", "\\boxed{", "^2", "+", "-", "=", "(", ")", "$", "\\cdot", "\n")


def _corpus(lines: int = 4000, seed: int = 0) -> Iterator[str]:
    """Deterministic math-flavoured text with digits, LaTeX and ChatML markers: local, offline, stable."""
    rng = random.Random(seed)
    words = _WORDS_TEXT.split()
    for _ in range(lines):
        parts: list[str] = []
        for _ in range(rng.randint(5, 25)):
            roll = rng.random()
            if roll < 0.6:
                parts.append(rng.choice(words))
            elif roll < 0.8:
                parts.append(str(rng.randint(0, 9999)))
            else:
                parts.append(rng.choice(_SYMBOLS))
        yield " ".join(parts)
    yield "<think>\nLet me think.\n</think>\nThe answer is \\boxed{42}."


def _train_tokenizer():  # -> PreTrainedTokenizerFast
    """A byte-level BPE (every byte string encodes) wrapped as a HF fast tokenizer with ChatML."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE - len(THINK_TOKENS),
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(_corpus(), trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        model_max_length=4096,
    )
    tokenizer.add_tokens(list(THINK_TOKENS))
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def build_tiny_model(directory: Path) -> Path:
    """Write tokenizer + random bf16 Qwen2 weights (seeded, so rebuilds are identical) to `directory`."""
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = _train_tokenizer()
    tokenizer.save_pretrained(directory)
    eos_id = tokenizer.convert_tokens_to_ids("<|im_end|>")
    pad_id = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        intermediate_size=128,
        max_position_embeddings=4096,
        tie_word_embeddings=True,
        bos_token_id=pad_id,
        eos_token_id=eos_id,
        pad_token_id=pad_id,
        torch_dtype="bfloat16",
    )
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config).to(torch.bfloat16)
    model.generation_config = GenerationConfig(bos_token_id=pad_id, eos_token_id=eos_id, pad_token_id=pad_id)
    model.save_pretrained(directory, safe_serialization=True)
    return directory


if __name__ == "__main__":
    import sys

    print(build_tiny_model(Path(sys.argv[1] if len(sys.argv) > 1 else "tiny-model")))
