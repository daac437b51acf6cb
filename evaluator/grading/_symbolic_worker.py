"""Symbolic equality of two LaTeX answers, in a worker process with a hard timeout.

Bounded three ways: answers longer than MAX_SYMBOLIC_CHARS or holding a power tower deeper than MAX_TOWER
are undecided without asking; each comparison has a timeout; every result is remembered (undecided ones as
undecided), so a hostile answer repeated by k samples costs its timeout once.

Why a process: sympy can run for minutes on hostile input and `signal.alarm` only works in the
main thread. The worker is started lazily on the first symbolic comparison (so importing this
module, or grading integers, never imports sympy) and is killed and replaced after a timeout.
Parsing and equality live in `evaluator.grading._sympy_compare`, imported only by the worker.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Undecided = Literal["timeout", "unparsable", "too_long", "worker_error"]
UNDECIDED: tuple[Undecided, ...] = ("timeout", "unparsable", "too_long", "worker_error")

MAX_SYMBOLIC_CHARS = 200  # longer answers are not parsed: no AIME-style answer is this long
MAX_TOWER = 3
"""Deepest power tower sent to the worker (`e^{x^2}` is 3): `n^{n^{n^{n}}}` or `9^{9^{9^{9}}}` cost sympy its
whole timeout plus a worker restart and are never a competition key, so they are undecided at once."""
DEFAULT_TIMEOUT_S = 5.0
STARTUP_TIMEOUT_S = 120.0  # importing sympy + the ANTLR parser in a fresh process
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
WORKER_MEMORY_BYTES = 2 << 30  # address-space cap: `9^{9^{9}}` must not exhaust the machine
CACHE_SIZE = 4_096  # (answer, gold) pairs remembered, undecided ones included: k samples of one problem repeat answers


@dataclass(frozen=True)
class SymbolicResult:
    """`equal` is None when the check could not finish (timeout, unparsable, worker died)."""

    equal: bool | None
    reason: Literal["equal", "different"] | Undecided


def tower_height(text: str) -> int:
    """Levels of the deepest power tower whose exponents are braced: `x` 1, `x^2` 2, `e^{x^2}` 3,
    `n^{n^{n^{n}}}` 4. One pass over the text (callers bound its length)."""
    braces: list[bool] = []  # for each open brace: does it open an exponent?
    height = 1
    for i, char in enumerate(text):
        if char == "{":
            braces.append(text[i - 1 : i] == "^")
        elif char == "}":
            if braces:
                braces.pop()
        elif char == "^":
            height = max(height, 2 + sum(braces))
    return height


class SymbolicChecker:
    """One lazily started worker process; `compare` is thread-safe and bounded by `timeout_s`.

    The worker is a plain subprocess (`python -m evaluator.grading._symbolic_worker`) speaking JSON lines, so it
    also starts from inside daemonic multiprocessing workers, where `multiprocessing` cannot.
    """

    def __init__(self, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None
        self._replies: queue.Queue[str | None] = queue.Queue()
        self._cache: dict[tuple[str, str], SymbolicResult] = {}
        self._cache_lock = threading.Lock()

    @property
    def started(self) -> bool:
        return self._proc is not None

    def compare(self, answer: str, gold: str) -> SymbolicResult:
        """Is `answer` mathematically equal to `gold`? Both are LaTeX strings."""
        if len(answer) > MAX_SYMBOLIC_CHARS or len(gold) > MAX_SYMBOLIC_CHARS:
            return SymbolicResult(None, "too_long")
        if tower_height(answer) > MAX_TOWER or tower_height(gold) > MAX_TOWER:
            return SymbolicResult(None, "too_long")  # too large to evaluate: undecided, never a verdict
        with self._cache_lock:
            cached = self._cache.get((answer, gold))
        if cached is not None:
            return cached
        result = self._compare(answer, gold)
        # remembered: decisions, and undecided results (a timeout, unparsable text) as undecided, never as a
        # verdict: a hostile answer (`9^{9^{9^{9}}}`) costs its timeout and a worker restart once, not at every
        # sample that repeats it. A worker that failed (to start, or died) is tried again next time.
        if result.reason != "worker_error":
            with self._cache_lock:
                if len(self._cache) >= CACHE_SIZE:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[answer, gold] = result
        return result

    def remembered(self) -> dict[tuple[str, str], SymbolicResult]:
        """A copy of the remembered results by (answer, gold), undecided ones included (kept with a run)."""
        with self._cache_lock:
            return dict(self._cache)

    def remember(self, results: Mapping[tuple[str, str], SymbolicResult]) -> None:
        """Take results kept with a run as if computed here (worker failures are never kept: not taken)."""
        with self._cache_lock:
            for key, result in results.items():
                if result.reason != "worker_error" and len(self._cache) < CACHE_SIZE:
                    self._cache[key] = result

    def clear_cache(self) -> None:
        """Forget remembered decisions (benchmarks time cold comparisons)."""
        with self._cache_lock:
            self._cache.clear()

    def _compare(self, answer: str, gold: str) -> SymbolicResult:
        with self._lock:
            proc = self._ensure_worker()
            if proc is None or proc.stdin is None:
                return SymbolicResult(None, "worker_error")
            try:
                proc.stdin.write(json.dumps([answer, gold]) + "\n")
                proc.stdin.flush()
                reply = self._replies.get(timeout=self.timeout_s)
            except queue.Empty:
                self._stop()
                return SymbolicResult(None, "timeout")
            except OSError:
                reply = None
            if reply is None:
                self._stop()
                return SymbolicResult(None, "worker_error")
            try:
                equal, reason = json.loads(reply)
            except ValueError:
                self._stop()
                return SymbolicResult(None, "worker_error")
            return SymbolicResult(equal, reason)

    def close(self) -> None:
        """Stop the worker (it restarts on the next comparison)."""
        with self._lock:
            self._stop()

    def _ensure_worker(self) -> subprocess.Popen[str] | None:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc
        self._stop()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_PACKAGE_ROOT, os.environ.get("PYTHONPATH")]))}
        proc = subprocess.Popen(
            [sys.executable, "-m", "evaluator.grading._symbolic_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            env=env,
        )
        self._replies = queue.Queue()
        threading.Thread(target=_pump, args=(proc, self._replies), daemon=True).start()
        try:
            ready = self._replies.get(timeout=STARTUP_TIMEOUT_S)
        except queue.Empty:
            ready = None
        self._proc = proc
        if ready != "ready":
            self._stop()
            return None
        return proc

    def _stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.wait()
            for stream in (self._proc.stdin, self._proc.stdout):
                if stream is not None:
                    stream.close()
        self._proc = None


def _pump(proc: subprocess.Popen[str], replies: queue.Queue[str | None]) -> None:
    """Forward the worker's reply lines to `replies`; None marks the end of its output."""
    assert proc.stdout is not None
    with contextlib.suppress(OSError, ValueError):  # the pipe closes when the worker is killed
        for line in proc.stdout:
            replies.put(line.strip())
    replies.put(None)


_default: SymbolicChecker | None = None
_default_lock = threading.Lock()


def default_checker() -> SymbolicChecker:
    """The process-wide checker (created on first use, stopped at exit)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = SymbolicChecker()
            atexit.register(_default.close)
        return _default


def existing_checker() -> SymbolicChecker | None:
    """The process-wide checker if one was created, without creating it."""
    with _default_lock:
        return _default


def _limit_memory() -> None:
    """Cap the worker's address space where the platform allows it (a MemoryError is a failed check)."""
    try:
        import resource
    except ImportError:  # not on Windows
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > WORKER_MEMORY_BYTES:
        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, hard))


def serve() -> None:
    """Worker loop: read [answer, gold] JSON lines on stdin, write [equal, reason] lines on stdout."""
    _limit_memory()
    replies, sys.stdout = sys.stdout, sys.stderr  # stray prints from libraries must not corrupt replies
    from evaluator.grading._sympy_compare import latex_equal

    replies.write("ready\n")
    replies.flush()
    for line in sys.stdin:
        answer, gold = json.loads(line)
        replies.write(json.dumps(list(latex_equal(answer, gold))) + "\n")
        replies.flush()


if __name__ == "__main__":
    serve()
