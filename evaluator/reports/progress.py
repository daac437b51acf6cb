"""The sampling progress while a run generates: one line that fits the terminal (redrawn in place, never
wrapped, at any width down to 40 columns), or, when stderr is not a terminal (a log file, a pipe, a job
scheduler), one plain line every few seconds that a log keeps readable."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from rich.console import Console
from rich.progress import Progress, ProgressColumn, Task
from rich.text import Text

from evaluator.run.runner import RunProgress

PLAIN_EVERY_S = 5.0
"""Seconds between two plain lines when stderr is not a terminal."""


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """What one progress line shows, read from the run's counters at one instant."""

    done: int
    total: int
    elapsed_s: float
    tokens_per_s: float
    in_flight: int | None = None
    errors: int = 0
    retries: int = 0

    @staticmethod
    def of(progress: RunProgress) -> Snapshot:
        return Snapshot(done=progress.done, total=progress.total, elapsed_s=time.monotonic() - progress.started,
                        tokens_per_s=progress.tokens_per_s(), in_flight=progress.in_flight(),
                        errors=progress.errors, retries=progress.live_retries())


def _clock(seconds: float) -> str:
    s = int(max(seconds, 0))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def _eta(s: Snapshot) -> str | None:
    if s.done == 0 or s.done >= s.total:
        return None
    return _clock(s.elapsed_s * (s.total - s.done) / s.done)


def _rate(tokens_per_s: float) -> str:
    return f"{tokens_per_s / 1000:.1f}k tok/s" if tokens_per_s >= 10_000 else f"{tokens_per_s:,.0f} tok/s"


_GIVE_WAY = ("bar", "in_flight", "eta", "elapsed", "pct")
"""What leaves the terminal line first when the width is short; the label's tail goes after all of these,
so done/total, tokens/s and errors always show."""


def progress_line(label: str, s: Snapshot, width: int) -> str:
    """The terminal's progress line, at most `width` characters: the label, a bar where there is room,
    done/total, elapsed<remaining, tokens/s, requests in flight, errors and retries."""
    eta = _eta(s)
    parts = {
        "count": f"{s.done}/{s.total}",
        "pct": f"{100 * s.done / s.total:.0f}%" if s.total else "",
        "elapsed": _clock(s.elapsed_s),
        "eta": f"<{eta}" if eta else "",
        "rate": _rate(s.tokens_per_s),
        "in_flight": f"{s.in_flight} in flight" if s.in_flight is not None else "",
        "trouble": f"err {s.errors} retry {s.retries}" if s.errors or s.retries else "",
    }

    def stats(dropped: tuple[str, ...]) -> str:
        shown = {k: ("" if k in dropped else v) for k, v in parts.items()}
        groups = (f"{shown['count']} {shown['pct']}".strip(), shown["elapsed"] + shown["eta"], shown["rate"],
                  shown["in_flight"], shown["trouble"])
        return "  ".join(g for g in groups if g)

    for n in range(len(_GIVE_WAY) + 1):
        dropped = _GIVE_WAY[:n]
        text = stats(dropped)
        room = width - len(label) - len(text) - 2
        if "bar" not in dropped and room >= 8:  # a bar worth drawing
            bar_width = min(room, 30)
            filled = round(bar_width * s.done / s.total) if s.total else 0
            return f"{label} {'━' * filled}{'╺' * (bar_width - filled)} {text}"
        if "bar" in dropped and len(label) + 1 + len(text) <= width:
            return f"{label} {text}"
    text = stats(_GIVE_WAY)
    keep = width - len(text) - 1
    head = label if len(label) <= keep else (label[: keep - 1] + "…" if keep >= 2 else "")
    return f"{head} {text}".strip()[:width]


def plain_line(label: str, s: Snapshot) -> str:
    """The line written every few seconds when stderr is not a terminal: no bar, no control characters."""
    pct = f" ({100 * s.done / s.total:.0f}%)" if s.total else ""
    line = f"{label}: {s.done}/{s.total} samples{pct}, {_clock(s.elapsed_s)} elapsed"
    if (eta := _eta(s)) is not None:
        line += f", {eta} to go"
    line += f", {_rate(s.tokens_per_s)}, {s.errors} errors"
    return line + (f", {s.retries} retries" if s.retries else "")


class _Line(ProgressColumn):
    """The whole line as one column, as wide as the console allows (Rich re-renders it at each refresh)."""

    def __init__(self, label: str, console: Console) -> None:
        super().__init__()
        self.label, self.console = label, console
        self.progress: RunProgress | None = None

    def render(self, task: Task) -> Text:
        if self.progress is None:
            return Text(self.label, no_wrap=True, overflow="ellipsis")
        return Text(progress_line(self.label, Snapshot.of(self.progress), self.console.width - 1), no_wrap=True)


@contextmanager
def sampling_progress(
    console: Console, label: str, quiet: bool = False, every_s: float = PLAIN_EVERY_S
) -> Iterator[Callable[[RunProgress], None]]:
    """Progress while sampling (done/total, tokens/s, errors, retries); yields the update callback.
    A terminal gets one line redrawn in place; anything else a plain line every `every_s` seconds (the
    counters are read by a timer, so retries show up even while no sample finishes) and a last one."""
    if quiet:
        yield lambda _progress: None
        return
    if not console.is_terminal:
        with _plain_lines(console, label, every_s) as update:
            yield update
        return
    line = _Line(label, console)
    with Progress(line, console=console, transient=False) as bar:
        task = bar.add_task(label, total=None)

        def update(progress: RunProgress) -> None:
            line.progress = progress
            bar.update(task, total=progress.total, completed=progress.done)

        yield update


@contextmanager
def _plain_lines(console: Console, label: str, every_s: float) -> Iterator[Callable[[RunProgress], None]]:
    latest: list[RunProgress] = []
    stop = threading.Event()

    def write() -> None:
        if latest:
            console.print(plain_line(label, Snapshot.of(latest[-1])), highlight=False, markup=False, soft_wrap=True)

    def tick() -> None:
        while not stop.wait(every_s):
            write()

    def update(progress: RunProgress) -> None:
        if not latest:
            latest.append(progress)

    timer = threading.Thread(target=tick, name="progress-lines", daemon=True)
    timer.start()
    try:
        yield update
    finally:
        stop.set()
        timer.join()
        write()
