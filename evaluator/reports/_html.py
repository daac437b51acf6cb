"""Shared HTML scaffolding for the report and the comparison page: escaping, tables, the page shell.

Model text and config text are untrusted: everything that reaches a page goes through
`esc()` unless it is already a `Safe` fragment built here from escaped parts. Helpers take plain
values and escape them themselves, so forgetting to escape needs a deliberate `Safe(...)`.
The pages carry no script at all: inline CSS, inline SVG, <details> for folding.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from evaluator.reports.runview import ReportError


class Safe(str):
    """A fragment of HTML that is already escaped (or is our own static markup)."""


Cell = Any  # a value to escape, or a Safe fragment


def esc(value: object) -> Safe:
    """Escape any value for element text and quoted attribute values (& < > \" ')."""
    if isinstance(value, Safe):
        return value
    return Safe(html.escape("" if value is None else str(value), quote=True))


def join(parts: Iterable[Cell], sep: str = "") -> Safe:
    """Concatenate fragments, escaping the ones that are not Safe."""
    return Safe(sep.join(esc(p) for p in parts))


def tag(name: str, content: Cell = "", **attrs: object) -> Safe:
    """<name attr="...">content</name>; `class_` becomes `class`; None-valued attributes are left out."""
    rendered = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{esc(value)}"' for key, value in attrs.items() if value is not None
    )
    return Safe(f"<{name}{rendered}>{esc(content)}</{name}>")


def pct(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage ('59.2'), '-' when missing or not finite."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{100 * value:.{digits}f}"


def ci_text(ci: Sequence[float] | None) -> str:
    return "" if not ci else f"[{pct(ci[0])}, {pct(ci[1])}]"


def number(value: object, metric: str, text: str | None = None) -> Safe:
    """A figure with its exact stored value in `data-value` (JSON), so tests and scrapers can read it."""
    shown = text if text is not None else ("-" if value is None else str(value))
    return tag("span", shown, class_="num", data_metric=metric, data_value=json.dumps(value))


def table(headers: Sequence[Cell], rows: Iterable[Sequence[Cell]], *, class_: str | None = None,
          row_attrs: Sequence[Mapping[str, object]] | None = None) -> Safe:
    """A <table>; every cell is escaped unless Safe. `row_attrs[i]` are attributes of row i."""
    head = join(tag("th", h) for h in headers)
    body = []
    for i, row in enumerate(rows):
        attrs = row_attrs[i] if row_attrs and i < len(row_attrs) else {}
        body.append(tag("tr", join(tag("td", c) for c in row), **attrs))
    return tag("table", Safe(f"<thead><tr>{head}</tr></thead><tbody>{join(body)}</tbody>"), class_=class_)


def key_values(items: Iterable[tuple[str, object]]) -> Safe:
    """A two-column table of settings; dicts and lists are shown as JSON."""
    rows = []
    for key, value in items:
        shown = json.dumps(value, ensure_ascii=False, sort_keys=True) if isinstance(value, (dict, list)) else value
        rows.append((key, tag("code", "" if shown is None else shown)))
    return table(("setting", "value"), rows, class_="kv")


def section(title: str, content: Cell, id_: str | None = None, note: str | None = None) -> Safe:
    intro = tag("p", note, class_="note") if note else Safe("")
    return tag("section", join((tag("h2", title), intro, content)), id=id_)


def rate_color(rate: float | None) -> str:
    """Heatmap colour for a pass rate: red (0) through yellow to green (1); grey when missing."""
    if rate is None or not math.isfinite(rate):
        return "#e5e7eb"
    hue = int(round(120 * max(0.0, min(1.0, rate))))
    return f"hsl({hue}, 65%, 72%)"


CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2937;
       background: #f8fafc; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 24px 48px; }
header { background: #1e293b; color: #f8fafc; padding: 14px 24px; }
header h1 { margin: 0; font-size: 20px; } header p { margin: 4px 0 0; color: #cbd5e1; }
h2 { font-size: 17px; border-bottom: 1px solid #cbd5e1; padding-bottom: 4px; margin-top: 28px; }
section { margin-bottom: 8px; }
table { border-collapse: collapse; margin: 8px 0; background: #fff; }
th, td { border: 1px solid #e2e8f0; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f1f5f9; font-weight: 600; }
td .num, td.num { font-variant-numeric: tabular-nums; }
table.kv code { white-space: pre-wrap; word-break: break-word; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; }
.card { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 10px 14px; min-width: 150px; }
.card .label { color: #64748b; font-size: 12px; } .card .big { font-size: 24px; font-weight: 600; }
.card .sub { color: #475569; font-size: 12px; }
.plots { display: flex; flex-wrap: wrap; gap: 12px; }
.plot { background: #fff; border: 1px solid #e2e8f0; border-radius: 8px; padding: 6px; }
.plot svg { display: block; width: 440px; height: auto; }
.note { color: #475569; } .warn { color: #b45309; font-weight: 600; }
.ok { color: #15803d; font-weight: 600; } .bad { color: #b91c1c; font-weight: 600; }
details.sample { background: #fff; border: 1px solid #e2e8f0; border-radius: 6px; margin: 4px 0; }
details.sample > summary { cursor: pointer; padding: 4px 8px; }
details.problem > summary { cursor: pointer; font-weight: 600; padding: 4px 0; }
pre.response { white-space: pre-wrap; word-break: break-word; margin: 0; padding: 8px; background: #f8fafc;
               border-top: 1px solid #e2e8f0; max-height: 480px; overflow: auto; font-size: 12.5px; }
ol.samples { margin: 2px 0 8px; padding-left: 28px; font-size: 13px; }
mark { background: #fde047; padding: 0 2px; border-radius: 2px; }
tr.match td { background: #fef9c3; }
table.heat td.cell { text-align: center; min-width: 56px; }
a { color: #1d4ed8; }
"""


def page(title: str, subtitle: str, body: Cell) -> str:
    """A complete self-contained HTML document: inline CSS, no script, no external resource."""
    head = Safe(
        '<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:\">"
    )
    document = join((
        Safe("<!DOCTYPE html>\n<html lang=\"en\"><head>"), head, tag("title", title), tag("style", Safe(CSS)),
        Safe("</head><body>"), tag("header", join((tag("h1", title), tag("p", subtitle)))),
        tag("main", body), Safe("</body></html>\n"),
    ))
    return str(document)


def write_page(path: Path, text: str) -> Path:
    """Write a page atomically (temp file + rename): a browser never sees half a report."""
    from evaluator._files import atomic_write

    try:
        atomic_write(path, text)  # never through a symbolic link a received folder planted
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return path
