"""The report and the comparison page in a real browser (Debian's chromium, headless).

Checks, through the DOM Chromium serialises after loading (`--dump-dom`), that plots and tables
rendered and that hostile model text (<script>, <img onerror>) ran nothing and injected no element;
and takes screenshots. A control page with the same text left unescaped proves the check detects an
injection. Skipped without /usr/bin/chromium, except under CI=true where that is a failure.
`AIME_EVAL_TEST_CHROMIUM` names another binary (.ci/run points it nowhere for its pass as a new user).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from evaluator.reports.compare import write_compare_html
from evaluator.reports.report import write_report
from evaluator.reports.transcripts import SAMPLES_DIR
from evaluator.testing.synthetic_run import write_synthetic_run
from tests.conftest import skip_or_fail
from tests.reports.test_report import EVIL_MODEL, IMG, SCRIPT, Elements, make_run, parse, poison

CHROMIUM = Path(os.environ.get("AIME_EVAL_TEST_CHROMIUM") or "/usr/bin/chromium")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--virtual-time-budget=3000")


@pytest.fixture(scope="module")
def chromium() -> Path:
    if CHROMIUM.is_file():
        return CHROMIUM
    skip_or_fail(f"{CHROMIUM} not found: apt-get install -y chromium")


def browse(chromium: Path, page: Path, profile: Path, *extra: str) -> str:
    """Load `page` in a fresh headless Chromium profile; returns stdout (the DOM with --dump-dom)."""
    result = subprocess.run([str(chromium), *FLAGS, f"--user-data-dir={profile}", *extra, page.resolve().as_uri()],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def injection_evidence(dom: Elements, expected_title: str) -> list[str]:
    """Signs that model text became markup or ran: a changed title, script/img elements, on* handlers.
    Our pages contain none of these, so any one of them came from the data."""
    found = []
    if dom.title != expected_title:
        found.append(f"title is {dom.title!r}")
    found += [f"<{name}> element" for name in ("script", "img", "iframe", "object", "embed") if dom.count(name)]
    found += [f"{name} {attr}=" for name, attrs in dom.tags for attr in attrs if attr.startswith("on")]
    return found


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("runs")
    hostile = make_run(out, "mock:0.6")
    poison(hostile)
    return [hostile, make_run(out, "mock:0.9")]


def test_the_check_detects_unescaped_model_text(chromium: Path, tmp_path: Path) -> None:
    control = tmp_path / "control.html"
    control.write_text(f"<!DOCTYPE html><html><head><title>control</title></head><body><pre>{SCRIPT} {IMG}</pre>"
                       "</body></html>")
    dom = parse(browse(chromium, control, tmp_path / "profile", "--dump-dom"))
    evidence = injection_evidence(dom, "control")
    assert "title is 'PWNED'" in evidence and "<script> element" in evidence and "<img> element" in evidence


def test_report_renders_and_runs_no_model_text(chromium: Path, runs: list[Path], tmp_path: Path) -> None:
    report = write_report(runs[0])
    dom_text = browse(chromium, report, tmp_path / "profile", "--dump-dom")
    dom = parse(dom_text)
    assert injection_evidence(dom, f"{EVIL_MODEL} on demo") == []
    assert "window.__pwned" not in dom.title and dom.title != "PWNED"
    assert dom.count("svg") == 5 and dom.count("path") > 50  # matplotlib plots drawn inline: 3 + 2 budget curves
    assert len(dom.with_class("table", "checks")) == 1 and len(dom.with_class("table", "stability")) == 1
    summary = json.loads((runs[0] / "summary.json").read_text())
    assert len(dom.with_class("table", "problems")) == 1 and len(dom.with_class("li", "sample-line")) == summary["n_samples"]


def test_transcript_pages_render_and_run_no_model_text(chromium: Path, runs: list[Path], tmp_path: Path) -> None:
    write_report(runs[0])
    hostile = [page for page in sorted((runs[0] / SAMPLES_DIR).glob("p*.html")) if "&lt;script&gt;" in page.read_text()]
    assert hostile, "the poisoned response is on a problem page"
    for page in hostile:
        dom_text = browse(chromium, page, tmp_path / f"profile-{page.stem}", "--dump-dom")
        dom = parse(dom_text)
        assert injection_evidence(dom, dom.title) == [] and dom.title.endswith(f"{EVIL_MODEL} on demo")
        assert "&lt;script&gt;window.__pwned=1;document.title='PWNED'&lt;/script&gt;" in dom_text  # shown as text
        assert len(dom.with_class("details", "sample")) == 8 and dom.count("pre") >= 8


@pytest.mark.slow
def test_report_of_an_r1_length_run_is_small_and_loads(chromium: Path, tmp_path: Path) -> None:
    """30 problems x 64 samples x ~45k characters (~87 MB of responses): report.html stays under 5 MB and
    Chromium renders it whole; a problem page holds that problem's 64 full responses. (Load time is
    measured in scripts/bench_report.py, not asserted here.)"""
    run = write_synthetic_run(tmp_path / "run", n_problems=30, k=64, chars=45_000)
    assert (run / "samples.jsonl").stat().st_size > 80e6
    report = write_report(run)
    assert report.stat().st_size < 5e6
    dom = parse(browse(chromium, report, tmp_path / "profile", "--dump-dom"))
    assert len(dom.with_class("li", "sample-line")) == 1920 and dom.count("svg") == 5  # 3 plots + the two budget curves
    links = {a.get("href", "").split("#")[0] for tag, a in dom.tags if tag == "a"}  # type: ignore[union-attr]
    assert {f"{SAMPLES_DIR}/p{i}.html" for i in range(30)} <= links
    page_dom_text = browse(chromium, run / SAMPLES_DIR / "p29.html", tmp_path / "profile-p29", "--dump-dom")
    page_dom = parse(page_dom_text)
    assert len(page_dom.with_class("details", "sample")) == 64 and len(page_dom_text) > 64 * 45_000


def test_compare_page_renders(chromium: Path, runs: list[Path], tmp_path: Path) -> None:
    page = write_compare_html(runs, tmp_path / "compare.html", reference="deepseek-r1", target="pass1=71.0,cons=86.7")
    dom = parse(browse(chromium, page, tmp_path / "profile", "--dump-dom"))
    # the title the page was rendered with: the runs' model names, the hostile one as plain text
    assert injection_evidence(dom, f"Comparison of {EVIL_MODEL}, mock:0.9") == []
    assert dom.count("svg") == 4 and len(dom.with_class("table", "pairs")) == 1  # pass@k, maj@k, 2 budget curves
    assert len(dom.with_class("table", "verdict")) == 1 and len(dom.with_class("tr", "match")) == 0
    assert len(dom.with_class("span", "heat")) == 2 * 12


def test_screenshots(chromium: Path, runs: list[Path], tmp_path: Path) -> None:
    from matplotlib.image import imread

    for name, page in (("report", write_report(runs[1])),
                       ("compare", write_compare_html(runs, tmp_path / "compare.html"))):
        shot = tmp_path / f"{name}.png"
        browse(chromium, page, tmp_path / f"profile-{name}", f"--screenshot={shot}", "--window-size=1280,1400")
        pixels = imread(shot)
        assert pixels.shape[:2] == (1400, 1280)
        assert float(np.std(pixels[..., :3])) > 0.05, f"{name} screenshot is blank"
