"""What `evaluate datasets` lists: every named set and group with its size, answer type, text source,
key provenance, licence and hub copies (pinned or not). Reads the registry only: no text is loaded."""

from __future__ import annotations

from dataclasses import dataclass

from evaluator.benchmarks.registry import GROUPS, NAMES, registry_set


@dataclass(frozen=True)
class DatasetRow:
    name: str
    problems: int
    answer_type: str  # integer | latex | collection
    text_source: str
    key_provenance: str
    licence: str
    hub: str  # hub repos, each with its pin or "unpinned"


def dataset_rows() -> list[DatasetRow]:
    """One row per named set (in registry order), then one per group."""
    rows = []
    for name in NAMES:
        reg = registry_set(name)
        info = reg.info
        pins = dict(info.hub_revisions) if info else {}
        hub = ", ".join(f"{repo}@{pins[repo][:12]}" if repo in pins else f"{repo} (unpinned"
                        + (": refused" if info and info.pin_required else "") + ")"
                        for group in reg.hub for repo in group)
        sources = f"{len(reg.answer_sources)} source(s)" if reg.answer_sources else "shipped with aime-eval"
        rows.append(DatasetRow(
            name=name, problems=len(reg.entries), answer_type=reg.answer_type,
            text_source=info.text_source if info else "", licence=info.licence if info else "",
            key_provenance=f"{reg.provenance or 'answers written for this project'}; {sources}",
            hub=hub or "-",
        ))
    for group, members in GROUPS.items():
        size = sum(len(registry_set(m).entries) for m in members if m in NAMES)
        rows.append(DatasetRow(group, size, "collection", " + ".join(members), "each member's own", "each member's own",
                               "-"))
    return rows
