"""Run `evaluate` against each hostile server (evaluator/testing/_fake_quirks.py) and print what happened: exit code, wall
time, requests the server received, samples and error records left. Point `--code` at another
checkout (e.g. the commit before the fix) to get the "before" figures with the same servers.

    python scripts/hostile_servers.py [--code DIR] [--limit 60] [--cases empty_choices,trickle,...]

The server is this checkout's fake server (evaluator/testing/fake_openai_server.py, quirks included),
in-process on 127.0.0.1; the client is `python -m evaluator.cli` run from `--code` in a subprocess,
killed after `--limit` seconds (reported as "killed": it was still running).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from evaluator.testing.fake_openai_server import FakeOpenAIServer, FakeServerConfig  # noqa: E402

PROBLEMS = [{"id": f"p{i}", "problem": f"Problem {i}: find the answer.", "answer": i} for i in (1, 2, 3)]


@dataclass(frozen=True)
class Case:
    name: str
    quirk: str
    runs: tuple[tuple[str, ...], ...]  # extra CLI arguments of each `evaluate` run, in order
    note: str


CASES = {c.name: c for c in [
    Case("healthy", "ok", (("--k", "2"),), "a healthy server: the cost of starting the command"),
    Case("empty_choices", "empty_choices", (("--k", "2", "--max-retries", "2"),), "choices: [] for every request"),
    Case("usage_string", "usage_string", (("--k", "4"),), 'usage.completion_tokens = "20"'),
    Case("trickle", "trickle", (("--k", "1", "--request-timeout", "5", "--max-retries", "0"),),
         "headers, then one byte a second"),
    Case("extra_body", "ok", (("--k", "2", "--extra-body", '{"reasoning_effort":"low"}'),
                              ("--k", "2", "--extra-body", '{"reasoning_effort":"high"}')), "low, then high"),
    Case("content_parts", "content_parts", (("--k", "2"),), "content as a list of parts"),
    Case("error_200", "error_200", (("--k", "2", "--max-retries", "2"),), "200 with an error body"),
    Case("context_400", "context_400", (("--k", "2", "--concurrency", "1"),), "400 context length"),
]}


def run_case(case: Case, code: Path, limit: float) -> dict[str, object]:
    server = FakeOpenAIServer(FakeServerConfig(answers={f"Problem {i}:": i for i in (1, 2, 3)}, think_words=8,
                                               quirk=case.quirk))
    url = server.start()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "COLUMNS": "200"}
    exits, last_line = [], ""
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            (work / "three.jsonl").write_text("".join(json.dumps(p) + "\n" for p in PROBLEMS))
            for extra in case.runs:
                command = [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv.pop(1)); "
                           "from evaluator.cli import main; main()", str(code), "--model", "fake-r1",
                           "--base-url", url, "--dataset", str(work / "three.jsonl"), "--output-dir", str(work / "o"),
                           "--quiet", *extra]
                try:
                    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=limit)
                    exits.append(str(done.returncode))
                    lines = [line for line in done.stderr.splitlines() if line.strip()]
                    last_line = lines[-1][:160] if lines else ""
                except subprocess.TimeoutExpired:
                    exits.append(f"killed after {limit:g} s")
            runs = sorted(p for p in (work / "o").iterdir() if p.is_dir()) if (work / "o").exists() else []
            samples = sum(_lines(r / "samples.jsonl") for r in runs)
            errors = sum(_lines(r / "errors.jsonl") for r in runs)
    finally:
        server.stop()
    return {"case": case.name, "note": case.note, "exit": ", ".join(exits), "wall_s": round(time.monotonic() - started, 1),
            "requests": sum(1 for r in server.received if r.path.endswith("completions")), "run_dirs": len(runs),
            "samples": samples, "error_lines": errors, "last_stderr_line": last_line}


def _lines(path: Path) -> int:
    return len(path.read_bytes().splitlines()) if path.exists() else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", type=Path, default=REPO, help="checkout whose evaluator is the client")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds before a run counts as hung")
    parser.add_argument("--cases", default=",".join(CASES))
    args = parser.parse_args()
    for name in args.cases.split(","):
        print(json.dumps(run_case(CASES[name], args.code.resolve(), args.limit)), flush=True)


if __name__ == "__main__":
    main()
