"""Published reference numbers (evaluator/data/references.json) to show beside a run.

A reference set is one published table (e.g. `deepseek-r1`: the DeepSeek-R1 paper's AIME 2024
numbers). Reports and comparisons show the whole set, highlight the row whose model matches the run
(by preset name or Hugging Face id), and say so when the run is on another dataset than the paper.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from evaluator.runview import ReportError

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
    """The set called `name` (None: no reference). An unknown name is a ReportError naming the known ones."""
    if name is None:
        return None
    references = load_references()
    if name not in references:
        raise ReportError(f"unknown reference {name!r}; known references: {', '.join(sorted(references))}")
    return references[name]
