"""The end-of-run `next:` hint spells the command the way the user started it, so it can be pasted:
`.venv/bin/evaluate` (README's spelling) stays that, `evaluate` only when that name on PATH is this very
program, and `python -m evaluator.cli` keeps its interpreter."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.cli._run import invoked_as
from tests.cli.test_cli import ENV, evaluate

SCRIPT = Path(sys.executable).parent / "evaluate"  # the console script installed next to this interpreter


@dataclass(frozen=True)
class Case:
    note: str
    argv0: str
    orig_argv: tuple[str, ...]
    on_path: str | None  # what shutil.which("evaluate") finds
    expected: str


CASES = (
    Case("relative path, not on PATH: as typed", ".venv/bin/evaluate",
         ("/r/.venv/bin/python3", ".venv/bin/evaluate", "--model", "mock"), None, ".venv/bin/evaluate"),
    Case("on PATH and the same file: the bare name", str(SCRIPT),
         ("/r/.venv/bin/python3", str(SCRIPT), "--model", "mock"), str(SCRIPT), "evaluate"),
    Case("another `evaluate` on PATH: the path as typed", str(SCRIPT),
         ("/r/.venv/bin/python3", str(SCRIPT), "--model", "mock"), "/usr/bin/evaluate", shlex.quote(str(SCRIPT))),
    Case("python -m: the interpreter and the module", "/r/evaluator/cli.py",
         ("venv x/bin/python", "-X", "dev", "-m", "evaluator.cli", "--model", "mock"), None,
         "'venv x/bin/python' -X dev -m evaluator.cli"),
    Case("python -c (called from code): the installed name", "-c", ("python", "-c", "..."), None, "evaluate"),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_invoked_as(case: Case) -> None:
    argv = [case.argv0, "--model", "mock"] if case.argv0 != "-c" else ["-c"]
    assert invoked_as(argv, case.orig_argv, lambda name: case.on_path if name == "evaluate" else None) == case.expected


def _hint(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stderr
    return next(line for line in result.stdout.splitlines() if line.startswith("next: "))


def _run_script(script: str, cwd: Path, path: str) -> subprocess.CompletedProcess:
    return subprocess.run([script, "--model", "mock", "--k", "1", "--dataset", "demo", "--output-dir", "o",
                           "--quiet"], cwd=cwd, env={**ENV, "PATH": path}, capture_output=True, text=True, timeout=120)


def test_the_hint_repeats_the_path_the_user_typed(tmp_path: Path) -> None:
    assert SCRIPT.is_file(), f"no console script at {SCRIPT}: install the package (pip install -e .)"
    (tmp_path / "bin").symlink_to(SCRIPT.parent)
    typed = _hint(_run_script("bin/evaluate", tmp_path, "/usr/bin:/bin"))
    assert typed.startswith("next: bin/evaluate report o/") and "· bin/evaluate export o/" in typed
    on_path = _hint(_run_script("evaluate", tmp_path, f"{SCRIPT.parent}{os.pathsep}/usr/bin:/bin"))
    assert on_path.startswith("next: evaluate report o/") and "· evaluate score o/" in on_path


def test_the_hint_after_python_m_names_the_interpreter(tmp_path: Path) -> None:
    hint = _hint(evaluate("--model", "mock", "--k", "1", "--dataset", "demo", "--output-dir", "o", "--quiet",
                          cwd=tmp_path))
    assert hint.startswith(f"next: {shlex.join([sys.executable, '-m', 'evaluator.cli'])} report o/")
