"""A run folder received from someone else, holding real symbolic links, cannot make `evaluate` write,
append, truncate or delete outside it: the command is refused in one line naming the link, exit 2,
and the file or folder the link points at is unchanged."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from evaluator.reports.report import write_report
from evaluator.reports.transcripts import SAMPLES_DIR
from tests.cli.test_cli import evaluate
from tests.support.small_run import ARGS, make_small_run


@pytest.fixture(scope="module")
def made_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_small_run(tmp_path_factory.mktemp("made"))


@pytest.fixture
def received(made_run: Path, tmp_path: Path) -> Path:
    """A fresh copy of a finished run, as if unzipped from a mail."""
    run = tmp_path / "runs" / made_run.name
    shutil.copytree(made_run, run)
    return run


@dataclass(frozen=True, kw_only=True)
class Case:
    note: str
    link: str  # the entry of the run folder replaced by a link
    target_is_dir: bool
    command: tuple[str, ...]  # "RUN" stands for the run folder


CASES = [
    Case(note="score would truncate the .lock target to a pid", link=".lock", target_is_dir=False,
         command=("score", "RUN")),
    Case(note="resuming would append samples to the samples.jsonl target", link="samples.jsonl",
         target_is_dir=False, command=(*ARGS, "--k", "3", "--run-dir", "RUN")),
    Case(note="errors.jsonl is appended to on a resume too", link="errors.jsonl", target_is_dir=False,
         command=(*ARGS, "--k", "3", "--run-dir", "RUN")),
    Case(note="report would write pages into the report_samples target and delete its p<N>.html",
         link=SAMPLES_DIR, target_is_dir=True, command=("report", "RUN")),
    Case(note="score rewrites summary.json: the link is refused, not replaced silently", link="summary.json",
         target_is_dir=False, command=("score", "RUN")),
    Case(note="budget writes budget.json", link="budget.json", target_is_dir=False, command=("budget", "RUN")),
    Case(note="re-scoring rewrites the stored cons@k classes", link="answer_classes.json", target_is_dir=False,
         command=("score", "RUN")),
    Case(note="the judge appends its calls to judge.jsonl", link="judge.jsonl", target_is_dir=False,
         command=("score", "RUN")),
]


def _victim(tmp_path: Path, is_dir: bool) -> Path:
    if is_dir:
        victim = tmp_path / "home"
        victim.mkdir()
        (victim / "p0.html").write_text("my own page\n")
        (victim / "p7.html").write_text("another of mine\n")
        return victim
    victim = tmp_path / "bashrc"
    victim.write_text("export PATH=/usr/bin\n")
    return victim


def _snapshot(path: Path) -> dict[str, str]:
    if path.is_dir():
        return {p.name: p.read_text() for p in sorted(path.iterdir())}
    return {path.name: path.read_text()}


@pytest.mark.parametrize("case", CASES, ids=[c.link for c in CASES])
def test_a_link_in_a_received_run_is_refused_and_its_target_untouched(case: Case, received: Path,
                                                                       tmp_path: Path) -> None:
    victim = _victim(tmp_path, case.target_is_dir)
    entry = received / case.link
    if entry.is_dir():
        shutil.rmtree(entry)
    elif entry.exists():
        entry.unlink()
    before = _snapshot(victim)
    entry.symlink_to(victim, target_is_directory=case.target_is_dir)
    result = evaluate(*(str(received) if word == "RUN" else word for word in case.command), cwd=tmp_path)
    assert result.returncode == 2, case.note + result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "symbolic link" in lines[0] and case.link in lines[0], case.note
    assert _snapshot(victim) == before, case.note
    assert entry.is_symlink(), "the link itself is left for the user to look at"


def test_a_planted_temporary_link_is_replaced_not_written_through(received: Path, tmp_path: Path) -> None:
    """`.summary.json.tmp -> victim`: the atomic write makes a fresh file and never truncates the victim."""
    victim = _victim(tmp_path, False)
    (received / ".summary.json.tmp").symlink_to(victim)
    (received / f".{SAMPLES_DIR}").mkdir()  # unrelated dot-folder: not ours, left alone
    result = evaluate("score", str(received), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "export PATH=/usr/bin\n"
    assert json.loads((received / "summary.json").read_text())["n_samples"] == 24
    assert not (received / ".summary.json.tmp").exists()


def test_a_link_among_the_problem_pages_is_refused(received: Path, tmp_path: Path) -> None:
    write_report(received)
    victim = _victim(tmp_path, False)
    page = received / SAMPLES_DIR / "p3.html"
    page.unlink()
    page.symlink_to(victim)
    result = evaluate("report", str(received), cwd=tmp_path)
    assert result.returncode == 2 and "p3.html" in result.stderr and "symbolic link" in result.stderr
    assert victim.read_text() == "export PATH=/usr/bin\n"


def test_the_page_clean_up_deletes_only_pages_it_wrote(received: Path) -> None:
    write_report(received)
    folder = received / SAMPLES_DIR
    ours = folder / "p998.html"
    shutil.copy(folder / "p0.html", ours)  # a page of an older report of this run (more problems then)
    theirs = folder / "p999.html"
    theirs.write_text("<!DOCTYPE html>\n<p>a page the user keeps here</p>\n")
    write_report(received)
    assert not ours.exists(), "an older report's page is removed"
    assert theirs.read_text().endswith("keeps here</p>\n"), "a page this program did not write is kept"


def test_stored_classes_never_write_through_a_planted_temporary_link(tmp_path: Path) -> None:
    """The cons@k classes of a LaTeX key are saved beside the run (`answer_classes.json`): a link planted at
    its temporary name is removed and a fresh file written, the link's target untouched."""
    from evaluator.grading.equivalence import CLASSES_FILE, ClassStore

    run = tmp_path / "run"
    run.mkdir()
    victim = _victim(tmp_path, False)
    (run / f".{CLASSES_FILE}.tmp").symlink_to(victim)
    store = ClassStore.open(run)
    store.classes("p1", ("\\frac{1}{3}", "0.5"), (False, True), "\\frac{1}{2}")
    assert victim.read_text() == "export PATH=/usr/bin\n"
    saved = json.loads((run / CLASSES_FILE).read_text())
    assert any(key.startswith("p1|") for key in saved["problems"])
    assert not (run / f".{CLASSES_FILE}.tmp").exists()
