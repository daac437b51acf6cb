"""Size and load time of `evaluate report` on an R1-length run, against the single-page layout.

Usage: .venv/bin/python scripts/bench_report.py [--problems 30] [--k 64] [--chars 45000] [--repeat 3]
       [--baseline-repeat 1]

Builds a synthetic run (evaluator.testing.synthetic_run: the mock's graded responses padded to
--chars characters; 30 x 64 x 45k is ~87 MB of samples, the shape of a DeepSeek-R1 AIME run), then
writes, in the same process and on the same data:
  - the report as shipped: report.html + report_samples/p<i>.html (transcripts beside the page);
  - the baseline: the same page with every response inline (render_report(inline_transcripts=True),
    the single-file layout used before).
For each page it prints the size, the time to write it, and the time headless Chromium takes to load
it and serialise its DOM (`--dump-dom`, best of --repeat), minus the same for an empty page (browser
start-up). Figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evaluator.reports._html import write_page  # noqa: E402
from evaluator.reports.report import render_report, write_report  # noqa: E402
from evaluator.reports.runview import load_run  # noqa: E402
from evaluator.reports.transcripts import SAMPLES_DIR  # noqa: E402
from evaluator.testing.synthetic_run import write_synthetic_run  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--dump-dom")


def load_seconds(page: Path, profile: Path, repeat: int) -> float:
    """Best wall time of a fresh headless Chromium loading `page` and printing its DOM."""
    best = float("inf")
    for i in range(repeat):
        started = time.perf_counter()
        result = subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}-{i}", page.resolve().as_uri()],
                                capture_output=True, timeout=600)
        elapsed = time.perf_counter() - started
        if result.returncode != 0 or b"<body" not in result.stdout:
            raise SystemExit(f"chromium failed on {page}: {result.stderr.decode(errors='replace')[-500:]}")
        best = min(best, elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=int, default=30)
    parser.add_argument("--k", type=int, default=64)
    parser.add_argument("--chars", type=int, default=45_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-repeat", type=int, default=1, help="loads of the baseline (minutes each)")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        raise SystemExit(f"{CHROMIUM} not found: apt-get install -y chromium")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        run_dir = write_synthetic_run(root / "run", n_problems=args.problems, k=args.k, chars=args.chars)
        samples_mb = (run_dir / "samples.jsonl").stat().st_size / 1e6
        print(f"synthetic run: {args.problems} problems x {args.k} samples x ~{args.chars:,} chars "
              f"(samples.jsonl {samples_mb:.1f} MB)")

        started = time.perf_counter()
        report = write_report(run_dir)
        write_new = time.perf_counter() - started
        pages = sorted((run_dir / SAMPLES_DIR).glob("p*.html"))
        largest = max(pages, key=lambda p: p.stat().st_size)

        started = time.perf_counter()
        baseline = write_page(root / "single.html", render_report(load_run(run_dir), inline_transcripts=True))
        write_old = time.perf_counter() - started

        blank = root / "blank.html"
        blank.write_text("<!DOCTYPE html><html><head><title>blank</title></head><body>x</body></html>")
        profile = root / "profile"
        startup = load_seconds(blank, profile, args.repeat)
        rows = [("report.html (shipped)", report, write_new), (f"{SAMPLES_DIR}/{largest.name} (largest problem page)",
                                                               largest, None),
                ("single page, transcripts inline (baseline)", baseline, write_old)]
        print(f"chromium start-up (empty page, best of {args.repeat}): {startup:.2f} s")
        print(f"{'page':<48} {'size MB':>8} {'write s':>8} {'load s':>8} {'load - start-up s':>18}")
        loads = {}
        for name, page, write_s in rows:
            load = load_seconds(page, profile, args.baseline_repeat if page == baseline else args.repeat)
            loads[page] = load
            written = "" if write_s is None else f"{write_s:.2f}"
            print(f"{name:<48} {page.stat().st_size / 1e6:>8.2f} {written:>8} {load:>8.2f} {load - startup:>18.2f}")
        print(f"ratio baseline / shipped: size {baseline.stat().st_size / report.stat().st_size:.0f}x, "
              f"load wall time {loads[baseline] / loads[report]:.0f}x (start-up included); "
              f"transcripts total {sum(p.stat().st_size for p in pages) / 1e6:.1f} MB in {len(pages)} pages")


if __name__ == "__main__":
    main()
