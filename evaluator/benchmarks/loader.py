"""Load a benchmark by name or path, and check it against the registry of official answers.

Text comes, in this order, from: a file given as `--dataset PATH`; a data directory (`--data-dir` or
$AIME_EVAL_DATA_DIR) holding files named like `aime_2024.jsonl`; the Hugging Face hub through
`datasets.load_dataset(repo, revision=PIN)`. Every loaded set is checked: bad rows are errors naming
the file and line; known defects of popular copies are warnings. A problem that circulates in two
wordings with different keys (2026-II-10) is graded against the key of the wording that was loaded.

Hub pins: a community PR once vandalised a MathArena repo's metadata, so the newer MathArena sets are
loaded only at a pinned commit (`SetInfo.hub_revisions`, or $AIME_EVAL_HUB_REVISIONS =
"MathArena/aime_2026=<40-hex sha>,..." for a commit the user has vetted) and always checked against
the shipped keys. `--dataset a,b` and group names load collections (`benchmarks.collections`).
"""

from __future__ import annotations

import functools
import os
import re
import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from evaluator._suggest import did_you_mean
from evaluator.benchmarks.benchmark import Benchmark, HubLoader, content_hash
from evaluator.benchmarks.collections import load_collection
from evaluator.benchmarks.records import read_json_records
from evaluator.benchmarks.registry import (
    GROUPS,
    NAMES,
    Key,
    RegistryEntry,
    RegistrySet,
    demo_rows,
    id_sort_key,
    registry_set,
    set_for_ids,
)
from evaluator.errors import DatasetError
from evaluator.types import Problem

DATA_DIR_ENV = "AIME_EVAL_DATA_DIR"
HUB_REVISIONS_ENV = "AIME_EVAL_HUB_REVISIONS"
_SHA = re.compile(r"[0-9a-f]{40}")
FILE_SUFFIXES = (".jsonl", ".json", ".parquet")



@dataclass(frozen=True)
class _Row:
    """One problem as read, before checking; `where` names the file and line for error messages."""

    id: str
    problem: str
    answer: Any
    accepted: tuple[Any, ...]
    where: str


# Known defects of popular copies (shared/data/PROVENANCE.md): id, test on the text, warning.
_TEXT_DEFECTS: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    (
        "2024-II-8",
        lambda text: text.count("outside") >= 2 and "inside" not in text,
        "2024-II-8 has the AI-MO typo (both cases 'outside'): the problem is ill-posed as written; "
        "the official text says 'inside ... internally tangent' for r_i",
    ),
    (
        "2026-I-10",
        lambda text: "perpendicular $\\overline{BC}" in text or "${}\\overline{AC}$" in text,
        "2026-I-10 has the math-ai/aime26 transcription slip ('AC is perpendicular BC'; official: "
        "A'C' is perpendicular to BC); the answer (156) is unaffected",
    ),
    (
        "2026-I-13",
        lambda text: "502n+r" in text.replace(" ", "") or "positive integer $r$" in text,
        "2026-I-13 has the math-ai/aime26 transcription slips ('positive integer r', sum index m with term "
        "502n+r; official: nonnegative r, 502m+r); the answer (39) is unaffected",
    ),
)

# Field names of the formats we read: ours / custom, MathArena, HuggingFaceH4, Maxwell-Jia.
_PROBLEM_KEYS = ("problem", "Problem", "question")
_ANSWER_KEYS = ("answer", "Answer")
_AOPS_URL = re.compile(r"(\d{4})_AIME_(I{1,2})_Problems/Problem_(\d+)")
_EXAM_IN_NAME = re.compile(r"aime_(\d{4})(?:_(I{1,2}))?(?![\dI])", re.IGNORECASE)
_CONTEST_IN_NAME = re.compile(r"(hmmt_feb|hmmt_nov|brumo|cmimc)_(\d{4})", re.IGNORECASE)  # MathArena names


def _is(path: Path, kind: Callable[[Path], bool]) -> bool:
    """`kind(path)` (Path.is_file, Path.is_dir), False for a name the system cannot look up at all
    (longer than 255 bytes: "File name too long")."""
    try:
        return kind(path)
    except OSError:
        return False


def load_benchmark(spec: str, data_dir: Path | None = None, hub_loader: HubLoader | None = None) -> Benchmark:
    """Load a named set (`aime-2024`, `demo`, ...), a collection (`aime-2025,aime-2026` or a group name
    such as `aime-2024-2026`) or a file, checked against the registry. Raises DatasetError."""
    is_file = _is(Path(spec).expanduser(), Path.is_file)  # an existing file wins, whatever its name holds ("a,b")
    if not is_file and ("," in spec or "+" in spec or spec in GROUPS):  # "a+b": how a collection run is named
        return load_collection(spec, lambda name: load_benchmark(name, data_dir, hub_loader))
    path = Path(spec).expanduser()
    if data_dir is not None and not Path(data_dir).is_dir():
        raise DatasetError(f"--data-dir {data_dir}: no such folder (give the folder that holds aime_2024.jsonl etc.)")
    if spec not in NAMES and _is(path, Path.is_dir):
        raise DatasetError(f"--dataset {spec} is a directory; give a file (.jsonl/.json/.parquet), "
                           f"or use --data-dir {spec} with a set name such as aime-2024")
    if spec.endswith(FILE_SUFFIXES) or is_file:
        if not is_file:
            raise DatasetError(f"{spec}: no such file (give a .jsonl/.json/.parquet path or one of: {', '.join(NAMES)})")
        rows = read_rows(path)
        return _build(path.stem, rows, str(path.resolve()), set_for_ids([r.id for r in rows]), strict_set=False)
    if spec not in NAMES:
        known = [*NAMES, *GROUPS]
        raise DatasetError(f"unknown dataset {spec!r}: {did_you_mean(spec, known)}choose one of {', '.join(known)}, "
                           "a comma list of them, or give a file path")
    registry = registry_set(spec)
    if spec == "demo":
        rows = [_row(raw, f"demo:{i}") for i, raw in enumerate(demo_rows(), 1)]
        return _build(spec, rows, "evaluator/registry/demo.jsonl", registry, strict_set=True)
    data_dir = data_dir or (Path(os.environ[DATA_DIR_ENV]) if os.environ.get(DATA_DIR_ENV) else None)
    if data_dir is not None and not data_dir.is_dir():
        raise DatasetError(f"${DATA_DIR_ENV}={data_dir}: no such folder; fix or unset it")
    if data_dir is not None and registry.data_file and (data_dir / registry.data_file).is_file():
        local = data_dir / registry.data_file
        return _build(spec, read_rows(local), str(local), registry, strict_set=True)
    return _load_from_hub(spec, registry, hub_loader or _hub_load, data_dir)


def read_rows(path: Path) -> list[_Row]:
    """Rows of a .jsonl, .json or .parquet file, in any known format; errors name the line."""
    if path.suffix == ".parquet":
        try:
            return _rows_from_records(_load_parquet(path), str(path), path.name)
        except OSError as exc:
            raise DatasetError(f"{path}: cannot read ({exc.__class__.__name__}: {exc})") from exc
    return [_row(obj, where, path.name) for where, obj in read_json_records(path, DatasetError, "problems")]


def _rows_from_records(items: Iterable[Any], origin: str, name_hint: str) -> list[_Row]:
    return [_row(obj, f"{origin}: row {i}", name_hint) for i, obj in enumerate(items, 1)]


def _row(obj: Any, where: str, name_hint: str = "") -> _Row:
    if not isinstance(obj, Mapping):
        raise DatasetError(f"{where}: expected a JSON object with id, problem and answer")
    problem = next((obj[k] for k in _PROBLEM_KEYS if k in obj), None)
    answer = next((obj[k] for k in _ANSWER_KEYS if k in obj), None)
    problem_id = _row_id(obj, where, name_hint)
    for field, value in (("problem", problem), ("answer", answer)):
        if value is None or (isinstance(value, str) and not value.strip()):
            raise DatasetError(f"{where}: missing field '{field}' (each problem needs id, problem and answer)")
    if not isinstance(problem, str):
        raise DatasetError(f"{where}: 'problem' must be a string")
    accepted = obj.get("accepted_answers") or obj.get("accepted") or ()
    if not isinstance(accepted, list | tuple):
        raise DatasetError(f"{where}: 'accepted_answers' must be a list")
    if isinstance(answer, list):  # MathArena stores a multi-part key as a list: our keys are its comma text
        answer = ", ".join(str(a) for a in answer)
    return _Row(problem_id, problem, answer, tuple(accepted), where)


def _row_id(obj: Mapping[str, Any], where: str, name_hint: str) -> str:
    if isinstance(obj.get("url"), str) and (m := _AOPS_URL.search(obj["url"])):  # HuggingFaceH4 (AI-MO copy)
        return f"{m[1]}-{m[2]}-{int(m[3])}"
    if "problem_idx" in obj and (c := _CONTEST_IN_NAME.search(name_hint)):  # MathArena HMMT, BRUMO, CMIMC
        return f"{c[1].lower().replace('_', '-')}-{c[2]}-{int(obj['problem_idx'])}"
    if "problem_idx" in obj:  # MathArena: the exam is in the dataset's name
        m = _EXAM_IN_NAME.search(name_hint)
        if not m:
            raise DatasetError(f"{where}: rows have 'problem_idx' but the name {name_hint!r} does not say which "
                               "exam (name the file like aime_2024_I.parquet)")
        idx = int(obj["problem_idx"])
        exam = m[2] or ("I" if idx <= 15 else "II")
        return f"{m[1]}-{exam}-{idx if m[2] or idx <= 15 else idx - 15}"
    for key in ("id", "ID", "problem_id"):
        if key in obj and str(obj[key]).strip():
            return str(obj[key]).strip()
    raise DatasetError(f"{where}: missing field 'id' (each problem needs id, problem and answer)")


def _build(name: str, rows: list[_Row], origin: str, registry: RegistrySet | None, strict_set: bool) -> Benchmark:
    if not rows:
        raise DatasetError(f"{origin}: the dataset is empty")
    warnings: list[str] = []
    seen: dict[str, str] = {}
    for row in rows:
        if row.id in seen:
            raise DatasetError(f"{row.where}: duplicate id {row.id!r} (first at {seen[row.id]})")
        seen[row.id] = row.where
    known = registry.by_id() if registry else {}
    missing = [e.id for e in registry.entries if e.id not in seen] if registry else []
    if missing and registry and not strict_set:
        warnings.append(f"{origin}: has {len(seen)} of the {len(known)} problems of {registry.name} "
                        f"(missing: {', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}); "
                        "the metrics cover only the problems in the file")
    if strict_set and registry:
        unknown = [r for r in rows if r.id not in known]
        if unknown:
            raise DatasetError(f"{unknown[0].where}: id {unknown[0].id!r} is not in {registry.name}")
        if missing:
            raise DatasetError(f"{origin}: {len(missing)} problem(s) of {registry.name} missing: {', '.join(missing[:5])}")
    problems = []
    for row in rows:
        entry = known.get(row.id)
        aime = _looks_aime(row.id) or (entry is not None and isinstance(entry.answer, int) and registry is not None
                                       and registry.answer_type == "integer")
        answer = _answer(row.answer, row.where, aime=aime)
        accepted = tuple(_answer(a, row.where, aime=isinstance(answer, int)) for a in row.accepted)
        if entry is not None and entry.answer is not None:
            key, key_accepted, note = _key_for_text(entry, row)
            if not any(_same_key(answer, k) for k in (key, *key_accepted)):
                raise DatasetError(f"{row.where}: answer {row.answer!r} for {row.id} disagrees with the official "
                                   f"answer {key} (registry {registry.name if registry else ''}); fix the file")
            answer, accepted = key, key_accepted
            if note:
                warnings.append(f"{origin}: {note}")
        problems.append(Problem(row.id, row.problem, answer, accepted, origin))
        warnings += [f"{row.where}: answer {a!r} is neither a number nor LaTeX math; check the answer key "
                     "(it is compared as written)" for a in (answer, *accepted) if _odd_answer(a)]
        for defect_id, test, message in _TEXT_DEFECTS:
            if row.id == defect_id and test(row.problem):
                warnings.append(f"{origin}: {message}")
    ids = [p.id for p in problems]
    official = sorted(ids, key=id_sort_key)
    if registry and ids != official and ids == sorted(ids):
        warnings.append(f"{origin}: rows are in lexicographic (URL-sorted) order, not official order; "
                        "mapped by id, not by position")
    if registry:
        problems.sort(key=lambda p: id_sort_key(p.id))
    contests = ((name, tuple(p.id for p in problems)),)
    return Benchmark(name, tuple(problems), origin, content_hash(problems), tuple(warnings), contests)


def _key_for_text(entry: RegistryEntry, row: _Row) -> tuple[Key, tuple[Key, ...], str]:
    """(key, accepted, warning) for the wording actually loaded: a problem with circulating wordings is
    graded against the key of the one whose marker phrase its text contains (and the run says which)."""
    if not entry.wordings:
        return entry.answer if entry.answer is not None else "", entry.accepted, ""
    text = " ".join(row.problem.split())
    for wording in entry.wordings:
        if wording.marker in text:
            others = ", ".join(f"{w.answer} for '{w.marker}...'" for w in entry.wordings if w is not wording)
            return wording.answer, (), (f"{row.id} is the {wording.label} ('{wording.marker}...'): graded against "
                                        f"key {wording.answer} (the other wording in circulation: {others})")
    for wording in entry.wordings:  # unknown wording: trust the file's own key only if it is one of ours
        if _same_key(_answer(row.answer, row.where, aime=False), wording.answer):
            return wording.answer, (), (f"{row.id}: wording not recognised; graded against the file's key "
                                        f"{wording.answer} ({wording.label}); check the text")
    keys = " or ".join(f"{w.answer} ({w.label})" for w in entry.wordings)
    raise DatasetError(f"{row.where}: {row.id} has neither known wording and its answer {row.answer!r} is not "
                       f"{keys}; fix the file")


def _same_key(value: Key, key: Key) -> bool:
    """Equal keys: integers as integers, LaTeX keys as text with all whitespace removed."""
    if isinstance(key, int) or isinstance(value, int):
        return value == key
    return "".join(str(value).split()) == "".join(str(key).split())


_WORD = re.compile(r"[A-Za-z]{2,}")


def _odd_answer(answer: int | str) -> bool:
    """A string answer that looks like a typo rather than math: unbalanced braces, or a word of two or
    more letters with no digit and no LaTeX command (`abc`, `yes`); `x`, `\\pi`, `2^{25}` are fine."""
    if not isinstance(answer, str):
        return False
    if answer.count("{") != answer.count("}"):
        return True
    return "\\" not in answer and not any(c.isdigit() for c in answer) and bool(_WORD.search(answer))


def _looks_aime(problem_id: str) -> bool:
    return id_sort_key(problem_id)[0] < 10**6


def _answer(value: Any, where: str, aime: bool) -> int | str:
    """An integer (leading zeros dropped) where the value is one; AIME answers must be integers 0-999."""
    text = str(value).strip()
    if isinstance(value, bool):
        text = ""
    if isinstance(value, int) or re.fullmatch(r"[+-]?\d+", text):
        number = int(text)
        if aime and not 0 <= number <= 999:
            raise DatasetError(f"{where}: AIME answer {value!r} is outside 0-999")
        return number
    if isinstance(value, float) and value.is_integer():
        return _answer(int(value), where, aime)
    if aime:
        raise DatasetError(f"{where}: AIME answer {value!r} is not an integer")
    if not text:
        raise DatasetError(f"{where}: empty answer")
    return text


def _at(repo: str, pins: Mapping[str, str]) -> str:
    """`repo@sha12` for a pinned repo (recorded as the run's text origin), else the repo."""
    return f"{repo}@{pins[repo][:12]}" if repo in pins else repo


def _load_parquet(path: Path) -> list[Mapping[str, Any]]:
    import datasets

    return list(datasets.load_dataset("parquet", data_files=str(path), split="train"))


_HUB_PROBE_TIMEOUT_S = 3.0  # a down network fails in seconds, not after the hub client's retries (~50 s)


class _HubUnreachable(Exception):
    """The hub did not accept a connection within _HUB_PROBE_TIMEOUT_S (and offline mode is off)."""


def _hub_load(repo: str, revision: str | None = None) -> Iterable[Mapping[str, Any]]:
    if not _hub_offline() and (reason := _hub_unreachable()):
        raise _HubUnreachable(reason)
    import datasets

    return datasets.load_dataset(repo, revision=revision, split="train")


def hub_revisions(registry: RegistrySet) -> dict[str, str]:
    """The commit each hub repo of a set is pinned to: the registry's pins, then $AIME_EVAL_HUB_REVISIONS."""
    pins = dict(registry.info.hub_revisions if registry.info else ())
    for item in filter(None, (p.strip() for p in os.environ.get(HUB_REVISIONS_ENV, "").split(","))):
        repo, _, sha = item.partition("=")
        if not _SHA.fullmatch(sha.strip().lower()):
            raise DatasetError(f"${HUB_REVISIONS_ENV}: {item!r} is not REPO=SHA with a 40-hex commit sha "
                               "(e.g. MathArena/aime_2026=0123...abcd)")
        pins[repo.strip()] = sha.strip().lower()
    return pins


def _hub_offline() -> bool:
    """HF_HUB_OFFLINE / HF_DATASETS_OFFLINE set: the hub client reads its cache only (fast, no network)."""
    return any(os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")
               for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))


@functools.cache
def _hub_unreachable() -> str | None:
    """Why the hub ($HF_ENDPOINT or huggingface.co) cannot be reached, or None when a TCP connection to it
    opens within the timeout. Run in a daemon thread, so a stalled DNS look-up cannot hold the user."""
    endpoint = urlsplit(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    host = endpoint.hostname or "huggingface.co"
    port = endpoint.port or (80 if endpoint.scheme == "http" else 443)
    outcome: list[str | None] = []

    def probe() -> None:
        try:
            socket.create_connection((host, port), timeout=_HUB_PROBE_TIMEOUT_S).close()
            outcome.append(None)
        except OSError as exc:
            outcome.append(f"{host}:{port}: {exc.strerror or exc.__class__.__name__}")

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(_HUB_PROBE_TIMEOUT_S + 1)
    return outcome[0] if outcome else f"{host}:{port}: no answer in {_HUB_PROBE_TIMEOUT_S:.0f} s"


def _load_from_hub(spec: str, registry: RegistrySet, hub_loader: HubLoader, data_dir: Path | None) -> Benchmark:
    failures: list[str] = []
    pins = hub_revisions(registry)
    pin_required = registry.info is not None and registry.info.pin_required
    for group in registry.hub:
        unpinned = [repo for repo in group if repo not in pins]
        if pin_required and unpinned:
            failures.append(f"{'+'.join(unpinned)}: no pinned revision (an unpinned hub copy is never trusted; "
                            f"vet a commit and set {HUB_REVISIONS_ENV}={unpinned[0]}=<sha>)")
            continue
        try:
            rows = [r for repo in group
                    for r in _rows_from_records(hub_loader(repo, revision=pins.get(repo)), _at(repo, pins),
                                                repo.split("/")[-1])]
        except DatasetError:
            raise
        except _HubUnreachable as exc:
            raise DatasetError(f"{spec}: problem text not found locally and the Hugging Face hub is unreachable "
                               f"({exc}). Put the file at {_local_place(registry, data_dir)}, or pass --dataset PATH"
                               ) from None
        except Exception as exc:  # network, missing dataset, auth: try the next source
            failures.append(f"{'+'.join(group)}: {exc.__class__.__name__}: {str(exc).splitlines()[0][:160]}")
            continue
        return _build(spec, rows, "+".join(_at(repo, pins) for repo in group), registry, strict_set=True)
    tried = "; ".join(failures) if failures else "no hub dataset is known for it"
    raise DatasetError(f"{spec}: problem text not found. Put the file at {_local_place(registry, data_dir)}, "
                       f"pass --dataset PATH, or allow hub access ({tried})")


def _local_place(registry: RegistrySet, data_dir: Path | None) -> str:
    """Where a local copy of the set's text would be found, for error messages."""
    if not registry.data_file:
        return "a path of your choice (this set has no data-dir file name)"
    if data_dir and registry.data_file:
        return str(data_dir / registry.data_file)
    return f"DIR/{registry.data_file} and pass --data-dir DIR (or set ${DATA_DIR_ENV}=DIR)"
