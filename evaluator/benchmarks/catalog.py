"""What `evaluate datasets` shows: every named set and group with its size, answer type, where its text
comes from (a pinned public file, hub copies), whether it is ready offline, its key provenance and
licence. Reads the registry and the manifest only: no text is loaded (except by `--download`).

Output never cuts an identifier: the listing is one plain line per set, columns sized to the longest
entry (under 80 columns for every set we ship), and details (`evaluate datasets NAME`) are `label: value`
lines that a terminal may wrap but never shortens.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from evaluator.benchmarks.known_texts import KNOWN_TEXTS
from evaluator.benchmarks.pinned import PinnedSource, is_cached, pinned_source
from evaluator.benchmarks.registry import GROUPS, NAMES, registry_set
from evaluator.benchmarks.remote import DATA_DIR_ENV, HUB_REVISIONS_ENV


@dataclass(frozen=True, kw_only=True)
class DatasetRow:
    name: str
    problems: int
    answer_type: str  # integer | latex | group
    status: str  # data dir | cached | download | shipped | group
    text: str  # which wording the text is
    source: str  # the pinned file's repo@commit, or what else provides the text
    download: str  # what `--download` fetches (URL or "N files under URL"), or ""
    files: int
    note: str
    hub: tuple[str, ...]  # hub copies tried after the pinned file (repo or repo@sha)
    known_texts: dict[str, str]
    key_provenance: str
    key_sources: tuple[str, ...]
    licence: str
    data_file: str  # the file name a data directory holds for this set, or ""
    cache: str  # where the pinned files are cached, or ""
    members: tuple[str, ...] = ()


def dataset_rows() -> list[DatasetRow]:
    """One row per named set (in registry order), then one per group."""
    rows = [_set_row(name) for name in NAMES]
    by_name = {row.name: row for row in rows}
    for group, members in GROUPS.items():
        parts = [by_name[m] for m in members if m in by_name]
        ready = all(p.status != "download" for p in parts)
        rows.append(DatasetRow(
            name=group, problems=sum(p.problems for p in parts), answer_type="group",
            status="ready" if ready else "download", text="each member's own", source=" + ".join(members),
            download="", files=sum(p.files for p in parts), note="", hub=(), known_texts={},
            key_provenance="each member's own", key_sources=(), licence="each member's own", data_file="",
            cache="", members=members,
        ))
    return rows


def _set_row(name: str) -> DatasetRow:
    reg = registry_set(name)
    info = reg.info
    source = pinned_source(name)
    pins = dict(info.hub_revisions) if info else {}
    hub = tuple(f"{repo}@{pins[repo][:12]}" if repo in pins else repo for group in reg.hub for repo in group)
    return DatasetRow(
        name=name, problems=len(reg.entries), answer_type=reg.answer_type, status=_status(name, source),
        text=info.text_source if info else "", source=_short(source) if source else ("shipped with aime-eval"
                                                                                       if name == "demo" else "hub"),
        download=source.what() if source else "", files=len(source.files) if source else 0,
        note=source.note if source else "", hub=hub, known_texts=dict(KNOWN_TEXTS.get(name, {})),
        key_provenance=reg.provenance or "answers written for this project", key_sources=reg.answer_sources,
        licence=info.licence if info else "", data_file=reg.data_file or "",
        cache=str(source.folder()) if source else "",
    )


def _short(source: PinnedSource) -> str:
    return f"{source.repo}@{source.commit[:7]}"


def _status(name: str, source: PinnedSource | None) -> str:
    reg = registry_set(name)
    if reg.data_file is None:
        return "shipped"
    data_dir = os.environ.get(DATA_DIR_ENV)
    if data_dir and (Path(data_dir) / reg.data_file).is_file():
        return "data dir"
    return "cached" if source is not None and is_cached(source) else "download"


def listing(rows: list[DatasetRow]) -> list[str]:
    """One line per set: name, size, answer type, status, text source; columns fit the longest entry."""
    header = ("set", "n", "answers", "status", "text from")
    table = [header, *((r.name, str(r.problems), r.answer_type, r.status, r.source) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(header) - 1)]
    return ["  ".join([*(cell.rjust(w) if i == 1 else cell.ljust(w) for i, (cell, w) in enumerate(zip(line, widths,
                                                                                                    strict=False))),
                       line[-1]]).rstrip() for line in table]


def details(row: DatasetRow) -> list[str]:
    """`label: value` lines about one set or group (`evaluate datasets NAME`)."""
    if row.members:
        return [f"{row.name}: a group of {len(row.members)} sets, {row.problems} problems; each set is loaded, checked "
                "and reported on its own as well as together",
                f"members: {', '.join(row.members)}", f"status: {row.status}"]
    lines = [f"{row.name}: {row.problems} problems, {row.answer_type} answers", f"text: {row.text}",
             f"licence: {row.licence}", f"keys: {row.key_provenance}"]
    if row.key_sources:
        lines.append(f"key sources: {', '.join(row.key_sources)}")
    if row.download:
        state = {"download": "not cached yet: `evaluate datasets --download`"}.get(row.status, row.status)
        lines += [f"download: {row.download} ({'sha256-pinned' if row.files == 1 else 'each sha256-pinned'})",
                  f"from: {row.source}: {row.note}", f"cache: {row.cache} ({state})"]
    if row.hub:
        lines.append(f"hub copies (after the pinned file; pin one with ${HUB_REVISIONS_ENV}=REPO=SHA): "
                     f"{', '.join(row.hub)}")
    lines += [f"known text {digest}: {label}" for digest, label in row.known_texts.items()]
    if row.data_file:
        lines.append(f"local copy: {row.data_file} in --data-dir DIR (or ${DATA_DIR_ENV}=DIR), or --dataset FILE")
    return lines
