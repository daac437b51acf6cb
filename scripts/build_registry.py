"""Regenerate problems/*.json (ids, official answers, accepted alternates, provenance) from ../shared/data.

Only facts are written: ids, answers (integers, or the LaTeX text of a non-integer key), the names of
the sources, and for a problem that circulates in two wordings with different keys (2026-II-10) the
phrase that tells the wordings apart and each one's key. Problem text stays out of git.
A contest file that is not in ../shared/data (yet) is skipped, so adding one later is re-running this.
Usage: python scripts/build_registry.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

# name -> (data file, provenance sentence)
SETS: dict[str, tuple[str, str]] = {
    "aime-2022": ("aime_2022.jsonl", "answers cross-checked in >= 2 independent public sources"),
    "aime-2023": ("aime_2023.jsonl", "answers cross-checked in >= 2 independent public sources"),
    "aime-2024": ("aime_2024.jsonl", "answers cross-checked in >= 2 independent public sources"),
    "aime-2025": ("aime_2025.jsonl", "answers cross-checked in >= 2 independent public sources"),
    "aime-1983-2023": ("aime_1983_2023.jsonl", "answers cross-checked in >= 2 independent public sources"),
    "aime-2026": ("aime_2026.jsonl", "AIME I: math-ai/aime26 family + CarsonBurke validation + an independent "
                  "transcription; AIME II: math-ai/aime26 family + CarsonBurke validation only; II-10 key "
                  "follows the wording (340 official, 850 math-ai)"),
    "hmmt-feb-2025": ("hmmt_feb_2025.jsonl", "single upstream (MathArena answers.csv); copies agree"),
    "hmmt-feb-2026": ("hmmt_feb_2026.jsonl", "single upstream (MathArena)"),
    "brumo-2025": ("brumo_2025.jsonl", "single upstream (MathArena)"),
    "cmimc-2025": ("cmimc_2025.jsonl", "single upstream (MathArena)"),
}

# Phrases that tell two circulating wordings apart (docs/provenance.md): id -> (official, alternative).
WORDING_MARKERS = {"2026-II-10": ("greatest possible value of $BC", "sum of all possible values of $BC")}


def key(value: object) -> int | str:
    """An integer key as a JSON int; any other key as its LaTeX text, stripped."""
    text = str(value).strip()
    return int(text) if isinstance(value, int) or re.fullmatch(r"[+-]?\d+", text) else text


def build(shared: Path, out: Path) -> None:
    for name, (filename, provenance) in SETS.items():
        source = shared / "data" / filename
        if not source.is_file():
            print(f"{source}: absent, skipped")
            continue
        rows = [json.loads(line) for line in source.read_text().splitlines() if line.strip()]
        problems = []
        for row in rows:
            entry: dict[str, object] = {"id": row["id"], "answer": key(row["answer"])}
            accepted = [key(a) for a in row.get("accepted_answers") or [] if key(a) != key(row["answer"])]
            if accepted:
                entry["accepted"] = accepted
            if row["id"] in WORDING_MARKERS and "problem_alt_answer" in row:
                official, alternative = WORDING_MARKERS[row["id"]]
                assert official in row["problem"] and alternative in row["problem_alt"], row["id"]
                entry["wordings"] = [
                    {"marker": official, "answer": key(row["answer"]), "label": "official wording"},
                    {"marker": alternative, "answer": key(row["problem_alt_answer"]),
                     "label": row["problem_alt_source"].split(" (")[0]},
                ]
            if row.get("note"):
                entry["note"] = row["note"]
            problems.append(entry)
        sources = sorted({s if s.startswith("web:") else s.split(":", 1)[0] for row in rows for s in row.get("sources", [])})
        kinds = {"integer" if isinstance(p["answer"], int) else "latex" for p in problems}
        registry = {
            "name": name,
            "data_file": filename,
            "answer_type": "integer" if kinds == {"integer"} else "latex",
            "answer_sources": sources,
            "provenance": f"{provenance} (docs/provenance.md)",
            "problems": problems,
        }
        path = out / f"{filename.removesuffix('.jsonl')}.json"
        path.write_text(json.dumps(registry, indent=1, ensure_ascii=False) + "\n")
        print(f"{path}: {len(problems)} problems")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    args = parser.parse_args()
    build(args.shared, Path(__file__).resolve().parents[1] / "problems")
