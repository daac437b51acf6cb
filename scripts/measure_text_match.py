"""How the import's text matching treats other contests and other wordings (evaluator.imports.textmatch).

For AIME 2024 and AIME 2025 as the target set: each problem of the target in the other wording of its data
file (official / AI-MO `problem_alt`) should map to itself and must never map to another problem (a refusal
is an error naming the row, not a wrong score); no problem of another contest may map at all. Each bare and
inside two instruction wrappers. Prints the counts and the largest in-order coverage an unrelated problem
reaches; exits 1 if anything maps to a wrong problem.

    AIME_EVAL_DATA_DIR=../shared/data python scripts/measure_text_match.py
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from evaluator.imports.textmatch import TextIndex

WRAPPERS = {
    "bare": ("", ""),
    "r1": ("Please reason step by step, and put your final answer within \\boxed{}.\n\n", ""),
    "long": ("Solve the following math problem efficiently and clearly. The last line of your response should be of "
             "the following format: 'Therefore, the final answer is: $\\boxed{ANSWER}$. I hope it is correct' "
             "(without quotes) where ANSWER is just the final number or expression that solves the problem. "
             "Think step by step before answering.\n\n",
             "\n\nRemember to put your answer on its own line after \"Answer:\". The answer is an integer between "
             "0 and 999 inclusive."),
}
FILES = {"aime-2022": "aime_2022.jsonl", "aime-2023": "aime_2023.jsonl", "aime-2024": "aime_2024.jsonl",
         "aime-2025": "aime_2025.jsonl", "aime-2026": "aime_2026.jsonl", "hmmt-feb-2025": "hmmt_feb_2025.jsonl"}


def main() -> int:
    data = Path(os.environ.get("AIME_EVAL_DATA_DIR", "../shared/data"))
    sets = {name: [json.loads(line) for line in (data / file).read_text(encoding="utf-8").splitlines() if line.strip()]
            for name, file in FILES.items() if (data / file).is_file()}
    failures = 0
    for target in ("aime-2024", "aime-2025"):
        for key, other in (("problem", "problem_alt"), ("problem_alt", "problem")):
            index = TextIndex({r["id"]: [r[key]] for r in sets[target] if r.get(key)})
            own = refused = wrong = 0
            for row in sets[target]:
                for before, after in WRAPPERS.values():
                    if row.get(other) and row.get(key):
                        found = index.match(before + row[other] + after).problem_id
                        own += found == row["id"]
                        refused += found is None
                        wrong += found not in (None, row["id"])
            mapped = worst = 0.0
            tried = 0
            for name, rows in sets.items():
                if name == target:
                    continue
                for row in rows:
                    for before, after in WRAPPERS.values():
                        question = before + row["problem"] + after
                        tried += 1
                        mapped += index.match(question).problem_id is not None
                        worst = max(worst, max(index.coverage(question, pid) for pid in {r["id"] for r in sets[target]}))
            print(f"{target} ({key}): other wording maps to itself {own}/{own + refused + wrong}, refused {refused}, "
                  f"to another problem {wrong}; "
                  f"other contests mapped {int(mapped)}/{tried}; their best in-order coverage {worst:.0%}")
            failures += wrong + int(mapped)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
