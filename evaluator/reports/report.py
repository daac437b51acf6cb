"""`evaluate report RUN_DIR`: a static folder to audit a run: RUN_DIR/report.html plus
RUN_DIR/report_samples/ (one page per problem with its full responses, evaluator.reports.transcripts).

Headline numbers with CIs, pass@k and maj@k curves, truncation/no-answer rates, token lengths, a
per-problem table, one line per sample linking to its full response (folded, extracted answer
highlighted), and, for imported runs, the samples where our verdict differs from the one in the
foreign dump. report.html stays small at any run size (the transcripts live beside it); no script,
so it works from file:// and the two together can be zipped and shared. Numbers come from
summary.json as stored; every figure also carries its exact value in `data-value`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaluator.grading.disagreements import disagreements
from evaluator.metrics.verdict import VerdictRow
from evaluator.reports._html import (
    Safe,
    ci_text,
    esc,
    join,
    key_values,
    number,
    page,
    pct,
    section,
    table,
    tag,
    write_page,
)
from evaluator.reports.insight_sections import budget_section, checks_section, stability_section
from evaluator.reports.plots import Marker, Series, curve_plot, token_histogram
from evaluator.reports.references import Reference, get_reference, reference_notes, reference_table
from evaluator.reports.runview import RunView, load_run
from evaluator.reports.transcripts import (
    SAMPLES_DIR,
    highlight,
    inline_samples,
    sample_href,
    sample_index,
    write_transcripts,
)
from evaluator.reports.verdicts import VERDICT_NOTE, run_verdict, verdict_html
from evaluator.run.record_types import Disagreement
from evaluator.run.store import SUMMARY, write_json

__all__ = ["REPORT", "highlight", "render_report", "write_report"]

REPORT = "report.html"


def write_report(run_dir: Path, reference: str | None = None, target: str | None = None) -> Path:
    """Write RUN_DIR/report.html and its transcript pages (RUN_DIR/report_samples/), optionally with a
    published reference set beside the run; returns the path of report.html.

    With `reference` (a set, or a model it lists) or `target` ("pass1=71.0,cons=86.7") the page has a
    reproduction verdict, which is also stored in summary.json as "verdict"."""
    run = load_run(Path(run_dir))
    verdict = run_verdict(run, reference, target)
    if verdict is not None:
        store_verdict(run, verdict, reference, target)
    write_transcripts(run, REPORT)
    return write_page(run.directory / REPORT, render_report(run, get_reference(reference), verdict))


def store_verdict(run: RunView, rows: Sequence[VerdictRow], reference: str | None, target: str | None) -> None:
    """summary.json gets {"verdict": {"reference", "target", "rows"}} (only when a verdict was asked for)."""
    summary = {**run.summary, "verdict": {"reference": reference, "target": target, "rows": [r.to_dict() for r in rows]}}
    write_json(run.directory / SUMMARY, summary)


def render_report(run: RunView, reference: Reference | None = None, verdict: Sequence[VerdictRow] | None = None,
                  inline_transcripts: bool = False) -> str:
    """The report page as a string. Samples link to the transcript pages; `inline_transcripts` puts every
    response inside the page instead (the old single-file layout: the benchmark's baseline)."""
    m = run.metrics
    created = run.config.get("created_at", "")
    subtitle = f"{run.dataset} · k={run.k} · {run.directory.name} · {created}"
    body = join((
        _headline(run),
        _contests_and_judge(run),
        checks_section(run.summary),
        section("Reproduction verdict", verdict_html(verdict), id_="verdict", note=VERDICT_NOTE)
        if verdict is not None else "",
        _reference_section(run, reference) if reference else "",
        section("Curves and lengths", _plots(run, reference), id_="plots",
                note=f"pass@k is the unbiased estimator over the {m['samples_min']} samples per problem; maj@k is the "
                     "expected majority-vote accuracy over random k-subsets (docs/metrics.md)."),
        budget_section([run], [run.model]),
        stability_section(run.summary),
        section("Answer rates", _rates(run), id_="rates"),
        _mismatch_section(run),
        section("Per problem", _problem_table(run), id_="problems"),
        section("Samples", inline_samples(run) if inline_transcripts else sample_index(run), id_="samples",
                note="Click a problem, then a sample, to read its full response (one page per problem in "
                     f"{SAMPLES_DIR}/); the extracted answer is highlighted."),
        section("Configuration", _config(run), id_="config"),
    ))
    return page(f"{run.model} on {run.dataset}", subtitle, body)


def _card(label: str, value: Safe, sub: Any = "") -> Safe:
    return tag("div", join((tag("div", label, class_="label"), tag("div", value, class_="big"),
                            tag("div", sub, class_="sub"))), class_="card")


def _new_problems(m: dict[str, Any], key: str) -> tuple[Any, ...]:
    """' · new problems [lo, hi]' when the summary has that interval."""
    ci = m.get(key)
    return (" · new problems ", number(ci, key, ci_text(ci))) if ci else ()


def _headline(run: RunView) -> Safe:
    s, m = run.summary, run.metrics
    level = f"{round(100 * m['confidence'])}% CI"
    # summaries written before the two questions were split hold one two-level bootstrap CI, unlabelled
    same = "same problems " if "pass1_ci_new_problems" in m else ""
    top_k = max(int(k) for k in m["pass_at_k"])
    tokens = s["tokens"]["completion_mean"]
    cards = [
        _card("pass@1 (%)", number(m["pass1"], "pass1", pct(m["pass1"])),
              join((f"{level} {same}", number(m["pass1_ci"], "pass1_ci", ci_text(m["pass1_ci"])),
                    *_new_problems(m, "pass1_ci_new_problems"), " (± ",
                    number(m["pass1_se"], "pass1_se", pct(m["pass1_se"])), " SE)"))),
        _card(f"cons@{m['cons_k']} (%)", number(m["cons"], "cons", pct(m["cons"])),
              join((f"{level} {same}", number(m["cons_ci"], "cons_ci", ci_text(m["cons_ci"])),
                    *_new_problems(m, "cons_ci_new_problems")))),
        *([_card("Bayes@N (%)", number(m["bayes_mean"], "bayes_mean", pct(m["bayes_mean"])),
                 join((f"{level} credible ", number(m["bayes_ci"], "bayes_ci", ci_text(m["bayes_ci"])))))]
          if m.get("bayes_ci") else []),
        _card(f"pass@{top_k} (%)", number(m["pass_at_k"][str(top_k)], f"pass_at_{top_k}",
                                          pct(m["pass_at_k"][str(top_k)]))),
        _card("no answer (%)", number(s["rates"]["no_answer"], "no_answer", pct(s["rates"]["no_answer"]))),
        _card("truncated (%)", number(s["rates"]["truncated"], "truncated", pct(s["rates"]["truncated"]))),
        _card("tokens / sample", number(tokens, "completion_mean", "-" if tokens is None else f"{tokens:,.0f}")),
        _card("samples", join((number(s["n_samples"], "n_samples"), " / ",
                               number(s["expected_samples"], "expected_samples"))),
              f"{s['n_problems']} problems"),
    ]
    if s.get("cost_usd") is not None:
        cards.append(_card("cost (USD)", number(s["cost_usd"], "cost_usd", f"{s['cost_usd']:.2f}")))
    warn = ""
    if not s.get("complete"):
        warn = tag("p", f"Incomplete run: {s['n_samples']} of {s['expected_samples']} samples, "
                        f"{s['errors']} failed for good; numbers cover the samples present.", class_="warn")
    return section("Headline", join((warn, tag("div", join(cards), class_="cards"))), id_="headline")


def _contests_and_judge(run: RunView) -> Safe:
    """Per-contest rows of a collection run, and the LLM judge's counts (only when present)."""
    s, parts = run.summary, []
    if s.get("contests"):
        rows = [(name, part["n_problems"], number((part.get("metrics") or {}).get("pass1"), f"pass1_{name}",
                                                  pct((part.get("metrics") or {}).get("pass1"))))
                for name, part in [*s["contests"].items(), ("overall", s)]]
        parts.append(section("Per contest", table(("contest", "problems", "pass@1 (%)"), rows), id_="contests"))
    judge = s.get("judge")
    if judge:
        judge_rows: list[tuple[str, object]] = [
                ("judge model", judge["model"]), ("samples needing the judge", judge["needed"]),
                ("judged", number(judge["judged"], "judge_judged")),
                ("verdicts flipped to correct", number(judge["flipped"], "judge_flipped")),
                ("unparseable replies (counted as different)", judge["unparseable"]), ("pending", judge["pending"]),
                ("pass@1 without judge (%)", number(judge["pass1"], "judge_pass1", pct(judge["pass1"]))),
                ("pass@1 with judge (%)", number(judge["pass1_with_judge"], "judge_pass1_with",
                                                 pct(judge["pass1_with_judge"]))),
                ("judge cost (USD)", "-" if judge["cost_usd"] is None else f"{judge['cost_usd']:.2f}")]
        parts.append(section("LLM judge", table(("", ""), judge_rows), id_="judge",
                             note="Asked only about wrong or unanswered samples of LaTeX keys; every call is in "
                                  "judge.jsonl. The headline numbers are the rules' verdicts."))
    return join(parts)


def _plots(run: RunView, reference: Reference | None) -> Safe:
    m = run.metrics
    row = reference.match(*run.model_names) if reference else None
    pass_markers = [Marker(f"paper {row.model}", 1, row.pass1 / 100)] if row and row.pass1 is not None else []
    maj_markers = [Marker(f"paper {row.model} cons@64", 64, row.cons64 / 100)] if row and row.cons64 else []
    pass_errors = {1: tuple(m["pass1_ci"])} if m.get("pass1_ci") else None
    maj_errors = {int(m["cons_k"]): tuple(m["cons_ci"])} if m.get("cons_ci") else None
    counted = [(tokens, bool(r.get("correct"))) for r in run.records
               if (tokens := r.get("completion_tokens")) is not None]
    correct = [int(tokens) for tokens, ok in counted if ok]
    wrong = [int(tokens) for tokens, ok in counted if not ok]
    limit = run.identity.get("max_tokens")
    plots = (
        curve_plot("pass@k", "pass@k (%)", [Series(run.model, run.pass_curve(), pass_errors)], pass_markers),
        curve_plot("maj@k (majority vote)", "maj@k (%)", [Series(run.model, run.maj_curve(), maj_errors)], maj_markers),
        token_histogram("completion length", correct, wrong, int(limit) if limit else None),
    )
    return tag("div", join(tag("div", p, class_="plot") for p in plots), class_="plots")


def _rates(run: RunView) -> Safe:
    s = run.summary
    rows = [(name, number(value, f"rate_{name}", pct(value))) for name, value in s["rates"].items()]
    n = s["n_samples"] or 1
    statuses = [(status, count, pct(count / n)) for status, count in s["statuses"].items()]
    audit = [(flag, count, pct(count / n)) for flag, count in (s.get("flags") or {}).items()]
    audit.append(("human overrides applied", s.get("overrides", 0), pct(s.get("overrides", 0) / n)))
    return join((table(("rate", "% of samples"), rows),
                 table(("grader status", "samples", "%"), statuses),
                 table(("audit flag (samples to read)", "samples", "%"), audit)))


def _reference_section(run: RunView, reference: Reference) -> Safe:
    return section(f"Reference: {reference.name}", join((reference_notes(reference, [run]),
                                                          reference_table(reference, [run], [run.model]))),
                   id_="reference")


def _mismatch_section(run: RunView) -> Safe:
    if not any("reported_correct" in r or "reported_extracted" in r for r in run.records):
        return Safe("")
    index = {pid: i for i, pid in enumerate(run.problem_ids)}
    found = disagreements(run.records)
    rows = [(tag("a", f"{r['problem_id']} #{r['sample']}", href=_sample_link(index, r)), r.get("gold"),
             r.get("extracted"), _verdict(r.get("correct")), r.get("reported_extracted"),
             _verdict(r.get("reported_correct"))) for r in found]
    note = (f"{len(found)} of {len(run.records)} imported samples: our grader and the dump disagree."
            if found else "Our grader agrees with the dump on every imported sample.")
    content = table(("sample", "gold", "our answer", "our verdict", "dump answer", "dump verdict"), rows) if rows else ""
    return section("Disagreements with the imported verdicts", content, id_="disagreements", note=note)


def _verdict(value: Any) -> Safe:
    if value is None:
        return esc("-")
    return tag("span", "correct", class_="ok") if value else tag("span", "wrong", class_="bad")


def _sample_link(index: dict[str, int], record: Disagreement) -> str:
    return sample_href(index.get(str(record["problem_id"]), "x"), int(record["sample"]))


def _problem_table(run: RunView) -> Safe:
    golds = run.golds()
    rows = []
    for i, row in enumerate(run.summary["per_problem"]):
        majority = row["majority_answer"]
        credit = row["majority_credit"]
        shown = "-" if majority is None else majority
        vote = tag("span", shown, class_="ok" if credit else "bad") if majority is not None else esc("-")
        tie = f" (tie of {row['n_tied']})" if row["n_tied"] > 1 else ""
        rows.append((
            tag("a", row["problem_id"], href=f"#p{i}"), golds.get(row["problem_id"], "-"),
            number(row["pass_rate"], "pass_rate", pct(row["pass_rate"])), f"{row['n_correct']}/{row['n']}",
            join((vote, tie)), pct(row["majority_share"]), row["no_answer"],
        ))
    return table(("problem", "gold", "pass rate (%)", "correct", "majority answer", "vote share (%)", "no answer"),
                 rows, class_="problems")


def _config(run: RunView) -> Safe:
    c = run.config
    items: list[tuple[str, object]] = [("model_name", c.get("model_name")), ("k", c.get("k"))]
    items += [(f"identity.{key}", value) for key, value in run.identity.items()]
    items += [(key, c.get(key)) for key in ("dataset_origin", "created_at", "config_hash", "schema_version",
                                            "versions", "backend_config") if key in c]
    items.append(("run directory", str(run.directory)))
    return key_values(items)
