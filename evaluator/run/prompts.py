"""Prompt templates. DeepSeek-R1's protocol is the default: no system prompt, the problem followed by
the boxed-answer instruction. Templates use `{problem}` literally (no str.format: LaTeX has braces)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from evaluator.errors import TemplateError
from evaluator.types import Message, Problem, Request

PLACEHOLDER = "{problem}"


@dataclass(frozen=True)
class PromptTemplate:
    """`chat` templates become one user turn; `completions` templates are sent as a plain prompt."""

    name: str
    text: str
    kind: str = "chat"  # chat | completions
    assistant_prefix: str = ""


PRESETS: dict[str, PromptTemplate] = {
    "r1": PromptTemplate(
        "r1", "{problem}\nPlease reason step by step, and put your final answer within \\boxed{}."
    ),
    # DeepSeek-R1 paper, Table 1, verbatim (its `prompt` placeholder is our {problem}): the template R1-Zero
    # was trained on. Plain completions; the answer comes in <answer> tags, which the extractor reads.
    "r1-zero": PromptTemplate(
        "r1-zero",
        "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. "
        "The assistant first thinks about the reasoning process in the mind and then provides the user "
        "with the answer. The reasoning process and answer are enclosed within <think> </think> and "
        "<answer> </answer> tags, respectively, i.e., <think> reasoning process here </think> "
        "<answer> answer here </answer>. User: {problem}. Assistant:",
        kind="completions",
    ),
}



def load_template(spec: str) -> PromptTemplate:
    """A preset name (`r1`, `r1-zero`) or a path to a text file containing `{problem}`."""
    if spec in PRESETS:
        return PRESETS[spec]
    path = Path(spec).expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(
            f"{spec}: cannot read prompt template ({exc.__class__.__name__}); give a preset "
            f"({', '.join(PRESETS)}) or a UTF-8 text file containing {PLACEHOLDER}"
        ) from exc
    if PLACEHOLDER not in text:
        raise TemplateError(f"{spec}: the prompt template must contain {PLACEHOLDER} where the problem goes")
    return PromptTemplate(path.name, text)


def build_request(
    problem: Problem, template: PromptTemplate, sample_indices: tuple[int, ...], assistant_prefix: str = ""
) -> Request:
    """The request for some samples of one problem under a template."""
    text = template.text.replace(PLACEHOLDER, problem.problem)
    prefix = assistant_prefix or template.assistant_prefix
    if template.kind == "completions":
        return Request(problem.id, (), sample_indices, prompt=text, assistant_prefix=prefix)
    return Request(problem.id, (Message("user", text),), sample_indices, assistant_prefix=prefix)
