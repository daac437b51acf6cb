"""Option errors look like our own errors: one `error:` line naming the option, exit code 2 (no usage block)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cli.test_cli import evaluate


@dataclass(frozen=True)
class Case:
    note: str
    args: tuple[str, ...]
    line: str


CASES = (
    Case("k below its minimum", ("--model", "mock", "--k", "0"),
         "error: Invalid value for '--k': Input should be greater than or equal to 1 (see `evaluate --help`)"),
    Case("concurrency below its minimum", ("--model", "mock", "--concurrency", "0"),
         "error: Invalid value for '--concurrency': Input should be greater than or equal to 1 (see `evaluate --help`)"),
    Case("unknown option, with the close match", ("--kk", "3"),
         "error: No such option: --kk (Possible options: --k) (see `evaluate --help`)"),
    Case("subcommand without its argument", ("export",),
         "error: Missing argument 'run_dirs'. (see `evaluate export --help`)"),
    Case("subcommand option out of range", ("score", "--k", "0", "somewhere"),
         "error: Invalid value for '--k': Input should be greater than or equal to 1 (see `evaluate score --help`)"),
)


@pytest.mark.parametrize("case", CASES, ids=[c.note for c in CASES])
def test_option_error_is_one_line_and_exit_2(tmp_path: Path, case: Case) -> None:
    result = evaluate(*case.args, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [case.line]


def test_help_and_our_own_errors_keep_their_exit_codes(tmp_path: Path) -> None:
    assert evaluate("--help", cwd=tmp_path).returncode == 0
    missing = evaluate("report", str(tmp_path / "nope"), cwd=tmp_path)
    assert missing.returncode == 2 and missing.stderr.startswith("error: ") and len(missing.stderr.splitlines()) == 1
