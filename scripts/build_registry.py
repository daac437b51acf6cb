"""Regenerate problems/*.json (ids, official answers, accepted alternates, provenance) from ../shared/data.

Only facts are written: ids, integer answers, the names of the sources. Problem text stays out of git.
Usage: python scripts/build_registry.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SETS = {
    "aime-2022": "aime_2022.jsonl",
    "aime-2023": "aime_2023.jsonl",
    "aime-2024": "aime_2024.jsonl",
    "aime-2025": "aime_2025.jsonl",
    "aime-1983-2023": "aime_1983_2023.jsonl",
}


def build(shared: Path, out: Path) -> None:
    for name, filename in SETS.items():
        rows = [json.loads(line) for line in (shared / "data" / filename).read_text().splitlines() if line.strip()]
        problems = []
        for row in rows:
            entry: dict[str, object] = {"id": row["id"], "answer": int(row["answer"])}
            accepted = [int(a) for a in row.get("accepted_answers") or [] if int(a) != int(row["answer"])]
            if accepted:
                entry["accepted"] = accepted
            if row.get("note"):
                entry["note"] = row["note"]
            problems.append(entry)
        sources = sorted({s.split(":", 1)[0] for row in rows for s in row.get("sources", [])})
        registry = {
            "name": name,
            "data_file": filename,
            "answer_sources": sources,
            "provenance": "answers cross-checked in >= 2 independent public sources (shared/data/PROVENANCE.md)",
            "problems": problems,
        }
        path = out / f"{filename.removesuffix('.jsonl')}.json"
        path.write_text(json.dumps(registry, indent=1) + "\n")
        print(f"{path}: {len(problems)} problems")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    args = parser.parse_args()
    build(args.shared, Path(__file__).resolve().parents[1] / "problems")
