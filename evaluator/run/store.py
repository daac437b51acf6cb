"""The run directory: config.json, samples.jsonl (append-only), errors.jsonl, summary.json.

Every finished sample is appended as one line and flushed the moment it exists, so a crash loses at
most the samples still in flight. A torn last line (a kill mid-write) is cut off on the next open and
that sample is generated again. A lock file keeps a second process out of the same directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from evaluator._files import atomic_write, open_nofollow, refuse_links
from evaluator.errors import StoreError
from evaluator.run.record_types import SampleRecord, Summary

SCHEMA_VERSION = 1
CONFIG = "config.json"
SAMPLES = "samples.jsonl"
ERRORS = "errors.jsonl"
SUMMARY = "summary.json"
LOCK = ".lock"
_FSYNC_EVERY_S = 1.0
# The entries of a run folder the project reads or writes; a symbolic link among them is refused
# (`check_links`), so a received folder cannot point a write, an append or a clean-up elsewhere.
RUN_FILES = (CONFIG, SAMPLES, ERRORS, SUMMARY, LOCK, "judge.jsonl", "budget.json", "report.html",
             "answer_classes.json")
RUN_FOLDERS = ("report_samples",)


def check_links(directory: Path) -> None:
    """StoreError (one line, naming it) if a file or folder of the run is a symbolic link."""
    refuse_links(directory, RUN_FILES, RUN_FOLDERS)


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (temp file + rename): readers never see half a file."""
    try:
        atomic_write(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, record) for each complete line. A line that is not UTF-8, not JSON, or not a JSON
    object is a StoreError naming the file and line (what a record must hold is `check_record`'s job)."""
    if not path.exists():
        return
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            if not raw.endswith(b"\n"):
                return  # torn tail: ignored here, cut off by RunStore.open
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise StoreError(f"{path}:{lineno}: not UTF-8 (byte {exc.start}); {_MOVE_ASIDE}") from None
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise StoreError(f"{path}:{lineno}: corrupt line ({exc.msg}); {_MOVE_ASIDE}") from exc
            if not isinstance(record, dict):
                raise StoreError(f"{path}:{lineno}: not a record (a JSON {_json_kind(record)}); {_MOVE_ASIDE}")
            yield lineno, record


_MOVE_ASIDE = "move it aside to continue"
_REQUIRED = ("problem_id", "sample")  # every line of samples.jsonl and errors.jsonl names its sample
_NUMBER_OR_NULL = ((int, float, type(None)), "number or null")
_TEXT_OR_NULL = ((str, type(None)), "string or null")
_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    "problem_id": ((str,), "string"),
    "sample": ((int,), "number"),
    "correct": ((bool,), "boolean"),
    "response": _TEXT_OR_NULL,
    "reasoning": _TEXT_OR_NULL,
    "finish_reason": _TEXT_OR_NULL,
    "prompt_tokens": _NUMBER_OR_NULL,
    "completion_tokens": _NUMBER_OR_NULL,
    "reasoning_tokens": _NUMBER_OR_NULL,
}


def check_record(path: Path, lineno: int, record: dict[str, Any]) -> dict[str, Any]:
    """The record if it is a usable line of `path` (samples.jsonl or errors.jsonl), else a StoreError
    `file:line: what`: a partial object must never reach the metrics as if it were a sample."""
    missing = [key for key in _REQUIRED if key not in record]
    if missing:
        raise StoreError(f"{path}:{lineno}: not a sample record (no {', '.join(missing)}); {_MOVE_ASIDE}")
    for key, (types, expected) in _TYPES.items():
        if key not in record:
            continue
        value = record[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise StoreError(f"{path}:{lineno}: field {key!r} is a {_json_kind(value)}, not a {expected}; {_MOVE_ASIDE}")
    if record["sample"] < 0:
        raise StoreError(f"{path}:{lineno}: field 'sample' is negative ({record['sample']}); {_MOVE_ASIDE}")
    return record


def _json_kind(value: Any) -> str:
    names = {bool: "boolean", int: "number", float: "number", str: "string", list: "list", dict: "object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def repair_torn_tail(path: Path) -> int:
    """Cut a last line that has no newline (a crash mid-write). Returns the bytes removed. Every append-only
    JSONL file of a run uses it (samples, errors, and the judge's calls, which get it passed in)."""
    if not path.exists():
        return 0
    with open_nofollow(path, "r+", binary=True) as f:
        size = f.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        f.seek(max(0, size - 1))
        if f.read(1) == b"\n":
            return 0
        keep, block = 0, 1 << 16
        pos = size
        while pos > 0:  # scan backwards for the last newline
            start = max(0, pos - block)
            f.seek(start)
            chunk = f.read(pos - start)
            idx = chunk.rfind(b"\n")
            if idx >= 0:
                keep = start + idx + 1
                break
            pos = start
        f.truncate(keep)
        return size - keep


def identity_hash(identity: dict[str, Any], *, ascii_only: bool = False) -> str:
    """The 10-hex-digit hash of a run's identity that names its directory (`config_hash`). Imported
    runs hash with `ascii_only` (JSON's default escaping); evaluated runs keep non-ASCII text as is."""
    blob = json.dumps(identity, sort_keys=True, ensure_ascii=ascii_only)
    return hashlib.sha256(blob.encode()).hexdigest()[:10]


def read_config(path: Path, *, check_hash: bool = False) -> dict[str, Any]:
    """A run's config.json, checked: UTF-8 JSON and an object. With `check_hash` (every command that
    writes to the run) also still the configuration its hash names, so a hand-edited file cannot
    pass as the run that made the samples; read-only commands (report, compare, export) skip it."""
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise StoreError(f"{path}: not UTF-8 (byte {exc.start}); restore it from the run that wrote it") from None
    except json.JSONDecodeError as exc:
        raise StoreError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg}); restore it from the run that wrote it") from None
    except OSError as exc:
        raise StoreError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not isinstance(config, dict):
        raise StoreError(f"{path}: not a run configuration (a JSON {_json_kind(config)}); restore it from the run that wrote it")
    identity, recorded = config.get("identity"), config.get("config_hash")
    hashes = (identity_hash(identity), identity_hash(identity, ascii_only=True)) if isinstance(identity, dict) else ()
    if check_hash and hashes and isinstance(recorded, str) and recorded not in hashes:
        raise StoreError(
            f"{path}: the configuration was edited after the run was made (its identity no longer hashes to "
            f"{recorded}, the hash that names the run); restore the file, or start a new run with the settings you want"
        )
    return config


def sample_key(record: Mapping[str, Any]) -> tuple[str, int]:
    return (str(record["problem_id"]), int(record["sample"]))


class RunStore:
    """One run directory, opened for appending under an exclusive lock. Use as a context manager."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._lock_file: Any = None
        self._samples: Any = None
        self._errors: Any = None
        self._last_sync = 0.0
        self.repaired_bytes = 0
        self.k = 0  # samples per problem the run holds in config.json (the largest k ever asked)

    @classmethod
    def open(cls, directory: Path, config: dict[str, Any], *, config_hash: str, force_new: bool = False) -> RunStore:
        """Create or reopen a run. A directory holding a different configuration is refused, or with
        `force_new` moved aside (to `<dir>.old-<time>`: nothing is deleted) and started afresh."""
        store = cls(directory)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            check_links(directory)
            store._lock()
            existing = directory / CONFIG
            if existing.exists():
                try:
                    old = read_config(existing, check_hash=True)
                except StoreError:
                    if not force_new:
                        store.close()
                        raise
                    old = {}  # damaged: with --force-new it is moved aside like another configuration
                if old.get("config_hash") != config_hash:
                    if not force_new:
                        store.close()
                        raise StoreError(
                            f"{directory} holds a run with a different configuration "
                            f"({old.get('config_hash')} != {config_hash}); refusing to mix samples. "
                            "Use another --output-dir, or --force-new to move the old run aside and start again"
                        )
                    store.close()
                    aside = directory.with_name(f"{directory.name}.old-{time.strftime('%Y%m%d-%H%M%S')}")
                    directory.rename(aside)
                    return cls.open(directory, config, config_hash=config_hash)
                if "k" in config and int(config["k"]) > int(old.get("k") or 0):  # not part of the identity:
                    write_json(existing, {**old, "k": config["k"]})  # a run grows, and never shrinks
                    store.k = int(config["k"])
                else:
                    store.k = int(old.get("k") or config.get("k") or 0)
            else:
                write_json(existing, {**config, "config_hash": config_hash, "schema_version": SCHEMA_VERSION})
                store.k = int(config.get("k") or 0)
            store.repaired_bytes = repair_torn_tail(directory / SAMPLES) + repair_torn_tail(directory / ERRORS)
            store._samples = open_nofollow(directory / SAMPLES, "a")
            store._errors = open_nofollow(directory / ERRORS, "a")
        except StoreError:
            store.close()
            raise
        except OSError as exc:
            store.close()
            raise StoreError(f"cannot use run directory {directory}: {exc.strerror or exc}") from exc
        return store

    def _lock(self) -> None:
        self._lock_file = open_nofollow(self.directory / LOCK, "r+")
        try:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock_file.seek(0)
            holder = self._lock_file.read().strip() or "?"
            self._lock_file.close()
            self._lock_file = None
            raise StoreError(
                f"{self.directory} is in use by another evaluate process (pid {holder}); "
                "wait for it to finish or stop it, then run the command again"
            ) from None
        self._lock_file.seek(0)
        self._lock_file.truncate()
        self._lock_file.write(str(os.getpid()))
        self._lock_file.flush()

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for handle in (self._samples, self._errors):
            if handle is not None:
                with contextlib.suppress(OSError):  # a full disk: what could not be flushed is regenerated
                    handle.flush()
                    os.fsync(handle.fileno())
                with contextlib.suppress(OSError):
                    handle.close()
        self._samples = self._errors = None
        if self._lock_file is not None:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def append_sample(self, record: dict[str, Any]) -> None:
        self._append(self._samples, SAMPLES, record)

    def append_error(self, record: dict[str, Any]) -> None:
        self._append(self._errors, ERRORS, record)

    def _append(self, handle: Any, name: str, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        try:
            handle.write(line)
            handle.flush()
            now = time.monotonic()
            if now - self._last_sync >= _FSYNC_EVERY_S:
                os.fsync(handle.fileno())
                self._last_sync = now
        except OSError as exc:
            raise StoreError(
                f"cannot write {self.directory / name}: {exc.strerror or exc}. Every sample written before "
                "is kept; fix this and run the same command again to continue"
            ) from exc

    def samples(self) -> list[SampleRecord]:
        return load_samples(self.directory)

    def finished(self) -> set[tuple[str, int]]:
        return {sample_key(r) for r in self.samples()}

    def rewrite_samples(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Replace samples.jsonl atomically (re-scoring); the lock is held, so no append interleaves."""
        if self._samples is not None:
            handle, self._samples = self._samples, None  # never flushed again once closed
            with contextlib.suppress(OSError):
                handle.close()
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        try:
            atomic_write(self.directory / SAMPLES, text)
            self._samples = open_nofollow(self.directory / SAMPLES, "a")
        except OSError as exc:  # a full disk: the original samples.jsonl is untouched, no temporary file left
            raise StoreError(f"cannot rewrite {self.directory / SAMPLES}: {exc.strerror or exc}; the samples "
                             "already there are unchanged: free space (or fix the folder) and run the command again"
                             ) from exc

    def write_summary(self, summary: Summary) -> None:
        write_json(self.directory / SUMMARY, summary)


def load_samples(directory: Path) -> list[SampleRecord]:
    """The finished samples of a run: the first complete line for each (problem, sample) wins. Each
    passed `check_record`, so it names its sample and its typed fields hold their JSON types."""
    seen: dict[tuple[str, int], SampleRecord] = {}
    path = directory / SAMPLES
    for lineno, record in read_jsonl(path):
        seen.setdefault(sample_key(check_record(path, lineno, record)), cast(SampleRecord, record))
    return list(seen.values())


def load_errors(directory: Path) -> list[dict[str, Any]]:
    """Failed attempts not (yet) followed by a finished sample: what the next run retries."""
    finished = {sample_key(r) for r in load_samples(directory)}
    latest: dict[tuple[str, int], dict[str, Any]] = {}
    path = directory / ERRORS
    for lineno, record in read_jsonl(path):
        latest[sample_key(check_record(path, lineno, record))] = record
    return [r for key, r in latest.items() if key not in finished]


def load_config(directory: Path) -> dict[str, Any]:
    path = directory / CONFIG
    if not path.is_file():
        raise StoreError(f"{directory} is not a run directory (no {CONFIG}); give the folder `evaluate` printed")
    check_links(directory)
    return read_config(path)



def discard_if_empty(directory: Path) -> bool:
    """Remove a run directory that holds no sample and no error (a start that failed before its first
    sample), so failed starts leave no folders behind. Anything else in it is kept. Returns True if removed."""
    names = {CONFIG, SAMPLES, ERRORS, SUMMARY, LOCK}
    try:
        entries = list(directory.iterdir())
        if any(p.name not in names for p in entries) or any(
                p.name in (SAMPLES, ERRORS) and p.stat().st_size for p in entries):
            return False
        for p in entries:
            p.unlink()
        directory.rmdir()
    except OSError:
        return False
    return True
