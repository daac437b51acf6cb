"""The run report: numbers equal summary.json, model and config text escaped, samples auditable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from evaluator.grading.disagreements import disagreements
from evaluator.reports._html import pct
from evaluator.reports.report import REPORT, highlight, write_report
from evaluator.reports.runview import ReportError, load_run
from evaluator.reports.transcripts import SAMPLES_DIR

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
SCRIPT = "<script>window.__pwned=1;document.title='PWNED'</script>"
IMG = "<img src=x onerror=\"document.title='PWNED'\">"
EVIL_MODEL = f"mock{IMG}"


def make_run(out: Path, model: str = "mock:0.6", k: int = 8, dataset: str = "demo") -> Path:
    """Run `evaluate` with the mock model; returns the run directory it made."""
    before = set(out.iterdir()) if out.exists() else set()
    result = subprocess.run([sys.executable, "-m", "evaluator.cli", "--model", model, "--k", str(k), "--dataset",
                             dataset, "--output-dir", str(out), "--quiet"], env=ENV, capture_output=True, text=True,
                            timeout=180)
    assert result.returncode == 0, result.stderr
    (made,) = [p for p in out.iterdir() if p.is_dir() and p not in before]
    return made


def poison(run: Path) -> dict:
    """Put hostile text in a run: a response with <script> and <img onerror>, a hostile model name and
    extracted answer, and imported verdicts (one disagreeing). Returns what was changed."""
    lines = [json.loads(line) for line in (run / "samples.jsonl").read_text().splitlines()]
    first = lines[0]
    first["response"] = f"Let me think. {SCRIPT} and {IMG} so the answer is {first['extracted']}."
    wrong = next(r for r in lines if not r["correct"] and r is not first)
    wrong["extracted"] = "<i>7</i>"
    wrong["response"] = "The answer is <i>7</i>."
    agree = next(r for r in lines if r["correct"] and r is not first)
    agree["reported_correct"], agree["reported_extracted"] = True, agree["extracted"]
    differ = next(r for r in lines if r["correct"] and r is not first and r is not agree)
    differ["reported_correct"], differ["reported_extracted"] = False, "999"
    (run / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    config = json.loads((run / "config.json").read_text())
    config["model_name"] = EVIL_MODEL
    config["identity"]["template"] = "{problem}</code><script>document.title='PWNED'</script>"
    (run / "config.json").write_text(json.dumps(config))
    return {"first": first, "wrong": wrong, "agree": agree, "differ": differ}


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside each element with a data-metric."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.metrics: list[tuple[str, str, str]] = []  # (metric, data-value, shown text)
        self._open: list[tuple[str, str]] = []
        self._text: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        a = dict(attrs)
        if "data-metric" in a:
            self._open.append((a["data-metric"] or "", a.get("data-value") or ""))
            self._text = []
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self._open:
            metric, value = self._open.pop()
            self.metrics.append((metric, value, "".join(self._text)))
        self._in_title = False

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        if self._in_title:
            self.title += data

    def count(self, name: str) -> int:
        return sum(1 for tag, _ in self.tags if tag == name)

    def with_class(self, name: str, cls: str) -> list[dict[str, str | None]]:
        return [a for tag, a in self.tags if tag == name and cls in (a.get("class") or "").split()]


def parse(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    return parser


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("runs")
    clean = make_run(out, "mock:0.6")
    hostile = make_run(out, "mock:0.8")
    return {"clean": clean, "hostile": hostile, "changes": poison(hostile)}  # type: ignore[dict-item]


def test_headline_numbers_equal_summary(runs: dict) -> None:
    path = write_report(runs["clean"])
    assert path == runs["clean"] / REPORT
    summary = json.loads((runs["clean"] / "summary.json").read_text())
    m = summary["metrics"]
    found = {metric: (json.loads(value), text) for metric, value, text in parse(path.read_text()).metrics
             if metric != "pass_rate"}
    expected = {"pass1": m["pass1"], "pass1_se": m["pass1_se"], "cons": m["cons"], "pass1_ci": m["pass1_ci"],
                "cons_ci": m["cons_ci"], "no_answer": summary["rates"]["no_answer"],
                "truncated": summary["rates"]["truncated"], "n_samples": summary["n_samples"],
                "completion_mean": summary["tokens"]["completion_mean"], "pass_at_8": m["pass_at_k"]["8"]}
    for metric, value in expected.items():
        assert found[metric][0] == value, metric
    for metric in ("pass1", "cons", "pass1_se", "no_answer", "pass_at_8"):
        assert found[metric][1] == pct(found[metric][0]), metric
    assert found["pass1_ci"][1] == f"[{pct(m['pass1_ci'][0])}, {pct(m['pass1_ci'][1])}]"


def test_per_problem_table_and_samples(runs: dict) -> None:
    summary = json.loads((runs["clean"] / "summary.json").read_text())
    page = parse(write_report(runs["clean"]).read_text())
    rates = [json.loads(v) for metric, v, _ in page.metrics if metric == "pass_rate"]
    assert rates == [row["pass_rate"] for row in summary["per_problem"]]
    assert len(page.with_class("li", "sample-line")) == summary["n_samples"] and page.count("pre") == 0
    anchors = {a["href"] for tag, a in page.tags if tag == "a" and (a.get("href") or "").startswith("#p")}
    ids = {a.get("id") for _, a in page.tags}
    assert anchors and anchors <= {f"#{i}" for i in ids if i}, "every problem link has a target"
    assert page.count("svg") == 5  # 3 plots + the two budget curves
    # Every sample line links to a block with that id on an existing problem page; samples start collapsed.
    links = [a["href"] or "" for tag, a in page.tags if tag == "a" and (a.get("href") or "").startswith(SAMPLES_DIR)]
    targets: dict[str, set] = {}
    samples = marks = 0
    for name in sorted({link.split("#")[0] for link in links}):
        problem_page = parse((runs["clean"] / name).read_text())
        blocks = problem_page.with_class("details", "sample")
        assert all("open" not in a for a in blocks), "samples must start collapsed"
        samples += len(blocks)
        marks += problem_page.count("mark")
        targets[name] = {a.get("id") for _, a in problem_page.tags}
    assert samples == summary["n_samples"] == len([link for link in links if "#" in link]) and marks > 0
    assert all(link.split("#")[1] in targets[link.split("#")[0]] for link in links if "#" in link)


def test_problem_pages_of_an_older_report_are_removed(runs: dict, tmp_path: Path) -> None:
    write_report(runs["clean"])
    stale = runs["clean"] / SAMPLES_DIR / "p999.html"
    stale.write_text((runs["clean"] / SAMPLES_DIR / "p0.html").read_text())  # a page an older report wrote
    keep = runs["clean"] / SAMPLES_DIR / "notes.txt"
    keep.write_text("mine")
    write_report(runs["clean"])
    assert not stale.exists() and keep.read_text() == "mine"
    keep.unlink()


def test_model_and_config_text_is_escaped(runs: dict) -> None:
    main = write_report(runs["hostile"])
    first = runs["changes"]["first"]
    pages = sorted((runs["hostile"] / SAMPLES_DIR).glob("p*.html"))
    for path in (main, *pages):
        page = parse(path.read_text())
        assert page.count("script") == 0 and page.count("img") == 0 and page.count("i") == 0, path.name
        assert not [a for _, attrs in page.tags for a in attrs if a.startswith("on")], path.name
        assert page.title.endswith(f"{EVIL_MODEL} on demo"), path.name
    transcripts = "".join(path.read_text() for path in pages)
    assert "&lt;script&gt;window.__pwned=1" in transcripts and "&lt;img src=x onerror=" in transcripts
    assert "<mark>&lt;i&gt;7&lt;/i&gt;</mark>" in transcripts  # the hostile extracted answer, highlighted as text
    assert "&lt;i&gt;7&lt;/i&gt;" in main.read_text()  # and listed as text on the sample line
    assert first["problem_id"] in main.read_text()


def test_imported_verdicts_that_differ_are_listed(runs: dict) -> None:
    changes = runs["changes"]
    records = load_run(runs["hostile"]).records
    found = disagreements(records)
    assert [(r["problem_id"], r["sample"]) for r in found] == [(changes["differ"]["problem_id"],
                                                                 changes["differ"]["sample"])]
    text = write_report(runs["hostile"]).read_text()
    section = text[text.index('id="disagreements"'):text.index('id="problems"')]
    assert "999" in section and "1 of " in section
    assert f"{changes['agree']['problem_id']} #{changes['agree']['sample']}<" not in section


def test_highlight_marks_the_last_standalone_answer() -> None:
    assert highlight("x 370 then 1370 and 370.", "370") == "x 370 then 1370 and <mark>370</mark>."
    assert highlight("no answer here", "5") == "no answer here"
    assert highlight("a <b>", None) == "a &lt;b&gt;"


def test_reference_shows_paper_row_beside_a_matching_run(runs: dict, tmp_path: Path) -> None:
    config = json.loads((runs["clean"] / "config.json").read_text())
    config["model_name"] = "r1-distill-qwen-7b"
    copy = tmp_path / "run"
    copy.mkdir()
    for name in ("samples.jsonl", "summary.json", "errors.jsonl"):
        (copy / name).write_bytes((runs["clean"] / name).read_bytes())
    (copy / "config.json").write_text(json.dumps(config))
    text = write_report(copy, reference="deepseek-r1").read_text()
    pass1 = json.loads((copy / "summary.json").read_text())["metrics"]["pass1"]
    table_at = text.index('id="reference"')  # the published table (the verdict above it also names the row)
    row = text[text.index("DeepSeek-R1-Distill-Qwen-7B", table_at):]
    row = row[: row.index("</tr>")]
    assert "55.5" in row and "83.3" in row and f"{100 * pass1 - 55.5:+.1f}" in row
    assert 'class="match"' in text[text.rindex("<tr", 0, text.index("DeepSeek-R1-Distill-Qwen-7B", table_at)):][:30]
    assert "ran on demo, the paper on aime-2024: not comparable" in text


def test_unknown_reference_and_missing_summary_are_clear_errors(runs: dict, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="known references: deepseek-r1"):
        write_report(runs["clean"], reference="nope")
    (tmp_path / "config.json").write_text((runs["clean"] / "config.json").read_text())
    with pytest.raises(ReportError, match="no summary.json"):
        write_report(tmp_path)


def test_reference_numbers_are_the_published_ones() -> None:
    from evaluator.reports.references import load_references

    ref = load_references()["deepseek-r1"]
    assert ref.dataset == "aime-2024" and "2501.12948" in ref.source
    published = {row.model: (row.pass1, row.cons64) for row in ref.rows}
    assert published == {
        "DeepSeek-R1": (79.8, None), "DeepSeek-R1-Zero": (71.0, 86.7), "OpenAI-o1-1217": (79.2, None),
        "OpenAI-o1-0912": (74.4, 83.3), "OpenAI-o1-mini": (63.6, 80.0), "QwQ-32B-Preview": (44.0, 60.0),
        "DeepSeek-R1-Distill-Qwen-1.5B": (28.9, 52.7), "DeepSeek-R1-Distill-Qwen-7B": (55.5, 83.3),
        "DeepSeek-R1-Distill-Qwen-14B": (69.7, 80.0), "DeepSeek-R1-Distill-Qwen-32B": (72.6, 83.3),
        "DeepSeek-R1-Distill-Llama-8B": (50.4, 80.0), "DeepSeek-R1-Distill-Llama-70B": (70.0, 86.7),
    }
    assert ref.match("r1-distill-llama-70b").model == "DeepSeek-R1-Distill-Llama-70B"  # type: ignore[union-attr]
    assert ref.match("deepseek-ai/DeepSeek-R1-Zero").model == "DeepSeek-R1-Zero"  # type: ignore[union-attr]
    assert ref.match("mock:0.6") is None
