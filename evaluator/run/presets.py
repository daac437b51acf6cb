"""Model presets: what `--model NAME` really runs. A table, listed by `evaluate models`.

Each preset carries the provider's constraints (docs/models.md has the sources), so that
`backend_config(preset, **cli_overrides)` produces a BackendConfig that the provider accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from evaluator.errors import BackendError
from evaluator.run.prompts import PLACEHOLDER, build_request
from evaluator.run.prompts import PRESETS as TEMPLATES
from evaluator.types import ApiKind, BackendConfig, BackendKind, Problem

OPENROUTER = "https://openrouter.ai/api/v1"
DEEPSEEK_API = "https://api.deepseek.com"
OPENAI_API = "https://api.openai.com/v1"
LOCAL_SERVER = "http://127.0.0.1:8000/v1"  # `vllm serve` default port
THINK = "<think>\n"


@dataclass(frozen=True, kw_only=True)
class ModelPreset:
    """A named model: the backend that runs it, the id it is sent as, and what the user must know."""

    name: str
    backend: BackendKind
    model: str  # id sent to the server / loaded by vLLM
    description: str
    base_url: str | None = None
    api_key_env: str | None = None
    api: ApiKind = "chat"
    warning: str | None = None
    # --- appended: weights and provider constraints ---
    hf_id: str | None = None  # Hugging Face weights: used by --backend vllm and by your own --base-url server
    temperature: float = 0.6  # DeepSeek's protocol: 0.6 / 0.95 / 32768, no system prompt
    top_p: float = 0.95
    max_tokens: int = 32768
    assistant_prefix: str = THINK  # forced start of the assistant turn, where the endpoint allows it
    samples_per_request: int = 1  # the API's `n`
    use_max_completion_tokens: bool = False
    send_temperature: bool = True
    send_seed: bool = True
    continue_final_message: bool = False
    extra_body_json: str = ""


def _local(name: str, hf_id: str, description: str, **kw: object) -> ModelPreset:
    """A DeepSeek open-weights model served by your own `vllm serve` (or `--backend vllm`)."""
    values: dict[str, object] = dict(
        base_url=LOCAL_SERVER, hf_id=hf_id, samples_per_request=8, continue_final_message=True
    )
    values.update(kw)
    return ModelPreset(
        name=name, backend="openai", model=hf_id, description=description, **values  # type: ignore[arg-type]
    )


def _openai_reasoning(name: str, description: str) -> ModelPreset:
    """OpenAI o-series: max_completion_tokens, no temperature/top_p, reasoning hidden (only counted)."""
    return ModelPreset(
        name=name, backend="openai", model=name, description=description, base_url=OPENAI_API,
        api_key_env="OPENAI_API_KEY", temperature=1.0, top_p=1.0, assistant_prefix="", use_max_completion_tokens=True,
        send_temperature=False,
    )  # fmt: skip


PRESETS: tuple[ModelPreset, ...] = (
    ModelPreset(
        name="mock", backend="mock", model="mock",
        description="Offline mock, no model: R1-style responses; 0.7 is the success rate of the median problem "
        "(mock:0.9 sets it), spread by difficulty, so pass@1 is 46% on demo and 61% on aime-2024 (mock:0.9: "
        "69% and 76%); mock:0.7:0.2 adds 0.2 s per sample, --concurrency at once",
    ),
    ModelPreset(
        name="deepseek-r1", backend="openai", model="deepseek/deepseek-r1",
        description="DeepSeek-R1 (original Jan 2025 671B weights) via OpenRouter; --backend vllm or --base-url "
        "runs deepseek-ai/DeepSeek-R1 on your own hardware",
        base_url=OPENROUTER, api_key_env="OPENROUTER_API_KEY", hf_id="deepseek-ai/DeepSeek-R1",
        extra_body_json='{"include_reasoning": true}',
        warning="OpenRouter routes to third-party hosts; their quantization may differ (pin with "
        '--extra-body \'{"provider": {"quantizations": ["fp8"]}}\')',
    ),
    ModelPreset(
        name="deepseek-reasoner", backend="openai", model="deepseek-reasoner",
        description="DeepSeek's own API model deepseek-reasoner (thinking mode of the current DeepSeek-V3.x)",
        base_url=DEEPSEEK_API, api_key_env="DEEPSEEK_API_KEY", assistant_prefix="", send_temperature=False,
        send_seed=False, max_tokens=32768,
        warning="not DeepSeek-R1: since August 2025 deepseek-reasoner serves newer V3.x thinking models "
        "(V3.1, then V3.2); use --model deepseek-r1 for R1. temperature/top_p are ignored by this API",
    ),
    _local("deepseek-r1-0528", "deepseek-ai/DeepSeek-R1-0528",
           "DeepSeek-R1-0528 (May 2025 update, 671B) on your own vllm serve / --backend vllm",
           assistant_prefix=""),
    # R1-Zero: the paper's Table 1 template ends at "Assistant:" and nothing follows it. DeepSeek's advice
    # to force "<think>\n" is for R1 and the distills, never R1-Zero (docs/reproducing.md).
    _local("deepseek-r1-zero", "deepseek-ai/DeepSeek-R1-Zero",
           "DeepSeek-R1-Zero (RL without SFT, 671B), plain completions with the R1-Zero template",
           api="completions", assistant_prefix=""),
    _local("r1-distill-qwen-1.5b", "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B", "R1 distilled into Qwen2.5-Math-1.5B"),
    _local("r1-distill-qwen-7b", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "R1 distilled into Qwen2.5-Math-7B"),
    _local("r1-distill-llama-8b", "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "R1 distilled into Llama-3.1-8B"),
    _local("r1-distill-qwen-14b", "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B", "R1 distilled into Qwen2.5-14B"),
    _local("r1-distill-qwen-32b", "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B", "R1 distilled into Qwen2.5-32B"),
    _local("r1-distill-llama-70b", "deepseek-ai/DeepSeek-R1-Distill-Llama-70B",
           "R1 distilled into Llama-3.3-70B-Instruct"),
    _openai_reasoning("o1", "OpenAI o1 (reasoning hidden; only its token count is returned)"),
    _openai_reasoning("o3-mini", "OpenAI o3-mini (reasoning hidden; add reasoning_effort with --extra-body)"),
    _openai_reasoning("o4-mini", "OpenAI o4-mini (reasoning hidden)"),
)  # fmt: skip


def default_template(api: ApiKind) -> str:
    """The prompt template used unless `--prompt-template` says otherwise: R1-Zero's plain-text
    template (paper, Table 1) on the completions API, the boxed-answer user turn on chat."""
    return "r1-zero" if api == "completions" else "r1"


def prefix_is_forced(config: BackendConfig) -> bool:
    """Whether the backend really makes the assistant turn start with the request's assistant prefix:
    the completions API appends it to the prompt, vLLM in-process renders it after the chat template,
    a chat endpoint only with vLLM's `continue_final_message` (backends/openai_api.py, `_parse`)."""
    return config.kind != "openai" or config.api == "completions" or config.continue_final_message


def prompt_ending(preset: ModelPreset, chars: int = 36) -> str:
    """The end of the prompt `preset` really sends (its default template and backend), quoted, with the
    problem shown as `{problem}` and newlines as `\\n`; `evaluate models` lists it. Examples:
    R1-Zero `"…User: {problem}. Assistant:"` (nothing follows the colon); a distill
    `"…within \\boxed{}." ⟶ assistant: "<think>\\n"`."""
    config = backend_config(preset)
    template = TEMPLATES[default_template(config.api)]
    request = build_request(Problem("p", PLACEHOLDER, 0), template, (0,), preset.assistant_prefix)
    asked = request.assistant_prefix
    forced = asked if prefix_is_forced(config) else ""

    def quoted(text: str) -> str:
        shown = text.replace("\n", "\\n")
        return '"' + (shown if len(shown) <= chars else "…" + shown[-chars:]) + '"'

    if request.prompt is not None:  # plain completions: the model continues this very text
        return quoted(request.prompt + forced)
    if forced:
        start = quoted(forced)
    elif asked:
        start = f"(not forced: {quoted(asked)} needs continue_final_message; the host's template decides)"
    else:
        start = "(nothing forced)"
    return f"{quoted(request.messages[-1].content)} ⟶ assistant: {start}"


def find_preset(name: str) -> ModelPreset | None:
    """The preset called `name` or serving the HF id `name` (`mock:0.7` is the mock preset), or None."""
    base = name.split(":", 1)[0] if name.startswith("mock") else name
    return next((p for p in PRESETS if p.name == base), None) or next(
        (p for p in PRESETS if p.hf_id == name), None
    )


def backend_config(
    preset: ModelPreset,
    *,
    backend: BackendKind | None = None,
    base_url: str | None = None,
    api_key_env: str | None = None,
    api: ApiKind | None = None,
    **overrides: object,
) -> BackendConfig:
    """The BackendConfig for `preset` with the CLI's overrides (None = keep the preset's value).

    `--backend vllm` loads the preset's Hugging Face weights in-process. `--base-url` pointing
    somewhere else than the preset's provider means your own server (e.g. `vllm serve HF_ID`): the
    model is then sent as the HF id, vLLM's prefill is used, the provider's quirks are dropped, and
    the provider's key variable is *not* sent to that server (OPENAI_API_KEY, or --api-key-env).
    Other keyword overrides (concurrency, samples_per_request, ...) are BackendConfig fields.
    """
    kind = backend or preset.backend
    if base_url is not None and urlsplit(base_url).scheme not in ("http", "https"):
        raise BackendError(f"--base-url {base_url}: give the full URL, e.g. http://127.0.0.1:8000/v1")
    own_server = base_url is not None and base_url.rstrip("/") != (preset.base_url or "").rstrip("/")
    config = BackendConfig(
        kind=kind,
        model=preset.model,
        base_url=preset.base_url,
        api_key_env=preset.api_key_env,
        api=preset.api,
        samples_per_request=preset.samples_per_request,
        use_max_completion_tokens=preset.use_max_completion_tokens,
        send_temperature=preset.send_temperature,
        send_seed=preset.send_seed,
        continue_final_message=preset.continue_final_message,
        extra_body_json=preset.extra_body_json,
    )
    if kind == "vllm" and preset.hf_id:
        config = replace(config, model=preset.hf_id, base_url=None, api_key_env=None)
    if own_server:
        config = replace(
            config,
            model=preset.hf_id or preset.model,
            base_url=base_url,
            api_key_env=None,
            continue_final_message=bool(preset.hf_id),
            send_temperature=True if preset.hf_id else config.send_temperature,
            send_seed=True,
            extra_body_json="",
            samples_per_request=max(config.samples_per_request, 8)
            if preset.hf_id
            else config.samples_per_request,
        )
    chosen = {k: v for k, v in dict(api_key_env=api_key_env, api=api, **overrides).items() if v is not None}
    return replace(config, **chosen)  # type: ignore[arg-type]


def config_for_model(name: str, *, backend: BackendKind | None = None, **overrides: object) -> BackendConfig:
    """A preset's config, or for an unknown name (any served model id / local HF dir) a plain one."""
    preset = find_preset(name)
    if preset is not None:
        return backend_config(preset, backend=backend, **overrides)  # type: ignore[arg-type]
    adhoc = ModelPreset(name=name, backend=backend or "openai", model=name, description="ad hoc",
                        assistant_prefix="")
    return backend_config(adhoc, backend=backend, **overrides)  # type: ignore[arg-type]


def judge_backend_config(model: str, base_url: str | None, api_key_env: str | None) -> BackendConfig:
    """The OpenAI-compatible backend config for the judge: a preset's, or an ad-hoc model id on `base_url`."""
    preset = find_preset(model)
    if preset is None:
        if base_url is None:
            raise BackendError(f"--judge {model}: not a preset; give --judge-base-url URL (an OpenAI-compatible server)")
        preset = ModelPreset(name=model, backend="openai", model=model, description="judge", assistant_prefix="")
    config = backend_config(preset, backend="openai", base_url=base_url, api_key_env=api_key_env)
    if config.kind != "openai":
        raise BackendError(f"--judge {model}: the judge runs through the OpenAI-compatible API only")
    return config
