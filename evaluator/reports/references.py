"""Published reference numbers (evaluator/data/references.json) to show beside a run.

A reference set is one published table (e.g. `deepseek-r1`: the DeepSeek-R1 paper's AIME 2024
numbers). Reports and comparisons show the whole set, highlight the row whose model matches the run
(by preset name or Hugging Face id), and say so when the run is on another dataset than the paper.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from evaluator.errors import ReportError
from evaluator.reports._html import Safe, ci_text, join, pct, table, tag
from evaluator.reports.runview import RunView

REFERENCES_FILE = "references.json"


@dataclass(frozen=True)
class ReferenceRow:
    """One model's published numbers, in percent; None where the source reports nothing."""

    model: str
    pass1: float | None
    cons64: float | None
    table: str
    aliases: tuple[str, ...]

    def matches(self, *names: str) -> bool:
        """True when any of `names` (a preset name, model id, ...) is this model, case-insensitively."""
        wanted = {self.model.lower(), *(a.lower() for a in self.aliases)}
        return any(name.lower() in wanted for name in names if name)


@dataclass(frozen=True)
class Reference:
    """A published table of AIME results: where it comes from and its rows."""

    name: str
    title: str
    dataset: str
    protocol: str
    source: str
    urls: tuple[str, ...]
    rows: tuple[ReferenceRow, ...]

    def match(self, *names: str) -> ReferenceRow | None:
        """The row for the run's model, if the set has one."""
        return next((row for row in self.rows if row.matches(*names)), None)


def load_references() -> dict[str, Reference]:
    """Every reference set shipped with the package, by name."""
    text = resources.files("evaluator").joinpath("data", REFERENCES_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    return {
        name: Reference(
            name=name,
            title=entry["title"],
            dataset=entry["dataset"],
            protocol=entry["protocol"],
            source=entry["source"],
            urls=tuple(entry["urls"]),
            rows=tuple(
                ReferenceRow(
                    model=row["model"],
                    pass1=row["pass1"],
                    cons64=row["cons64"],
                    table=row["table"],
                    aliases=tuple(row["aliases"]),
                )
                for row in entry["rows"]
            ),
        )
        for name, entry in data["sets"].items()
    }


def get_reference(name: str | None) -> Reference | None:
    """The set called `name`, or the set listing a model called `name` (None: no reference). An unknown name is a
    ReportError naming the known ones."""
    if name is None:
        return None
    references = load_references()
    if name in references:
        return references[name]
    for reference in references.values():  # a model named in a set (e.g. deepseek-r1-zero): its set
        if reference.match(name) is not None:
            return reference
    models = sorted(alias for ref in references.values() for row in ref.rows for alias in row.aliases)
    raise ReportError(f"unknown reference {name!r}; known references: {', '.join(sorted(references))}, "
                      f"or a model they list: {', '.join(models)}")


def reference_row(name: str, reference: Reference, run: RunView) -> ReferenceRow | None:
    """The row a verdict compares `run` with: the model `name` if it names one, else the run's own model's row."""
    return reference.match(name) if name not in load_references() else reference.match(*run.model_names)


def reference_table(reference: Reference, runs: Sequence[RunView], run_labels: Sequence[str]) -> Safe:
    """The published rows, each matched run beside its row (difference, and whether the CI covers it)."""
    headers = ("model", "source", "paper pass@1", "paper cons@64", "run", "run pass@1 [CI]", "Δ pass@1",
               "paper value in CI?")
    rows, attrs = [], []
    for row in reference.rows:
        matched = [(label, run) for label, run in zip(run_labels, runs, strict=True) if row.matches(*run.model_names)]
        cells: list[Any] = [row.model, row.table, "-" if row.pass1 is None else f"{row.pass1:.1f}",
                            "-" if row.cons64 is None else f"{row.cons64:.1f}"]
        if matched and row.pass1 is not None:
            label, run = matched[0]
            m = run.metrics
            ci = m.get("pass1_ci")
            inside = "-" if not ci else ("yes" if ci[0] * 100 <= row.pass1 <= ci[1] * 100 else "no")
            cells += [label, f"{pct(m['pass1'])} {ci_text(ci)}", f"{100 * m['pass1'] - row.pass1:+.1f}", inside]
        else:
            cells += ["", "", "", ""]
        rows.append(cells)
        attrs.append({"class_": "match"} if matched else {})
    return table(headers, rows, row_attrs=attrs)


def reference_notes(reference: Reference, runs: Sequence[RunView]) -> Safe:
    """Caveats: runs on another dataset than the paper, runs whose model the table does not list."""
    notes = [f"{reference.title}. Protocol: {reference.protocol}.", f"Source: {reference.source}"]
    for run in runs:
        if run.dataset != reference.dataset:
            notes.append(f"{run.model} ran on {run.dataset}, the paper on {reference.dataset}: not comparable.")
        elif reference.match(*run.model_names) is None:
            notes.append(f"{run.model}: no row of this table is this model (names tried: "
                         f"{', '.join(run.model_names)}).")
    links = join((tag("a", url, href=url) for url in reference.urls), " · ")
    return join((*(tag("p", n, class_="note") for n in notes), tag("p", links, class_="note")))
