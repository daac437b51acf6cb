"""Protocol checks: did the run really follow its protocol? Computed after every run (and by `evaluate
score`), listed in summary.json as `"checks": [{"name", "passed", "detail"}]`, printed as warnings at
the end of a run and shown in the report. A clean run passes every one; each check names what it saw.

| name               | fails when                                                                          |
|--------------------|-------------------------------------------------------------------------------------|
| sampling_ignored   | temperature > 0, yet the samples of most problems are identical (same text)         |
| served_model       | the `model` the API returned differs from the one requested (aliases, re-routing)   |
| reasoning_channel  | thinking is expected (the prompt opens <think>, or the model is one that thinks in  |
|                    | the open) but no sample shows any; or reasoning arrives inside `content` for some   |
|                    | samples while others use the separate reasoning field                               |
| truncation         | more than 5% of samples hit max_tokens                                              |
| no_answer          | more than 10% of samples state no answer (status no_answer or truncated: what       |
|                    | rates.no_answer counts; a hedge is counted in rates.hedged, not here)               |
| errors             | samples failed for good (left in errors.jsonl)                                      |
| dataset            | the problem text is not a known copy of the named set, or the loader found defects  |
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, TypedDict

from evaluator.benchmarks.known_texts import known_text
from evaluator.types import Status

#: Share of problems with identical samples above which sampling counts as ignored.
IDENTICAL_SHARE = 0.5
#: Share of samples cut at max_tokens above which the limit is too low (5%: past that the cap, not the model, decides a visible share of the answers).
TRUNCATION_SHARE = 0.05
#: Share of samples without an answer above which extraction or the prompt is suspect.
NO_ANSWER_SHARE = 0.10
#: The statuses of a sample that states no answer: the ones summary.json's rates.no_answer counts, so the
#: check and the "no answer" the summary and report show are one number. A hedge ("5 or 7", "not 7") is left
#: out: the model stated values without committing to one, which no extractor or prompt fix changes.
NO_ANSWER_STATUSES: tuple[Status, ...] = ("no_answer", "truncated")
THINK_END = "</think>"
#: Models that always think in the open, whatever the prompt ends with: a run of one whose samples show no
#: reasoning lost it (a server without a reasoning parser that strips the block, a provider that drops it).
#: Matched against the preset name and the model id sent (a local preset sends its Hugging Face id).
#: OpenAI's o-series think too, but their API hides the reasoning (only its token count comes back).
VISIBLE_THINKERS = (
    re.compile(r"deepseek[-_ ]?r1", re.I),  # R1, R1-0528, R1-Zero, the R1 distills (preset and HF names)
    re.compile(r"deepseek-reasoner|r1-distill", re.I),
    re.compile(r"\bqwq\b|sky-t1", re.I),
)


class RunChecks(TypedDict):
    """The two fields `run_checks` adds to summary.json (evaluator.run.record_types.Summary)."""

    checks: list[dict[str, Any]]
    served_models: dict[str, int]


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


def _sampling_ignored(records: Sequence[Mapping[str, Any]], temperature: float) -> Check:
    by_problem: dict[str, list[str]] = {}
    for r in records:
        by_problem.setdefault(str(r["problem_id"]), []).append(f"{r.get('reasoning') or ''}\x00{r.get('response') or ''}")
    multi = {pid: texts for pid, texts in by_problem.items() if len(texts) > 1}
    if temperature <= 0:
        return Check("sampling_ignored", True, "temperature 0: identical samples are expected")
    if not multi:
        return Check("sampling_ignored", True, "fewer than two samples per problem: nothing to compare")
    same = sum(len(set(texts)) == 1 for texts in multi.values())
    detail = f"{same} of {len(multi)} problems have identical samples at temperature {temperature:g}"
    if same > IDENTICAL_SHARE * len(multi):
        return Check("sampling_ignored", False, detail + ": the server seems to ignore temperature/top_p/seed "
                     "(DeepSeek's API does); the k samples are one sample repeated, so cons@k and pass@k mean nothing")
    return Check("sampling_ignored", True, detail)


def _served_model(records: Sequence[Mapping[str, Any]], requested: str) -> Check:
    served = Counter(str(r["served_model"]) for r in records if r.get("served_model"))
    if not served:
        return Check("served_model", True, "the backend does not report which model served the samples")
    others = {name: n for name, n in served.items() if name != requested}
    if not others:
        return Check("served_model", True, f"every sample was served as {requested}")
    seen = ", ".join(f"{name} ({n} samples)" for name, n in served.most_common())
    return Check("served_model", False, f"requested {requested}, the server answered as {seen}: an alias or a "
                 "re-route; say which model the numbers are for")


def _reasoning_channel(records: Sequence[Mapping[str, Any]], expects_thinking: bool) -> Check:
    split = sum(1 for r in records if r.get("reasoning"))
    inline = sum(1 for r in records if THINK_END in str(r.get("response") or ""))
    n = len(records)
    if split and inline:
        return Check("reasoning_channel", False, f"{inline} of {n} samples carry their reasoning inside content "
                     f"while {split} use the separate reasoning field: the provider mixes channels")
    finished = sum(1 for r in records if r.get("finish_reason") != "length")
    if expects_thinking and not split and not inline and finished:
        return Check("reasoning_channel", False, f"thinking is expected (the prompt opens a <think> block, or the "
                     f"model thinks in the open) but none of the {finished} samples that finished has </think> or a "
                     "reasoning field: the provider drops the reasoning (or the model never closes it); answers "
                     "may come from reasoning text")
    if expects_thinking and not split and not inline:
        return Check("reasoning_channel", True, "every sample was cut before its thinking ended: cannot tell")
    if split:
        return Check("reasoning_channel", True, f"reasoning in a separate field ({split} of {n} samples)")
    if inline:
        return Check("reasoning_channel", True, f"reasoning inside content, closed by </think> ({inline} of {n} samples)")
    return Check("reasoning_channel", True, "no thinking expected and none seen")


def _truncation(records: Sequence[Mapping[str, Any]], max_tokens: int | None) -> Check:
    n = len(records)
    cut = sum(1 for r in records if r.get("finish_reason") == "length")
    share = cut / n if n else 0.0
    detail = f"{cut} of {n} samples ({100 * share:.1f}%) hit max_tokens={max_tokens}"
    if share > TRUNCATION_SHARE:
        advice = f"; raise --max-tokens (e.g. to {2 * max_tokens}) if the model's context allows" if max_tokens else ""
        return Check("truncation", False, detail + advice + "; `evaluate budget` shows how accuracy grows with tokens")
    return Check("truncation", True, detail)


def _no_answer(records: Sequence[Mapping[str, Any]]) -> Check:
    n = len(records)
    none = sum(1 for r in records if r.get("status") in NO_ANSWER_STATUSES)
    share = none / n if n else 0.0
    detail = f"{none} of {n} samples ({100 * share:.1f}%) state no answer"
    if share > NO_ANSWER_SHARE:
        return Check("no_answer", False, detail + ": read some in the report (truncation, a prompt without "
                     "\\boxed{}, or an answer format the extractor misses)")
    return Check("no_answer", True, detail)


def _errors(errors: int) -> Check:
    if errors:
        return Check("errors", False, f"{errors} sample(s) failed for good (errors.jsonl); run the same command "
                     "again to retry them")
    return Check("errors", True, "no failed samples")


def _dataset(dataset: str, content_hash: str, warnings: Sequence[str]) -> Check:
    has_known, copy = known_text(dataset, content_hash)
    if warnings:
        return Check("dataset", False, "; ".join(warnings))
    if has_known and copy is None:
        return Check("dataset", False, f"the text of {dataset} (hash {content_hash}) is none of its known copies: "
                     "a reworded or edited copy; numbers may not compare with published ones")
    if copy is not None:
        return Check("dataset", True, f"{dataset}: {copy}")
    return Check("dataset", True, f"no known copy of {dataset!r} to compare with (hash {content_hash})")


def thinks_in_the_open(config: Mapping[str, Any]) -> bool:
    """Whether the run's model (preset name or model id) is one of VISIBLE_THINKERS."""
    identity = config.get("identity") or {}
    backend = config.get("backend_config") or {}
    names = (config.get("model_name"), identity.get("model"), backend.get("model"))
    return any(pattern.search(str(name)) for name in names if name for pattern in VISIBLE_THINKERS)


def protocol_checks(
    records: Sequence[Mapping[str, Any]],
    config: Mapping[str, Any],
    errors: int = 0,
    dataset_warnings: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """The checks of a run from its sample records and its config.json, as summary.json stores them."""
    identity = config.get("identity") or {}
    backend = config.get("backend_config") or {}
    requested = str(backend.get("model") or identity.get("model") or "")
    expects = "<think>" in str(identity.get("assistant_prefix") or "") or thinks_in_the_open(config)
    max_tokens = identity.get("max_tokens")
    checks = (
        _sampling_ignored(records, float(identity.get("temperature") or 0.0)),
        _served_model(records, requested),
        _reasoning_channel(records, expects),
        _truncation(records, int(max_tokens) if max_tokens else None),
        _no_answer(records),
        _errors(errors),
        _dataset(str(identity.get("dataset") or ""), str(identity.get("dataset_hash") or ""), dataset_warnings),
    )
    return [asdict(c) for c in checks]


def run_checks(directory: Any, records: Sequence[Mapping[str, Any]], k: int, errors: int,
               dataset_warnings: Sequence[str] = ()) -> RunChecks:
    """summary.json's "checks" and "served_models" ({model id: samples}) for the samples with index < k."""
    from evaluator.run.store import load_config

    used = [r for r in records if int(r["sample"]) < k]
    served = Counter(str(r["served_model"]) for r in used if r.get("served_model"))
    return {"checks": protocol_checks(used, load_config(directory), errors, dataset_warnings),
            "served_models": dict(served.most_common())}
