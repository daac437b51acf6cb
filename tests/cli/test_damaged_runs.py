"""Damaged run files: a line that is not UTF-8 or not a sample record, or a config.json that
is unreadable or edited by hand, gives `file:line: what` (or `file: what`) and exit 2 in every command,
never a traceback and never a silently wrong number."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evaluator.cli import app

RUN_ARGS = ["--model", "mock:0.8", "--dataset", "demo", "--k", "2", "--output-dir", "o", "--quiet"]


@dataclass(frozen=True)
class Damage:
    file: str
    line: bytes  # put in as line 2
    message: str  # after "FILE:2: "
    note: str


DAMAGES = [
    Damage("samples.jsonl", b"null\n", "not a record (a JSON null)", "JSON null"),
    Damage("samples.jsonl", b"[1, 2]\n", "not a record (a JSON list)", "a JSON list"),
    Damage("samples.jsonl", b'{"problem_id": "demo-1"}\n', "not a sample record (no sample)", "a partial object"),
    Damage("samples.jsonl", b'{"problem_id": "demo-1", "sample": "0"}\n', "field 'sample' is a string, not a number",
           "a field of the wrong type"),
    Damage("samples.jsonl", b'{"problem_id": "demo-1", "sample": 0, "response": "\xff\xfe"}\n', "not UTF-8",
           "bytes that are not UTF-8"),
    Damage("samples.jsonl", b'{"problem_id": "demo-1", "sam\n', "corrupt line", "invalid JSON (as before)"),
    Damage("errors.jsonl", b"null\n", "not a record (a JSON null)", "errors.jsonl: JSON null"),
    Damage("errors.jsonl", b"\xc3\x28\n", "not UTF-8", "errors.jsonl: not UTF-8"),
]
COMMANDS = {
    "evaluate": lambda run: RUN_ARGS,
    "score": lambda run: ["score", str(run)],
    "report": lambda run: ["report", str(run)],
    "compare": lambda run: ["compare", str(run)],
    "export": lambda run: ["export", str(run)],
}


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One finished mock run (12 problems x 2 samples) to damage copies of."""
    root = tmp_path_factory.mktemp("made")
    result = invoke(root, RUN_ARGS)
    assert result.exit_code == 0, result.output
    (run,) = (root / "o").iterdir()
    return run


def invoke(cwd: Path, args: list[str]):  # noqa: ANN201 - typer's Result
    import os

    here = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(app, args)
    finally:
        os.chdir(here)


def damaged_copy(finished_run: Path, tmp_path: Path) -> Path:
    run = tmp_path / "o" / finished_run.name
    shutil.copytree(finished_run, run)
    return run


def insert_line(path: Path, line: bytes) -> None:
    lines = path.read_bytes().splitlines(keepends=True) if path.exists() else []
    lines = lines or [b'{"problem_id": "demo-2", "sample": 0, "status": "error", "error": "HTTP 500"}\n']
    path.write_bytes(b"".join([lines[0], line, *lines[1:]]))


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("damage", DAMAGES, ids=[d.note for d in DAMAGES])
def test_damaged_line_names_file_and_line_in_every_command(finished_run: Path, tmp_path: Path, damage: Damage,
                                                           command: str) -> None:
    run = damaged_copy(finished_run, tmp_path)
    insert_line(run / damage.file, damage.line)
    result = invoke(tmp_path, COMMANDS[command](run))
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no traceback
    assert f"{damage.file}:2: {damage.message}" in " ".join(result.output.split()), result.output


CONFIG_DAMAGES = [
    ("{not json", "config.json:1: invalid JSON", "invalid JSON"),
    ("[]", "config.json: not a run configuration (a JSON list)", "not an object"),
    ("\udcff", "config.json: not UTF-8", "not UTF-8"),
]


@pytest.mark.parametrize(("text", "message", "note"), CONFIG_DAMAGES, ids=[c[2] for c in CONFIG_DAMAGES])
@pytest.mark.parametrize("command", ["evaluate", "score", "report"])
def test_unreadable_config_is_one_clear_line(finished_run: Path, tmp_path: Path, text: str, message: str, note: str,
                                            command: str) -> None:
    run = damaged_copy(finished_run, tmp_path)
    (run / "config.json").write_bytes(text.encode("utf-8", "surrogateescape"))
    result = invoke(tmp_path, COMMANDS[command](run))
    assert result.exit_code == 2 and message in " ".join(result.output.split()), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("command", ["evaluate", "score"])
def test_config_edited_by_hand_is_refused(finished_run: Path, tmp_path: Path, command: str) -> None:
    """The directory is named by the hash of the identity; an identity edited afterwards no longer
    describes the samples, so commands that write to the run refuse it."""
    run = damaged_copy(finished_run, tmp_path)
    config = json.loads((run / "config.json").read_text())
    config["identity"]["temperature"] = 0.0
    (run / "config.json").write_text(json.dumps(config))
    samples_before = (run / "samples.jsonl").read_bytes()
    result = invoke(tmp_path, COMMANDS[command](run))
    assert result.exit_code == 2, result.output
    assert "config.json: the configuration was edited after the run was made" in " ".join(result.output.split())
    assert (run / "samples.jsonl").read_bytes() == samples_before


def test_an_untouched_run_still_passes_every_command(finished_run: Path, tmp_path: Path) -> None:
    """The checks above refuse damage, not runs: the same commands on an undamaged copy exit 0."""
    run = damaged_copy(finished_run, tmp_path)
    for command, args in COMMANDS.items():
        result = invoke(tmp_path, args(run))
        assert result.exit_code == 0, (command, result.output)
