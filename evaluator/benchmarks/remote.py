"""A named set's text from the network: a pinned public file (`pinned`) or a Hugging Face hub copy,
trusted by its content, not by where it came from.

Order: hub copies the user pinned ($AIME_EVAL_HUB_REVISIONS), then the pinned file, then the other hub
copies. Every copy is checked against the shipped keys (a disagreeing key is an error, whatever the
source). A copy whose text hash is a known copy of the set (`known_texts`) is used as it is. A copy with
an unknown text carries a warning that names it and fails the run's dataset check; it is used at once
when the user pinned it, otherwise kept as a last resort, used when nothing else loads
(docs/contests.md argues why it is not refused).

Offline, or with no route to any source, one line says what would be fetched and how to supply the
text instead.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from evaluator.benchmarks.benchmark import Benchmark, HubLoader
from evaluator.benchmarks.checking import build
from evaluator.benchmarks.known_texts import known_text
from evaluator.benchmarks.network import Unreachable, check_reachable, offline, offline_reason
from evaluator.benchmarks.pinned import DownloadFailed, PinnedSource, fetch, pinned_source, source_rows
from evaluator.benchmarks.registry import RegistrySet, registry_set
from evaluator.benchmarks.rows import rows_from_records
from evaluator.errors import DatasetError

DATA_DIR_ENV = "AIME_EVAL_DATA_DIR"
HUB_REVISIONS_ENV = "AIME_EVAL_HUB_REVISIONS"
_SHA = re.compile(r"[0-9a-f]{40}")


def hub_load(repo: str, revision: str | None = None) -> Iterable[Mapping[str, Any]]:
    """A hub copy through `datasets` (which reads its cache only in offline mode). Offline with no trace
    of the repo in the Hugging Face caches, `datasets` (seconds to import) is not even asked."""
    if not offline():
        check_reachable(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    elif not _hub_cached(repo):
        raise Unreachable(f"offline ({offline_reason()}) and {repo} is not in the Hugging Face cache")
    import datasets

    return datasets.load_dataset(repo, revision=revision, split="train")


def _hub_cached(repo: str) -> bool:
    """Whether a Hugging Face cache holds anything of `repo`: the hub's download cache
    (`datasets--OWNER--NAME`) or the datasets library's own (`OWNER___NAME`)."""
    home = Path(os.environ.get("HF_HOME") or Path.home() / ".cache" / "huggingface")
    hub = Path(os.environ.get("HF_HUB_CACHE") or os.environ.get("HUGGINGFACE_HUB_CACHE") or home / "hub")
    built = Path(os.environ.get("HF_DATASETS_CACHE") or home / "datasets")
    owner, _, name = repo.partition("/")
    return (hub / f"datasets--{owner}--{name}").exists() or (built / f"{owner}___{name}").exists()


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


def _at(repo: str, pins: Mapping[str, str]) -> str:
    """`repo@sha12` for a pinned repo (recorded as the run's text origin), else the repo."""
    return f"{repo}@{pins[repo][:12]}" if repo in pins else repo


def load_remote(spec: str, registry: RegistrySet, hub_loader: HubLoader, data_dir: Path | None) -> Benchmark:
    """The set from the first network source whose text is a known copy (see the module docstring)."""
    pins = hub_revisions(registry)
    pinned = [group for group in registry.hub if any(repo in pins for repo in group)]
    source = pinned_source(spec)
    order: list[PinnedSource | tuple[str, ...]] = [*pinned, *([source] if source else []),
                                                   *(g for g in registry.hub if g not in pinned)]
    unreachable: list[str] = []
    failures: list[str] = []
    fallback: Benchmark | None = None
    for item in order:
        try:
            bench = _load_file(spec, item, registry) if isinstance(item, PinnedSource) else \
                _load_hub(spec, item, registry, hub_loader, pins)
        except Unreachable as exc:
            unreachable.append(str(exc))
            continue
        except DatasetError:
            raise
        except Exception as exc:  # a missing hub dataset, auth, a dropped download (DownloadFailed): try the next
            (unreachable if offline() else failures).append(f"{_name(item, pins)}: {_first_line(exc)}")
            continue
        has_known, copy = known_text(spec, bench.content_hash)
        if copy is not None or not has_known:
            return bench
        flagged = dataclasses.replace(bench, warnings=(*bench.warnings, _unknown_text(spec, bench)))
        if item in pinned:  # a revision the user chose is what they asked for, known or not
            return flagged
        fallback = fallback or flagged
    if fallback is not None:
        return fallback
    would = " or ".join(_what(item) for item in order)
    supply = f"put {_local_place(registry, data_dir)}"
    if not order:
        raise DatasetError(f"{spec}: no network source is known for it; {supply}, or pass --dataset FILE")
    if unreachable and not failures:
        why = f"offline ({offline_reason()})" if offline() else unreachable[0]
        raise DatasetError(f"{spec}: {why}; would fetch {would}. Run `evaluate datasets --download` once online, "
                           f"or {supply}, or pass --dataset FILE")
    raise DatasetError(f"{spec}: problem text not found ({'; '.join(failures + unreachable)}); {supply}, "
                       "or pass --dataset FILE")


def _local_place(registry: RegistrySet, data_dir: Path | None) -> str:
    """Where a local copy of the set's text would be found, for error messages."""
    if data_dir is not None:
        return f"{data_dir / str(registry.data_file)}"
    return f"{registry.data_file} in a folder DIR and pass --data-dir DIR (or set ${DATA_DIR_ENV}=DIR)"


def _load_file(spec: str, source: PinnedSource, registry: RegistrySet) -> Benchmark:
    files = fetch(source)
    return build(spec, source_rows(source, files, registry), source.origin, registry, strict_set=True)


def _load_hub(spec: str, group: tuple[str, ...], registry: RegistrySet, hub_loader: HubLoader,
              pins: Mapping[str, str]) -> Benchmark:
    rows = [r for repo in group
            for r in rows_from_records(hub_loader(repo, revision=pins.get(repo)), _at(repo, pins), repo.split("/")[-1])]
    return build(spec, rows, "+".join(_at(repo, pins) for repo in group), registry, strict_set=True)


def _unknown_text(spec: str, bench: Benchmark) -> str:
    return (f"{bench.origin}: its text (hash {bench.content_hash}) is none of the known copies of {spec}; its "
            "answers match the official keys, but scores may not compare with published ones (`evaluate datasets "
            f"{spec}` lists the known copies)")


def _name(item: PinnedSource | tuple[str, ...], pins: Mapping[str, str]) -> str:
    return item.label if isinstance(item, PinnedSource) else "hub " + "+".join(_at(r, pins) for r in item)


def _what(item: PinnedSource | tuple[str, ...]) -> str:
    return item.what() if isinstance(item, PinnedSource) else "hub " + "+".join(item)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{exc.__class__.__name__}: {text[0][:160]}" if text else exc.__class__.__name__


def prefetch(spec: str) -> str:
    """Fetch and verify a named set's pinned files for offline use (`evaluate datasets --download`): the
    line to print. Raises DatasetError (one line naming the set) when it cannot."""
    source = pinned_source(spec)
    if source is None:
        return f"{spec}: nothing to download ({'shipped with aime-eval' if spec == 'demo' else 'hub copies only'})"
    try:
        bench = _load_file(spec, source, registry_set(spec))
    except (Unreachable, DownloadFailed, DatasetError) as exc:
        would = f"; would fetch {source.what()}" if isinstance(exc, Unreachable) else ""
        raise DatasetError(f"{spec}: not downloaded: {exc}{would}") from None
    _, copy = known_text(spec, bench.content_hash)
    count = f"{len(source.files)} file{'s' if len(source.files) > 1 else ''}"
    return (f"{spec}: {count} verified (sha256), text {bench.content_hash} = {copy or 'an unknown copy'}; "
            f"cached in {source.folder()}")
