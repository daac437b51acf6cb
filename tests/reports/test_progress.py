"""The progress while sampling: one line that fits the terminal at 80 columns and narrower (never wraps on
refresh), and plain lines every few seconds when stderr is a file, never a collapsing bar."""

from __future__ import annotations

import io
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.console import Console

from evaluator.reports.progress import Snapshot, plain_line, progress_line, sampling_progress
from evaluator.run.runner import RunProgress
from tests.cli.test_cli import ENV, evaluate

LONG = "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B on aime-2024,aime-2025,hmmt-feb-2025"
BUSY = Snapshot(done=1234, total=1920, elapsed_s=3725.0, tokens_per_s=18_345.0, in_flight=256, errors=3, retries=41)


@dataclass(frozen=True, kw_only=True)
class Case:
    note: str
    label: str
    snapshot: Snapshot
    width: int
    shows: tuple[str, ...]  # what must survive at this width


CASES = (
    Case(note="a short label at 80 columns keeps every number", label="mock on demo", snapshot=BUSY, width=79,
         shows=("1234/1920 64%", "<0:34:30", "18.3k tok/s", "err 3 retry 41")),
    Case(note="a wide terminal also shows requests in flight and a bar", label="mock on demo", snapshot=BUSY,
         width=119, shows=("━", "256 in flight", "err 3 retry 41")),
    Case(note="a quiet run at 80 columns has room for a bar", label="mock on demo",
         snapshot=Snapshot(done=32, total=64, elapsed_s=10.0, tokens_per_s=950.0), width=79,
         shows=("━━━", "32/64 50%", "0:00:10<0:00:10", "950 tok/s")),
    Case(note="a long label at 80 columns: counts, rate and errors survive", label=LONG, snapshot=BUSY, width=79,
         shows=("1234/1920", "tok/s", "err 3 retry 41", "deepseek")),
    Case(note="40 columns: the label gives way to the numbers", label=LONG, snapshot=BUSY, width=39,
         shows=("1234/1920", "err 3")),
    Case(note="nothing done yet: no remaining time, no division by zero", label="mock on demo",
         snapshot=Snapshot(done=0, total=64, elapsed_s=0.0, tokens_per_s=0.0), width=79, shows=("0/64 0%", "0 tok/s")),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_the_line_fits_its_width(case: Case) -> None:
    line = progress_line(case.label, case.snapshot, case.width)
    assert len(line) <= case.width, (case.note, line)
    assert [s for s in case.shows if s not in line] == [], (case.note, line)


def test_the_terminal_line_never_wraps_at_80_columns() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80, color_system=None)
    progress = RunProgress(total=1920)
    with sampling_progress(console, LONG) as update:
        for _ in range(3):
            progress.done += 300
            progress.completion_tokens += 3_000_000
            update(progress)
            time.sleep(0.15)  # a few refreshes of the live line
    frames = [re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", f) for f in re.split(r"[\r\n]", out.getvalue())]
    drawn = [f for f in frames if f.strip()]
    assert drawn and max(len(f) for f in drawn) <= 80, drawn
    assert any("900/1920" in f for f in drawn)


def test_a_file_gets_plain_lines_every_few_seconds() -> None:
    out = io.StringIO()
    console = Console(file=out, width=80)  # not a terminal
    progress = RunProgress(total=64)
    with sampling_progress(console, LONG, every_s=0.05) as update:
        update(progress)
        for _ in range(4):
            progress.done += 16
            time.sleep(0.06)
    lines = out.getvalue().splitlines()
    assert len(lines) >= 3, lines
    assert all(line.startswith(LONG + ": ") and "samples" in line and "errors" in line for line in lines)
    assert lines[-1].startswith(f"{LONG}: 64/64 samples (100%)")
    assert "\r" not in out.getvalue() and "\x1b" not in out.getvalue()


def test_plain_line_says_done_total_rate_and_errors() -> None:
    assert plain_line("m on d", BUSY) == ("m on d: 1234/1920 samples (64%), 1:02:05 elapsed, 0:34:30 to go, "
                                          "18.3k tok/s, 3 errors, 41 retries")


def test_a_run_with_stderr_in_a_file_logs_plain_lines(tmp_path: Path) -> None:
    result = evaluate("--model", "mock", "--k", "4", "--dataset", "demo", "--output-dir", "o", cwd=tmp_path,
                      env={**ENV, "COLUMNS": "80"})
    assert result.returncode == 0, result.stderr
    assert "mock on demo: 48/48 samples (100%)" in result.stderr and "━" not in result.stderr
