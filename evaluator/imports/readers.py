"""Read other harnesses' generation dumps into one shape (`ForeignSample`), one reader per format.

A reader only reads: it does not grade, map problems or write anything. Each sample keeps where it
came from (`file:line` or `file: row N`) so every later error can name it, and keeps the dump's own
verdict and extracted answer so that our grader can be audited against theirs.

Formats (`--format`):
- `samples`: our own samples.jsonl.
- `qwen-math`: Qwen2.5-Math / SkyThought harness output (`math_eval.py --save_outputs`): one JSON
  object per problem with `idx`, `question`, `gt`, `code` (list of responses), `pred`, `score`
  (lists, one entry per response). Also the normalised rows of one sample each (`problem_id`,
  `sample`, `response`, `reported_correct`, `reported_pred`, `model`).
- `lighteval`: a lighteval details parquet (`details_<task>_<time>.parquet`). Up to 0.9 its columns
  are `example`/`full_prompt`, `predictions`, `gold`, `metrics`, `specifics`; from 0.10 they are
  `doc` (with `query`), `model_response` (with `text`) and `metric`.
- `matharena`: MathArena outputs (`MathArena/aime_2025_outputs`): `problem_idx`, `problem`,
  `model_name`, `idx_answer`, `answer` (the full response), `parsed_answer`, `correct`, tokens.
- `jsonl`: generic JSONL with `problem_id` (or `question`), optional `sample`, and `response`.

`READERS` (at the end of this module, after the readers it names) is the one table of formats:
`FORMATS = tuple(READERS)` is what `--format` accepts, lists in its errors and documents.

Adding a format:
1. write `_from_<name>(where, obj, path) -> list[ForeignSample]` here (it only reads; keep the
   dump's verdict and extracted answer as `reported_correct` / `reported_extracted`);
2. add `"<name>": _from_<name>` to `READERS` and describe its layout in the list above;
3. add a test in tests/imports/ on a small file written in that harness's layout;
4. add the name to `--format`'s help text (`FormatHelp` in evaluator/cli/_imports.py; tests/imports/
   test_readers_table.py checks it) and its fields to `SIGNATURES` in evaluator/imports/detect.py.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluator._safe_text import safe_repr
from evaluator._suggest import did_you_mean
from evaluator.benchmarks.records import read_json_records
from evaluator.errors import ImportFileError

_MAX_INDEX = 1_000_000  # a sample index past this is a broken dump, not a run (DeepSeek-R1 uses 64)


@dataclass(frozen=True)
class ForeignSample:
    """One response from a dump, before its problem is known for sure.

    `problem_id` is the dump's own id when it has one we can trust; otherwise `question` (the text
    the model saw, possibly wrapped in a prompt) is matched against the benchmark.
    """

    where: str
    response: str
    problem_id: str | None = None
    question: str | None = None
    sample: int | None = None
    finish_reason: str | None = None
    reported_correct: bool | None = None
    reported_extracted: str | None = None
    model: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


Reader = Callable[[str, Mapping[str, Any], Path], list[ForeignSample]]
"""(where, one row of the file, the file) -> the responses in that row."""


def read_foreign(path: Path, fmt: str) -> list[ForeignSample]:
    """Every response in `path` read as format `fmt` (one of FORMATS), in file order.

    Raises ImportFileError for an unknown format, a missing file, a malformed row, or a file in which
    the format finds no response."""
    reader = READERS.get(fmt)
    if reader is None:
        raise ImportFileError(f"unknown import format {fmt!r}: {did_you_mean(fmt, FORMATS)}"
                              f"choose one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    found = [s for where, obj in _records(path) for s in reader(where, obj, path)]
    if not found:
        raise ImportFileError(f"{path}: no responses found (is --format {fmt} right?)")
    return found


def first_row(path: Path) -> Mapping[str, Any] | None:
    """The file's first row (for telling its format), None for an empty file."""
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    return next((obj for _, obj in _records(path)), None)


def _records(path: Path) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(where, object) for each row of a .jsonl, .json (a list) or .parquet file."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            rows = pq.read_table(path).to_pylist()
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise ImportFileError(
                f"{path}: not a readable parquet file ({exc.__class__.__name__}: {exc})"
            ) from exc
        for i, row in enumerate(rows, 1):
            yield f"{path}: row {i}", row
        return
    for where, obj in read_json_records(path, ImportFileError):
        yield where, _mapping(obj, where)


def _mapping(obj: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(obj, Mapping):
        raise ImportFileError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    return obj


def _text(obj: Mapping[str, Any], key: str, where: str, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise ImportFileError(f"{where}: missing field {key!r}")
        return None
    if not isinstance(value, str):
        raise ImportFileError(f"{where}: field {key!r} must be a string, got {type(value).__name__}")
    return value


def _index(value: Any, where: str, key: str) -> int | None:
    if value is None:
        return None
    # isascii: "²" and "٣" are digits to str.isdigit but not to int(); past _MAX_INDEX a row would
    # make a run of millions of empty samples
    if isinstance(value, bool) or not (
        (isinstance(value, int) and value >= 0)
        or (isinstance(value, str) and value.strip().isascii() and value.strip().isdigit())
    ) or int(value) > _MAX_INDEX:
        raise ImportFileError(
            f"{where}: field {key!r} must be an integer from 0 to {_MAX_INDEX}, got {safe_repr(value)}"
        )
    return int(value)


def _verdict(value: Any) -> bool | None:
    """A dump's verdict as a bool: True/False, 1/0, 1.0/0.0; anything else is unknown (None)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    return None


def _answer_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return _answer_text(value[0]) if len(value) == 1 else json.dumps(list(value), ensure_ascii=False)
    return str(value)


def _listed(value: Any, where: str, key: str) -> list[Any]:
    """A list field; also accepts the string form some writers store (JSON or Python literal)."""
    if isinstance(value, str):
        parsed = _literal(value)
        value = [value] if parsed is None else parsed
    if not isinstance(value, list | tuple):
        raise ImportFileError(f"{where}: field {key!r} must be a list, got {type(value).__name__}")
    return list(value)


def _from_samples(where: str, obj: Mapping[str, Any], path: Path) -> list[ForeignSample]:
    keep = ("prompt_tokens", "completion_tokens", "reasoning_tokens", "latency_s", "reasoning")
    return [
        ForeignSample(
            where,
            _text(obj, "response", where) or "",
            problem_id=str(_required(obj, "problem_id", where)),
            sample=_index(_required(obj, "sample", where), where, "sample"),
            finish_reason=_text(obj, "finish_reason", where, required=False),
            reported_correct=_verdict(obj.get("correct")),
            reported_extracted=_answer_text(obj.get("extracted")),
            extra={k: obj[k] for k in keep if obj.get(k) is not None},
        )
    ]


def _required(obj: Mapping[str, Any], key: str, where: str) -> Any:
    if obj.get(key) is None:
        raise ImportFileError(f"{where}: missing field {key!r}")
    return obj[key]


def _from_qwen_math(where: str, obj: Mapping[str, Any], path: Path) -> list[ForeignSample]:
    if "code" not in obj:  # normalised: one sample per line
        if "response" not in obj:
            raise ImportFileError(f"{where}: neither 'code' (harness output) nor 'response' (normalised row)")
        return [
            ForeignSample(
                where,
                _text(obj, "response", where) or "",
                problem_id=_optional_id(obj),
                question=_text(obj, "question", where, required=False),
                sample=_index(obj.get("sample"), where, "sample"),
                reported_correct=_verdict(obj.get("reported_correct")),
                reported_extracted=_answer_text(obj.get("reported_pred")),
                model=_text(obj, "model", where, required=False),
                extra={k: obj[k] for k in ("likely_truncated", "qwen_idx") if k in obj},
            )
        ]
    question = _text(obj, "question", where)
    codes = _listed(obj["code"], where, "code")
    preds = _listed(obj.get("pred", []), where, "pred")
    scores = _listed(obj.get("score", []), where, "score")
    for key, values in (("pred", preds), ("score", scores)):
        if values and len(values) != len(codes):
            raise ImportFileError(f"{where}: {len(codes)} responses in 'code' but {len(values)} in {key!r}")
    samples = []
    for i, code in enumerate(codes):
        if not isinstance(code, str):
            raise ImportFileError(f"{where}: 'code' item {i} must be a string, got {type(code).__name__}")
        samples.append(
            ForeignSample(
                where,
                code,
                question=question,
                sample=i,
                reported_correct=_verdict(scores[i]) if scores else None,
                reported_extracted=_answer_text(preds[i]) if preds else None,
                extra={"harness_idx": obj.get("idx")},
            )
        )
    return samples


def _optional_id(obj: Mapping[str, Any]) -> str | None:
    value = obj.get("problem_id", obj.get("id"))
    return None if value is None or str(value).strip() == "" else str(value).strip()


def _from_jsonl(where: str, obj: Mapping[str, Any], path: Path) -> list[ForeignSample]:
    problem_id = _optional_id(obj)
    question = _text(obj, "question", where, required=False) or _text(obj, "problem", where, required=False)
    if problem_id is None and question is None:
        raise ImportFileError(f"{where}: needs 'problem_id' or 'question' to know which problem it answers")
    correct = obj.get("reported_correct", obj.get("correct"))
    extracted = obj.get("reported_extracted", obj.get("extracted", obj.get("pred")))
    return [
        ForeignSample(
            where,
            _text(obj, "response", where) or "",
            problem_id=problem_id,
            question=question,
            sample=_index(obj.get("sample"), where, "sample"),
            finish_reason=_text(obj, "finish_reason", where, required=False),
            reported_correct=_verdict(correct),
            reported_extracted=_answer_text(extracted),
            model=_text(obj, "model", where, required=False),
        )
    ]


_EXAM_IN_NAME = re.compile(r"aime_(\d{4})(?:_(I{1,2}))?(?![\dI])", re.IGNORECASE)


def _from_matharena(where: str, obj: Mapping[str, Any], path: Path) -> list[ForeignSample]:
    response = _text(obj, "answer", where, required=False)
    if not response and obj.get("all_messages"):
        messages = _listed(obj["all_messages"], where, "all_messages")
        replies = [
            m.get("content", "") for m in messages if isinstance(m, Mapping) and m.get("role") == "assistant"
        ]
        response = replies[-1] if replies else None
    if response is None:
        raise ImportFileError(f"{where}: missing field 'answer' (MathArena stores the full response there)")
    usage = {"prompt_tokens": obj.get("input_tokens"), "completion_tokens": obj.get("output_tokens")}
    return [
        ForeignSample(
            where,
            response,
            problem_id=_matharena_id(obj.get("problem_idx"), path.name),
            question=_text(obj, "problem", where, required=False),
            sample=_index(obj.get("idx_answer"), where, "idx_answer"),
            reported_correct=_verdict(obj.get("correct")),
            reported_extracted=_answer_text(obj.get("parsed_answer")),
            model=_text(obj, "model_name", where, required=False),
            extra={k: v for k, v in usage.items() if v is not None},
        )
    ]


def _matharena_id(problem_idx: Any, name_hint: str) -> str | None:
    """`2025-I-3` from problem_idx 3 in a file named like aime_2025_I...; None when the name does not
    say the year (the text is matched instead). In a combined aime_2025 set, 16-30 are exam II."""
    m = _EXAM_IN_NAME.search(name_hint)
    if m is None or problem_idx is None or not str(problem_idx).strip().isdigit():
        return None
    idx = int(str(problem_idx))
    if m[2]:
        return f"{m[1]}-{m[2].upper()}-{idx}"
    return f"{m[1]}-I-{idx}" if idx <= 15 else f"{m[1]}-II-{idx - 15}"


def _from_lighteval(where: str, obj: Mapping[str, Any], path: Path) -> list[ForeignSample]:
    if "model_response" in obj:  # lighteval >= 0.10
        doc = obj.get("doc") or {}
        texts = _listed((obj.get("model_response") or {}).get("text", []), where, "model_response.text")
        question = doc.get("query") if isinstance(doc, Mapping) else None
        metrics = obj.get("metric") or {}
        specifics = (doc.get("specific") if isinstance(doc, Mapping) else None) or {}
    elif "predictions" in obj:  # lighteval <= 0.9
        texts = _listed(obj["predictions"], where, "predictions")
        question = obj.get("example") or obj.get("full_prompt")
        metrics = obj.get("metrics") or {}
        specifics = obj.get("specifics") or {}
    else:
        raise ImportFileError(
            f"{where}: not a lighteval details row (no 'predictions' or 'model_response' column)"
        )
    if not isinstance(question, str) or not question.strip():
        raise ImportFileError(
            f"{where}: no question text (lighteval 'example'/'doc.query') to identify the problem"
        )
    if isinstance(metrics, str):
        metrics = _parsed_dict(metrics)
    if isinstance(specifics, str):
        specifics = _parsed_dict(specifics)
    verdict = _single_verdict(metrics) if len(texts) == 1 else None
    extracted = specifics.get("extracted_predictions") if isinstance(specifics, Mapping) else None
    samples = []
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise ImportFileError(f"{where}: prediction {i} must be a string, got {type(text).__name__}")
        reported = (
            _answer_text(extracted[i])
            if isinstance(extracted, list) and len(extracted) == len(texts)
            else None
        )
        samples.append(
            ForeignSample(
                where,
                text,
                question=question,
                sample=i,
                reported_correct=verdict,
                reported_extracted=reported,
            )
        )
    return samples


def _parsed_dict(text: str) -> dict[str, Any]:
    value = _literal(text)
    return value if isinstance(value, dict) else {}


_LITERAL_MAX_CHARS = 1 << 20


def _literal(text: str) -> Any:
    """A JSON or Python literal (lists/dicts stored as strings by some writers), or None when the text
    is not one. `ast.literal_eval` runs no code, but deep nesting and huge inputs can exhaust the
    interpreter, so both are bounded and their failures mean "not a literal"."""
    try:
        return json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        pass
    if len(text) > _LITERAL_MAX_CHARS:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _single_verdict(metrics: Any) -> bool | None:
    """The per-sample verdict of a one-prediction row: its only 0/1 metric, else None (unknown)."""
    if not isinstance(metrics, Mapping):
        return None
    verdicts = [v for v in (_verdict(x) for x in metrics.values()) if v is not None]
    return verdicts[0] if len(verdicts) == 1 else None


READERS: dict[str, Reader] = {
    "samples": _from_samples,
    "qwen-math": _from_qwen_math,
    "lighteval": _from_lighteval,
    "matharena": _from_matharena,
    "jsonl": _from_jsonl,
}
"""Every `--format`, in the order the CLI lists them, with its reader. See "Adding a format" above."""

FORMATS: tuple[str, ...] = tuple(READERS)
