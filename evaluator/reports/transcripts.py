"""The transcripts of a report: one static page per problem beside report.html.

An R1-length run holds ~90 MB of text (1920 responses of ~45k characters); inlined, report.html
grew to that size and took half a minute to open. So report.html lists every sample in one line
(verdict, extracted answer, status, tokens) and links to `report_samples/p<i>.html`, which holds that
problem's full responses (folded, extracted answer highlighted). Plain links and no script: the folder
works from file://, can be zipped and shared, and each problem page is searchable with the browser's
find. Every piece of model text goes through the escaping helpers of `_html`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from evaluator._files import link_refusal
from evaluator.errors import ReportError, StoreError
from evaluator.reports._html import Safe, esc, join, page, section, tag, write_page
from evaluator.reports.runview import RunView
from evaluator.run.record_types import SampleRecord

SAMPLES_DIR = "report_samples"
_MAX_HIGHLIGHT = 200  # longer extracted answers are shown, not searched for in the response
_PAGE = re.compile(r"p\d+\.html")
# Written into every problem page, so the clean-up of an older report's pages deletes only pages this
# program wrote: a p7.html someone else put in the folder is left alone.
OWN_PAGE_MARK = "<!-- aime-eval problem page -->\n"
_DOCTYPE = "<!DOCTYPE html>\n"


def anchor(index: int | str, sample: int) -> str:
    """The id of one sample's block on its problem page (and of nothing else)."""
    return f"p{index}-s{int(sample)}"


def page_name(index: int | str) -> str:
    return f"p{index}.html"


def sample_href(index: int | str, sample: int) -> str:
    """Link from report.html to one sample on its problem page."""
    return f"{SAMPLES_DIR}/{page_name(index)}#{anchor(index, sample)}"


def highlight(text: str, answer: str | None) -> Safe:
    """The response, escaped, with the last occurrence of the extracted answer wrapped in <mark>."""
    if not answer or len(answer) > _MAX_HIGHLIGHT:
        return esc(text)
    end = len(text)
    while (start := text.rfind(answer, 0, end)) >= 0:  # from the end: responses run to ~100k characters
        stop = start + len(answer)
        if not (_word_char(text[start - 1: start]) or _word_char(text[stop: stop + 1])):
            return join((text[:start], tag("mark", text[start:stop]), text[stop:]))
        end = stop - 1
    return esc(text)


def _word_char(char: str) -> bool:
    """An ASCII letter or digit: an answer glued to one (1370 for 370) is not that answer."""
    return bool(char) and char.isascii() and char.isalnum()


def _mark(r: SampleRecord) -> Safe:
    return tag("span", "✓", class_="ok") if r.get("correct") else tag("span", "✗", class_="bad")


def _facts(r: SampleRecord) -> Safe:
    """One sample in one line, after its number: answer, grader status, finish reason, tokens."""
    extracted = r.get("extracted")
    return join((
        " · answer ", tag("strong", "none" if extracted is None else extracted),
        f" · {r.get('status')} · finish {r.get('finish_reason')} · {r.get('completion_tokens')} tokens",
        f" · dump says {r.get('reported_extracted')}" if r.get("reported_extracted") is not None else "",
    ))


def sample_block(index: int | str, r: SampleRecord) -> Safe:
    """One sample, folded: its one-line summary, then the reasoning field (if any) and the response."""
    parts = [tag("summary", join((_mark(r), f" #{r['sample']}", _facts(r))))]
    if r.get("reasoning"):
        parts.append(tag("details", join((tag("summary", "reasoning (separate field)"),
                                          tag("pre", r["reasoning"], class_="response")))))
    parts.append(tag("pre", highlight(str(r.get("response") or ""), r.get("extracted")), class_="response"))
    return tag("details", join(parts), class_="sample", id=anchor(index, r["sample"]))


def _head(pid: str, records: Sequence[SampleRecord], gold: str) -> str:
    correct = sum(1 for r in records if r.get("correct"))
    return f"{pid} — {correct}/{len(records)} correct · gold {gold}"


def problem_block(index: int | str, pid: str, records: Sequence[SampleRecord], gold: str,
                  unfolded: bool = False) -> Safe:
    """A problem with every response inline (the problem page's body; the single-file layout)."""
    return tag("details", join((tag("summary", _head(pid, records, gold)),
                                *(sample_block(index, r) for r in records))), class_="problem", id=f"p{index}",
               open="" if unfolded else None)


def sample_index(run: RunView) -> Safe:
    """For report.html: per problem, one line per sample linking to its full text on the problem page."""
    golds = run.golds()
    blocks = []
    for index, (pid, records) in enumerate(run.samples_by_problem().items()):
        lines = [tag("li", join((tag("a", join((_mark(r), f" #{r['sample']}")), href=sample_href(index, r["sample"])),
                                 _facts(r))), class_="sample-line") for r in records]
        head = join((_head(pid, records, golds.get(pid, "-")), " · ",
                     tag("a", "all responses", href=f"{SAMPLES_DIR}/{page_name(index)}")))
        blocks.append(tag("details", join((tag("summary", head), tag("ol", join(lines), class_="samples"))),
                          class_="problem", id=f"p{index}"))
    return join(blocks)


def inline_samples(run: RunView) -> Safe:
    """Every response inside one page (the layout before report_samples/; kept for the benchmark's baseline)."""
    golds = run.golds()
    return join(problem_block(i, pid, records, golds.get(pid, "-"))
                for i, (pid, records) in enumerate(run.samples_by_problem().items()))


def write_transcripts(run: RunView, report_name: str) -> Path:
    """Write RUN_DIR/report_samples/p<i>.html, one per problem (each atomically), and delete pages of an
    older report that this run no longer has. Returns the folder."""
    folder = run.directory / SAMPLES_DIR
    if folder.is_symlink():  # load_run refused it already; checked again right before writing
        raise StoreError(link_refusal(folder))
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot write {folder}: {exc.strerror or exc}; make the run folder writable, "
                          "or copy it somewhere writable and report the copy") from None
    golds = run.golds()
    written = set()
    for index, (pid, records) in enumerate(run.samples_by_problem().items()):
        back = tag("p", tag("a", "← back to the report", href=f"../{report_name}#p{index}"), class_="note")
        block = problem_block(index, pid, records, golds.get(pid, "-"), unfolded=True)
        body = section(f"{pid}: every response", join((back, block)),
                       note="Click a sample to read its full response; the extracted answer is highlighted.")
        subtitle = f"{run.model} on {run.dataset} · {run.directory.name}"
        text = page(f"{pid} · {run.model} on {run.dataset}", subtitle, body)
        write_page(folder / page_name(index), text.replace(_DOCTYPE, _DOCTYPE + OWN_PAGE_MARK, 1))
        written.add(page_name(index))
    for stale in folder.iterdir():
        if _PAGE.fullmatch(stale.name) and stale.name not in written and _ours(stale):
            stale.unlink()
    return folder


def _ours(path: Path) -> bool:
    """A plain file (not a link) that starts like a problem page this program wrote."""
    if path.is_symlink() or not path.is_file():
        return False
    head = _DOCTYPE + OWN_PAGE_MARK
    with open(path, "rb") as f:
        return f.read(len(head.encode())) == head.encode()
