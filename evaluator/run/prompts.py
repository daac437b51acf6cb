"""Prompt templates. DeepSeek-R1's protocol is the default: no system prompt, the problem followed by
the boxed-answer instruction. Templates use `{problem}` literally (no str.format: LaTeX has braces).

Per-contest prompts: with `--protocol matharena` each contest gets MathArena's instruction for it
(instruction, a blank line, the problem; AIME adds "The answer is an integer between 0 and 999
inclusive."), recorded in the run config. The DeepSeek protocol (one template for every contest) stays
the default, so existing AIME runs keep their run directories."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from evaluator.errors import TemplateError
from evaluator.types import ApiKind, Message, Problem, Request

PLACEHOLDER = "{problem}"


@dataclass(frozen=True)
class PromptTemplate:
    """`chat` templates become one user turn; `completions` templates are sent as a plain prompt."""

    name: str
    text: str
    kind: ApiKind = "chat"  # which API form the prompt takes: one user turn, or a plain prompt
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

PROTOCOLS = ("deepseek", "matharena")

_BOXED = "Please reason step by step, and put your final answer within \\boxed{}."
MATHARENA_INSTRUCTIONS: dict[str, str] = {
    # contest family (the set name's first part) -> MathArena's instruction (eth-sri/matharena configs,
    # as run by openbench's matharena tasks: instruction + "\n\n" + problem)
    "aime": _BOXED + "\nThe answer is an integer between 0 and 999 inclusive.",
    "hmmt": _BOXED,
    "brumo": _BOXED,
    "cmimc": _BOXED,
}


def contest_templates(protocol: str, contests: Iterable[str],
                      own_file: bool = False) -> tuple[tuple[str, PromptTemplate], ...]:
    """(contest, template) for each contest under `protocol`; empty for the DeepSeek protocol, whose one
    template (`--prompt-template`) serves every contest. A set MathArena never ran gets its plain
    instruction (the boxed one, no answer range) when it is the user's own file (`own_file`); a named set
    without an instruction raises TemplateError, as does an unknown protocol."""
    if protocol not in PROTOCOLS:
        raise TemplateError(f"unknown prompt protocol {protocol!r}: choose one of {', '.join(PROTOCOLS)}")
    if protocol == "deepseek":
        return ()
    templates = []
    for contest in contests:
        family = contest.split("-")[0]
        if family not in MATHARENA_INSTRUCTIONS and own_file:
            templates.append((contest, PromptTemplate("matharena-plain", f"{_BOXED}\n\n{PLACEHOLDER}")))
            continue
        if family not in MATHARENA_INSTRUCTIONS:
            raise TemplateError(f"{contest}: no MathArena instruction for this set (known: "
                                f"{', '.join(MATHARENA_INSTRUCTIONS)}); use --protocol deepseek or --prompt-template")
        text = f"{MATHARENA_INSTRUCTIONS[family]}\n\n{PLACEHOLDER}"
        templates.append((contest, PromptTemplate(f"matharena-{family}", text)))
    return tuple(templates)


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
