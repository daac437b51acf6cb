"""Problem text from public files at pinned commits (`problems/sources.json`): each file is fetched once,
with pooch, into the user's cache directory and kept only when its sha256 is the pinned one, so what a
networked user loads is byte for byte the copy whose parse was checked against the keys and the known
text hashes when the pin was written (docs/provenance.md says where each comes from).

Three upstream layouts are read: MathArena's folders (`problems/N.tex` + `answers.csv` per exam),
a JSONL of prompts in official order (math-ai/aime26 and MathArena HMMT copies, with the prompt's
instruction line removed and, for AIME 2026, the official wording restored by exact phrase
replacements), and rllm's one-file AIME 1983-2023 list.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from evaluator.benchmarks.checking import same_key
from evaluator.benchmarks.network import check_reachable
from evaluator.benchmarks.registry import RegistryEntry, RegistrySet, Wording
from evaluator.benchmarks.rows import Row, row
from evaluator.errors import DatasetError

RAW_BASE = "https://raw.githubusercontent.com"
CONNECT_TIMEOUT_S = 5.0  # a dead route fails fast; the probe in `network` has usually said so already
READ_TIMEOUT_S = 60.0
PARALLEL_DOWNLOADS = 8  # MathArena's layout is 32 small files per AIME year


class DownloadFailed(Exception):
    """The server answered but did not give the file (HTTP error, dropped connection)."""


@dataclass(frozen=True, kw_only=True)
class PinnedSource:
    """One set's text: files of `repo` at `commit`, each with its sha256, read in `layout`."""

    set_name: str
    repo: str
    commit: str
    layout: str  # matharena | prompt-jsonl | rllm
    note: str
    files: tuple[tuple[str, str], ...]  # (path in the repository, sha256)
    prompt_suffix: str = ""
    corrections: tuple[tuple[str, str, str], ...] = ()  # (problem id, phrase as published, official phrase)

    @property
    def label(self) -> str:
        return f"{self.repo}@{self.commit[:12]}"

    @property
    def origin(self) -> str:
        """The run's record of where its text came from."""
        where = f"{self.label}:{self.files[0][0]}" if len(self.files) == 1 else self.label
        fixed = sorted({c[0] for c in self.corrections})
        return f"{where} (official wording restored in {', '.join(fixed)})" if fixed else where

    def url(self, path: str) -> str:
        return f"{RAW_BASE}/{self.repo}/{self.commit}/{path}"

    def what(self) -> str:
        """What would be fetched: the file's URL, or how many files under which URL."""
        if len(self.files) == 1:
            return self.url(self.files[0][0])
        return f"{len(self.files)} files under {self.url(os.path.commonpath([p for p, _ in self.files]))}/"

    def folder(self) -> Path:
        """Where its files are cached: one folder per repository and commit."""
        return cache_dir() / self.repo.replace("/", "+") / self.commit

    def local(self, path: str) -> Path:
        return self.folder() / path


@functools.cache
def _manifest() -> Mapping[str, Any]:
    text = resources.files("evaluator.registry").joinpath("sources.json").read_text(encoding="utf-8")
    return json.loads(text)["sets"]


def pinned_source(name: str) -> PinnedSource | None:
    """The pinned network source of a named set, or None (demo, or a set only the hub has)."""
    spec = _manifest().get(name)
    if spec is None:
        return None
    return PinnedSource(
        set_name=name, repo=spec["repo"], commit=spec["commit"], layout=spec["layout"], note=spec.get("note", ""),
        files=tuple(spec["files"].items()), prompt_suffix=spec.get("prompt_suffix", ""),
        corrections=tuple(tuple(c) for c in spec.get("corrections", ())),
    )


def cache_dir() -> Path:
    """The user's cache directory for aime-eval (`~/.cache/aime-eval` on Linux, per platform elsewhere)."""
    import pooch

    return Path(pooch.os_cache("aime-eval"))


def is_cached(source: PinnedSource) -> bool:
    """Every file is in the cache (its hash is checked when it is read)."""
    return all(source.local(path).is_file() for path, _ in source.files)


def fetch(source: PinnedSource) -> dict[str, Path]:
    """path -> cached file, each with its pinned sha256; downloads the missing ones. Raises
    network.Unreachable (offline, no route), DownloadFailed, or DatasetError for a wrong hash."""
    todo = [(path, sha) for path, sha in source.files if not _verified(source.local(path), sha)]
    if todo:
        check_reachable(source.url(todo[0][0]))
        with ThreadPoolExecutor(min(PARALLEL_DOWNLOADS, len(todo))) as pool:
            list(pool.map(lambda item: _download(source, *item), todo))
    return {path: source.local(path) for path, _ in source.files}


def _verified(path: Path, sha: str) -> bool:
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == sha


def _download(source: PinnedSource, path: str, sha: str) -> None:
    import pooch
    import requests

    pooch.get_logger().setLevel("WARNING")  # its "Downloading ..." lines are not ours to print
    target = source.local(path)
    url = source.url(path)
    downloader = pooch.HTTPDownloader(progressbar=False, timeout=(CONNECT_TIMEOUT_S, READ_TIMEOUT_S))
    try:
        pooch.retrieve(url, known_hash=f"sha256:{sha}", fname=target.name, path=target.parent, downloader=downloader)
    except ValueError as exc:  # pooch found another hash and kept nothing
        raise DatasetError(f"{url}: refused, its sha256 is not the pinned {sha[:16]}... (a file at a fixed commit "
                           f"does not change: the download was altered or cut short): {str(exc).splitlines()[0]}") from None
    except requests.RequestException as exc:
        raise DownloadFailed(f"{url}: {exc.__class__.__name__}: {str(exc).splitlines()[0][:160]}") from None


def source_rows(source: PinnedSource, files: Mapping[str, Path], registry: RegistrySet) -> list[Row]:
    """The rows of fetched files, in the source's layout, ids in the registry's form."""
    readers = {"matharena": _matharena_rows, "prompt-jsonl": _prompt_rows, "rllm": _rllm_rows}
    return readers[source.layout](source, files, registry)


def _matharena_rows(source: PinnedSource, files: Mapping[str, Path], registry: RegistrySet) -> list[Row]:
    texts: dict[str, dict[int, str]] = {}
    answers: dict[str, dict[str, str]] = {}
    for path, local in files.items():
        folder, _, name = path.rpartition("/problems/")
        if folder:
            texts.setdefault(folder, {})[int(name.removesuffix(".tex"))] = local.read_text(encoding="utf-8").strip()
        else:
            rows = csv.DictReader(io.StringIO(local.read_text(encoding="utf-8")))
            answers[path.rpartition("/")[0]] = {r["id"]: r["answer"] for r in rows}
    out = []
    for folder, problems in sorted(texts.items()):
        for number, text in sorted(problems.items()):
            where = f"{source.label}:{folder}/problems/{number}.tex"
            answer = answers.get(folder, {}).get(str(number))
            out.append(row({"problem_idx": number, "problem": text, "answer": answer}, where, folder.rpartition("/")[2]))
    return out


def _prompt_rows(source: PinnedSource, files: Mapping[str, Path], registry: RegistrySet) -> list[Row]:
    (path, local), = files.items()
    lines = [line for line in local.read_text(encoding="utf-8").splitlines() if line.strip()]
    if len(lines) != len(registry.entries):
        raise DatasetError(f"{source.label}:{path}: {len(lines)} rows, but {registry.name} has {len(registry.entries)}")
    out = []
    for lineno, (line, entry) in enumerate(zip(lines, registry.entries, strict=True), 1):
        where = f"{source.label}:{path}:{lineno}"
        obj = json.loads(line)
        text = str(obj.get("prompt", ""))
        if not text.endswith(source.prompt_suffix):
            raise DatasetError(f"{where}: the prompt does not end with the expected instruction line")
        published = text[: len(text) - len(source.prompt_suffix)].strip()
        text = _corrected(entry.id, published, source.corrections, where)
        answer = _restored_key(entry, published, text, obj.get("answer"), where) if text != published else obj.get("answer")
        out.append(row({"id": entry.id, "problem": text, "answer": answer}, where))
    return out


def _corrected(problem_id: str, text: str, corrections: tuple[tuple[str, str, str], ...], where: str) -> str:
    for target, published, official in corrections:
        if target != problem_id:
            continue
        if text.count(published) != 1:
            raise DatasetError(f"{where}: {problem_id} does not contain {published!r} exactly once")
        text = text.replace(published, official)
    return text


def _restored_key(entry: RegistryEntry, published: str, restored: str, answer: Any, where: str) -> Any:
    """The key that goes with a restored wording. Most corrections leave the question alone (I-10, I-13);
    one that changes what is asked (2026-II-10: the sum of all values, 850, becomes the greatest, 340)
    takes the registry's key of the restored wording, once the file's key is shown to be the key of the
    wording it published."""
    def wording(text: str) -> Wording | None:
        flat = " ".join(text.split())
        return next((w for w in entry.wordings if w.marker in flat), None)

    before, after = wording(published), wording(restored)
    if before is None or after is None or before is after:
        return answer
    if not same_key(str(answer).strip(), before.answer):
        raise DatasetError(f"{where}: key {answer!r} is not {before.answer}, the key of the wording it publishes")
    return after.answer


def _rllm_rows(source: PinnedSource, files: Mapping[str, Path], registry: RegistrySet) -> list[Row]:
    (path, local), = files.items()
    wanted = {e.id for e in registry.entries}
    out = []
    for i, obj in enumerate(json.loads(local.read_text(encoding="utf-8")), 1):
        year, number = int(obj["year"]), int(obj["problem_number"]) or 15  # the file numbers problem 15 as 0
        problem_id = f"{year}-{number}" if year < 2000 else f"{year}-{'I' * int(obj['aime_number'])}-{number}"
        if problem_id in wanted:
            out.append(row({"id": problem_id, "problem": str(obj["problem"]).strip(), "answer": obj["answer"]},
                           f"{source.label}:{path}: item {i}"))
    return out
