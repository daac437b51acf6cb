"""Inline SVG plots for the HTML pages, drawn with matplotlib (a core dependency), imported lazily.

Figures are built with the object API (matplotlib.figure.Figure; no pyplot, no global backend) and
saved as SVG with glyphs as paths, so the page needs no font and model names in legends cannot
become markup. Output is deterministic (fixed hash salt, no date) so reports diff cleanly.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from evaluator.reports._html import Safe
from evaluator.reports.runview import ReportError

if TYPE_CHECKING:  # matplotlib is imported when a plot is drawn, never by `evaluate --help`
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

WIDTH_IN, HEIGHT_IN = 5.2, 3.4
COLORS = ("#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777", "#4b5563")


@dataclass(frozen=True)
class Series:
    """One line: y values (fractions) by k, with optional error bars {k: (low, high)}."""

    label: str
    points: Mapping[int, float]
    errors: Mapping[int, tuple[float, float]] | None = None


@dataclass(frozen=True)
class Marker:
    """A published number drawn as a star at (k, value) (value a fraction)."""

    label: str
    k: int
    value: float


def _figure() -> tuple[Figure, Axes]:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # the `report` extra is not installed
        raise ReportError("plots need matplotlib, a dependency of aime-eval: reinstall it (pip install -e .)") from exc
    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=100)
    return fig, fig.subplots()


def _plain(text: str) -> str:
    """Text matplotlib prints literally: no mathtext ($), not hidden from legends (leading _)."""
    text = text.replace("$", r"\$")
    return f" {text}" if text.startswith("_") else text


def _svg(fig: Figure) -> Safe:
    """The figure as an inline <svg> element (XML prolog and DOCTYPE removed)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "aime-eval"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buffer.getvalue()
    start = text.find("<svg")
    if start < 0:
        raise ReportError("matplotlib produced no SVG")
    svg = text[start:]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    return Safe(svg.replace("<svg ", '<svg role="img" class="chart" ', 1))


def _series_lines(ax, series: Sequence[Series]) -> set[int]:
    """Draw each series (percent) with its CI bars on `ax`; returns the x values used."""
    xs_all: set[int] = set()
    for i, s in enumerate(series):
        xs = sorted(s.points)
        xs_all.update(xs)
        color = COLORS[i % len(COLORS)]
        ax.plot(xs, [100 * s.points[x] for x in xs], marker="o", ms=4, lw=1.6, color=color, label=_plain(s.label))
        for x, (low, high) in (s.errors or {}).items():
            ax.plot([x, x], [100 * low, 100 * high], color=color, lw=1.0, alpha=0.7)
            ax.plot([x], [100 * s.points[x]], marker="_", ms=8, color=color)
    return xs_all


def _log2_axes(ax, ticks: Sequence[int], labels: Sequence[str], xlabel: str, ylabel: str, title: str,
               legend: bool) -> None:
    """A log2 x axis over `ticks`, percent on y (0-100), labels, grid and legend."""
    ax.set_xscale("log", base=2)
    if ticks:
        ax.set_xticks(list(ticks), list(labels), fontsize=7 if len(ticks) > 8 else None)
        ax.set_xlim(min(ticks) / 1.3, max(ticks) * 1.3)
    ax.set_ylim(0, 102)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(_plain(ylabel))
    ax.set_title(_plain(title), fontsize=11)
    ax.grid(True, alpha=0.3)
    if legend:
        ax.legend(fontsize=8, loc="lower right")


def curve_plot(title: str, ylabel: str, series: Sequence[Series], markers: Sequence[Marker] = ()) -> Safe:
    """Metric vs k on a log2 axis, one line per series, in percent; stars for published numbers."""
    fig, ax = _figure()
    ks = _series_lines(ax, series)
    for marker in markers:
        ks.add(marker.k)
        ax.plot([marker.k], [100 * marker.value], marker="*", ms=12, ls="none", color="#111827",
                label=_plain(marker.label))
    ticks = sorted(ks)
    _log2_axes(ax, ticks, [str(k) for k in ticks], "k (samples)", ylabel, title, bool(series or markers))
    return _svg(fig)


def token_histogram(title: str, correct: Sequence[int], wrong: Sequence[int], limit: int | None = None) -> Safe:
    """Completion lengths of correct and incorrect samples (stacked), with the max_tokens limit marked."""
    fig, ax = _figure()
    values = [*correct, *wrong]
    if values:
        high = max(values)
        bins = min(40, max(5, len(set(values))))
        ax.hist([list(correct), list(wrong)], bins=bins, range=(0, high if high > 0 else 1), stacked=True,
                color=["#16a34a", "#dc2626"], label=["correct", "incorrect"])
        if limit is not None and limit <= high * 1.05:
            ax.axvline(limit, color="#111827", ls="--", lw=1, label="max_tokens")
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "no token counts recorded", ha="center", va="center", transform=ax.transAxes)
    ax.set_xlabel("completion tokens")
    ax.set_ylabel("samples")
    ax.set_title(_plain(title), fontsize=11)
    ax.grid(True, alpha=0.3)
    return _svg(fig)


def budget_plot(title: str, ylabel: str, series: Sequence[Series], method_note: str) -> Safe:
    """Metric vs token budget on a log2 axis with CI bars, one line per run; `method_note` says how the end of
    thinking was placed (token counts or an estimate from characters)."""
    fig, ax = _figure()
    ticks = sorted(_series_lines(ax, series))
    labels = [f"{b // 1024}k" if b >= 1024 and b % 1024 == 0 else str(b) for b in ticks]
    _log2_axes(ax, ticks, labels, "token budget (completion tokens)", ylabel, title, bool(series))
    ax.text(0.01, 0.98, _plain(method_note), transform=ax.transAxes, fontsize=7, va="top", color="#4b5563")
    return _svg(fig)
